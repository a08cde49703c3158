"""Which package manager an app uses, and what each one declares (pybuildpack.package_managers)."""

from __future__ import annotations

import pytest

from pybuildpack import errors, package_managers
from pybuildpack.package_managers.base import LOCK_FILE, PackageManager
from pybuildpack.package_managers.none import NoDependencies
from pybuildpack.package_managers.requirements_in import RequirementsIn
from pybuildpack.package_managers.requirements_txt import RequirementsTxt
from pybuildpack.package_managers.uv_lock import UvLock

from .helpers import write


def test_requirements_txt_is_installed_with_its_names(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    found = package_managers.find(tmp_path)
    assert found == RequirementsTxt("requirements.txt", frozenset({"flask"}))
    assert (found.kind, found.install_files(), found.describe()) == ("requirements", ["requirements.txt"],
                                                                     "requirements.txt")


def test_requirements_in_is_used_when_there_is_no_requirements_txt(tmp_path):
    write(tmp_path / "requirements.in", "django\n")
    found = package_managers.find(tmp_path)
    assert found == RequirementsIn("requirements.in", frozenset({"django"}))
    assert found.describe() == "requirements.in, compiled with pip-compile first"


def test_requirements_txt_is_preferred_over_requirements_in(tmp_path):
    write(tmp_path / "requirements.in", "django\n")
    write(tmp_path / "requirements.txt", "django==5.0\nasgiref==3.8\n")
    found = package_managers.find(tmp_path)
    assert (found.kind, found.file, found.names) == ("requirements", "requirements.txt",
                                                     frozenset({"django", "asgiref"}))


def test_app_without_a_dependency_file_gets_no_dependencies(tmp_path):
    found = package_managers.find(tmp_path)
    assert found == NoDependencies()
    assert (found.kind, found.file, found.install_files()) == ("none", None, [])
    assert found.describe() == "no requirements file: only what pybuildpack adds"


UV_PROJECT = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["flask"]\n'
POETRY_LOCK = '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.9"\ncontent-hash = "0"\n'
PIPFILE_LOCK = '{"_meta": {"hash": {"sha256": "0"}, "sources": []}, "default": {}, "develop": {}}'
UV_LOCK = ('version = 1\n[[package]]\nname = "app"\nsource = { virtual = "." }\n'
           'dependencies = [{ name = "flask" }]\n[[package]]\nname = "flask"\n')


def uv_project(app):
    write(app / "pyproject.toml", UV_PROJECT)
    write(app / "uv.lock", UV_LOCK)
    return app


def test_uv_lock_is_installed_with_the_names_it_locks(tmp_path):
    found = package_managers.find(uv_project(tmp_path))
    assert isinstance(found, UvLock)
    assert (found.kind, found.file, found.names) == ("uv", "uv.lock", frozenset({"flask"}))
    assert found.install_files() == ["pyproject.toml", "uv.lock"]


@pytest.mark.parametrize("files, expected", [
    (("requirements.txt", "uv.lock"), [("requirements.txt", "pip"), ("uv.lock", "uv")]),
    (("requirements.in", "uv.lock"), [("requirements.in", "pip-tools"), ("uv.lock", "uv")]),
    (("requirements.txt", "requirements.in", "uv.lock"),
     [("requirements.txt", "pip"), ("requirements.in", "pip-tools"), ("uv.lock", "uv")]),
    (("requirements.txt", "Pipfile.lock"), [("requirements.txt", "pip"), ("Pipfile.lock", "pipenv")]),
    (("uv.lock", "poetry.lock"), [("uv.lock", "uv"), ("poetry.lock", "poetry")]),
    (("requirements.txt", "environment.yml"), [("requirements.txt", "pip"), ("environment.yml", "conda")]),
])
def test_dependency_files_of_several_package_managers_fail_listing_them(tmp_path, files, expected):
    uv_project(tmp_path)
    for name in files:
        if not (tmp_path / name).exists():
            write(tmp_path / name, "flask\n")
    with pytest.raises(errors.SeveralPackageManagers) as caught:
        package_managers.find(tmp_path)
    for name, tool in expected:
        assert f"  - {name} ({tool})\n" in caught.value.body
    assert "PYBUILDPACK_PACKAGE_MANAGER" in caught.value.body


def test_requirements_in_compiled_into_requirements_txt_is_one_package_manager(tmp_path):
    write(tmp_path / "requirements.in", "django\n")
    write(tmp_path / "requirements.txt", "django==5.0\n")
    assert package_managers.choose(tmp_path) == package_managers.Choice(
        RequirementsTxt("requirements.txt", frozenset({"django"})), "requirements.txt")


@pytest.mark.parametrize("value, kind, left_alone", [
    ("uv", "uv", ("requirements.txt", "requirements.in", "Pipfile.lock")),
    (" Requirements\n", "requirements", ("requirements.in", "uv.lock", "Pipfile.lock")),
    ("requirements-in", "requirements-in", ("requirements.txt", "uv.lock", "Pipfile.lock")),
])
def test_the_config_var_chooses_one_and_the_others_are_left_alone(tmp_path, value, kind, left_alone):
    uv_project(tmp_path)
    for name in ("requirements.txt", "requirements.in", "Pipfile.lock"):
        write(tmp_path / name, "flask\n")
    choice = package_managers.choose(tmp_path, value)
    assert choice.manager.kind == kind
    assert choice.origin == "config var PYBUILDPACK_PACKAGE_MANAGER"
    assert choice.not_installed_from == left_alone


def test_an_invalid_package_manager_config_var_names_the_allowed_values(tmp_path):
    with pytest.raises(errors.ConfigVarInvalid) as caught:
        package_managers.choose(tmp_path, "conda")
    assert caught.value.title == "Invalid value for PYBUILDPACK_PACKAGE_MANAGER"
    assert ("set to 'conda', but it must be `requirements`, `requirements-in`, `uv`, `poetry`, `pipenv`, "
            "`pylock`, `pyproject` or `setup-py`") in caught.value.body


def test_an_empty_package_manager_config_var_is_unset(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    assert package_managers.choose(tmp_path, "  ").manager.kind == "requirements"


def test_choosing_a_package_manager_whose_file_is_missing_fails(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    with pytest.raises(errors.PackageManagerFileMissing) as caught:
        package_managers.choose(tmp_path, "uv")
    assert caught.value.title == "No uv.lock for PYBUILDPACK_PACKAGE_MANAGER=uv"


@pytest.mark.parametrize("files, found", [
    (("pdm.lock", "pyproject.toml"), [("pdm", ["pdm.lock"])]),
    (("environment.yml",), [("conda", ["environment.yml"])]),
    (("environment.yml", "environment.yaml"), [("conda", ["environment.yml", "environment.yaml"])]),
])
def test_dependency_files_pybuildpack_cannot_install_fail_the_build(tmp_path, files, found):
    for name in files:
        write(tmp_path / name)
    with pytest.raises(errors.DependencyFilesNotInstalled) as caught:
        package_managers.find(tmp_path)
    assert str(caught.value) == errors.DependencyFilesNotInstalled(found).title


def test_dependencies_in_pyproject_toml_alone_are_installed_from_it(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["Flask>=3", "gunicorn"]\n')
    found = package_managers.find(tmp_path)
    assert (found.kind, found.names) == ("pyproject", frozenset({"flask", "gunicorn"}))


def test_a_poetry_pyproject_without_its_lock_fails_asking_for_it(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.12"\ndjango = "^5"\n')
    with pytest.raises(errors.PoetryLockMissing):
        package_managers.find(tmp_path)


def test_pyproject_toml_and_setup_py_beside_a_requirements_file_are_not_a_second_package_manager(tmp_path):
    write(tmp_path / "requirements.txt", "-e .\n")
    write(tmp_path / "setup.py", "from setuptools import setup\nsetup()\n")
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\nversion = "1"\ndependencies = ["six"]\n')
    assert package_managers.find(tmp_path).kind == "requirements"


def test_the_fallbacks_can_be_chosen_by_the_config_var(tmp_path):
    write(tmp_path / "requirements.txt", "six\n")
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\nversion = "1"\ndependencies = ["six"]\n')
    choice = package_managers.choose(tmp_path, "pyproject")
    assert (choice.manager.kind, choice.not_installed_from) == ("pyproject", ("requirements.txt",))


@pytest.mark.parametrize("pyproject", [
    '[project]\nname = "app"\nrequires-python = ">=3.12"\n',
    '[tool.ruff]\nline-length = 120\n',
])
def test_a_pyproject_toml_without_dependencies_needs_no_lock(tmp_path, pyproject):
    write(tmp_path / "pyproject.toml", pyproject)
    assert package_managers.find(tmp_path) == NoDependencies()


def test_uv_lock_without_pyproject_toml_fails(tmp_path):
    write(tmp_path / "uv.lock", UV_LOCK)
    with pytest.raises(errors.UvProjectMissing):
        package_managers.find(tmp_path)


def test_declares_compares_canonical_names():
    manager = RequirementsTxt("requirements.txt", frozenset({"flask-login"}))
    assert manager.declares("Flask_Login")
    assert not manager.declares("gunicorn", "whitenoise")


@pytest.mark.parametrize("manager, installer, lock", [
    (RequirementsTxt("requirements.txt", frozenset()), "uv", None),
    (RequirementsTxt("requirements.txt", frozenset()), "pip", LOCK_FILE),
    (RequirementsIn("requirements.in", frozenset()), "uv", LOCK_FILE),
    (RequirementsIn("requirements.in", frozenset()), "pip", LOCK_FILE),
    (NoDependencies(), "uv", None),
    (NoDependencies(), "pip", LOCK_FILE),
    (UvLock("uv.lock", frozenset()), "uv", None),
    (UvLock("uv.lock", frozenset()), "pip", LOCK_FILE),
])
def test_the_lock_a_build_keeps_depends_on_the_manager_and_installer(manager, installer, lock):
    assert manager.lock_name(installer) == lock


# A minimal valid file for each registered manager's files.
SAMPLES = {
    "uv.lock": UV_LOCK, "poetry.lock": POETRY_LOCK, "Pipfile.lock": PIPFILE_LOCK, "Pipfile": "",
    "pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n',
    "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["six"]\n',
    "setup.cfg": "[options]\ninstall_requires = six\n",
    "setup.py": "from setuptools import setup\nsetup(install_requires=['six'])\n",
}


def test_every_registered_manager_owns_its_files_and_detects_only_them(tmp_path):
    # What a manager's files need beside them: uv and Poetry read the project's pyproject.toml.
    beside = {"uv": UV_PROJECT, "poetry": UV_PROJECT}
    for manager in package_managers.MANAGERS + package_managers.FALLBACKS:
        app = tmp_path / manager.kind
        app.mkdir()
        if manager.kind in beside:
            write(app / "pyproject.toml", beside[manager.kind])
        assert issubclass(manager, PackageManager) and manager.files
        assert manager.detect(app) is None
        for name in manager.files:
            write(app / name, SAMPLES.get(name, "six\n"))
        assert isinstance(manager.detect(app), manager)


def test_package_manager_kinds_are_the_config_vars_values():
    assert package_managers.kinds() == ("requirements", "requirements-in", "uv", "poetry", "pipenv", "pylock",
                                        "pyproject", "setup-py")


def test_requirements_files_request_no_python_and_have_no_lock_to_check(tmp_path):
    manager = RequirementsTxt("requirements.txt", frozenset())
    assert manager.python_requests() == ()
    assert manager.check_lock(None) is None


def test_a_requirements_file_that_is_a_directory_or_a_dangling_link_is_an_error(tmp_path):
    """Passed over as absent, either would build green with nothing installed."""
    (tmp_path / "requirements.txt").mkdir()
    with pytest.raises(errors.DependencyFileNotAFile) as raised:
        package_managers.find(tmp_path)
    assert "it is a directory" in raised.value.body
    (tmp_path / "requirements.txt").rmdir()
    (tmp_path / "requirements.txt").symlink_to(tmp_path / "shared" / "requirements.txt")
    with pytest.raises(errors.DependencyFileNotAFile) as raised:
        package_managers.find(tmp_path)
    assert "which does not exist" in raised.value.body


def test_a_lock_we_cannot_install_beside_pyproject_dependencies_says_how_to_use_them(tmp_path):
    # litestar-org/litestar-hello-world: pdm.lock, and [project] dependencies in pyproject.toml.
    write(tmp_path / "pdm.lock", "")
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["litestar[standard]>=2.4.1"]\n')
    with pytest.raises(errors.DependencyFilesNotInstalled) as caught:
        package_managers.choose(tmp_path)
    assert "The app's dependencies are locked in a file pybuildpack cannot install:" in caught.value.body
    assert "pyproject.toml lists them too, as ranges" in caught.value.body
    assert "PYBUILDPACK_PACKAGE_MANAGER=pyproject" in caught.value.body
    # Without dependencies in pyproject.toml there is nothing else to install from.
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\nrequires-python = ">=3.12"\n')
    with pytest.raises(errors.DependencyFilesNotInstalled) as caught:
        package_managers.choose(tmp_path)
    assert "only in files pybuildpack cannot install" in caught.value.body and "as ranges" not in caught.value.body


@pytest.mark.parametrize("lock", ["pdm.lock", "uv.lock", "poetry.lock"])
def test_choosing_pyproject_installs_from_it_beside_a_lock(tmp_path, lock):
    write(tmp_path / lock, "")
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["flask>=3"]\n')
    choice = package_managers.choose(tmp_path, "pyproject")
    assert (choice.manager.kind, choice.not_installed_from) == ("pyproject", (lock,))
    assert choice.manager.declares("flask")
