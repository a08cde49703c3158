"""A Python range picks a version the lock has wheels for (pybuildpack.inspect.lock_wheels,
steps.runtime.choose_python) — found on astral-sh/uv-fastapi-example, whose lock
(made before Python 3.13) has only cp312 wheels for httptools, markupsafe and uvloop."""

from __future__ import annotations

import doctest

import pytest

from pybuildpack.inspect import lock_wheels
from pybuildpack.inspect.lock_wheels import LockedPackage, choose_for_lock, missing_wheels
from pybuildpack.inspect.python_version import PythonRequest, PythonRequests
from pybuildpack.package_managers.uv_lock import UvLock
from pybuildpack.steps import runtime

from .helpers import write

GLIBC = (2, 36)
CP312_ONLY = LockedPackage("httptools", "0.6.1", (
    "httptools-0.6.1-cp312-cp312-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "httptools-0.6.1-cp312-cp312-win_amd64.whl",
    "httptools-0.6.1-cp311-cp311-musllinux_1_1_x86_64.whl"))
PURE = LockedPackage("flask", "3.1.0", ("flask-3.1.0-py3-none-any.whl",))
SDIST_ONLY = LockedPackage("oldthing", "1.0", ())
ABI3 = LockedPackage("cryptography", "44.0.0", ("cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl",))


def test_the_module_examples_hold():
    assert doctest.testmod(lock_wheels).failed == 0


def test_a_compiled_package_with_wheels_for_older_pythons_only_is_missing_for_the_newer():
    packages = [CP312_ONLY, PURE, SDIST_ONLY, ABI3]
    assert missing_wheels(packages, "3.13", "x86_64", GLIBC) == ["httptools 0.6.1"]
    assert missing_wheels(packages, "3.12", "x86_64", GLIBC) == []
    # Its musl and Windows wheels install nowhere here; nor does an x86_64 wheel on aarch64.
    assert missing_wheels(packages, "3.11", "x86_64", GLIBC) == ["httptools 0.6.1"]
    assert missing_wheels(packages, "3.12", "aarch64", GLIBC) == ["cryptography 44.0.0", "httptools 0.6.1"]


def test_a_wheel_for_a_newer_glibc_than_the_machines_does_not_count():
    newer = LockedPackage("fast", "2.0", ("fast-2.0-cp312-cp312-manylinux_2_39_x86_64.whl",))
    assert missing_wheels([newer], "3.12", "x86_64", (2, 36)) == ["fast 2.0"]
    assert missing_wheels([newer], "3.12", "x86_64", (2, 39)) == []


def test_a_package_locked_at_two_versions_is_missing_only_when_neither_fits():
    # uv forks by Python version: an older release below 3.13, a newer one above.
    newer = LockedPackage("httptools", "0.6.4", ("httptools-0.6.4-cp313-cp313-manylinux_2_17_x86_64.whl",))
    assert missing_wheels([CP312_ONLY, newer], "3.13", "x86_64", GLIBC) == []
    assert missing_wheels([CP312_ONLY, newer], "3.11", "x86_64", GLIBC) == ["httptools 0.6.1", "httptools 0.6.4"]


def test_the_newest_version_with_every_wheel_is_chosen_and_the_newer_ones_passed_over_are_named():
    choice = choose_for_lock(["3.13.1", "3.13.0", "3.12.8", "3.12.7", "3.11.9"], [CP312_ONLY, PURE], "x86_64", GLIBC)
    assert choice.version == "3.12.8"
    assert choice.passed_over == (("3.13", ["httptools 0.6.1"]),)


def test_when_no_version_has_every_wheel_the_one_missing_fewest_wins_newest_first():
    windows_only = LockedPackage("pywin32", "308", ("pywin32-308-cp313-cp313-win_amd64.whl",
                                                     "pywin32-308-cp312-cp312-win_amd64.whl"))
    choice = choose_for_lock(["3.13.0", "3.12.1"], [windows_only, PURE], "x86_64", GLIBC)
    assert (choice.version, choice.passed_over) == ("3.13.0", ())


