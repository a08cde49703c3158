"""The pure parts of installing dependencies: the install key, local sources and
uv's index flags (steps.dependencies)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.steps.dependencies import install_inputs, referenced_files, uv_index_flags

from .helpers import write


def key(app, config=None, files=("requirements.txt",), added=(), installer="uv"):
    return install_inputs(app, list(files), list(added), installer, config or {}).key


@pytest.fixture
def app(tmp_path):
    write(tmp_path / "requirements.txt", "-r requirements/base.txt\ngunicorn==23.0.0\n")
    write(tmp_path / "requirements" / "base.txt", "django==5.0\n")
    return tmp_path


# -- the files an install reads ----------------------------------------------------------

def test_referenced_files_follow_requirement_and_constraint_includes(app):
    write(app / "requirements" / "base.txt", "-c constraints.txt\n--requirement=extra.txt\ndjango\n")
    write(app / "requirements" / "constraints.txt", "django<6\n")
    write(app / "requirements" / "extra.txt", "-r base.txt\n")
    assert sorted(referenced_files(app, "requirements.txt")) == [
        "requirements.txt", "requirements/base.txt", "requirements/constraints.txt", "requirements/extra.txt"]


def test_install_inputs_list_every_file_once(app):
    inputs = install_inputs(app, ["requirements.txt", "requirements/base.txt"], [], "uv", {})
    assert inputs.files == ("requirements.txt", "requirements/base.txt")


# -- the key -------------------------------------------------------------------------------

def test_key_is_stable_for_the_same_inputs(app):
    assert key(app) == key(app)


def test_key_changes_when_the_requirements_file_changes(app):
    before = key(app)
    write(app / "requirements.txt", "-r requirements/base.txt\ngunicorn==23.0.1\n")
    assert key(app) != before


def test_key_changes_when_an_included_file_changes(app):
    before = key(app)
    write(app / "requirements" / "base.txt", "django==5.1\n")
    assert key(app) != before


def test_key_changes_when_a_file_included_without_a_space_changes(tmp_path):
    write(tmp_path / "requirements.txt", "-rbase.txt\n")
    write(tmp_path / "base.txt", "django==5.0\n")
    before = key(tmp_path)
    write(tmp_path / "base.txt", "django==5.1\n")
    assert key(tmp_path) != before


def test_key_changes_with_the_installer(app):
    assert key(app, installer="uv") != key(app, installer="pip")


def test_key_changes_with_the_added_packages(app):
    assert key(app) != key(app, added=['gunicorn==27.0.1; python_version >= "3.10"'])


@pytest.mark.parametrize("name", ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_TRUSTED_HOST",
                                  "PIP_NO_INDEX"])
def test_key_changes_when_an_index_config_var_changes(app, name):
    assert key(app, {name: "a"}) != key(app, {name: "b"})
    assert key(app, {name: "a"}) != key(app)


def test_key_changes_when_a_var_referenced_in_a_requirement_file_changes(app):
    write(app / "requirements" / "base.txt", "private-lib @ git+https://${GITHUB_TOKEN}@github.com/org/lib.git\n")
    assert key(app, {"GITHUB_TOKEN": "one"}) != key(app, {"GITHUB_TOKEN": "two"})


def test_key_does_not_change_when_an_unrelated_config_var_changes(app):
    assert key(app, {"SECRET_KEY": "one", "DATABASE_URL": "a"}) == key(app, {"SECRET_KEY": "two"}) == key(app)


def test_key_never_holds_a_config_var_value(app):
    assert "hunter22" not in key(app, {"PIP_INDEX_URL": "https://u:hunter22@pypi.example.com"})


def test_inputs_without_requirement_files_have_no_files_and_no_local_sources(tmp_path):
    inputs = install_inputs(tmp_path, [], ["gunicorn==27.0.1"], "uv", {})
    assert inputs.files == () and not inputs.local_sources


# -- local sources -------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["-e .", "--editable ./libs/core", "-e git+https://x.example/r.git#egg=r",
                                  "./libs/core", "../shared", "/opt/wheels/thing.whl", "file:///opt/wheels/a.whl"])
def test_local_sources_are_detected(tmp_path, line):
    write(tmp_path / "requirements.txt", f"flask\n{line}\n")
    assert install_inputs(tmp_path, ["requirements.txt"], [], "uv", {}).local_sources


def test_local_sources_in_an_included_file_are_detected(app):
    write(app / "requirements" / "base.txt", "-e .\n")
    assert install_inputs(app, ["requirements.txt"], [], "uv", {}).local_sources


@pytest.mark.parametrize("line", [".", ".[web]"])
def test_the_app_directory_itself_is_a_local_source(tmp_path, line):
    write(tmp_path / "requirements.txt", f"{line}\n")
    assert install_inputs(tmp_path, ["requirements.txt"], [], "uv", {}).local_sources


def test_index_packages_are_not_local_sources(app):
    write(app / "requirements" / "base.txt", "django==5.0\n# -e . in a comment\nhttps://example.com/a.whl\n")
    assert not install_inputs(app, ["requirements.txt"], [], "uv", {}).local_sources


# -- uv index flags ---------------------------------------------------------------------------

def test_no_index_config_vars_give_no_flags():
    assert uv_index_flags({"SECRET_KEY": "x"}) == []


def test_index_url_becomes_index_url():
    assert uv_index_flags({"PIP_INDEX_URL": " https://pypi.example.com/simple\n"}) == [
        "--index-url", "https://pypi.example.com/simple"]


def test_extra_index_urls_are_space_separated():
    assert uv_index_flags({"PIP_EXTRA_INDEX_URL": "https://a.example/simple  https://b.example/simple\n"}) == [
        "--extra-index-url", "https://a.example/simple", "--extra-index-url", "https://b.example/simple"]


def test_find_links_become_find_links():
    assert uv_index_flags({"PIP_FIND_LINKS": "/opt/wheels https://w.example/"}) == [
        "--find-links", "/opt/wheels", "--find-links", "https://w.example/"]


def test_trusted_hosts_become_allow_insecure_host():
    assert uv_index_flags({"PIP_TRUSTED_HOST": "a.example b.example:8080"}) == [
        "--allow-insecure-host", "a.example", "--allow-insecure-host", "b.example:8080"]


@pytest.mark.parametrize("value, flags", [("1", ["--no-index"]), ("true", ["--no-index"]), ("YES", ["--no-index"]),
                                          ("on", ["--no-index"]), ("0", []), ("false", []), ("", [])])
def test_no_index_is_a_boolean(value, flags):
    assert uv_index_flags({"PIP_NO_INDEX": value}) == flags


def test_all_index_flags_come_in_a_fixed_order():
    config = {"PIP_NO_INDEX": "1", "PIP_TRUSTED_HOST": "h", "PIP_FIND_LINKS": "f", "PIP_EXTRA_INDEX_URL": "e",
              "PIP_INDEX_URL": "i"}
    assert uv_index_flags(config) == ["--index-url", "i", "--extra-index-url", "e", "--find-links", "f",
                                      "--allow-insecure-host", "h", "--no-index"]


def test_a_package_manager_can_say_whether_its_install_builds_local_code(tmp_path):
    write(tmp_path / "uv.lock", 'source = { editable = "." }\n')
    assert not install_inputs(tmp_path, ["uv.lock"], [], "uv", {}).local_sources
    assert install_inputs(tmp_path, ["uv.lock"], [], "uv", {}, local=True).local_sources
    write(tmp_path / "requirements.txt", "-e .\n")
    assert not install_inputs(tmp_path, ["requirements.txt"], [], "uv", {}, local=False).local_sources


def test_a_failure_to_build_the_app_itself_is_told_apart_from_other_failures(tmp_path):
    from pybuildpack.steps.dependencies import app_build_failed

    app = f"file://{tmp_path}"
    assert app_build_failed(f"error: Failed to build `site @ {app}`\n  cause: The build backend returned an error",
                            tmp_path)
    assert app_build_failed("error: The build backend returned an error\n  cause: Call to `setuptools.build_meta"
                            ":__legacy__.get_requires_for_build_wheel` failed", tmp_path)
    assert not app_build_failed("error: Failed to build `numpy==1.0`\n  cause: The build backend returned an error",
                                tmp_path)
    assert not app_build_failed("error: No solution found when resolving dependencies", tmp_path)


@pytest.mark.parametrize("output, url, status", [
    ("error: Failed to download `greeting-lib==1.0.0`\n  cause: HTTP status client error (401 Unauthorized) for url "
     "(http://127.0.0.1:1/files/greeting_lib-1.0.0-py3-none-any.whl)\n",
     "http://127.0.0.1:1/files/greeting_lib-1.0.0-py3-none-any.whl", "401"),
    ("ERROR: 403 Client Error: Forbidden for url: https://pkgs.example.com/simple/x/\n",
     "https://pkgs.example.com/simple/x/", "403"),
])
def test_an_index_refusing_credentials_is_told_apart_from_a_missing_package(output, url, status):
    from pybuildpack import errors
    from pybuildpack.steps.dependencies import check_credentials_refused

    with pytest.raises(errors.IndexCredentialsRefused) as caught:
        check_credentials_refused(output)
    assert f"answered {status}" in caught.value.body and url in caught.value.body


def test_a_missing_package_is_not_a_refused_credential():
    from pybuildpack.steps.dependencies import check_credentials_refused

    assert check_credentials_refused("error: No solution found: flaskk was not found in the package registry") is None


UV_REFUSED = """\
error: Request failed after 3 retries in 8.7s
  cause: Failed to fetch: http://127.0.0.1:35327/simple/gunicorn/
  cause: error sending request for url (http://127.0.0.1:35327/simple/gunicorn/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""
UV_DNS = """\
error: Failed to fetch: `https://pkgs.invalid/simple/flask/`
  Caused by: Request failed after 3 retries
  cause: error sending request for url (https://pkgs.invalid/simple/flask/)
  cause: client error (Connect)
  cause: dns error
  cause: failed to lookup address information: Name or service not known
"""
PIP_REFUSED = """\
Looking in indexes: http://deploy:****@127.0.0.1:9/simple/
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by \
'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new \
connection: [Errno 111] Connection refused')': /simple/flask/
ERROR: Could not find a version that satisfies the requirement flask (from versions: none)
"""


@pytest.mark.parametrize("output, url, reason", [
    (UV_REFUSED, "http://127.0.0.1:35327/simple/gunicorn/", "(connection refused)"),
    (UV_DNS, "https://pkgs.invalid/simple/flask/", "(failed to lookup address information: Name or service not known)"),
    (PIP_REFUSED, "http://****@127.0.0.1:9/simple/", "(connection refused)"),
    (PIP_REFUSED.split("\n", 1)[1], "https://pypi.org/simple/", "(connection refused)"),
])
def test_an_index_that_cannot_be_reached_is_told_apart_from_a_missing_package(output, url, reason):
    from pybuildpack import errors
    from pybuildpack.steps.dependencies import check_index_unreachable

    with pytest.raises(errors.IndexUnreachable) as caught:
        check_index_unreachable(output, "requirements.txt", {})
    assert url in caught.value.body and reason in caught.value.body


def test_a_missing_package_is_not_an_unreachable_index():
    from pybuildpack.steps.dependencies import check_index_unreachable

    assert check_index_unreachable("error: No solution found: flaskk was not found in the package registry",
                                   "requirements.txt", {}) is None


def test_an_unreachable_index_is_named_as_configured_with_its_credentials_masked():
    from pybuildpack import errors
    from pybuildpack.steps.dependencies import check_index_unreachable

    with pytest.raises(errors.IndexUnreachable) as caught:
        check_index_unreachable(UV_REFUSED, "requirements.txt",
                                {"PIP_INDEX_URL": "http://deploy:tok3n@127.0.0.1:35327/simple/"})
    assert "index set in PIP_INDEX_URL:\n    http://****@127.0.0.1:35327/simple/\n" in caught.value.body
    assert "tok3n" not in caught.value.body and "gunicorn" not in caught.value.body


def test_an_invalid_wheel_of_the_app_itself_names_its_metadata_not_the_lock(tmp_path):
    from pybuildpack.steps.dependencies import check_app_wheel_invalid

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'todo-app'\n")
    output = (f"error: Failed to install: todo_app-0.1.0-py3-none-any.whl (todo-app==0.1.0 (from file://{tmp_path}))\n"
              "  cause: The wheel is invalid: invalid console script: 'python{args:src/cli.py}seed-db'\n")
    with pytest.raises(errors.AppWheelInvalid) as raised:
        check_app_wheel_invalid(output, tmp_path, "uv pip install")
    assert "todo-app 0.1.0" in raised.value.title and "`module:function`" in str(raised.value.body)
    # Another package's invalid wheel is a dependency's failure, told as before.
    other = output.replace(f"file://{tmp_path}", "file:///elsewhere/pkg")
    check_app_wheel_invalid(other, tmp_path, "uv pip install")
