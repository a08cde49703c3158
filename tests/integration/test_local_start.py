"""`pybuildpack start`: the Procfile's or the detected process, on $PORT.

The web process is watched until it answers ("Serving on" only then, a clear
error and a non-zero status when it dies first); the others are exec'd."""

import json
import os
import signal
import subprocess
import time

import pytest

from harness.heroku import free_port
from harness.local import PYBUILDPACK

pytestmark = pytest.mark.slow


def wait_for_log(server, text: str, timeout: float = 10.0) -> str:
    """The server's log once it holds `text` (pybuildpack prints it after its own probe answers)."""
    deadline = time.monotonic() + timeout
    while text not in server.log and time.monotonic() < deadline:
        time.sleep(0.1)
    return server.log


def test_start_says_serving_only_once_gunicorn_answers_and_passes_sigterm_on(local, fixture_app):
    app = local.copy_app(fixture_app("local_wsgi"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    server = local.serve(["start"], cwd=app)
    assert server.wait_until_serving("/").text == "first"
    # pybuildpack stays in front of gunicorn, to watch its start.
    command_line = open(f"/proc/{server.process.pid}/cmdline", "rb").read().split(b"\0")
    assert not any(part.endswith(b"/gunicorn") for part in command_line), command_line
    log = wait_for_log(server, "Serving on")
    assert log.index("Booting worker") < log.index(f"Serving on http://localhost:{server.port}"), log
    os.kill(server.process.pid, signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    assert "Handling signal: term" in server.log
    assert log.count("Serving on") == 1


@pytest.mark.parametrize("status", [3, 0])
def test_start_fails_with_the_status_and_output_of_a_web_process_that_dies_at_start(local, fixture_app, status):
    app = local.copy_app(fixture_app("serve_exits_at_start"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    started = local.pybuildpack("start", "-C", str(app), env={"EXIT_STATUS": str(status), "PORT": str(free_port())},
                                timeout=60)
    assert started.returncode == 1, started
    assert "Serving on" not in started.stdout + started.stderr
    assert " !     Error: The web process exited before it served" in started.stderr
    assert f"`python exits.py` exited with status {status} before it answered on port" in started.stderr
    assert "    loading the app" in started.stderr and "    giving up: no server here" in started.stderr
    # The process's own output went through as it came, too.
    assert "loading the app\n" in started.stdout


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
    assert f"Serving on http://localhost:{port}" in wait_for_log(server, "Serving on")
    assert server.stops_on_sigterm(), server.log
