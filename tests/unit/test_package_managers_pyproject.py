"""pyproject.toml, setup.py and pylock.toml as package managers: detection, names, flags, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuildpack import errors, package_managers
from pybuildpack.package_managers.base import InstallContext
from pybuildpack.package_managers.pylock import Pylock
from pybuildpack.package_managers.pyproject import Pyproject
from pybuildpack.package_managers.setup_py import SetupPy

from .helpers import string_log, write

BUILD_SYSTEM = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
PROJECT = (
    '[project]\nname = "site"\nversion = "1"\ndependencies = ["Flask>=3", "requests[socks]"]\n'
    '[project.optional-dependencies]\nPostgres = ["psycopg[binary]"]\n'
    '[dependency-groups]\nprod = ["gunicorn", {include-group = "base"}]\nbase = ["six"]\n'
)
LOCK = 'lock-version = "1.0"\nrequires-python = ">=3.12"\n[[packages]]\nname = "Flask"\nversion = "3.0.3"\n' \
       '[[packages]]\nname = "werkzeug"\nversion = "3.0.3"\n'


def context(tmp_path: Path, groups=(), extras=(), installer="uv") -> InstallContext:
    return InstallContext(app_dir=tmp_path, tools=None, python=tmp_path / "python", prefix=tmp_path,
                          state_dir=tmp_path / "state", installer=installer, groups=groups, extras=extras,
                          added_file=tmp_path / "added.txt", previous_lock=None, env={}, config={},
                          log=string_log())


# -- pyproject.toml ---------------------------------------------------------------------------------

def test_pyproject_with_a_project_table_is_a_package_manager_naming_its_dependencies(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT)
    found = package_managers.find(tmp_path)
    assert isinstance(found, Pyproject)
    assert (found.kind, found.file, found.names) == ("pyproject", "pyproject.toml", frozenset({"flask", "requests"}))
    assert found.has_groups and found.has_extras and not found.builds_project and not found.local_sources


def test_requirements_txt_keeps_precedence_over_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT + BUILD_SYSTEM)
    write(tmp_path / "requirements.txt", "django\n")
    assert package_managers.find(tmp_path).kind == "requirements"


def test_chosen_extras_and_groups_join_the_names_following_included_groups(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT)
    chosen = package_managers.find(tmp_path).select(("prod",), ("postgres",))
    assert chosen.names == frozenset({"flask", "requests", "psycopg", "gunicorn", "six"})
    assert chosen.declares("gunicorn")


@pytest.mark.parametrize("groups, extras, title", [
    (("dev",), (), "PYBUILDPACK_GROUPS names dependency groups that pyproject.toml does not declare"),
    ((), ("mysql",), "PYBUILDPACK_EXTRAS names extras that pyproject.toml does not declare"),
])
def test_a_group_or_extra_the_pyproject_does_not_define_is_an_error_naming_it(tmp_path, groups, extras, title):
    write(tmp_path / "pyproject.toml", PROJECT)
    with pytest.raises(errors.SelectionUnknown) as raised:
        package_managers.find(tmp_path).select(groups, extras)
    assert raised.value.title == title


def test_without_a_build_system_uv_reads_the_dependencies_from_the_file(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT)
    found = package_managers.find(tmp_path)
    assert found.install_arguments(context(tmp_path, ("prod",), ("postgres",))) == [
        "-r", "pyproject.toml", "--extra", "postgres", "--group", "prod"]
    assert found.install_files() == ["pyproject.toml"]


def test_with_a_build_system_the_project_itself_is_installed_not_editable(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT + BUILD_SYSTEM)
    write(tmp_path / "setup.cfg", "[metadata]\n")
    found = package_managers.find(tmp_path)
    assert found.builds_project and found.local_sources
    assert found.install_arguments(context(tmp_path, ("prod",), ("postgres",))) == [
        ".[postgres]", "--group", "prod", "--reinstall-package", "site"]
    assert found.install_files() == ["pyproject.toml", "setup.cfg"]
    assert "the project itself (.)" in found.describe()


def test_the_log_says_what_the_install_does():
    assert errors.installing_pyproject(True, []) == \
        "Installing the project (.) and its dependencies from pyproject.toml"
    assert errors.installing_pyproject(False, ["group prod"]).startswith(
        "Installing the dependencies listed in pyproject.toml (with group prod)")


@pytest.mark.parametrize("text", [
    '[tool.black]\nline-length = 100\n',
    '[project]\nrequires-python = ">=3.11"\n',
])
def test_a_pyproject_with_nothing_to_install_is_no_package_manager(tmp_path, text):
    write(tmp_path / "pyproject.toml", text)
    assert package_managers.find(tmp_path).kind == "none"


def test_a_pyproject_beside_another_managers_lock_is_left_to_it(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT)
    write(tmp_path / "uv.lock", "version = 1\n")
    assert Pyproject.detect(tmp_path) is None


def test_a_poetry_project_without_its_lock_is_an_error(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\nflask = "*"\n')
    with pytest.raises(errors.PoetryLockMissing):
        package_managers.find(tmp_path)


def test_invalid_toml_names_the_file_and_line(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\ndependencies = ["flask"\nversion = "1"\n')
    with pytest.raises(errors.FileUnreadable) as raised:
        package_managers.find(tmp_path)
    assert raised.value.title == "Could not read pyproject.toml" and "line 4" in raised.value.body


def test_a_path_dependency_outside_the_app_is_an_error_naming_the_line(tmp_path):
    app = tmp_path / "app"
    write(app / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = [\n'
                                  '  "flask",\n  "lib @ file:///srv/lib",\n]\n')
    with pytest.raises(errors.PathDependencyOutsideApp) as raised:
        package_managers.find(app)
    assert "pyproject.toml line 6 names 'lib @ file:///srv/lib'" in raised.value.body


def test_a_uv_source_path_outside_the_app_is_an_error(tmp_path):
    app = tmp_path / "app"
    write(app / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = ["lib"]\n'
                                  '[tool.uv.sources]\nlib = { path = "../lib" }\n')
    with pytest.raises(errors.PathDependencyOutsideApp) as raised:
        package_managers.find(app)
    assert "pyproject.toml line 6 names" in raised.value.body and str(tmp_path / "lib") in raised.value.body


def test_a_path_dependency_inside_the_app_is_fine(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\n'
                                       f'dependencies = ["lib @ file://{tmp_path}/libs/lib"]\n')
    assert package_managers.find(tmp_path).names == frozenset({"lib"})


PIP_LOCK = (
    'lock-version = "1.0"\n'
    '[[packages]]\nname = "flask"\nversion = "3.0.3"\nindex = "https://pypi.org/simple"\n'
    'sdist = { url = "https://x/flask-3.0.3.tar.gz", hashes = { sha256 = "aa" } }\n'
    'wheels = [{ url = "https://x/flask-3.0.3-py3-none-any.whl", hashes = { sha256 = "bb" } }]\n'
    '[[packages]]\nname = "private"\nversion = "1"\nmarker = "python_version >= \'3.12\'"\n'
    'index = "https://pkgs.example.com/simple"\n'
    'wheels = [{ url = "https://pkgs.example.com/p-1-py3-none-any.whl", hashes = { sha256 = "cc" } }]\n'
    '[[packages]]\nname = "lib"\ndirectory = { path = "libs/lib" }\n'
    '[[packages]]\nname = "tool"\nvcs = { type = "git", url = "https://example.com/tool", commit-id = "abc" }\n'
)


def test_the_pip_installer_installs_a_pylock_converted_to_hash_pinned_requirements(tmp_path, monkeypatch):
    from pybuildpack.package_managers import locked

    write(tmp_path / "pylock.toml", PIP_LOCK)
    seen = []
    monkeypatch.setattr(locked, "sync", lambda c, files, label, failed=None: seen.append((files, label)))
    found = package_managers.find(tmp_path)
    found.install(context(tmp_path, installer="pip"))
    (files, label), = seen
    text = Path(files[0]).read_text()
    assert label == "pylock.toml" and found.lock_name("pip") == "requirements.lock.txt"
    assert "--extra-index-url https://pkgs.example.com/simple\n" in text and "pypi.org" not in text
    assert "flask==3.0.3 \\\n    --hash=sha256:bb \\\n    --hash=sha256:aa\n" in text
    assert "private==1 ; python_version >= '3.12' \\\n    --hash=sha256:cc\n" in text
    assert f"lib @ {(tmp_path / 'libs/lib').resolve().as_uri()}\n" in text
    assert "tool @ git+https://example.com/tool@abc\n" in text


def test_the_pip_installer_refuses_a_pylock_choosing_packages_by_dependency_groups(tmp_path):
    write(tmp_path / "pylock.toml", 'lock-version = "1.0"\ndependency-groups = ["web"]\n'
                                    '[[packages]]\nname = "gunicorn"\nversion = "23"\n'
                                    'marker = "\'web\' in dependency_groups"\n'
                                    'wheels = [{ url = "https://x/g.whl", hashes = { sha256 = "aa" } }]\n')
    with pytest.raises(errors.InstallerNotSupported) as raised:
        package_managers.find(tmp_path).install(context(tmp_path, installer="pip"))
    assert "chooses gunicorn by extras or dependency groups" in raised.value.body


# -- the pip installer for pyproject.toml and setup.py ------------------------------------------------

SELF_REFERENCING = (
    '[project]\nname = "Site"\nversion = "1"\ndependencies = ["flask>=3"]\n'
    '[project.optional-dependencies]\npg = ["psycopg"]\nall = ["site[pg]", "redis"]\n'
    '[dependency-groups]\nprod = ["gunicorn", {include-group = "base"}, "site[pg]"]\nbase = ["six"]\n'
)


def test_pip_requirements_without_a_build_system_are_the_chosen_lines(tmp_path):
    write(tmp_path / "pyproject.toml", SELF_REFERENCING)
    found = package_managers.find(tmp_path)
    assert found.pip_requirements(tmp_path, (), ()) == ["flask>=3"]
    # An extra or a group naming the project itself stands for what it names.
    assert found.pip_requirements(tmp_path, ("prod",), ("all",)) == ["flask>=3", "psycopg", "redis", "gunicorn",
                                                                      "six"]


def test_pip_requirements_with_a_build_system_are_the_project_by_its_url(tmp_path):
    write(tmp_path / "pyproject.toml", SELF_REFERENCING + BUILD_SYSTEM)
    found = package_managers.find(tmp_path)
    url = tmp_path.resolve().as_uri()
    assert found.pip_requirements(tmp_path, (), ()) == [f"Site @ {url}"]
    assert found.pip_requirements(tmp_path, ("prod",), ("all",)) == [
        f"Site[all] @ {url}", "gunicorn", "six", f"Site[pg] @ {url}"]


@pytest.mark.parametrize("text", [PROJECT, PROJECT + BUILD_SYSTEM])
def test_the_pip_installer_compiles_the_written_requirements(tmp_path, monkeypatch, text):
    from pybuildpack.package_managers import pyproject

    write(tmp_path / "pyproject.toml", text)
    seen = []
    monkeypatch.setattr(pyproject, "sync", lambda c, files, label: seen.append((files, label)))
    found = package_managers.find(tmp_path).select(("prod",), ())
    found.install(context(tmp_path, ("prod",), (), installer="pip"))
    (files, label), = seen
    written = Path(files[0])
    assert label == "pyproject.toml" and written.parent == tmp_path / "state"
    assert "gunicorn\nsix\n" in written.read_text()
    assert found.lock_name("pip") == "requirements.lock.txt" and found.lock_name("uv") is None


def test_the_pip_installer_refuses_uv_sources_it_cannot_honour(tmp_path):
    write(tmp_path / "pyproject.toml", PROJECT + '[tool.uv.sources]\nsix = { git = "https://example.com/six" }\n')
    with pytest.raises(errors.UvSourcesNeedUv) as raised:
        package_managers.find(tmp_path).install(context(tmp_path, installer="pip"))
    assert "takes six from" in raised.value.body


def test_a_project_that_fails_to_build_under_pip_says_so(tmp_path, monkeypatch):
    from pybuildpack.package_managers import pyproject, setup_py

    def failing(c, files, label):
        raise errors.RequirementsCompileFailed(label, f"Failed to build '{tmp_path.resolve().as_uri()}' when ...")

    monkeypatch.setattr(pyproject, "sync", failing)
    monkeypatch.setattr(setup_py, "sync", failing)
    write(tmp_path / "pyproject.toml", PROJECT + BUILD_SYSTEM)
    with pytest.raises(errors.ProjectBuildFailed):
        package_managers.find(tmp_path).install(context(tmp_path, installer="pip"))
    with pytest.raises(errors.SetupPyFailed) as raised:
        SetupPy("setup.py", frozenset()).install(context(tmp_path, installer="pip"))
    assert "the output of pip and of setup.py" in raised.value.body


def test_a_pip_build_failure_is_the_apps_only_when_pip_names_the_app(tmp_path):
    from pybuildpack.package_managers.pyproject import pip_build_failed

    url = tmp_path.resolve().as_uri()
    assert pip_build_failed(f"FailedToPrepareCandidate: Failed to build '{url}' when getting requirements", tmp_path)
    assert pip_build_failed("Failed to build 'Greeting_Site' when calling build backend hook", tmp_path,
                            "greeting-site")
    assert not pip_build_failed("Failed to build 'lxml' when getting requirements", tmp_path, "greeting-site")
    assert not pip_build_failed("No matching distribution found for nosuchpackage==1", tmp_path, "greeting-site")


def test_setup_py_under_pip_compiles_the_app_by_its_url(tmp_path, monkeypatch):
    from pybuildpack.package_managers import setup_py

    seen = []
    monkeypatch.setattr(setup_py, "sync", lambda c, files, label: seen.append((files, label)))
    SetupPy("setup.py", frozenset()).install(context(tmp_path, installer="pip"))
    (files, label), = seen
    assert label == "setup.py" and tmp_path.resolve().as_uri() + "\n" in Path(files[0]).read_text()


# -- setup.py / setup.cfg --------------------------------------------------------------------------------

def test_setup_py_alone_installs_the_app_itself(tmp_path):
    write(tmp_path / "setup.py", "from setuptools import setup\nsetup()\n")
    found = package_managers.find(tmp_path)
    assert isinstance(found, SetupPy)
    assert (found.kind, found.file, found.install_files(), found.local_sources) == (
        "setup-py", "setup.py", ["setup.py"], True)
    assert "the app itself (.)" in found.describe()


def test_setup_cfg_install_requires_are_its_names(tmp_path):
    write(tmp_path / "setup.cfg", "[options]\ninstall_requires =\n    Flask>=3\n    gunicorn  # server\n")
    found = package_managers.find(tmp_path)
    assert found.names == frozenset({"flask", "gunicorn"}) and found.file == "setup.cfg"


def test_setup_py_beside_a_pyproject_project_table_is_the_pyprojects(tmp_path):
    write(tmp_path / "setup.py", "")
    write(tmp_path / "pyproject.toml", PROJECT + BUILD_SYSTEM)
    found = package_managers.find(tmp_path)
    assert found.kind == "pyproject" and found.install_files() == ["pyproject.toml", "setup.py"]


def test_setup_py_with_a_tool_only_pyproject_reads_both(tmp_path):
    write(tmp_path / "setup.py", "")
    write(tmp_path / "pyproject.toml", BUILD_SYSTEM)
    found = package_managers.find(tmp_path)
    assert found.kind == "setup-py" and found.install_files() == ["setup.py", "pyproject.toml"]


def test_a_failing_setup_py_raises_its_own_error(tmp_path, monkeypatch):
    from pybuildpack.steps import dependencies as deps

    seen = {}

    def fake_install(*args, **kwargs):
        seen.update(kwargs)
        raise kwargs["failed"]("uv pip install .", f"error: Failed to build `x @ file://{tmp_path}`\nRuntimeError: boom")

    monkeypatch.setattr(deps, "install_with_uv", fake_install)
    with pytest.raises(errors.SetupPyFailed) as raised:
        SetupPy("setup.py", frozenset()).install(context(tmp_path))
    assert seen["args"] == ["."] and "RuntimeError: boom" in raised.value.body
    assert not isinstance(seen["failed"]("uv pip install .", "error: No solution found"), errors.SetupPyFailed)


def test_a_project_that_fails_to_build_is_told_apart_from_a_missing_package(tmp_path, monkeypatch):
    from pybuildpack.steps import dependencies as deps

    write(tmp_path / "pyproject.toml", PROJECT + BUILD_SYSTEM)
    seen = {}
    monkeypatch.setattr(deps, "install_with_uv", lambda *args, **kwargs: seen.update(kwargs))
    package_managers.find(tmp_path).install(context(tmp_path))
    built = seen["failed"]("uv pip install .", f"error: Failed to build `site @ file://{tmp_path}`")
    missing = seen["failed"]("uv pip install .", "error: No solution found: nope was not found")
    assert isinstance(built, errors.ProjectBuildFailed)
    assert type(missing) is errors.DependencyInstallFailed and missing.title.endswith("in pyproject.toml")


# -- pylock.toml --------------------------------------------------------------------------------------

def test_pylock_toml_is_a_lock_naming_its_packages_and_python(tmp_path):
    write(tmp_path / "pylock.toml", LOCK)
    found = package_managers.find(tmp_path)
    assert isinstance(found, Pylock)
    assert (found.kind, found.names, found.install_files()) == ("pylock", frozenset({"flask", "werkzeug"}),
                                                                ["pylock.toml"])
    (request,) = found.python_requests()
    assert (request.value, request.kind, request.origin) == (">=3.12", "specifier", "requires-python in pylock.toml")


def test_pylock_wins_over_the_pyproject_beside_it(tmp_path):
    write(tmp_path / "pylock.toml", LOCK)
    write(tmp_path / "pyproject.toml", PROJECT)
    assert package_managers.find(tmp_path).kind == "pylock"


def test_a_single_named_pylock_is_used_and_pylock_toml_is_the_default(tmp_path):
    write(tmp_path / "pylock.prod.toml", LOCK)
    assert package_managers.find(tmp_path).file == "pylock.prod.toml"
    write(tmp_path / "pylock.dev.toml", LOCK)
    with pytest.raises(errors.PylockAmbiguous) as raised:
        package_managers.find(tmp_path)
    assert "pylock.dev.toml" in raised.value.body and "pylock.prod.toml" in raised.value.body
    write(tmp_path / "pylock.toml", LOCK)
    assert package_managers.find(tmp_path).file == "pylock.toml"


def test_the_locks_requires_python_conflicts_with_a_pinned_older_python(tmp_path):
    from pybuildpack.inspect.python_version import requested_python
    from pybuildpack.steps.runtime import choose_python

    write(tmp_path / "pylock.toml", LOCK)
    write(tmp_path / ".python-version", "3.11\n")
    requests = requested_python(tmp_path, package_managers.find(tmp_path).python_requests())
    with pytest.raises(errors.PythonVersionConflict) as raised:
        choose_python(requests, ["3.11.7", "3.12.1"], "a test list")
    assert "requires-python in pylock.toml asks for Python >=3.12" in raised.value.body


@pytest.mark.parametrize("text, error", [
    ('lock-version = "1.0"\n[[packages]\nname = "x"\n', errors.FileUnreadable),
    ('lock-version = "1.0"\n', errors.PylockInvalid),
    ('lock-version = "2.0"\npackages = []\n', errors.PylockInvalid),
    ('lock-version = "1.0"\n[[packages]]\nname = "lib"\ndirectory = { path = "../lib" }\n',
     errors.PathDependencyOutsideApp),
])
def test_a_bad_pylock_is_an_error_naming_it(tmp_path, text, error):
    app = tmp_path / "app"
    write(app / "pylock.toml", text)
    with pytest.raises(error) as raised:
        package_managers.find(app)
    assert "pylock.toml" in raised.value.title


def test_pylock_installs_the_lock_exactly_then_what_pybuildpack_adds_and_the_seeds(tmp_path, monkeypatch):
    from pybuildpack.steps import dependencies as deps

    calls = []
    monkeypatch.setattr(deps, "install_with_uv", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setattr(deps, "installed_packages", lambda python: [("pip", "24.0"), ("flask", "3.0.3")])
    monkeypatch.setattr(deps, "seed_packages", lambda prefix: ["pip"])
    write(tmp_path / "added.txt", "gunicorn==23.0.0\n")
    Pylock("pylock.toml", frozenset({"flask"})).install(context(tmp_path))
    (lock_args, lock_kwargs), (added_args, added_kwargs) = calls
    assert lock_args[3] == ["pylock.toml"] and lock_args[4] is None and lock_kwargs["seeds"] == []
    assert added_args[3] == [] and added_args[4] == tmp_path / "added.txt"
    assert added_kwargs["exact"] is False and added_kwargs["seeds"] == ["pip==24.0"]
