"""A failed CNB build leaves the cached layers of the last successful one.

The lifecycle exports the image and the cache only after a build that passed
(the harness, tests/harness/cnb.py, does the same), so the next build restores
the previous layers: the runtime is reused and only what changed is installed.
"""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.slow


def test_a_build_failing_after_its_install_leaves_the_cached_layers_for_the_next_build(cnb, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements.txt").write_text("Flask\nidna==3.6\n")
    hook = app / "bin" / "post_compile"
    hook.parent.mkdir()
    hook.write_text('#!/usr/bin/env bash\nif [ -n "${FAIL_AFTER_INSTALL:-}" ]; then echo "failing on purpose"; '
                    'exit 1; fi\n')
    hook.chmod(0o755)
    first = cnb.build(app)
    assert first.ok, first.output

    (app / "requirements.txt").write_text("Flask\nidna==3.7\n")
    failed = cnb.build(app, config={"FAIL_AFTER_INSTALL": "1"})
    assert failed.returncode != 0, failed.output
    assert "+ idna==3.7" in failed.output and "failing on purpose" in failed.output

    again = cnb.build(app)
    assert again.ok, again.output
    assert "Reusing layer python: Python 3.12.1" in again.output
    assert "Updating layer venv: the requirements changed (requirements.txt)" in again.output
    assert "Installing Python" not in again.output
    assert "- idna==3.6" in again.output and "+ idna==3.7" in again.output
    assert "+ flask" not in again.output
    assert cnb.run(["python", "-c", "import idna; print(idna.__version__)"]).stdout.strip() == "3.7"
