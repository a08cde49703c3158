"""uv projects (pyproject.toml + uv.lock) through the Heroku classic API: what a
production `uv sync --locked --no-dev` would install, exactly, and the errors
for stale locks, several package managers and dependency files we cannot install."""

import shutil

import pytest

from harness.apps import set_dependencies, uv_lock
from harness.heroku import slug_distributions as distributions, slug_site_packages as site_packages

pytestmark = pytest.mark.slow


@pytest.fixture
def uv_app(fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("uv_project"), app)
    return app


def test_uv_project_installs_its_lock_without_dev_and_syncs_lock_changes_exactly(heroku, uv_app, build_env):
    cache = heroku.new_cache()
    first = heroku.build(uv_app, cache_dir=cache)
    assert first.ok, first.output
    assert "uv.lock locks 7 packages for production (its dependencies, without the dev group)" in first.output
    assert "Added gunicorn==" in first.output
    installed = distributions(first.build_dir)
    assert {"flask", "werkzeug", "jinja2", "gunicorn"} <= installed
    assert not {"pytest", "pluggy", "iniconfig"} & installed   # the dev group stays out
    slug = heroku.deploy(first)
    dyno = slug.start()
    reply = dyno.wait_until_serving("/")
    assert (reply.status, reply.text) == (200, "Hello from a uv project")
    assert dyno.terminate() == 0

    unchanged = heroku.build(uv_app, cache_dir=cache)
    assert unchanged.ok, unchanged.output
    assert "Dependencies unchanged since the last build (pyproject.toml, uv.lock)" in unchanged.output
    assert "Installing" not in unchanged.output

    set_dependencies(uv_app, ["flask>=3.0", "six"])
    uv_lock(uv_app, build_env)
    added = heroku.build(uv_app, cache_dir=cache)
    assert added.ok, added.output
    assert " + six==" in added.output and " + flask" not in added.output   # only what changed
    assert "six" in distributions(added.build_dir)

    set_dependencies(uv_app, ["flask>=3.0"])
    uv_lock(uv_app, build_env)
    removed = heroku.build(uv_app, cache_dir=cache)
    assert removed.ok, removed.output
    assert " - six==" in removed.output
    assert "six" not in distributions(removed.build_dir)
    assert "flask" in distributions(removed.build_dir)

    set_dependencies(uv_app, ["flask>=3.0", "six"])   # and no `uv lock`
    stale = heroku.build(uv_app, cache_dir=cache)
    assert stale.returncode == 1
    assert " !     Error: uv.lock is out of date" in stale.output
    assert "Run `uv lock` in the app, commit the updated uv.lock" in stale.output
    assert "Traceback" not in stale.output


def test_a_requires_python_range_gets_the_newest_python_the_lock_has_wheels_for(heroku, uv_app, build_env):
    # Found on astral-sh/uv-fastapi-example: a lock made before Python 3.13 has
    # only cp312 wheels for its compiled packages; 3.13 would build them from source.
    (uv_app / ".python-version").unlink()
    set_dependencies(uv_app, ["flask>=3.0", "markupsafe==2.1.5"])   # 2.1.5 has no Python 3.13 wheels
    uv_lock(uv_app, build_env)
    result = heroku.build(uv_app)
    assert result.ok, result.output
    assert "-----> Using Python 3.12." in result.output and "(from requires-python in pyproject.toml)" in result.output
    assert "Python 3.13 passed over: uv.lock has no 3.13 wheels for markupsafe 2.1.5\n" in result.output
    assert "Building markupsafe" not in result.output
    dyno = heroku.deploy(result).start()
    assert dyno.wait_until_serving("/").text == "Hello from a uv project"
    assert dyno.terminate() == 0

    (uv_app / ".python-version").write_text("3.13\n")   # pinned: never second-guessed
    pinned = heroku.build(uv_app)
    assert pinned.ok, pinned.output
    assert "-----> Using Python 3.13." in pinned.output and "passed over" not in pinned.output


