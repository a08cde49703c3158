"""waitress, uWSGI and mod_wsgi-express: their commands, pins, what the build adds,
and the runners in launch/ that start them (wsgi_*.py)."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import pytest

import pybuildpack.launch as launch_package
from pybuildpack import errors, pins, plan, servers
from pybuildpack.inspect.processes import AppTarget, Process, Processes
from pybuildpack.servers.mod_wsgi import ModWsgi
from pybuildpack.servers.uwsgi import UWSGI
from pybuildpack.servers.waitress import Waitress

# The runners import their siblings as the installed package `pybuildpack_launch`.
sys.modules.setdefault("pybuildpack_launch", launch_package)
from pybuildpack.launch import wsgi_common, wsgi_mod_wsgi, wsgi_uwsgi, wsgi_waitress  # noqa: E402

PLAIN = AppTarget("wsgi", "wsgi:app", "", "wsgi.py")
FACTORY = AppTarget("wsgi", "hello:create_app", "", "hello/__init__.py line 3", kind="factory")
PASTE = AppTarget("wsgi", "production.ini", "", "production.ini", kind="paste")
NESTED = AppTarget("wsgi", "mysite.wsgi:application", "src", "Django project at src/manage.py")


@pytest.mark.parametrize("server, module", [(Waitress(), "wsgi_waitress"), (UWSGI(), "wsgi_uwsgi"),
                                            (ModWsgi(), "wsgi_mod_wsgi")])
@pytest.mark.parametrize("target, tail", [
    (PLAIN, ["wsgi:app"]),
    (FACTORY, ["hello:create_app()"]),
    (PASTE, ["paste:production.ini"]),
    (NESTED, ["--chdir", "src", "mysite.wsgi:application"]),
])
def test_each_server_runs_its_runner_on_the_target_as_target_py_loads_it(server, module, target, tail, tmp_path):
    assert server.command(target, tmp_path) == ("python", "-m", f"pybuildpack_launch.{module}", *tail)


def test_the_apps_uwsgi_ini_is_passed_last_relative_to_the_targets_directory(tmp_path):
    (tmp_path / "uwsgi.ini").write_text("[uwsgi]\nprocesses = 8\n")
    assert UWSGI().command(PLAIN, tmp_path)[-2:] == ("--ini", "uwsgi.ini")
    assert UWSGI().command(NESTED, tmp_path)[-2:] == ("--ini", "../uwsgi.ini")


def test_the_apps_mod_wsgi_express_conf_options_are_passed_last(tmp_path):
    (tmp_path / "mod_wsgi-express.conf").write_text(
        "# ours\n--processes 3   # more\n--include-file 'extra conf/a.conf'\n")
    assert ModWsgi().command(PLAIN, tmp_path)[-5:] == ("wsgi:app", "--processes", "3", "--include-file",
                                                        "extra conf/a.conf")


def test_an_unreadable_mod_wsgi_express_conf_fails_clearly(tmp_path):
    (tmp_path / "mod_wsgi-express.conf").write_text("--setenv A 'unclosed\n")
    with pytest.raises(errors.FileUnreadable):
        ModWsgi().command(PLAIN, tmp_path)


@pytest.mark.parametrize("requested, name", [("waitress", "waitress"), ("uWSGI", "uwsgi"), ("pyuwsgi", "uwsgi"),
                                             ("mod_wsgi", "mod_wsgi"), ("mod-wsgi-express", "mod_wsgi")])
def test_pybuildpack_server_names_each_wsgi_server(requested, name):
    assert servers.choose(PLAIN, lambda n: False, requested).server.name == name


@pytest.mark.parametrize("declared, name", [("waitress", "waitress"), ("uwsgi", "uwsgi"), ("pyuwsgi", "uwsgi"),
                                            ("mod-wsgi", "mod_wsgi")])
def test_the_one_server_the_dependencies_name_is_chosen(declared, name):
    from packaging.utils import canonicalize_name

    choice = servers.choose(PLAIN, lambda n: canonicalize_name(n) == declared, None, "requirements.txt")
    assert (choice.server.name, choice.reason) == (name, "requirements.txt names it")


def test_wsgi_servers_come_after_gunicorn_and_uvicorn_in_that_order():
    assert list(servers.SERVERS)[-3:] == ["waitress", "uwsgi", "mod_wsgi"]


@pytest.mark.parametrize("command, name", [("waitress-serve --port=$PORT wsgi:app", "waitress"),
                                           ("uwsgi --ini uwsgi.ini", "uwsgi"),
                                           ("pyuwsgi --ini uwsgi.ini", "uwsgi"),
                                           ("mod_wsgi-express start-server wsgi.py", "mod_wsgi")])
def test_procfile_commands_of_the_wsgi_servers_are_recognised(command, name):
    assert servers.running(command).name == name


@pytest.mark.parametrize("server, python, version", [
    (Waitress(), "3.13.0", "3.0.2"), (Waitress(), "3.9.18", "3.0.2"), (Waitress(), "3.8.18", "3.0.0"),
    (UWSGI(), "3.14.0", "2.0.30.post1"), (UWSGI(), "3.8.18", "2.0.30.post1"),
    (ModWsgi(), "3.12.1", "6.1.1"), (ModWsgi(), "3.10.13", "6.1.1"), (ModWsgi(), "3.9.18", "5.0.1"),
    (ModWsgi(), "3.8.18", "5.0.1"),
])
def test_each_python_down_to_3_8_gets_a_release_that_supports_it(server, python, version):
    assert pins.version_for(server.added_package, server.pins, python) == version


class _Manager:
    def __init__(self, *names):
        self.names = set(names)

    def declares(self, *candidates):
        from packaging.utils import canonicalize_name

        return any(canonicalize_name(c) in self.names for c in candidates)


def _processes(server):
    return Processes({}, Process("web", "python -m ...", "wsgi.py", server=server))


def test_uwsgi_is_added_as_pyuwsgi_wheels_unless_the_app_declares_either():
    added = plan.added_packages(_processes("uwsgi"), _Manager(), None)
    assert [(a.name, a.requirement_lines()) for a in added] == [("pyuwsgi", ["pyuwsgi==2.0.30.post1"])]
    assert plan.added_packages(_processes("uwsgi"), _Manager("uwsgi"), None) == ()
    assert plan.added_packages(_processes("uwsgi"), _Manager("pyuwsgi"), None) == ()


def test_mod_wsgi_and_waitress_are_added_under_their_own_names():
    assert [a.name for a in plan.added_packages(_processes("mod_wsgi"), _Manager(), None)] == ["mod_wsgi"]
    assert [a.name for a in plan.added_packages(_processes("waitress"), _Manager(), None)] == ["waitress"]
    assert plan.added_packages(_processes("mod_wsgi"), _Manager("mod-wsgi"), None) == ()


# -- the runners ------------------------------------------------------------------------------

def test_uwsgi_binds_the_port_with_workers_threads_and_a_graceful_sigterm():
    words = wsgi_uwsgi.argv("8080", 3, 4, listen=1024)
    assert words[0] == "uwsgi"
    assert words[words.index("--http-socket") + 1] == "0.0.0.0:8080"
    assert words[words.index("--processes") + 1] == "3" and words[words.index("--threads") + 1] == "4"
    assert words[words.index("--module") + 1] == "pybuildpack_launch.wsgi_app:application"
    assert words[words.index("--hook-master-start") + 1] == "unix_signal:15 gracefully_kill_them_all"
    assert words[words.index("--listen") + 1] == "1024"
    assert "--static-map" not in words and "--log-x-forwarded-for" not in words


def test_uwsgi_maps_django_static_files_and_puts_the_apps_options_last():
    words = wsgi_uwsgi.argv("8080", 1, 4, static=("/static/", "/app/staticfiles"), trusted=True,
                            extra=["--ini", "uwsgi.ini"])
    assert words[words.index("--static-map") + 1] == "/static=/app/staticfiles"
    assert words[words.index("--static-expires-uri") + 1] == rf"{wsgi_uwsgi.HASHED_URI} 31536000"
    assert "--log-x-forwarded-for" in words
    assert words[-2:] == ["--ini", "uwsgi.ini"]


def test_uwsgi_listen_queue_stays_within_the_kernels_limit():
    limit = int(Path("/proc/sys/net/core/somaxconn").read_text())
    assert 100 <= wsgi_uwsgi.listen_queue() <= max(100, limit)


def test_mod_wsgi_express_gets_a_temporary_server_root_static_aliases_and_the_apps_options_last():
    words = wsgi_mod_wsgi.argv("8080", 2, 4, "/tmp/mod_wsgi-x", static=("/static/", "/app/staticfiles"),
                               user=("nobody", "nogroup"), extra=["--processes", "5"])
    assert words[:5] == ["mod_wsgi-express", "start-server", wsgi_mod_wsgi.SCRIPT, "--application-type", "script"]
    assert wsgi_mod_wsgi.SCRIPT.endswith("wsgi_app.py") and os.path.isfile(wsgi_mod_wsgi.SCRIPT)
    assert words[words.index("--host") + 1] == "0.0.0.0" and words[words.index("--port") + 1] == "8080"
    assert words[words.index("--server-root") + 1] == "/tmp/mod_wsgi-x"
    assert words[words.index("--url-alias") + 1:words.index("--url-alias") + 3] == ["/static", "/app/staticfiles"]
    assert words[words.index("--user") + 1:words.index("--user") + 4] == ["nobody", "--group", "nogroup"]
    assert "--log-to-terminal" in words and "--access-log" in words
    assert words[-2:] == ["--processes", "5"]


def test_waitress_listens_on_the_port_with_threads_for_every_worker():
    settings = wsgi_waitress.options("wsgi:app", "8080", 2, 4)
    assert settings["listen"] == "0.0.0.0:8080" and settings["threads"] == 8
    assert settings["connection_limit"] >= 200


def test_waitress_applies_a_paste_apps_server_main_last_but_not_where_to_listen(tmp_path):
    ini = tmp_path / "production.ini"
    ini.write_text("[app:main]\nuse = egg:myapp\n\n[server:main]\nuse = egg:waitress#main\n"
                   "listen = localhost:6543\nthreads = 12\nurl_prefix = %(here)s\n")
    settings = wsgi_waitress.options(f"paste:{ini}", "8080", 1, 4)
    assert settings["listen"] == "0.0.0.0:8080"
    assert settings["threads"] == "12" and settings["url_prefix"] == str(tmp_path)
    assert "use" not in settings


def test_waitress_access_log_writes_one_line_per_request_when_the_response_ends():
    def app(environ, start_response):
        start_response("201 Created", [("Content-Length", "2")])
        return [b"ok"]

    stream = io.StringIO()
    logged = wsgi_waitress.AccessLog(app, stream)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "QUERY_STRING": "a=1", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "198.51.100.1"}
    result = logged(environ, lambda status, headers: None)
    assert list(result) == [b"ok"] and stream.getvalue() == ""
    result.close()
    assert stream.getvalue().startswith("198.51.100.1 - - [")
    assert '"GET /x?a=1 HTTP/1.1" 201 2 "-" "-"' in stream.getvalue()


def _seen(trusted, environ):
    seen = {}

    def app(env, start_response):
        seen.update(env)
        return []

    wsgi_common.Forwarded(app, trusted)(environ, None)
    return seen["REMOTE_ADDR"], seen["wsgi.url_scheme"]


def test_forwarded_headers_are_believed_only_from_trusted_peers():
    # 6.6.6.6 is what the client wrote itself; the router appended 203.0.113.5.
    environ = {"REMOTE_ADDR": "10.1.2.3", "wsgi.url_scheme": "http",
               "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5", "HTTP_X_FORWARDED_PROTO": "https"}
    assert _seen("*", dict(environ)) == ("203.0.113.5", "https")
    assert _seen("10.1.2.3", dict(environ)) == ("203.0.113.5", "https")
    assert _seen("10.0.0.0/8", dict(environ)) == ("203.0.113.5", "https")
    assert _seen("10.9.9.9", dict(environ)) == ("10.1.2.3", "http")


def test_forwarded_allow_ips_unset_trusts_no_one(monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    app = object()
    assert wsgi_common.forwarded_app(app) is app
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1, 10.0.0.2")
    assert isinstance(wsgi_common.forwarded_app(app), wsgi_common.Forwarded)


@pytest.mark.parametrize("value, expected", [(None, 1), ("3", 3), ("0", 1), ("lots", 1)])
def test_workers_come_from_web_concurrency(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", value)
    assert wsgi_common.workers() == expected


def test_the_accept_queue_counts_connections_not_yet_accepted():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    try:
        assert wsgi_common.accept_queue(port) == 3
        listener.accept()[0].close()
        assert wsgi_common.accept_queue(port) == 2
    finally:
        for client in clients:
            client.close()
        listener.close()
    assert wsgi_common.accept_queue(port) is None


# -- mod_wsgi needs Apache on the build machine ---------------------------------------------------

def test_mod_wsgi_build_fails_early_without_apxs(tmp_path):
    with pytest.raises(errors.ApacheMissing) as raised:
        ModWsgi().check_build_machine({"APXS": str(tmp_path / "apxs")}, "wsgi.py")
    assert "no apxs (apache2-dev)" in raised.value.title


def test_mod_wsgi_build_fails_early_when_apxs_has_no_server_installed(tmp_path):
    fake = tmp_path / "apxs"
    fake.write_text(f"#!/bin/sh\ncase \"$2\" in SBINDIR) echo {tmp_path}/sbin;; PROGNAME) echo httpd;; esac\n")
    fake.chmod(0o755)
    with pytest.raises(errors.ApacheMissing) as raised:
        ModWsgi().check_build_machine({"APXS": str(fake)}, "wsgi.py")
    assert "has apxs but not the server (apache2)" in raised.value.title


@pytest.mark.skipif(shutil.which("apxs") is None, reason="needs apache2-dev (scripts/install-test-deps)")
def test_mod_wsgi_build_machine_with_apache_passes():
    ModWsgi().check_build_machine({"PATH": os.environ["PATH"]}, "wsgi.py")


def test_only_generated_processes_are_checked(tmp_path):
    procfile = {"web": Process("web", "mod_wsgi-express start-server wsgi.py", "Procfile line 1")}
    servers.check_build_machine(procfile, {"APXS": str(tmp_path / "apxs")})
    with pytest.raises(errors.ApacheMissing):
        servers.check_build_machine({"web": Process("web", "python -m ...", "wsgi.py", server="mod_wsgi")},
                                    {"APXS": str(tmp_path / "apxs")})


_SLOW_SERVER = r"""
import os, signal, socket, sys, time
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(os.environ["PORT"])))
listener.listen(64)
accepted = []
def graceful(signum, frame):
    # What a server asked to stop gracefully reports: how many it had accepted by then.
    sys.stdout.write(f"graceful after {len(accepted)}\n"); sys.stdout.flush(); sys.exit(0)
