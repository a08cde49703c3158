"""The ASGI servers' commands (servers/uvicorn, hypercorn, granian, daphne) and the
launch code they run: the static files wrapper, forwarded headers, the app loader,
hypercorn's settings."""

from __future__ import annotations

import asyncio
import gzip
import importlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import pybuildpack.launch as launch_package
from pybuildpack import pins, servers
from pybuildpack.inspect.processes import AppTarget, Processes

# asgi_static imports its siblings as the installed package `pybuildpack_launch`
# (this file passed alone only when another test module had set this first).
sys.modules.setdefault("pybuildpack_launch", launch_package)
from pybuildpack.launch import asgi_granian, asgi_proxy, asgi_static  # noqa: E402
from pybuildpack.launch_config import LAUNCH_SOURCE  # noqa: E402
from pybuildpack.plan import added_packages, web_process  # noqa: E402
from pybuildpack.servers import asgi  # noqa: E402

OBJECT = AppTarget("asgi", "main:app", "", "main.py")
FACTORY = AppTarget("asgi", "app.main:create_app", "src", "src/app/main.py", kind="factory")
RUNNER = "pybuildpack_launch.asgi_app:behind_router"


def command(name: str, target: AppTarget, app_dir: Path = Path("/nonexistent")) -> tuple:
    return servers.get(name).command(target, app_dir)


# -- the registry ----------------------------------------------------------------------------

def test_asgi_servers_follow_gunicorn_in_preference_order():
    assert list(servers.SERVERS)[:5] == ["gunicorn", "uvicorn", "hypercorn", "granian", "daphne"]
    # gunicorn with uvicorn workers: measured about twice uvicorn --workers (make bench-serve).
    assert servers.DEFAULT["asgi"] == "gunicorn"


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "granian", "daphne"])
def test_an_app_naming_one_asgi_server_gets_it(name):
    choice = servers.choose(OBJECT, lambda package: package == name, None, "requirements.txt")
    assert (choice.server.name, choice.reason) == (name, "requirements.txt names it")


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "granian", "daphne"])
def test_pybuildpack_server_picks_an_asgi_server(name):
    assert servers.choose(OBJECT, lambda package: False, name.upper()).server.name == name


@pytest.mark.parametrize("name", ["hypercorn", "granian", "daphne"])
def test_a_wsgi_app_cannot_be_served_by_an_asgi_only_server(name):
    from pybuildpack import errors

    with pytest.raises(errors.ServerCannotServe):
        servers.choose(AppTarget("wsgi", "wsgi:app", "", "wsgi.py"), lambda package: False, name)


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "granian", "daphne"])
@pytest.mark.parametrize("python", ["3.8.20", "3.9.25", "3.10.19", "3.11.14", "3.12.12", "3.13.9", "3.14.0"])
def test_every_supported_python_gets_a_pinned_release(name, python):
    server = servers.get(name)
    assert pins.version_for(name, server.pins, python)


@pytest.mark.parametrize("name, python, version", [
    ("uvicorn", "3.8.20", "0.33.0"), ("uvicorn", "3.9.25", "0.39.0"), ("uvicorn", "3.14.0", "0.54.0"),
    ("hypercorn", "3.9.25", "0.17.3"), ("hypercorn", "3.10.19", "0.18.0"),
    ("granian", "3.8.20", "1.6.4"), ("granian", "3.9.25", "2.5.7"), ("granian", "3.13.9", "2.8.7"),
    ("daphne", "3.8.20", "4.1.2"), ("daphne", "3.9.25", "4.2.3"),
])
def test_older_pythons_get_the_last_release_that_supports_them(name, python, version):
    assert pins.version_for(name, servers.get(name).pins, python) == version


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "granian", "daphne"])
def test_django_under_an_asgi_server_needs_no_whitenoise(name, tmp_path):
    process = web_process(OBJECT, tmp_path, servers.Choice(servers.get(name), "test"))
    nothing_declared = types.SimpleNamespace(declares=lambda package: False)
    added = added_packages(Processes({}, process), nothing_declared, django=object())
    assert [package.name for package in added] == [name]