@pytest.mark.parametrize("packages, glibc", [([], GLIBC), ([CP312_ONLY], None)])
def test_nothing_is_chosen_without_wheels_to_check_or_a_known_glibc(packages, glibc):
    assert choose_for_lock(["3.13.0", "3.12.1"], packages, "x86_64", glibc) is None


def requests(exact=None, constraint=None, locked=(CP312_ONLY,)) -> PythonRequests:
    return PythonRequests(PythonRequest(exact, "exact", ".python-version") if exact else None,
                          PythonRequest(constraint, "specifier", "requires-python in pyproject.toml")
                          if constraint else None, locked=locked, lock_file="uv.lock")


@pytest.fixture
def glibc(monkeypatch):
    monkeypatch.setattr(lock_wheels, "glibc_version", lambda: GLIBC)
    monkeypatch.setattr(runtime, "machine_arch", lambda: "x86_64")


AVAILABLE = ["3.13.1", "3.12.8", "3.11.9"]


def test_a_range_gets_the_newest_python_its_lock_has_wheels_for_and_says_why(glibc):
    chosen = runtime.choose_python(requests(constraint=">=3.11"), AVAILABLE, None)
    assert (chosen.version, chosen.origin, chosen.pinned) == ("3.12.8", "from requires-python in pyproject.toml",
                                                             True)
    assert chosen.note.splitlines() == [
        "Python 3.13 passed over: uv.lock has no 3.13 wheels for httptools 0.6.1",
        "(they would be compiled from source). To choose the version yourself, pin it in .python-version; "
        "a refreshed lock may have the wheels."]


def test_an_unpinned_app_gets_the_newest_python_its_lock_has_wheels_for(glibc):
    chosen = runtime.choose_python(requests(), AVAILABLE, None)
    assert (chosen.version, chosen.pinned) == ("3.12.8", False) and "3.13 passed over" in chosen.note


def test_an_exact_version_is_never_second_guessed(glibc):
    chosen = runtime.choose_python(requests(exact="3.13", constraint=">=3.11"), AVAILABLE, None)
    assert (chosen.version, chosen.note) == ("3.13.1", "")


def test_the_range_still_bounds_the_choice(glibc):
    chosen = runtime.choose_python(requests(constraint=">=3.13"), AVAILABLE, None)
    assert (chosen.version, chosen.note) == ("3.13.1", "")


LOCK = '''version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "httptools" }]

[package.dev-dependencies]
dev = [{ name = "ujson" }]

[[package]]
name = "httptools"
version = "0.6.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/httptools-0.6.1.tar.gz", hash = "sha256:00" }
wheels = [
    { url = "https://files.example/ab/httptools-0.6.1-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:01" },
]

[[package]]
name = "ujson"
version = "5.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/ujson-5.0-cp311-cp311-manylinux_2_17_x86_64.whl", hash = "sha256:02" }]
'''


def test_uv_lock_gives_the_wheels_of_its_production_packages_only(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
                                       'dependencies = ["httptools"]\n\n[dependency-groups]\ndev = ["ujson"]\n')
    write(tmp_path / "uv.lock", LOCK)
    assert UvLock.detect(tmp_path).locked_packages() == (LockedPackage(
        "httptools", "0.6.1", ("httptools-0.6.1-cp312-cp312-manylinux_2_17_x86_64.whl",)),)


def test_poetry_lock_gives_the_files_it_lists_for_its_production_packages():
    from pathlib import Path

    from pybuildpack.package_managers.poetry_lock import PoetryLock

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "poetry_flask"
    packages = {p.name: p for p in PoetryLock.detect(fixture).locked_packages()}
    assert packages["flask"].wheels == ("flask-3.0.3-py3-none-any.whl",)
    assert "markupsafe-3.0.4-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl" \
        in packages["markupsafe"].wheels
    assert missing_wheels(packages.values(), "3.13", "x86_64", GLIBC) == []
