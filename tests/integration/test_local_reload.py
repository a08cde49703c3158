"""`pybuildpack start --reload`: a code change reaches the running server, whichever server runs."""

import json
import time

import pytest

pytestmark = pytest.mark.slow


def wait_for(check, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return check()


def test_reload_with_gunicorn_uses_gunicorns_own_reloader(local, fixture_app):
    app = local.copy_app(fixture_app("local_wsgi"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    server = local.serve(["start", "--reload"], cwd=app)
    assert server.wait_until_serving("/").text == "first"
    assert "Reloading on code changes (gunicorn --reload)" in server.log
    (app / "greeting.py").write_text('TEXT = "second"\n')
    assert wait_for(lambda: server.get("/").text == "second"), server.log
    assert server.stops_on_sigterm(), server.log


def test_reload_of_an_app_py_server_restarts_it_when_a_file_changes(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    server = local.serve(["start", "--reload"], cwd=app)
    assert json.loads(server.wait_until_serving("/").text)["message"] == "first"
    assert "Restarting on code changes (pybuildpack watches the app's files)" in server.log
    time.sleep(1.1)  # a new mtime even on filesystems with one-second timestamps
    (app / "message.py").write_text('TEXT = "second"\n')

    def answer():
        try:
            return json.loads(server.get("/", timeout=2).text)["message"] == "second"
        except (OSError, ValueError):
            # Between the old server stopping and the new one listening; ValueError: the old
            # one got SIGTERM after sending its headers and closed with an empty body.
            return False

    assert wait_for(answer), server.log
    assert "-----> Restarting: message.py changed" in server.log
    # A .env change restarts it too, with the new value.
    (app / ".env").write_text("GREETING=after a restart\n")
    assert wait_for(lambda: _env(server).get("GREETING") == "after a restart"), server.log
    assert server.stops_on_sigterm(), server.log
    assert server.log.count("app.py serving on") == 3


def _env(server):
    try:
        return json.loads(server.get("/", timeout=2).text)["env"]
    except (OSError, ValueError):  # restarting, as in answer() above
        return {}