# -- commands --------------------------------------------------------------------------------

def test_uvicorn_names_the_app_and_serves_it_through_the_runner():
    assert command("uvicorn", OBJECT) == (
        "PYBUILDPACK_APP=main:app", "uvicorn", "--host", "0.0.0.0", "--port", "$PORT", "--timeout-keep-alive", "5",
        "--timeout-graceful-shutdown", "20", "--backlog", "2048", "--no-proxy-headers",
        "pybuildpack_launch.asgi_app:behind_router")


def test_uvicorn_serves_a_factory_from_its_directory():
    words = command("uvicorn", FACTORY)
    assert words[:3] == ("PYBUILDPACK_APP=app.main:create_app()", "PYBUILDPACK_APP_DIR=src", "uvicorn")
    # uvicorn's own rule would believe a forged X-Forwarded-For entry: the runner's applies instead.
    assert words[-2:] == ("--no-proxy-headers", "pybuildpack_launch.asgi_app:behind_router")


@pytest.mark.parametrize("name, server_words", [
    ("hypercorn", ("hypercorn", "--config", "python:pybuildpack_launch.asgi_hypercorn.settings",
                   "--bind", "0.0.0.0:$PORT")),
    ("granian", ("python", "-m", "pybuildpack_launch.asgi_granian", "--interface", "asgi", "--host", "0.0.0.0",
                 "--port", "$PORT",
                 "--workers", "${GRANIAN_WORKERS:-${WEB_CONCURRENCY:-1}}", "--access-log")),
    ("daphne", ("daphne", "--endpoint", "tcp:port=$PORT:interface=0.0.0.0:backlog=2048", "--access-log", "-")),
])
def test_other_asgi_servers_run_the_app_through_the_runner(name, server_words):
    assert command(name, OBJECT) == ("PYBUILDPACK_APP=main:app",) + server_words + (RUNNER,)
    assert command(name, FACTORY) == ("PYBUILDPACK_APP=app.main:create_app()", "PYBUILDPACK_APP_DIR=src") \
        + server_words + (RUNNER,)


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "granian", "daphne"])
def test_the_command_is_shell_text_that_names_the_app(name):
    process = web_process(FACTORY, Path("/nonexistent"), servers.Choice(servers.get(name), "test"))
    assert process.argv == ()     # run by a shell, for $PORT
    assert "create_app" in process.command and "$PORT" in process.command
    assert servers.running(process.command).name == name


def test_assignments_keep_their_meaning_when_quoted():
    line = servers.shell_words(["PYBUILDPACK_APP=main:make()", "A=${B:-1}", "granian", "X=1", "$PORT"])
    assert line == "PYBUILDPACK_APP='main:make()' A=\"${B:-1}\" granian X=1 \"$PORT\""
    # Run by a shell, the assignments are assignments, with the values meant.
    runnable = servers.shell_words(["PYBUILDPACK_APP=main:make()", "A=${B:-1}", "env"])
    shown = subprocess.run(["bash", "-c", runnable], capture_output=True, text=True,
                           env={"PATH": os.environ["PATH"]}).stdout
    assert "PYBUILDPACK_APP=main:make()\n" in shown and "A=1\n" in shown


# -- hypercorn's settings: the app's hypercorn.toml last ----------------------------------------

@pytest.fixture(autouse=True)
def sigterm_kept():
    """asgi_hypercorn sets this process's SIGTERM handler (it runs in hypercorn's
    processes): give the test runner its own back."""
    import signal

    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


def load_hypercorn_settings(monkeypatch, directory: Path, env: dict):
    monkeypatch.chdir(directory)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from pybuildpack.launch import asgi_hypercorn

    return importlib.reload(asgi_hypercorn).settings


def test_hypercorn_settings_log_to_stdout_and_follow_web_concurrency(monkeypatch, tmp_path):
    settings = load_hypercorn_settings(monkeypatch, tmp_path, {"WEB_CONCURRENCY": "3"})
    assert (settings.workers, settings.accesslog, settings.errorlog) == (3, "-", "-")
    assert settings.keep_alive_timeout < 55 and settings.graceful_timeout < 30


