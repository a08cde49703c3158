"""Choosing the Python version, and the errors for versions we cannot honour."""

import pytest

from harness.apps import make_app

pytestmark = pytest.mark.slow


def test_unavailable_version_names_the_file_and_lists_versions(heroku, tmp_path):
    result = heroku.build(make_app(tmp_path, {".python-version": "3.99\n"}))
    assert result.returncode == 1
    assert " !     Error: Python 3.99 is not available" in result.output
    assert ".python-version asks for Python 3.99" in result.output
    assert "Versions available: 3.13." in result.output
    assert "Traceback" not in result.output


def test_garbage_version_is_rejected_with_the_expected_format(heroku, tmp_path):
    result = heroku.build(make_app(tmp_path, {".python-version": "banana\n"}))
    assert result.returncode == 1
    assert " !     Error: Invalid Python version in .python-version" in result.output
    assert "MAJOR.MINOR" in result.output


def test_disagreeing_files_fail_naming_both(heroku, tmp_path):
    result = heroku.build(make_app(tmp_path, {".python-version": "3.12\n", "runtime.txt": "python-3.11.7\n"}))
    assert result.returncode == 1
    assert " !     Error: Conflicting Python versions" in result.output
    assert ".python-version asks for Python 3.12" in result.output
    assert "runtime.txt asks for Python 3.11.7" in result.output


def test_requires_python_picks_the_newest_satisfying_version(heroku, tmp_path):
    pyproject = '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.10,<3.13"\n'
    result = heroku.build(make_app(tmp_path, {"pyproject.toml": pyproject}))
    assert result.ok, result.output
    assert "Using Python 3.12.1 (from requires-python in pyproject.toml)" in result.output
    assert "No Python version was requested" not in result.output


def test_python_version_outside_requires_python_is_a_conflict(heroku, tmp_path):
    pyproject = '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.12"\n'
    result = heroku.build(make_app(tmp_path, {"pyproject.toml": pyproject, ".python-version": "3.11\n"}))
    assert result.returncode == 1
    assert " !     Error: Conflicting Python versions" in result.output
    assert "requires-python in pyproject.toml asks for Python >=3.12" in result.output


def test_runtime_txt_still_works_with_a_deprecation_warning(heroku, tmp_path):
    result = heroku.build(make_app(tmp_path, {"runtime.txt": "python-3.11\n"}))
    assert result.ok, result.output
    assert "Using Python 3.11.7 (from runtime.txt)" in result.output
    assert "Warning: runtime.txt is deprecated" in result.output
