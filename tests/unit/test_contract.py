"""Heroku's contract where an app's source surprises us: its own bin/ scripts,
Python environments committed with it, and what bin/detect says (inspect/files.py)."""

from __future__ import annotations

import os

from pybuildpack.inspect.files import committed_environments, detect_failure, detected_by, is_buildpack

from .helpers import write


def test_an_app_with_its_own_bin_detect_and_compile_is_still_a_python_app(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "bin" / "detect", "#!/bin/sh\necho Inline\n", executable=True)
    write(tmp_path / "bin" / "compile", "#!/bin/sh\n", executable=True)
    assert not is_buildpack(tmp_path)
    assert detected_by(tmp_path) == ["requirements.txt"]


def test_a_buildpack_source_is_refused_with_a_message_that_says_why(tmp_path):
    for name in ("bin/detect", "bin/compile", "buildpack.toml", "requirements.txt"):
        write(tmp_path / name)
    assert detected_by(tmp_path) == []
    text = detect_failure(tmp_path)
    assert "buildpack's own source" in text and "buildpack's own:\n  - requirements.txt\n" in text
    # It must not claim that requirements.txt was looked for and not found.
    assert "does not look like a Python app" not in text


def test_detect_names_a_looked_for_file_that_is_there_but_not_a_file(tmp_path):
    (tmp_path / "requirements.txt").mkdir()
    os.symlink(tmp_path / "missing", tmp_path / "Pipfile")
    text = detect_failure(tmp_path)
    assert "  - requirements.txt is a directory" in text
    assert "  - Pipfile is a symlink to a missing file" in text


def test_committed_virtualenvs_are_found_at_the_top_and_one_level_down(tmp_path):
    write(tmp_path / ".venv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / "backend" / "venv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / "src" / "app.py")
    assert committed_environments(tmp_path) == [(".venv", False), ("backend/venv", False)]


def test_pybuildpacks_own_local_environment_and_deeper_ones_are_not_committed_environments(tmp_path):
    write(tmp_path / ".pybuildpack" / "venv" / "pyvenv.cfg")
    write(tmp_path / "node_modules" / "x" / "pyvenv.cfg")
    write(tmp_path / "a" / "b" / "c" / "pyvenv.cfg")
    assert committed_environments(tmp_path) == []


def test_a_platforms_own_directory_counts_whatever_it_holds(tmp_path):
    write(tmp_path / ".heroku" / "python", "not even a directory")
    assert committed_environments(tmp_path, (".heroku/python",)) == [(".heroku/python", True)]
    os.remove(tmp_path / ".heroku" / "python")
    write(tmp_path / ".heroku" / "python" / "pyvenv.cfg")
    # Named once, as the platform's directory.
    assert committed_environments(tmp_path, (".heroku/python",)) == [(".heroku/python", True)]