def make_package_with_a_workspace_member(app):
    """The fixture as a package (`[build-system]`) that depends on a workspace member."""
    pyproject = (app / "pyproject.toml").read_text()
    pyproject += (
        '\n[build-system]\nrequires = ["uv_build>=0.8,<0.14"]\nbuild-backend = "uv_build"\n'
        '\n[tool.uv.sources]\ngreeting = { workspace = true }\n'
        '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    (app / "pyproject.toml").write_text(pyproject)
    set_dependencies(app, ["flask>=3.0", "greeting"])
    (app / "src" / "uv_project").mkdir(parents=True)
    (app / "src" / "uv_project" / "__init__.py").write_text(
        "from greeting import WORD\n\n\ndef message():\n    return f'{WORD} from a packaged uv project'\n")
    (app / "wsgi.py").write_text(
        "from flask import Flask\n\nfrom uv_project import message\n\napplication = Flask(__name__)\n\n\n"
        "@application.route('/')\ndef index():\n    return message()\n")
    member = app / "packages" / "greeting"
    (member / "src" / "greeting").mkdir(parents=True)
    (member / "pyproject.toml").write_text(
        '[project]\nname = "greeting"\nversion = "1.0.0"\nrequires-python = ">=3.12"\ndependencies = []\n'
        '\n[build-system]\nrequires = ["uv_build>=0.8,<0.14"]\nbuild-backend = "uv_build"\n')
    (member / "src" / "greeting" / "__init__.py").write_text("WORD = 'Hello'\n")


def test_a_packaged_project_and_its_workspace_member_are_installed_non_editably(heroku, uv_app, build_env):
    make_package_with_a_workspace_member(uv_app)
    uv_lock(uv_app, build_env)
    cache = heroku.new_cache()
    result = heroku.build(uv_app, cache_dir=cache)
    assert result.ok, result.output
    packages = site_packages(result.build_dir)
    assert (packages / "uv_project" / "__init__.py").is_file() and (packages / "greeting" / "__init__.py").is_file()
    assert not list(packages.glob("*.pth")) and not list(packages.glob("__editable__*"))
    slug = heroku.deploy(result)
    check = slug.run("python -c 'import uv_project, greeting; print(uv_project.__file__, greeting.__file__)'")
    assert check.stdout.split() == [str(site_packages(slug) / "uv_project" / "__init__.py"),
                                    str(site_packages(slug) / "greeting" / "__init__.py")], check
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from a packaged uv project"
    assert dyno.terminate() == 0

    # The app's own code changed, its lock did not: the packages are rebuilt anyway.
    (uv_app / "packages" / "greeting" / "src" / "greeting" / "__init__.py").write_text("WORD = 'Hi again'\n")
    again = heroku.build(uv_app, cache_dir=cache)
    assert again.ok, again.output
    assert "Dependencies unchanged" not in again.output
    dyno = heroku.deploy(again).start()
    assert dyno.wait_until_serving("/").text == "Hi again from a packaged uv project"
    assert dyno.terminate() == 0


def test_requirements_txt_beside_uv_lock_fails_until_a_config_var_chooses_one(heroku, uv_app):
    (uv_app / "requirements.txt").write_text("flask\nsix\n")
    both = heroku.build(uv_app)
    assert both.returncode == 1
    assert " !     Error: Dependency files of several package managers" in both.output
    assert " !       - requirements.txt (pip)\n !       - uv.lock (uv)\n" in both.output
    assert "heroku config:set PYBUILDPACK_PACKAGE_MANAGER=uv" in both.output
    assert "Traceback" not in both.output

    chosen = heroku.build(uv_app, config={"PYBUILDPACK_PACKAGE_MANAGER": "uv"})
    assert chosen.ok, chosen.output
    assert "uv.lock locks 7 packages for production" in chosen.output
    installed = distributions(chosen.build_dir)
    assert "flask" in installed and "six" not in installed


def test_an_app_with_only_a_conda_environment_fails_instead_of_deploying_without_its_packages(heroku, uv_app):
    for name in ("pyproject.toml", "uv.lock"):
        (uv_app / name).unlink()
    (uv_app / "environment.yml").write_text("dependencies:\n  - python=3.12\n  - pip:\n    - flask\n")
    result = heroku.build(uv_app)
    assert result.returncode == 1
    assert " !     Error: pybuildpack does not install conda environments (environment.yml)" in result.output
    assert "list the PyPI packages the app needs in requirements.txt" in result.output
    assert "Installing" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_private_index_in_tool_uv_index_gets_its_credentials_from_config_vars(heroku, uv_app, build_env, installer):
    from harness.index import PASSWORD, USERNAME, PrivateIndex

    with PrivateIndex({"greeting-lib": "WORD = 'Hello from the private index'\n"}) as index:
        with (uv_app / "pyproject.toml").open("a") as pyproject:
            pyproject.write(f'\n[[tool.uv.index]]\nname = "private"\nurl = "{index.url}"\nexplicit = true\n'
                            '\n[tool.uv.sources]\ngreeting-lib = { index = "private" }\n')
        set_dependencies(uv_app, ["flask>=3.0", "greeting-lib"])
        credentials = {"UV_INDEX_PRIVATE_USERNAME": USERNAME, "UV_INDEX_PRIVATE_PASSWORD": PASSWORD}
        uv_lock(uv_app, build_env, credentials)
        index.requests.clear()
        result = heroku.build(uv_app, config={**credentials, "PYBUILDPACK_INSTALLER": installer})
        assert result.ok, result.output
        assert any(path.endswith(".whl") and ok for path, ok in index.requests), index.requests
    assert PASSWORD not in result.output
    assert {"greeting-lib", "flask"} <= distributions(result.build_dir)
    assert "pytest" not in distributions(result.build_dir)
    slug = heroku.deploy(result)
    check = slug.run("python -c 'import greeting_lib; print(greeting_lib.WORD)'")
    assert check.stdout.strip() == "Hello from the private index", check


def test_a_private_index_that_refuses_the_credentials_fails_naming_it_without_the_password(heroku, uv_app,
                                                                                         build_env):
    from harness.index import PASSWORD, USERNAME, PrivateIndex

    with PrivateIndex({"greeting-lib": "WORD = 'Hello from the private index'\n"}) as index:
        with (uv_app / "pyproject.toml").open("a") as pyproject:
            pyproject.write(f'\n[[tool.uv.index]]\nname = "private"\nurl = "{index.url}"\nexplicit = true\n'
                            '\n[tool.uv.sources]\ngreeting-lib = { index = "private" }\n')
        set_dependencies(uv_app, ["flask>=3.0", "greeting-lib"])
        uv_lock(uv_app, build_env, {"UV_INDEX_PRIVATE_USERNAME": USERNAME, "UV_INDEX_PRIVATE_PASSWORD": PASSWORD})
        wrong = "not-the-" + PASSWORD
        result = heroku.build(uv_app, config={"UV_INDEX_PRIVATE_USERNAME": USERNAME,
                                              "UV_INDEX_PRIVATE_PASSWORD": wrong})
    assert result.returncode == 1, result.output
    assert " !     Error: " in result.output and "Traceback" not in result.output
    assert " !     Error: A package index refused the credentials" in result.output
    assert "answered 401 (Unauthorized) for" in result.output and "UV_INDEX_<NAME>_PASSWORD" in result.output
    assert wrong not in result.output and PASSWORD not in result.output
