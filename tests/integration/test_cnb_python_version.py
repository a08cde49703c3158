"""Choosing the Python version through the CNB API: the same errors as on Heroku."""

import pytest

from harness.apps import make_app

pytestmark = pytest.mark.slow


def test_unavailable_version_names_the_file_and_lists_versions(cnb, tmp_path):
    result = cnb.build(make_app(tmp_path, {".python-version": "3.99\n"}))
    assert result.returncode == 1
    assert " !     Error: Python 3.99 is not available" in result.output
    assert "Versions available: 3.13." in result.output
    assert "Traceback" not in result.output


def test_disagreeing_files_fail_naming_both(cnb, tmp_path):
    result = cnb.build(make_app(tmp_path, {".python-version": "3.12\n", "runtime.txt": "python-3.11.7\n"}))
    assert result.returncode == 1
    assert " !     Error: Conflicting Python versions" in result.output
    assert "runtime.txt asks for Python 3.11.7" in result.output
