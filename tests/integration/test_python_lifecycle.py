"""What the build says about the Python it uses (python_lifecycle.py), through
real builds: a pinned patch with a newer release in the download list, a
version the download list has never heard of on a developer's machine, and an
unpinned build whose advice must not be to pin the newest Python."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.blocks import bang_block, error_block, expected_block, normalized_lines

pytestmark = pytest.mark.slow


def _list_with_a_newer_patch(downloads_json: Path, tmp_path: Path) -> Path:
    """The test download list, plus a 3.12.9 that is listed and never installed."""
    entries = json.loads(downloads_json.read_text())
    newer = dict(entries["cpython-3.12.1-linux-x86_64-gnu"], patch=9,
                 url="file:///nonexistent/cpython-3.12.9.tar.gz")
    entries["cpython-3.12.9-linux-x86_64-gnu"] = newer
    path = tmp_path / "downloads.json"
    path.write_text(json.dumps(entries))
    return path


def test_a_pinned_patch_with_a_newer_release_in_the_list_is_named(heroku, fixture_app, downloads_json, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / ".python-version").write_text("3.12.1\n")
    listed = _list_with_a_newer_patch(downloads_json, tmp_path)
    result = heroku.build(app, config={"PYBUILDPACK_PYTHON_DOWNLOADS_JSON": str(listed)})
    assert result.ok, result.output
    lines = normalized_lines(result.output, {"build_dir": result.build_dir})
    assert bang_block(lines, "Warning: Python 3.12.1") == expected_block("""\
         !     Warning: Python 3.12.1 has a newer patch release: 3.12.9
         !
         !     .python-version pins Python 3.12.1, but the download list has 3.12.9, with the
         !     security and bug fixes since. Pin 3.12.9, or just 3.12 to get each
         !     patch release as it comes:
         !         echo 3.12 > .python-version
    """)


def test_a_local_build_of_a_version_that_does_not_exist_names_the_file_and_installs_nothing(local, fixture_app):
    app = local.copy_app(fixture_app("flask_wsgi"))
    (app / ".python-version").write_text("3.99\n")
    # No download list configured: uv's own, which every CPython release is in.
    result = local.pybuildpack("build", cwd=app, env={"PYBUILDPACK_PYTHON_DOWNLOADS_JSON": ""})
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert " !     Error: Python 3.99 is not a CPython release" in output
    assert " !     .python-version asks for Python 3.99, but it is newer than every CPython" in output
    assert " !     Change .python-version to one of those versions." in output
    assert "pyenv install" not in output


def test_an_unpinned_build_whose_pins_fail_on_the_newest_python_is_not_told_to_pin_it(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / ".python-version").unlink()
    # An old pin with no wheel for, and no build on, the newest Python of the list (3.13).
    (app / "requirements.txt").write_text("flask==3.0.3\nnumpy==1.21.6\n")
    result = heroku.build(app, timeout=300)
    assert not result.ok
    lines = normalized_lines(result.output, {"build_dir": result.build_dir})
    advice = bang_block(lines, "Warning: No Python version was requested")
    assert "echo 3.13" not in advice and "echo 3.X > .python-version" in advice
    assert "If the packages fail to install on Python 3.13, their pins may be older\n !     than it" in advice
    assert error_block(lines).startswith(" !     Error: ")