def test_the_apps_hypercorn_toml_is_applied_last(monkeypatch, tmp_path):
    (tmp_path / "hypercorn.toml").write_text('workers = 7\naccess_log_format = "%(r)s"\n')
    settings = load_hypercorn_settings(monkeypatch, tmp_path, {"WEB_CONCURRENCY": "3"})
    assert (settings.workers, settings.access_log_format, settings.accesslog) == (7, "%(r)s", "-")


def test_uvicorn_keeps_serving_for_the_drain_before_its_own_shutdown(monkeypatch):
    """asgi_uvicorn.patch_server(): the drain, then uvicorn's shutdown with its arguments."""
    from pybuildpack.launch import asgi_uvicorn

    calls = []

    class Server:
        async def shutdown(self, sockets=None):
            calls.append(("shutdown", sockets, asyncio.get_running_loop().time()))

    server_module = types.ModuleType("uvicorn.server")
    server_module.Server = Server
    monkeypatch.setitem(sys.modules, "uvicorn", types.ModuleType("uvicorn"))
    monkeypatch.setitem(sys.modules, "uvicorn.server", server_module)
    monkeypatch.setattr(asgi_uvicorn, "DRAIN_SECONDS", 0.2)
    asgi_uvicorn.patch_server()
    asgi_uvicorn.patch_server()

    async def main():
        started = asyncio.get_running_loop().time()
        await Server().shutdown(sockets=["s"])
        return started

    started = asyncio.run(main())
    assert len(calls) == 1 and calls[0][1] == ["s"] and calls[0][2] - started >= 0.2


@pytest.fixture
def hypercorn_run(monkeypatch):
    """A stand-in for hypercorn.asyncio.run, the module patch_worker() changes."""
    from pybuildpack.launch import asgi_hypercorn

    async def check_multiprocess_shutdown_event(shutdown_event, sleep):
        raise AssertionError("hypercorn's own trigger must be replaced")

    run = types.ModuleType("hypercorn.asyncio.run")
    run.check_multiprocess_shutdown_event = check_multiprocess_shutdown_event
    package = types.ModuleType("hypercorn")
    package.asyncio = types.ModuleType("hypercorn.asyncio")
    package.asyncio.run = run
    for name, module in (("hypercorn", package), ("hypercorn.asyncio", package.asyncio), ("hypercorn.asyncio.run", run)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(asgi_hypercorn, "DRAIN_SECONDS", 0.3)
    monkeypatch.setattr(asgi_hypercorn, "_sigterm_received", False)
    asgi_hypercorn.patch_worker()
    asgi_hypercorn.patch_worker()   # twice is once
    return run


def _trigger_after(run, action) -> float:
    """Seconds the worker's shutdown trigger takes to return after `action` (0.1 s in)."""
    import threading
    import time

    event = threading.Event()

    async def main():
        asyncio.get_running_loop().call_later(0.1, action, event)
        started = time.monotonic()
        await run.check_multiprocess_shutdown_event(event, asyncio.sleep)
        return time.monotonic() - started - 0.1

    return asyncio.run(main())


def test_a_hypercorn_worker_stops_when_its_parent_says_so_after_draining(hypercorn_run):
    assert 0.3 <= _trigger_after(hypercorn_run, lambda event: event.set()) < 1.5


def test_a_hypercorn_worker_stops_on_its_own_sigterm_instead_of_dying(hypercorn_run):
    import signal

    assert 0.3 <= _trigger_after(hypercorn_run, lambda event: os.kill(os.getpid(), signal.SIGTERM)) < 1.5


def test_hypercorn_workers_are_born_ignoring_sigterm_and_note_it_while_the_app_is_imported(monkeypatch, tmp_path):
    import signal

    from pybuildpack.launch import asgi_hypercorn

    load_hypercorn_settings(monkeypatch, tmp_path, {})   # in the master, before it spawns workers
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    monkeypatch.setitem(sys.modules, "hypercorn.asyncio.run", None)   # a worker patch_worker cannot patch
    asgi_hypercorn.patch_worker()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_sigterm_while_the_app_was_imported_stops_the_worker_once_it_serves(hypercorn_run):
    import signal

    import threading

    os.kill(os.getpid(), signal.SIGTERM)   # the worker is still importing the app: it lives
    # Only draining (0.3 s) is left once it serves: the parent's word (5 s in) is not needed.
    assert 0.15 <= _trigger_after(hypercorn_run, lambda event: threading.Timer(5, event.set).start()) < 1.5


# -- forwarded headers ---------------------------------------------------------------------------

async def _call(app, scope, body: bytes = b""):
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


def http_scope(path: str = "/", method: str = "GET", headers=(), client=("10.1.2.3", 5000), kind: str = "http"):
    return {"type": kind, "method": method, "path": path, "scheme": "http" if kind == "http" else "ws",
            "headers": [(name.encode(), value.encode()) for name, value in headers], "client": client}


async def echo(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": json.dumps(
        {"client": scope.get("client"), "scheme": scope.get("scheme"), "type": scope["type"]}).encode()})


