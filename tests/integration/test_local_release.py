"""The Procfile's `release` process locally: `up` runs it after the build and
before the web process (as Heroku's release phase does), `pybuildpack release`
runs it alone, `--no-release` skips it; a failing one stops `up`.

The fixture's release process creates a SQLite table in the file `.env` names
and records `.env`'s GREETING there; its web process serves the rows."""

import json
import socket
import time

import pytest

from harness.heroku import free_port

pytestmark = pytest.mark.slow

COMMAND = "python release.py"


def releases(server) -> list:
    """The rows the web process serves, once it serves (again, after a restart)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return json.loads(server.wait_until_serving("/").text)["releases"]
        except ValueError:   # an old server stopped between its headers and its body
            assert time.monotonic() < deadline, server.log
            time.sleep(0.2)


def wait_for(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_up_runs_the_release_before_the_web_process_and_release_alone_runs_it_again(local, fixture_app, tmp_path):
    app = local.copy_app(fixture_app("release_sqlite"))
    server = local.serve(["up", str(app)])
    assert releases(server) == ["hello-from-dotenv"]   # the .env value reached the release
    # pybuildpack says "Serving on" once its own probe answers, which may be after ours.
    wait_for(lambda: "Serving on" in server.log, "Serving on")
    log = server.log
    order = ["-----> Build finished", f"-----> Running release process: {COMMAND}", "release: stdin is empty",
             "       Release process finished (", "-----> Starting web: python web.py",
             f"Serving on http://localhost:{server.port}"]
    positions = [log.find(text) for text in order]
    assert -1 not in positions and positions == sorted(positions), log
    # Its output is in the log, indented and masked as every line is: GREETING is a config var.
    assert "       release: recorded ****" in log and "hello-from-dotenv" not in log
    assert "       Release:   python release.py (Procfile line 2)" in log   # the build summary says it
    assert server.stops_on_sigterm(), server.log

    alone = local.pybuildpack("release", "-C", str(app))
    assert alone.returncode == 0, alone.stderr
    assert f"-----> Running release process: {COMMAND}\n       release: stdin is empty\n" \
           "       release: recorded ****\n       Release process finished (" in alone.stdout

    skipped = local.serve(["up", str(app), "--no-release"])
    assert releases(skipped) == ["hello-from-dotenv"] * 2   # up ran it once, release once, --no-release not
    assert f"-----> Skipping the release process (--no-release): {COMMAND}" in skipped.log
    assert "Running release process" not in skipped.log
    assert skipped.stops_on_sigterm(), skipped.log

    # With --reload the release runs once, before the web process: not at each restart.
    reloading = local.serve(["up", str(app), "--reload"])
    assert releases(reloading) == ["hello-from-dotenv"] * 3
    time.sleep(1.1)  # a new mtime even on filesystems with one-second timestamps
    (app / "web.py").write_text((app / "web.py").read_text() + "# changed\n")
    wait_for(lambda: "-----> Restarting: web.py changed" in reloading.log, "the restart")
    assert releases(reloading) == ["hello-from-dotenv"] * 3
    assert reloading.log.count("Running release process") == 1
    assert reloading.stops_on_sigterm(), reloading.log

    # Never a process of its own: not in start --all, not exported, not asked for with -c.
    every = local.serve(["start", "--all", "-C", str(app)])
    assert releases(every) == ["hello-from-dotenv"] * 3
    assert "release is not started: it runs once per deploy, with `pybuildpack release`" in every.log
    assert "release.1" not in every.log
    assert every.stops_on_sigterm(), every.log
    every = local.pybuildpack("start", "--all", "-C", str(app), "-c", "release=1")
    assert every.returncode == 1 and " !     Error: -c cannot run the release process" in every.stderr, every
    exported = local.pybuildpack("export", "systemd", str(tmp_path / "units"), "-C", str(app), "--app", "shop")
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == ["shop-web-1.service", "shop.target"]
    assert "-----> No unit for the release process\n" in exported.stdout
    assert f"release -C {app}\n" in exported.stdout
    assert COMMAND not in (tmp_path / "units" / "shop-web-1.service").read_text()


def test_up_runs_no_release_for_a_port_it_cannot_serve_on_and_stops_when_the_release_fails(local, fixture_app):
    app = local.copy_app(fixture_app("release_sqlite"))
    port = free_port()
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("0.0.0.0", port))
        taken.listen()
        blocked = local.pybuildpack("up", str(app), "--port", str(port))
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "-----> Build finished" in blocked.stdout and f"Port {port} is in use" in blocked.stderr
    assert "Running release process" not in blocked.stdout and not (app / "app.sqlite3").exists()

    failed = local.pybuildpack("up", str(app), "--port", str(port), env={"RELEASE_EXIT": "3"})
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert f"-----> Running release process: {COMMAND}\n       release: stdin is empty\n" \
           "       release: the migration failed\n" in failed.stdout
    assert "Release process finished" not in failed.stdout
    assert " !     Error: The release process failed" in failed.stderr
    assert f" !     `{COMMAND}` (Procfile line 2) exited with status 3 after " in failed.stderr
    assert " !     The web process was not started" in failed.stderr
    assert "Starting web" not in failed.stdout + failed.stderr and "Serving on" not in failed.stdout
    assert not (app / "app.sqlite3").exists()

    (app / "Procfile").write_text("web: python web.py\n")
    nothing = local.pybuildpack("release", "-C", str(app))
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout == "-----> Nothing to run: the Procfile has no release process\n"
