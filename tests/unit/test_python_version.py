"""Which Python the app asks for, and which available version it gets (inspect.python_version)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.inspect.python_version import (
    PythonRequest,
    PythonRequests,
    choose,
    read_python_version_file,
    read_requires_python,
    read_runtime_txt,
    requested_python,
    stable_versions,
)

from .helpers import write


def python_version_file(app, text):
    write(app / ".python-version", text)
    return read_python_version_file(app)


# -- .python-version ---------------------------------------------------------------

def test_no_python_version_file_gives_none(tmp_path):
    assert read_python_version_file(tmp_path) is None


@pytest.mark.parametrize("text, value", [
    ("3.12\n", "3.12"),
    ("3.12.4", "3.12.4"),
    ("  3.12  \n", "3.12"),
    ("3.12\r\n", "3.12"),
])
def test_python_version_file_gives_an_exact_request(tmp_path, text, value):
    assert python_version_file(tmp_path, text) == PythonRequest(value, "exact", ".python-version")


def test_python_version_file_ignores_comments_and_blank_lines(tmp_path):
    request = python_version_file(tmp_path, "# pinned for prod\n\n3.12 # newest\n\n")
    assert request == PythonRequest("3.12", "exact", ".python-version line 3")


@pytest.mark.parametrize("text", ["cpython-3.12.4", "python-3.12.4", "python3.12.4"])
def test_python_version_file_accepts_a_cpython_or_python_prefix(tmp_path, text):
    assert python_version_file(tmp_path, text + "\n").value == "3.12.4"


def test_python_version_file_with_two_versions_names_both_lines(tmp_path):
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        python_version_file(tmp_path, "3.11\n# next\n3.12\n")
    body = caught.value.body
    assert "more than one version: '3.11' (line 1), '3.12' (line 3)" in body
    assert "Keep one" in body
    assert caught.value.title == "Invalid Python version in .python-version"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_python_version_file_is_invalid(tmp_path, text):
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        python_version_file(tmp_path, text)
    assert "The file is empty." in caught.value.body


@pytest.mark.parametrize("text, reason", [
    ("pypy3.10", "pybuildpack installs CPython only."),
    ("graalpy-24.1", "pybuildpack installs CPython only."),
    ("system", "'system' is not a version number."),
    ("latest", "'latest' is not a version number."),
    ("3.12.x", "It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH."),
    ("3", "It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH."),
    ("3.13.0rc1", "It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH."),
    ("banana", "It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH."),
])
def test_python_version_file_that_is_not_a_cpython_version_says_why(tmp_path, text, reason):
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        python_version_file(tmp_path, text + "\n")
    assert f"asks for Python {text!r}" in caught.value.body
    assert reason in caught.value.body


@pytest.mark.parametrize("text", ["2.7", "2.7.18"])
def test_python_2_is_refused(tmp_path, text):
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        python_version_file(tmp_path, text)
    assert "pybuildpack supports Python 3 only." in caught.value.body


def test_python_version_file_that_is_not_utf8_is_unreadable(tmp_path):
    (tmp_path / ".python-version").write_bytes(b"3.12\xff\n")
    with pytest.raises(errors.FileUnreadable) as caught:
        read_python_version_file(tmp_path)
    assert caught.value.title == "Could not read .python-version"


# -- runtime.txt -------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [("python-3.12.4\n", "3.12.4"), ("python-3.11", "3.11")])
def test_runtime_txt_gives_an_exact_request(tmp_path, text, value):
    write(tmp_path / "runtime.txt", text)
    assert read_runtime_txt(tmp_path) == PythonRequest(value, "exact", "runtime.txt")


def test_no_runtime_txt_gives_none(tmp_path):
    assert read_runtime_txt(tmp_path) is None


@pytest.mark.parametrize("text", ["3.12.4", "python3.12", "pypy-3.10"])
def test_runtime_txt_without_the_python_prefix_is_invalid(tmp_path, text):
    write(tmp_path / "runtime.txt", text)
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        read_runtime_txt(tmp_path)
    assert caught.value.title == "Invalid Python version in runtime.txt"
    assert "python-MAJOR.MINOR[.PATCH]" in caught.value.body


def test_runtime_txt_with_a_bad_version_is_invalid(tmp_path):
    write(tmp_path / "runtime.txt", "python-3.x")
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        read_runtime_txt(tmp_path)
    assert "asks for Python '3.x'" in caught.value.body


# -- requires-python ---------------------------------------------------------------

def test_requires_python_gives_a_specifier_request(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.11,<3.13"\n')
    assert read_requires_python(tmp_path) == PythonRequest(
        ">=3.11,<3.13", "specifier", "requires-python in pyproject.toml")


@pytest.mark.parametrize("text", ["", '[tool.black]\nline-length = 100\n', '[project]\nname = "app"\n'])
def test_pyproject_without_requires_python_gives_none(tmp_path, text):
    write(tmp_path / "pyproject.toml", text)
    assert read_requires_python(tmp_path) is None


def test_invalid_requires_python_specifier_is_invalid(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.x"\n')
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        read_requires_python(tmp_path)
    assert caught.value.title == "Invalid Python version in requires-python in pyproject.toml"
    assert "not a valid version specifier" in caught.value.body


def test_requires_python_that_is_not_a_string_is_invalid(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nrequires-python = 3.12\n")
    with pytest.raises(errors.PythonVersionInvalid) as caught:
        read_requires_python(tmp_path)
    assert "It must be a string" in caught.value.body


# -- all sources together --------------------------------------------------------------

def test_app_that_asks_for_no_python_has_no_primary_request(tmp_path):
    requests = requested_python(tmp_path)
    assert requests == PythonRequests(None, None, runtime_txt_used=False)
    assert requests.primary is None


@pytest.mark.parametrize("file_value, runtime_value, chosen", [
    ("3.12", "3.12.4", "3.12.4"),
    ("3.12.4", "3.12", "3.12.4"),
    ("3.12.4", "3.12.4", "3.12.4"),
])
def test_agreeing_python_version_and_runtime_txt_keep_the_more_precise(tmp_path, file_value, runtime_value, chosen):
    write(tmp_path / ".python-version", file_value)
    write(tmp_path / "runtime.txt", f"python-{runtime_value}")
    requests = requested_python(tmp_path)
    assert requests.exact.value == chosen
    assert requests.runtime_txt_used


@pytest.mark.parametrize("file_value, runtime_value", [("3.11", "3.12"), ("3.12.3", "3.12.4"), ("3.1", "3.12")])
def test_conflicting_python_version_files_name_both_files(tmp_path, file_value, runtime_value):
    write(tmp_path / ".python-version", file_value)
    write(tmp_path / "runtime.txt", f"python-{runtime_value}")
    with pytest.raises(errors.PythonVersionConflict) as caught:
        requested_python(tmp_path)
    body = caught.value.body
    assert f".python-version asks for Python {file_value}" in body
    assert f"runtime.txt asks for Python {runtime_value}" in body


def test_exact_request_and_constraint_are_both_kept(tmp_path):
    write(tmp_path / ".python-version", "3.12")
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.10"\n')
    requests = requested_python(tmp_path)
    assert requests.exact == PythonRequest("3.12", "exact", ".python-version")
    assert requests.constraint.value == ">=3.10"
    assert requests.primary is requests.exact
    assert not requests.runtime_txt_used


def test_constraint_alone_is_the_primary_request(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.10"\n')
    requests = requested_python(tmp_path)
    assert requests.exact is None and requests.primary == requests.constraint


def test_a_package_managers_exact_request_yields_to_a_more_precise_python_version(tmp_path):
    write(tmp_path / ".python-version", "3.12.4")
    requests = requested_python(tmp_path, [PythonRequest("3.12", "exact", "Pipfile.lock")])
    assert requests.exact == PythonRequest("3.12.4", "exact", ".python-version")


def test_a_package_managers_exact_request_is_used_alone(tmp_path):
    requests = requested_python(tmp_path, [PythonRequest("3.11.7", "exact", "Pipfile.lock")])
    assert requests.primary == PythonRequest("3.11.7", "exact", "Pipfile.lock")


def test_a_package_managers_request_that_disagrees_names_both_files(tmp_path):
    write(tmp_path / ".python-version", "3.12")
    with pytest.raises(errors.PythonVersionConflict) as caught:
        requested_python(tmp_path, [PythonRequest("3.11", "exact", "Pipfile.lock")])
    assert ".python-version asks for Python 3.12" in caught.value.body
    assert "Pipfile.lock asks for Python 3.11" in caught.value.body


def test_every_specifier_must_hold_and_each_is_named(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.10"\n')
    requests = requested_python(tmp_path, [PythonRequest("<3.13", "specifier", "python in [tool.poetry.dependencies]")])
    assert requests.constraint == PythonRequest(">=3.10,<3.13", "specifier",
                                                "requires-python in pyproject.toml and python in "
                                                "[tool.poetry.dependencies]")
    assert requests.constraint.matches("3.12.4") and not requests.constraint.matches("3.13.0")


# -- choosing from the download list -----------------------------------------------------

AVAILABLE = ["3.11.9", "3.12.1", "3.12.4", "3.13.0", "3.13.1", "3.14.0rc1", "3.14.0a2", "3.15.0.dev0"]


def exact(value):
    return PythonRequest(value, "exact", ".python-version")


def constraint(value):
    return PythonRequest(value, "specifier", "requires-python in pyproject.toml")


def test_stable_versions_are_newest_first_without_prereleases_or_garbage():
    assert stable_versions(["3.12.1", "3.13.0b1", "nonsense", "3.12.10", "3.12.1"]) == ["3.12.10", "3.12.1"]


def test_choose_without_a_request_picks_the_newest_stable():
    assert choose(None, AVAILABLE) == "3.13.1"


def test_choose_skips_prereleases():
    assert choose(constraint(">=3.14"), AVAILABLE) is None


def test_choose_minor_picks_its_newest_patch():
    assert choose(exact("3.12"), AVAILABLE) == "3.12.4"


def test_choose_exact_patch_picks_it():
    assert choose(exact("3.12.1"), AVAILABLE) == "3.12.1"


def test_choose_exact_minor_does_not_match_a_longer_minor():
    assert choose(exact("3.1"), ["3.10.5", "3.1.5"]) == "3.1.5"


def test_choose_constraint_picks_the_newest_matching():
    assert choose(constraint("<3.13"), AVAILABLE) == "3.12.4"


def test_choose_honours_both_exact_and_constraint():
    requests = PythonRequests(exact("3.12"), constraint("<3.12.4"))
    assert choose(requests, AVAILABLE) == "3.12.1"


def test_choose_returns_none_when_exact_and_constraint_disagree():
    assert choose(PythonRequests(exact("3.11"), constraint(">=3.12")), AVAILABLE) is None


def test_choose_unavailable_version_gives_none():
    assert choose(exact("3.10"), AVAILABLE) is None


def test_a_byte_order_mark_is_not_part_of_the_version(tmp_path):
    (tmp_path / ".python-version").write_bytes(b"\xef\xbb\xbf3.12\n")
    (tmp_path / "runtime.txt").write_bytes(b"\xef\xbb\xbfpython-3.12.4\n")
    assert read_python_version_file(tmp_path).value == "3.12"
    assert read_runtime_txt(tmp_path).value == "3.12.4"


def test_runtime_txt_skips_blank_lines_comments_and_whitespace(tmp_path):
    write(tmp_path / "runtime.txt", "\n# the Heroku runtime\n  python-3.11.9   # pinned for now\n\n")
    assert read_runtime_txt(tmp_path).value == "3.11.9"
