"""`pybuildpack start`: the Procfile's or the detected process, on $PORT, exec'd so signals reach it."""

import json
import os
import signal
import subprocess

import pytest

from harness.heroku import free_port
from harness.local import PYBUILDPACK

pytestmark = pytest.mark.slow


def test_start_execs_the_detected_gunicorn_so_sigterm_reaches_it(local, fixture_app):
    app = local.copy_app(fixture_app("local_wsgi"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    server = local.serve(["start"], cwd=app)
    assert server.wait_until_serving("/").text == "first"
    # No wrapper process stays between the terminal and the server: pybuildpack became gunicorn.
    command_line = open(f"/proc/{server.process.pid}/cmdline", "rb").read().split(b"\0")
    assert any(part.endswith(b"/gunicorn") for part in command_line), command_line
    os.kill(server.process.pid, signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    assert "Handling signal: term" in server.log


def test_start_runs_a_procfile_process_by_name_with_the_apps_environment(local, fixture_app):
    app = local.copy_app(fixture_app("procfile"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    worker = subprocess.run([str(PYBUILDPACK), "start", "worker", "-C", str(app)], env=local.env(),
                            capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout == "worker ready\n"
    assert "-----> Starting worker: python -c \"import service; print('worker ready')\"" in worker.stderr
    server = local.serve(["start", "web", "-C", str(app)])
    assert server.wait_until_serving("/").text == "Hello from the Procfile app"
    assert server.stops_on_sigterm(), server.log


def test_the_port_option_wins_over_port(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    port = free_port()
    server = local.serve(["start", "--port", str(port)], cwd=app, env={"PORT": str(free_port())}, port=port)
    assert json.loads(server.wait_until_serving("/").text)["env"]["PORT"] == str(port)
    assert f"Serving on http://localhost:{port}" in server.log
    assert server.stops_on_sigterm(), server.log