signal.signal(signal.SIGUSR1, graceful)
signal.signal(signal.SIGTERM, lambda *a: (sys.stdout.write("SIGTERM reached the server\n"), sys.exit(3)))
import subprocess
worker = subprocess.Popen(["sleep", "60"])   # a server's own process, as Apache's children are
sys.stdout.write(f"listening as {os.getpid()} with {worker.pid}\n"); sys.stdout.flush()
while True:
    time.sleep(0.05)   # a busy server: accepts one connection every 50 ms
    accepted.append(listener.accept()[0])
"""


def _supervised_slow_server(tmp_path):
    """(runner process, port, log) of wsgi_common.supervise running _SLOW_SERVER, once it listens."""
    import subprocess
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    script = tmp_path / "server.py"
    script.write_text(_SLOW_SERVER)
    runner = tmp_path / "runner.py"
    runner.write_text("import signal, sys\n"
                      f"sys.path.insert(0, {str(Path(wsgi_common.__file__).parents[2])!r})\n"
                      "from pybuildpack.launch import wsgi_common\n"
                      f"sys.exit(wsgi_common.supervise([sys.executable, {str(script)!r}], signal.SIGUSR1, 'test'))\n")
    log = tmp_path / "log"
    with log.open("w") as handle:
        process = subprocess.Popen([sys.executable, str(runner)], env={**os.environ, "PORT": str(port)},
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 10
    while "listening" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return process, port, log


def test_supervise_signals_the_server_only_once_the_queued_connections_are_accepted(tmp_path):
    process, port, log = _supervised_slow_server(tmp_path)
    try:
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        os.killpg(process.pid, signal.SIGTERM)   # as the platform does: the whole process group
        assert process.wait(timeout=15) == 0, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = log.read_text()
    assert "SIGTERM reached the server" not in output   # the server runs in a session of its own
    assert "graceful after 20" in output, output       # every queued connection was accepted first
    assert "SIGTERM received: draining test" in output and "test stopped after" in output
    for client in clients:
        client.close()


def test_children_lists_the_processes_a_process_started():
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in wsgi_common.children(os.getpid())
        assert wsgi_common.children(child.pid) == []
    finally:
        child.kill()
        child.wait()


def test_each_server_says_how_it_serves_django_static_files():
    assert [servers.get(name).django_static for name in ("gunicorn", "waitress", "uwsgi", "mod_wsgi")] == [
        "WhiteNoise", "WhiteNoise", "uWSGI's --static-map", "Apache (mod_wsgi-express --url-alias)"]
    assert not UWSGI().serves_django_static and not ModWsgi().serves_django_static   # no WhiteNoise added


def test_a_factory_target_is_quoted_for_the_shell_in_the_web_command(tmp_path):
    choice = servers.Choice(Waitress(), "requirements.txt names it")
    process = plan.web_process(FACTORY, tmp_path, choice)
    assert process.command == "python -m pybuildpack_launch.wsgi_waitress 'hello:create_app()'"
    assert process.argv == ("python", "-m", "pybuildpack_launch.wsgi_waitress", "hello:create_app()")


def _static_in_launched_app(tmp_path, settings, env=None, build_json=None):
    """wsgi_common.django_static() as the web process runs it: the launch
    package installed next to the app's packages, in the app's directory."""
    import json
    import subprocess

    packages = tmp_path / "site-packages"
    shutil.copytree(Path(wsgi_common.__file__).parent, packages / "pybuildpack_launch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if build_json is not None:
        (packages / "pybuildpack_launch" / "build.json").write_text(json.dumps(build_json))
    app = tmp_path / "app"
    (app / "staticfiles").mkdir(parents=True)
    (app / "mysettings.py").write_text(f"SECRET_KEY = 'x'\nSTATIC_ROOT = {str(app / 'staticfiles')!r}\n" + settings)
    child_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    child_env.update({"PYTHONPATH": str(packages), **(env or {})})
    result = subprocess.run([sys.executable, "-c", "from pybuildpack_launch import wsgi_common; "
                             "print(wsgi_common.django_static())"], cwd=app, env=child_env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), app


def test_django_static_files_are_mapped_from_the_apps_settings(tmp_path):
    found, app = _static_in_launched_app(tmp_path, "STATIC_URL = 'assets/'\n",
                                         {"DJANGO_SETTINGS_MODULE": "mysettings"})
    assert found == repr(("/assets/", str(app / "staticfiles")))


def test_django_settings_module_comes_from_build_json_when_the_variable_is_unset(tmp_path):
    found, app = _static_in_launched_app(tmp_path, "STATIC_URL = '/static/'\n",
                                         build_json={"django": {"settings_module": "mysettings"}})
    assert found == repr(("/static/", str(app / "staticfiles")))


@pytest.mark.parametrize("settings", [
    "STATIC_URL = 'https://cdn.example.com/static/'\n",
    "STATIC_URL = '/static/'\nMIDDLEWARE = ['whitenoise.middleware.WhiteNoiseMiddleware']\n",
])
def test_django_static_files_are_left_alone_on_a_cdn_or_with_the_apps_whitenoise(tmp_path, settings):
    assert _static_in_launched_app(tmp_path, settings, {"DJANGO_SETTINGS_MODULE": "mysettings"})[0] == "None"


def test_no_django_means_no_static_mapping(tmp_path):
    assert _static_in_launched_app(tmp_path, "STATIC_URL = '/static/'\n")[0] == "None"


def test_a_killed_supervisor_takes_its_server_with_it(tmp_path):
    import time

    process, port, log = _supervised_slow_server(tmp_path)
    words = log.read_text().split("listening as ")[1].split()
    server, worker = int(words[0]), int(words[2])
    os.killpg(process.pid, signal.SIGKILL)   # as a test harness's cleanup, or `kill -9`, does
    process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in (server, worker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{server}").exists() and not Path(f"/proc/{worker}").exists()


@pytest.mark.parametrize("name", ["gunicorn", "waitress", "uwsgi", "mod_wsgi"])
def test_a_procfile_copying_the_command_pybuildpack_writes_is_known_to_run_that_server(name):
    # Otherwise a Procfile line copied from `explain` would not get its server installed.
    process = plan.web_process(AppTarget("wsgi", "main:app", "", "main.py"), Path("."),
                          servers.Choice(servers.get(name), "test"))
    assert servers.running(process.command).name == name
