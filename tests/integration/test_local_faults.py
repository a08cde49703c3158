"""`pybuildpack build` that fails or is killed keeps the last finished environment.

The local venv is changed in place, so while a build changes it the last
finished one is kept beside it (.pybuildpack/last-venv, hardlinked); the next
build puts it back when the build before did not finish, and a venv set aside
for another Python is found again when the change is reverted.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from harness.local import PYBUILDPACK

pytestmark = pytest.mark.slow

HOOK = '#!/usr/bin/env bash\nif [ -f fail-after-install ]; then echo "failing on purpose"; exit 1; fi\n'
PUT_BACK = "The last build did not finish: using the environment of the build before it"


def output(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


@pytest.fixture
def app(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    (app / "requirements.txt").write_text("Flask==3.0.3\n")
    hook = app / "bin" / "post_compile"
    hook.parent.mkdir()
    hook.write_text(HOOK)
    hook.chmod(0o755)
    first = local.pybuildpack("build", str(app))
    assert first.returncode == 0, output(first)
    return app


def test_a_failed_build_keeps_the_last_environment_for_the_next_one(local, app):
    (app / "requirements.txt").write_text("Flask==3.0.3\nsix==1.16.0\n")
    (app / "fail-after-install").write_text("")
    failed = local.pybuildpack("build", str(app))
    assert failed.returncode != 0 and "failing on purpose" in output(failed), output(failed)
    assert (app / ".pybuildpack" / "last-venv").is_dir()

    (app / "fail-after-install").unlink()
    again = local.pybuildpack("build", str(app))
    assert again.returncode == 0, output(again)
    assert PUT_BACK in again.stdout
    assert "Reusing the environment of the last build (.pybuildpack/venv)" in again.stdout
    assert "+ six==1.16.0" in again.stdout and "+ flask" not in again.stdout.lower()
    assert not (app / ".pybuildpack" / "last-venv").exists()
    probe = local.pybuildpack("run", "python", "-c", "import six, flask; print('ok')", cwd=app)
    assert probe.stdout.strip() == "ok", output(probe)


def test_a_killed_build_keeps_the_last_environment_for_the_next_one(local, app):
    (app / "requirements.txt").write_text("Flask==3.0.3\nsix==1.16.0\n")
    process = subprocess.Popen([str(PYBUILDPACK), "build", str(app)], cwd=app, env=local.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                               stdin=subprocess.DEVNULL)
    for line in process.stdout:
        if line.startswith("-----> Installing dependencies"):
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.stdout.close()
    assert process.wait() == -signal.SIGKILL

    again = local.pybuildpack("build", str(app))
    assert again.returncode == 0, output(again)
    assert PUT_BACK in again.stdout
    assert "+ six==1.16.0" in again.stdout and "+ flask" not in again.stdout.lower()


def test_a_python_change_that_fails_then_is_reverted_reuses_the_old_environment(local, app):
    (app / ".python-version").write_text("3.11\n")
    (app / "fail-after-install").write_text("")
    failed = local.pybuildpack("build", str(app))
    assert failed.returncode != 0, output(failed)
    assert "Discarding cached environment: Python version changed" in failed.stdout

    (app / ".python-version").write_text("3.12\n")
    (app / "fail-after-install").unlink()
    again = local.pybuildpack("build", str(app))
    assert again.returncode == 0, output(again)
    assert PUT_BACK in again.stdout
    assert "Reusing the environment of the last build (.pybuildpack/venv)" in again.stdout
    assert "Dependencies unchanged since the last build (requirements.txt)" in again.stdout
