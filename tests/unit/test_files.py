"""Whether a directory is a Python app, and how it is listed in messages (inspect.files)."""

from __future__ import annotations

import pytest

from pybuildpack.inspect.files import DETECT_FILES, detected_by, listing

from .helpers import write


@pytest.mark.parametrize("name", DETECT_FILES)
def test_each_detect_file_alone_makes_a_python_app(tmp_path, name):
    write(tmp_path / name)
    assert detected_by(tmp_path) == [name]


def test_detect_files_are_reported_in_detect_order(tmp_path):
    for name in ("manage.py", "requirements.txt", ".python-version"):
        write(tmp_path / name)
    assert detected_by(tmp_path) == ["requirements.txt", ".python-version", "manage.py"]


def test_an_empty_directory_is_not_a_python_app(tmp_path):
    assert detected_by(tmp_path) == []


def test_a_directory_named_like_a_detect_file_does_not_count(tmp_path):
    (tmp_path / "requirements.txt").mkdir()
    assert detected_by(tmp_path) == []


def test_detect_files_below_the_top_do_not_count(tmp_path):
    write(tmp_path / "src" / "requirements.txt")
    assert detected_by(tmp_path) == []


def test_listing_is_sorted_and_marks_directories(tmp_path):
    write(tmp_path / "b.txt")
    write(tmp_path / "a" / "x.txt")
    write(tmp_path / ".env")
    assert listing(tmp_path) == [".env", "a/", "b.txt"]


def test_listing_hides_dot_git(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "README.md")
    assert listing(tmp_path) == ["README.md"]


def test_listing_is_truncated_with_a_count_of_the_rest(tmp_path):
    for n in range(25):
        write(tmp_path / f"f{n:02d}")
    assert listing(tmp_path, limit=20) == [f"f{n:02d}" for n in range(20)] + ["... and 5 more"]


def test_listing_at_the_limit_is_not_truncated(tmp_path):
    for n in range(3):
        write(tmp_path / f"f{n}")
    assert listing(tmp_path, limit=3) == ["f0", "f1", "f2"]


def test_listing_of_a_missing_directory_is_empty(tmp_path):
    assert listing(tmp_path / "missing") == []


def test_a_named_pylock_makes_a_python_app(tmp_path):
    (tmp_path / "pylock.prod.toml").write_text('lock-version = "1.0"\n')
    (tmp_path / "pylock.a.b.toml").write_text("")
    assert detected_by(tmp_path) == ["pylock.prod.toml"]
