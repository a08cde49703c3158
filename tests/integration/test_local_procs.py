"""`pybuildpack start --all` and `pybuildpack export`: the whole Procfile, locally and on a server.

A real app with a web and a worker process (the worker writes a heartbeat
file), run through bin/pybuildpack; the exported supervisord config is run by
a real supervisord from PyPI, the systemd units are checked by content and by
`systemd-analyze verify` where the machine has it."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from harness.heroku import free_port
from harness.local import PYBUILDPACK

pytestmark = pytest.mark.slow

LINE = re.compile(r"^\d\d:\d\d:\d\d (?P<name>\S+)\s+\| (?P<text>.*)$")


def get_json(port: int, timeout: float = 30.0) -> dict:
    """The web process's answer on `port`, once it answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                return json.loads(reply.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def beats(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return 0


def wait_for(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def free_base_port() -> int:
    """A base port with base, base+1 and base+100 free (web.1, web.2, worker.1)."""
    for _ in range(50):
        base = free_port()
        if base + 100 < 65000 and all(_free(base + offset) for offset in (1, 100)):
            return base
    raise AssertionError("no free base port")


def _free(port: int) -> bool:
    import socket
    with socket.socket() as probe:
        # As servers do: connections of ours in TIME_WAIT do not make the port taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


@pytest.fixture
def built_app(local, fixture_app):
    app = local.copy_app(fixture_app("procs_web_worker"))
    (app / ".env").write_text(f"GREETING=hello from .env\nHEARTBEAT_FILE={app / 'heartbeat'}\n")
    built = local.pybuildpack("build", str(app))
    assert built.returncode == 0, built.stdout + built.stderr
    return app


def start_all(local, app: Path, *args: str, env=None) -> subprocess.Popen:
    log = open(app / "start.log", "w")
    return subprocess.Popen([str(PYBUILDPACK), "start", "-C", str(app), *args], env=local.env(env),
                            stdout=log, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)


def test_start_all_runs_two_webs_and_a_worker_with_their_ports_and_prefixes_and_stops_on_sigterm(local, built_app):
    base = free_base_port()
    started = start_all(local, built_app, "--all", "-c", "web=2", "--port", str(base))
    try:
        first, second = get_json(base), get_json(base + 1)
        assert (first["port"], first["dyno"]) == (str(base), "web.1")
        assert (second["port"], second["dyno"]) == (str(base + 1), "web.2")
        assert first["pid"] != second["pid"]
        # The environment `start` gives one process: .env and the .profile.d defaults.
        assert first["greeting"] == "hello from .env" and first["unbuffered"] == "1"
        heartbeat = built_app / "heartbeat"
        wait_for(lambda: beats(heartbeat) >= 3, what="the worker's heartbeat")
        count = beats(heartbeat)
        wait_for(lambda: beats(heartbeat) > count, what="the worker to keep beating")
    finally:
        os.kill(started.pid, signal.SIGTERM)
    stopped_at = time.monotonic()
    assert started.wait(timeout=20) == 0
    assert time.monotonic() - stopped_at < 10
    stderr = started.stderr.read()
    assert f"-----> Starting web.1 (port {base}), web.2 (port {base + 1}), worker.1" in stderr
    lines = [LINE.match(line) for line in (built_app / "start.log").read_text().splitlines()]
    assert all(lines), (built_app / "start.log").read_text()
    by_name = {}
    for match in lines:
        by_name.setdefault(match["name"], []).append(match["text"])
    assert f"web listening on {base}" in by_name["web.1"]
    assert f"web listening on {base + 1}" in by_name["web.2"]
    assert f"worker beating into {built_app / 'heartbeat'}" in by_name["worker.1"]
    assert "SIGTERM received; stopping all processes" in by_name["system"]
    assert {"web got SIGTERM"} <= set(by_name["web.1"]) and "worker got SIGTERM" in by_name["worker.1"]
    # Names are padded to one width, so the `|` column lines up.
    assert len({line.index("|") for line in (built_app / "start.log").read_text().splitlines()}) == 1
    # Nothing is left running: the ports are free again.
    wait_for(lambda: _free(base) and _free(base + 1), timeout=5, what="the ports to be free")


def test_a_process_that_ignores_sigterm_is_killed_after_the_timeout(local, built_app):
    base = free_base_port()
    started = start_all(local, built_app, "--all", "--timeout", "2", "--port", str(base),
                        env={"IGNORE_SIGTERM": "1"})
    get_json(base)
    wait_for(lambda: beats(built_app / "heartbeat") >= 1, what="the worker's heartbeat")
    os.kill(started.pid, signal.SIGINT)   # Ctrl-C
    stopped_at = time.monotonic()
    assert started.wait(timeout=20) == 0
    assert 1.5 < time.monotonic() - stopped_at < 10
    log = (built_app / "start.log").read_text()
    assert "worker ignores SIGTERM" in log
    assert "system   | worker.1 still running: sending SIGKILL" in log
    assert "system   | worker.1 was killed by SIGKILL" in log
    count = beats(built_app / "heartbeat")
    time.sleep(0.5)
    assert beats(built_app / "heartbeat") == count


def test_when_one_process_exits_the_others_stop_and_the_status_is_its_own(local, built_app):
    base = free_base_port()
    started = start_all(local, built_app, "--all", "--port", str(base), env={"EXIT_AFTER": "15"})
    assert get_json(base)["dyno"] == "web.1"   # serving, until the worker gives up 3 s in
    assert started.wait(timeout=60) == 3
    stderr = started.stderr.read()
    assert " !     Error: worker.1 exited with status 3" in stderr
    assert "so pybuildpack stopped the other processes" in stderr
    log = (built_app / "start.log").read_text()
    assert "worker.1 exited with status 3; stopping the others" in log
    assert "sending SIGTERM to web.1" in log and "web got SIGTERM" in log


def test_start_all_runs_the_detected_web_process_of_an_app_without_a_procfile(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    base = free_base_port()
    started = start_all(local, app, "--all", "--port", str(base))
    try:
        assert get_json(base)["env"]["PORT"] == str(base)
    finally:
        os.kill(started.pid, signal.SIGTERM)
    assert started.wait(timeout=20) == 0
    assert "-----> Starting web.1 (port %d)\n" % base in started.stderr.read()
    assert re.search(r"^\d\d:\d\d:\d\d web\.1  \| app\.py serving on %d$" % base,
                     (app / "start.log").read_text(), re.M)


@pytest.mark.parametrize("args, message", [
    (["--all", "-c", "web=2,wrker=1"], ["Error: No process type named 'wrker'", "process types are: web, worker"]),
    (["-c", "web=two"], ["Error: Invalid -c/--concurrency", "the number of web copies, 'two', is not a whole"]),
    (["-c", "web=0,worker=0"], ["Error: No processes to run"]),
])
def test_bad_formations_are_one_paragraph_errors(local, built_app, args, message):
    result = local.pybuildpack("start", "-C", str(built_app), *args, timeout=60)
    assert result.returncode == 1
    for phrase in message:
        assert phrase in result.stderr, result.stderr
    assert not (built_app / "heartbeat").exists()


def test_a_taken_port_of_the_second_web_is_named(local, built_app):
    import socket
    base = free_base_port()
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", base + 1))
        taken.listen()
        result = local.pybuildpack("start", "-C", str(built_app), "-c", "web=2", "--port", str(base), timeout=60)
    assert result.returncode == 1
    assert f" !     Error: Port {base + 1} is in use" in result.stderr
    assert f"web.2 would listen on port {base + 1}" in result.stderr
    assert not (built_app / "heartbeat").exists()


# --- export --------------------------------------------------------------------------------

@pytest.fixture
def supervisord(local, tmp_path) -> Path:
    """supervisord from PyPI, in a virtualenv of its own, through the shared uv cache."""
    from harness.machine import uv_binary

    venv = tmp_path / "supervisor-venv"
    uv_env = {**local.env(), "UV_CACHE_DIR": str(Path(local.env()["PYBUILDPACK_INSTALLER_CACHE_DIR"]) / "uv")}
    subprocess.run([str(uv_binary()), "venv", "-q", str(venv), "--python", sys.executable], env=uv_env, check=True)
    subprocess.run([str(uv_binary()), "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                    "supervisor"], env=uv_env, check=True, timeout=300)
    return venv / "bin" / "supervisord"


def test_export_supervisord_runs_under_a_real_supervisord_which_restarts_a_killed_web(local, built_app, supervisord,
                                                                                      tmp_path):
    base = free_base_port()
    conf = tmp_path / "shop.conf"
    exported = local.pybuildpack("export", "supervisord", str(conf), "-C", str(built_app), "--app", "shop",
                                 "--port", str(base), "--timeout", "5", timeout=60)
    assert exported.returncode == 0, exported.stderr
    assert f"-----> Wrote the supervisord programs of shop to {conf}" in exported.stdout
    text = conf.read_text()
    assert "[group:shop]\nprograms=shop-web-1,shop-worker-1\n" in text
    assert (f"command={PYBUILDPACK.resolve()} start web -C {built_app} --port {base}\n"
            f"directory={built_app}\n") in text
    assert "hello from .env" not in text   # config vars stay in .env, read at each start
    assert "user=root\n" in text and ",DYNO=web.1,HOME=/root\n" not in text   # HOME before DYNO
    assert re.search(r"^environment=PYBUILDPACK_CACHE_DIR=\S+,PYBUILDPACK_UV=\S+,HOME=/root,DYNO=web\.1$", text, re.M)
    logs = tmp_path / "logs"
    logs.mkdir()
    main = tmp_path / "supervisord.conf"
    main.write_text(f"[supervisord]\nnodaemon=true\nlogfile={tmp_path / 'supervisord.log'}\n"
                    f"pidfile={tmp_path / 'supervisord.pid'}\nchildlogdir={logs}\n\n[include]\nfiles={conf}\n")
    server = subprocess.Popen([str(supervisord), "-n", "-c", str(main)], env=local.env(), cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        first = get_json(base, timeout=60)
        assert (first["dyno"], first["port"], first["greeting"]) == ("web.1", str(base), "hello from .env")
        heartbeat = built_app / "heartbeat"
        wait_for(lambda: beats(heartbeat) >= 2, what="the worker's heartbeat")
        os.kill(first["pid"], signal.SIGKILL)   # the web process crashes
        deadline = time.monotonic() + 60
        while True:
            try:
                again = get_json(base, timeout=2)
                if again["pid"] != first["pid"]:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "supervisord.log").read_text()
            time.sleep(0.2)
        assert again["dyno"] == "web.1"
        log = (tmp_path / "supervisord.log").read_text()
        assert "exited: shop-web-1 (exit status 137; not expected)" in log
        assert log.count("spawned: 'shop-web-1'") >= 2
    finally:
        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    log = (tmp_path / "supervisord.log").read_text()
    assert "stopped: shop-web-1 (exit status 0)" in log and "stopped: shop-worker-1 (exit status 0)" in log
    web_logs = "".join(path.read_text() for path in logs.glob("shop-web-1-stdout*.log"))
    assert f"web listening on {base}" in web_logs and "web got SIGTERM" in web_logs
    count = beats(built_app / "heartbeat")
    time.sleep(0.5)
    assert beats(built_app / "heartbeat") == count


def expected_service(app: Path, process: str, number: int, port: int, command: str, local) -> str:
    cache = Path(local.env()["PYBUILDPACK_CACHE_DIR"]).resolve()
    return (
        f"# Written by `pybuildpack export systemd`: {process}.{number} of shop, `{command}`.\n"
        "[Unit]\n"
        f"Description=shop {process}.{number}\n"
        "PartOf=shop.target\n"
        "After=network.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        "User=root\n"
        f"WorkingDirectory={app}\n"
        f"Environment=PYBUILDPACK_CACHE_DIR={cache}\n"
        f"Environment=PYBUILDPACK_UV={local.env()['PYBUILDPACK_UV']}\n"
        f"Environment=DYNO={process}.{number}\n"
        f"ExecStart={PYBUILDPACK.resolve()} start {process} -C {app} --port {port}\n"
        "Restart=always\n"
        "RestartSec=1\n"
        "KillMode=control-group\n"
        "KillSignal=SIGTERM\n"
        "TimeoutStopSec=30\n"
        "StandardOutput=journal\n"
        "StandardError=journal\n"
        f"SyslogIdentifier=shop-{process}-{number}\n"
        "\n"
        "[Install]\n"
        "WantedBy=shop.target\n"
    )


def test_export_systemd_writes_a_unit_per_copy_and_a_target(local, built_app, tmp_path):
    units = tmp_path / "units"
    exported = local.pybuildpack("export", "systemd", str(units), "-C", str(built_app), "--app", "shop",
                                 "--user", "root", "-c", "web=2", "--port", "6000", timeout=60)
    assert exported.returncode == 0, exported.stderr
    assert f"-----> Wrote 4 systemd units for shop to {units}" in exported.stdout
    assert sorted(path.name for path in units.iterdir()) == [
        "shop-web-1.service", "shop-web-2.service", "shop-worker-1.service", "shop.target"]
    assert (units / "shop-web-1.service").read_text() == expected_service(
        built_app, "web", 1, 6000, "python web.py", local)
    assert (units / "shop-web-2.service").read_text() == expected_service(
        built_app, "web", 2, 6001, "python web.py", local)
    assert (units / "shop-worker-1.service").read_text() == expected_service(
        built_app, "worker", 1, 6100, "python worker.py", local)
    assert (units / "shop.target").read_text() == (
        "# Written by `pybuildpack export systemd`: every process of shop. Start, stop and enable them together:\n"
        "#   systemctl enable --now shop.target\n"
        "[Unit]\n"
        "Description=shop (all processes)\n"
        "Wants=shop-web-1.service shop-web-2.service shop-worker-1.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    )
    # Exporting again with fewer copies replaces the app's units, leaving none behind.
    again = local.pybuildpack("export", "systemd", str(units), "-C", str(built_app), "--app", "shop",
                              "--user", "root", "--port", "6000", timeout=60)
    assert again.returncode == 0, again.stderr
    assert sorted(path.name for path in units.iterdir()) == [
        "shop-web-1.service", "shop-worker-1.service", "shop.target"]


def test_exported_systemd_units_pass_systemd_analyze_verify(local, built_app, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not on this machine: the units' content is checked by the test above")
    units = tmp_path / "units"
    exported = local.pybuildpack("export", "systemd", str(units), "-C", str(built_app), "--app", "shop",
                                 "--user", "root", timeout=60)
    assert exported.returncode == 0, exported.stderr
    verified = subprocess.run([analyze, "verify", *sorted(str(path) for path in units.iterdir())],
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "shop" not in verified.stderr, verified.stderr   # no complaint about any of our units


def test_export_refuses_a_directory_with_other_files(local, built_app, tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    (units / "nginx.conf").write_text("server {}\n")
    result = local.pybuildpack("export", "systemd", str(units), "-C", str(built_app), timeout=60)
    assert result.returncode == 1
    assert f" !     Error: {units} holds other files" in result.stderr
    assert "did not write: nginx.conf" in result.stderr
    assert sorted(path.name for path in units.iterdir()) == ["nginx.conf"]
