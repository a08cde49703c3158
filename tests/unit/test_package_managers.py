"""Which package manager an app uses, and what each one declares (pybuildpack.package_managers)."""

from __future__ import annotations

import pytest

from pybuildpack import package_managers
from pybuildpack.package_managers.base import LOCK_FILE, PackageManager
from pybuildpack.package_managers.none import NoDependencies
from pybuildpack.package_managers.requirements_in import RequirementsIn
from pybuildpack.package_managers.requirements_txt import RequirementsTxt

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


def test_unsupported_dependency_files_are_reported(tmp_path):
    for name in ("uv.lock", "Pipfile", "poetry.lock"):
        write(tmp_path / name)
    assert package_managers.find(tmp_path).kind == "none"
    assert package_managers.unsupported_files(tmp_path) == ("Pipfile", "poetry.lock", "uv.lock")


def test_unsupported_files_are_reported_beside_requirements_txt(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "Pipfile.lock", "{}")
    assert package_managers.unsupported_files(tmp_path) == ("Pipfile.lock",)


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
])
def test_the_lock_a_build_keeps_depends_on_the_manager_and_installer(manager, installer, lock):
    assert manager.lock_name(installer) == lock


# A minimal valid file for each registered manager's files.
SAMPLES = {
    "pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n',
    "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["six"]\n',
    "setup.cfg": "[options]\ninstall_requires = six\n",
    "setup.py": "from setuptools import setup\nsetup(install_requires=['six'])\n",
}


def test_every_registered_manager_owns_its_files_and_detects_only_them(tmp_path):
    for manager in package_managers.MANAGERS:
        assert issubclass(manager, PackageManager) and manager.files
        assert manager.detect(tmp_path) is None
        for name in manager.files:
            write(tmp_path / name, SAMPLES.get(name, "six\n"))
        assert isinstance(manager.detect(tmp_path), manager)
        for name in manager.files:
            (tmp_path / name).unlink()


def test_requirements_files_request_no_python_and_have_no_lock_to_check(tmp_path):
    manager = RequirementsTxt("requirements.txt", frozenset())
    assert manager.python_requests() == ()
    assert manager.check_lock(None) is None