def seen(app, scope) -> dict:
    return json.loads(asyncio.run(_call(app, scope))[1]["body"])


FORWARDED = (("X-Forwarded-For", "203.0.113.7, 10.9.9.9"), ("X-Forwarded-Proto", "https"))


def test_the_router_is_trusted_when_forwarded_allow_ips_is_star():
    assert seen(asgi_proxy.ForwardedHeaders(echo, "*"), http_scope(headers=FORWARDED)) == {
        "client": ["10.9.9.9", 0], "scheme": "https", "type": "http"}


def test_with_star_the_entry_the_router_appended_wins_over_one_the_client_wrote():
    # uvicorn's own rule takes the first entry with `*`: the one a client can forge.
    headers = (("X-Forwarded-For", "6.6.6.6, 203.0.113.7"),)
    assert seen(asgi_proxy.ForwardedHeaders(echo, "*"), http_scope(headers=headers))["client"] == ["203.0.113.7", 0]


def test_a_trusted_network_yields_the_nearest_untrusted_client():
    app = asgi_proxy.ForwardedHeaders(echo, "10.0.0.0/8")
    assert seen(app, http_scope(headers=FORWARDED))["client"] == ["203.0.113.7", 0]


def test_an_untrusted_peer_cannot_claim_another_address():
    reply = seen(asgi_proxy.ForwardedHeaders(echo, "127.0.0.1"), http_scope(headers=FORWARDED))
    assert reply == {"client": ["10.1.2.3", 5000], "scheme": "http", "type": "http"}


def test_a_websocket_behind_tls_is_wss():
    assert seen(asgi_proxy.ForwardedHeaders(echo, "*"), http_scope(headers=FORWARDED, kind="websocket"))["scheme"] \
        == "wss"


