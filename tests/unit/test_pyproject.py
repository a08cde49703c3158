"""Reading pyproject.toml (inspect.pyproject)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.inspect.pyproject import read_pyproject

from .helpers import write


def test_no_pyproject_gives_none(tmp_path):
    assert read_pyproject(tmp_path) is None


def test_valid_pyproject_is_parsed(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\nrequires-python = ">=3.11"\n')
    assert read_pyproject(tmp_path) == {"project": {"name": "app", "requires-python": ">=3.11"}}


def test_invalid_toml_is_file_unreadable_naming_pyproject_toml(tmp_path):
    write(tmp_path / "pyproject.toml", "[project\nname = \n")
    with pytest.raises(errors.FileUnreadable) as caught:
        read_pyproject(tmp_path)
    assert caught.value.title == "Could not read pyproject.toml"
    assert "It is not valid TOML" in caught.value.body


def test_pyproject_that_is_not_utf8_is_an_error_naming_it(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')
    with pytest.raises(errors.AppFileNotUtf8) as caught:
        read_pyproject(tmp_path)
    assert caught.value.title == "pyproject.toml is not UTF-8"