def test_nothing_is_trusted_without_forwarded_allow_ips(monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert asgi_proxy.wrap(echo) is echo
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    assert isinstance(asgi_proxy.wrap(echo), asgi_proxy.ForwardedHeaders)


# -- the static files wrapper -----------------------------------------------------------------------

HASHED = "app.0123456789ab.css"


@pytest.fixture
def static(tmp_path):
    root = tmp_path / "staticfiles"
    (root / "css").mkdir(parents=True)
    (root / "css" / "site.css").write_text("body { color: red; }\n" * 50)
    (root / "css" / HASHED).write_text("h1 {}\n")
    (root / "js").mkdir()
    (root / "js" / "app.js").write_text("console.log(1);\n")
    (root / "js" / "app.js.gz").write_bytes(gzip.compress(b"console.log(1);\n"))
    (root / "js" / "app.js.br").write_bytes(b"not really brotli")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return asgi_static.StaticFiles(echo, str(root), "/static/")


def get(app, path: str, method: str = "GET", headers=()):
    messages = asyncio.run(_call(app, http_scope(path, method, headers)))
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_a_static_file_is_served_with_its_type_length_and_a_short_lifetime(static):
    status, headers, body = get(static, "/static/css/site.css")
    assert status == 200 and body == b"body { color: red; }\n" * 50
    assert headers["content-type"] == "text/css; charset=utf-8"
    assert headers["content-length"] == str(len(body))
    assert headers["cache-control"] == "public, max-age=60"
    assert headers["last-modified"].endswith(" GMT") and headers["etag"].startswith('"')


@pytest.mark.parametrize("path, content_type", [
    ("/static/js/app.js", "text/javascript; charset=utf-8"), ("/static/logo.png", "image/png")])
def test_content_types_come_from_the_file_name(static, path, content_type):
    assert get(static, path)[1]["content-type"] == content_type


def test_hashed_names_are_cached_for_a_year(static):
    assert get(static, "/static/css/" + HASHED)[1]["cache-control"] == "public, max-age=31536000, immutable"


def test_a_matching_etag_or_date_gets_304(static):
    _, headers, _ = get(static, "/static/css/site.css")
    status, again, body = get(static, "/static/css/site.css", headers=[("If-None-Match", headers["etag"])])
    assert (status, body) == (304, b"") and again["etag"] == headers["etag"]
    assert get(static, "/static/css/site.css", headers=[("If-Modified-Since", headers["last-modified"])])[0] == 304
    assert get(static, "/static/css/site.css", headers=[("If-None-Match", '"other"')])[0] == 200
    assert get(static, "/static/css/site.css",
               headers=[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")])[0] == 200


def test_head_has_the_headers_and_no_body(static):
    status, headers, body = get(static, "/static/css/site.css", method="HEAD")
    assert (status, body) == (200, b"") and headers["content-length"] == str(len("body { color: red; }\n" * 50))


def test_other_methods_are_refused(static):
    status, headers, _ = get(static, "/static/css/site.css", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"


def test_a_precompressed_sibling_is_sent_when_accepted(static):
    status, headers, body = get(static, "/static/js/app.js", headers=[("Accept-Encoding", "gzip, deflate")])
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == b"console.log(1);\n"
    assert headers["content-length"] == str(len(body)) and headers["vary"] == "Accept-Encoding"
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert get(static, "/static/js/app.js", headers=[("Accept-Encoding", "gzip, br")])[1]["content-encoding"] == "br"
    assert "content-encoding" not in get(static, "/static/js/app.js", headers=[("Accept-Encoding", "gzip;q=0")])[1]
    assert "content-encoding" not in get(static, "/static/js/app.js")[1]


@pytest.mark.parametrize("path", ["/static/../secret.txt", "/static/css/../../secret.txt", "/static/escape.txt",
                                  "/static//etc/passwd", "/static/css", "/static/", "/static/css\\..\\x",
                                  "/static/missing.css"])
def test_paths_outside_the_root_or_not_files_go_to_the_app(static, path):
    status, _, body = get(static, path)
    assert status == 200 and json.loads(body)["type"] == "http"   # the app's answer, not a file


def test_other_paths_lifespan_and_websockets_pass_through(static):
    assert json.loads(get(static, "/api")[2])["type"] == "http"
    messages = asyncio.run(_call(static, {"type": "lifespan"}))
    assert json.loads(messages[1]["body"])["type"] == "lifespan"
    messages = asyncio.run(_call(static, http_scope("/static/css/site.css", kind="websocket")))
    assert json.loads(messages[1]["body"])["type"] == "websocket"


def test_a_large_file_is_sent_in_chunks_read_off_the_event_loop(tmp_path):
    (tmp_path / "big.bin").write_bytes(os.urandom(asgi_static.CHUNK * 3 + 5))
    messages = asyncio.run(_call(asgi_static.StaticFiles(echo, str(tmp_path), "/s/"), http_scope("/s/big.bin")))
    bodies = [m for m in messages[1:]]
    assert len(bodies) == 4 and [m["more_body"] for m in bodies] == [True, True, True, False]
    assert b"".join(m["body"] for m in bodies) == (tmp_path / "big.bin").read_bytes()


def test_an_app_without_django_settings_is_left_alone(monkeypatch):
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    assert asgi_static.wrap(echo) is echo


# -- the app loader, in the process of a server --------------------------------------------------

def run_loader(tmp_path: Path, env: dict, code: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    site.mkdir()
    (site / "pybuildpack_launch").symlink_to(LAUNCH_SOURCE)
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": str(site), **env})


def test_the_loader_calls_a_factory_in_the_apps_directory(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "made.py").write_text("def create_app():\n    return 'the app'\n")
    result = run_loader(tmp_path, {"PYBUILDPACK_APP": "made:create_app()", "PYBUILDPACK_APP_DIR": "src"},
                        "import os\nfrom pybuildpack_launch import asgi_app\n"
                        "print(asgi_app.application, asgi_app.behind_router, os.path.basename(os.getcwd()))")
    assert result.stdout == "the app the app src\n", result.stderr


def test_the_loader_trusts_forwarded_headers_only_for_behind_router(tmp_path):
    (tmp_path / "plain.py").write_text("async def app(scope, receive, send):\n    pass\n")
    result = run_loader(tmp_path, {"PYBUILDPACK_APP": "plain:app", "FORWARDED_ALLOW_IPS": "*"},
                        "from pybuildpack_launch import asgi_app\n"
                        "print(type(asgi_app.application).__name__, type(asgi_app.behind_router).__name__)")
    assert result.stdout == "function ForwardedHeaders\n", result.stderr


def test_asgi_helpers_name_the_app_for_the_runner():
    assert asgi.environment(OBJECT) == ["PYBUILDPACK_APP=main:app"]
    assert asgi.environment(FACTORY) == ["PYBUILDPACK_APP=app.main:create_app()", "PYBUILDPACK_APP_DIR=src"]


@pytest.mark.parametrize("release, env, workers, kill_timeout", [
    ((2, 8), {}, "4", "20"),            # 2.8 bounds the whole stop
    ((2, 5), {}, "2", "10"),            # earlier releases wait for each worker in turn
    ((2, 5), {}, "1", "20"),
    ((1, 6), {}, "64", "1"),
    ((2, 5), {"GRANIAN_WORKERS_KILL_TIMEOUT": "5"}, "2", None),   # the app's own setting wins
])
def test_granian_stops_within_20_seconds_in_all_whatever_its_release(release, env, workers, kill_timeout):
    argv = ["--interface", "asgi", "--workers", workers, "--access-log", RUNNER]
    chosen = asgi_granian.defaults(argv, env, release)
    assert chosen.get("GRANIAN_WORKERS_KILL_TIMEOUT") == kill_timeout
    assert chosen["GRANIAN_HTTP1_HEADER_READ_TIMEOUT"] == "5000"


def test_gunicorn_imports_its_uvicorn_worker_too_when_it_serves_asgi():
    gunicorn = servers.get("gunicorn")
    assert gunicorn.modules_to_start("wsgi") == ("gunicorn.app.wsgiapp",)
    assert gunicorn.modules_to_start("asgi") == ("gunicorn.app.wsgiapp", "uvicorn_worker")
    assert servers.get("uwsgi").modules_to_start("wsgi") == ()


# -- fitted to the uvicorn the app installs ----------------------------------------------------------

@pytest.mark.parametrize("version, kept", [("0.54.0", True), ("0.22.0", True), ("0.21.1", False),
                                           ("0.18.3", False), ("not-a-version", True)])
def test_uvicorn_before_0_22_runs_without_the_graceful_timeout_it_does_not_know(version, kept):
    from pybuildpack.servers.uvicorn import Uvicorn

    server = Uvicorn()
    words = server.command(AppTarget("asgi", "main:app", "", "main.py line 4"), Path("."))
    fitted, warning = server.for_installed(words, version)
    at = words.index("--timeout-graceful-shutdown")
    if kept:
        assert fitted == words and warning is None
    else:
        assert fitted == words[:at] + words[at + 2:]
        assert warning[0] == f"uvicorn {version} has no time limit for stopping"
