"""The ASGI servers (uvicorn, hypercorn, granian, daphne) really serving built apps.

Each server builds the Starlette fixture through the Heroku harness (and some
through CNB and the local command), answers real HTTP, trusts forwarded
headers only behind the router, and stops on SIGTERM under load without
dropping a request. A Django ASGI-only project gets its static files served.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.load import sigterm_under_load
from pybuildpack.inspect.processes import AppTarget
from pybuildpack.servers import get, shell_words

pytestmark = pytest.mark.slow

STOP_WITHIN = 30.0


def with_requirement(fixture: Path, tmp_path: Path, line: str) -> Path:
    """A copy of the fixture whose requirements.txt also names `line`."""
    app = tmp_path / "app"
    shutil.copytree(fixture, app)
    with (app / "requirements.txt").open("a") as handle:
        handle.write(line + "\n")
    return app


def get_json(port: int, path: str, headers: dict = None) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def forwarded(port: int) -> dict:
    """What the app sees of a request the router forwards: the router appends the
    address it saw (203.0.113.7) to an X-Forwarded-For the client forged."""
    return get_json(port, "/client", {"X-Forwarded-For": "6.6.6.6, 203.0.113.7", "X-Forwarded-Proto": "https"})


def assert_graceful(dyno, name: str) -> None:
    result = sigterm_under_load(dyno)
    print(f"{name}: {result}")
    if result.stop_seconds > 5: print(dyno.log[-2500:])
    assert result.sent == 200, result
    assert not result.dropped, f"{name} dropped requests on SIGTERM: {result}\n{dyno.log[-3000:]}"
    assert result.exit_code in (0, -15), result
    assert result.stop_seconds < STOP_WITHIN, result


def wait_for_log(dyno, shown, timeout: float = 60.0) -> None:
    """Wait until shown(the process's log) holds. A server logs a request after
    its response is sent, and each worker process writes its own lines."""
    deadline = time.monotonic() + timeout
    while not shown(dyno.log):
        assert time.monotonic() < deadline, f"the log did not show what was awaited within {timeout} s:\n{dyno.log}"
        time.sleep(0.2)


def use_procfile(slug, server: str, target: AppTarget) -> str:
    """Make the slug's web process the one pybuildpack would generate for `target`."""
    command = shell_words(get(server).command(target, slug.app_dir))
    (slug.app_dir / "Procfile").write_text(f"web: {command}\n")
    return command


# -- the default: gunicorn with uvicorn workers; uvicorn on its own when the app names it ----------

def test_starlette_app_gets_gunicorn_with_uvicorn_workers_by_default_and_stops_gracefully(heroku, fixture_app):
    result = heroku.build(fixture_app("asgi_starlette"))
    assert result.ok, result.output
    for added in ("gunicorn==27.0.1", "uvicorn-worker==0.4.0", "uvicorn==0.54.0"):
        assert f"Added {added} to the install" in result.output
    assert "Server:    gunicorn with uvicorn workers (the default ASGI server)" in result.output
    web = result.default_processes["web"]
    assert web == ("PYBUILDPACK_APP=asgi:app gunicorn --config python:pybuildpack_launch.gunicorn_config "
                   "--worker-class pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker "
                   "pybuildpack_launch.asgi_app:behind_router"), web
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Starlette"
    # Behind the router the forwarded headers are believed (FORWARDED_ALLOW_IPS=*).
    assert forwarded(dyno.port)["client"] == "203.0.113.7"
    wait_for_log(dyno, lambda log: '"GET / HTTP/1.1" 200' in log, timeout=10)   # the access log
    assert_graceful(dyno, "gunicorn with uvicorn workers")


def test_starlette_app_naming_uvicorn_runs_under_uvicorn_alone_and_stops_gracefully(heroku, fixture_app, tmp_path):
    result = heroku.build(with_requirement(fixture_app("asgi_starlette"), tmp_path, "uvicorn"))
    assert result.ok, result.output
    assert "Added uvicorn" not in result.output and "Added gunicorn" not in result.output
    assert "Server:    uvicorn (requirements.txt names it)" in result.output
    web = result.default_processes["web"]
    assert web.startswith('PYBUILDPACK_APP=asgi:app uvicorn --host 0.0.0.0 --port "$PORT" '), web
    assert web.endswith(" pybuildpack_launch.asgi_app:behind_router"), web
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Starlette"
    assert forwarded(dyno.port)["client"] == "203.0.113.7"
    wait_for_log(dyno, lambda log: '"GET / HTTP/1.1" 200' in log, timeout=10)
    assert_graceful(dyno, "uvicorn")


def test_uvicorn_serves_a_factory_from_a_subdirectory_through_cnb(cnb, fixture_app, tmp_path):
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    shutil.copy(fixture_app("asgi_starlette") / "asgi.py", app / "src" / "factory_app.py")
    for name in ("requirements.txt", ".python-version"):
        shutil.copy(fixture_app("asgi_starlette") / name, app / name)
    (app / "asgi.py").write_text("from starlette.applications import Starlette\napp = Starlette()\n")
    result = cnb.build(app)
    assert result.ok, result.output
    target = AppTarget("asgi", "factory_app:create_app", "src", "src/factory_app.py", kind="factory")
    words = get("uvicorn").command(target, app)
    assert words[:2] == ("PYBUILDPACK_APP=factory_app:create_app()", "PYBUILDPACK_APP_DIR=src")
    container = cnb.start(extra_env={"WEB_CONCURRENCY": "2"})
    assert container.wait_until_serving("/").status == 404   # the build's own asgi:app, an empty app
    container.terminate()
    # The same image, run on the factory's command.
    cnb.image.processes[:] = [{"type": "web", "command": ["bash", "-c", shell_words(words)],
                               "default": True}]
    container = cnb.start(extra_env={"WEB_CONCURRENCY": "2"})
    assert container.wait_until_serving("/").text == "Hello from the factory"
    assert get_json(container.port, "/client")["cwd"].endswith("/src")   # run from its directory
    assert container.terminate() in (0, -15)


# -- hypercorn ---------------------------------------------------------------------------------

def test_app_naming_hypercorn_runs_under_it_with_its_config_file_last(heroku, fixture_app, tmp_path):
    app = with_requirement(fixture_app("asgi_starlette"), tmp_path, "hypercorn==0.18.0")
    # The app's own hypercorn.toml wins over pybuildpack's settings (WEB_CONCURRENCY workers).
    (app / "hypercorn.toml").write_text('workers = 2\naccess_log_format = "ACCESS %(r)s %(s)s"\n')
    result = heroku.build(app)
    assert result.ok, result.output
    assert "Added " not in result.output
    web = result.default_processes["web"]
    assert web.startswith("PYBUILDPACK_APP=asgi:app hypercorn "), web
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Starlette"
    assert forwarded(dyno.port)["scheme"] == "https"
    wait_for_log(dyno, lambda log: "ACCESS GET / 1.1 200" in log, timeout=10)
    wait_for_log(dyno, lambda log: log.count("Running on http://0.0.0.0:") >= 2)
    time.sleep(1)
    assert dyno.log.count("Running on http://0.0.0.0:") == 2   # not WEB_CONCURRENCY
    assert_graceful(dyno, "hypercorn")


# -- granian -----------------------------------------------------------------------------------

def test_granian_chosen_by_config_var_serves_and_stops_gracefully(heroku, fixture_app):
    result = heroku.build(fixture_app("asgi_starlette"), config={"PYBUILDPACK_SERVER": "granian"})
    assert result.ok, result.output
    # The build log hides config var values (PYBUILDPACK_SERVER's too); the release names the server.
    assert "==2.8.7 to the install" in result.output
    assert " pybuildpack_launch.asgi_granian --interface asgi --host 0.0.0.0 " in result.default_processes["web"]
    slug = heroku.deploy(result, config={"PYBUILDPACK_SERVER": "granian"})
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Starlette"
    assert forwarded(dyno.port)["client"] == "203.0.113.7"
    assert_graceful(dyno, "granian")


def test_granian_through_cnb_trusts_the_router_and_stops_gracefully(cnb, fixture_app, tmp_path):
    app = with_requirement(fixture_app("asgi_starlette"), tmp_path, "granian==2.8.7")
    result = cnb.build(app)
    assert result.ok, result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from Starlette"
    reply = forwarded(container.port)
    assert reply["client"] == "203.0.113.7" and reply["scheme"] == "https"
    assert_graceful(container, "granian (CNB)")


# -- daphne ------------------------------------------------------------------------------------

def test_app_naming_daphne_runs_under_it_and_a_factory_works_too(heroku, fixture_app, tmp_path):
    app = with_requirement(fixture_app("asgi_starlette"), tmp_path, "daphne==4.2.3")
    result = heroku.build(app)
    assert result.ok, result.output
    web = result.default_processes["web"]
    assert web.startswith('PYBUILDPACK_APP=asgi:app daphne --endpoint "tcp:port=$PORT:interface=0.0.0.0:backlog=2048"'), web
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Starlette"
    assert forwarded(dyno.port)["client"] == "203.0.113.7"
    assert_graceful(dyno, "daphne")
    # daphne cannot load a factory itself; through asgi_app it can.
    use_procfile(slug, "daphne", AppTarget("asgi", "asgi:create_app", "", "asgi.py", kind="factory"))
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from the factory"
    assert dyno.terminate() == 0


def test_daphne_through_the_local_command_trusts_no_forwarded_headers(local, fixture_app, tmp_path):
    app = local.copy_app(with_requirement(fixture_app("asgi_starlette"), tmp_path, "daphne==4.2.3"))
    built = local.pybuildpack("build", str(app))
    assert built.returncode == 0, built.stdout + built.stderr
    server = local.serve(["start"], cwd=app)
    assert server.wait_until_serving("/").text == "Hello from Starlette"
    # Nothing sits in front of a developer's machine: the headers are not believed.
    reply = forwarded(server.port)
    assert reply["client"] == "127.0.0.1" and reply["scheme"] == "http"
    assert_graceful(server, "daphne (local)")


# -- Django ASGI-only: static files --------------------------------------------------------------

def static_checks(dyno, app_dir: Path) -> None:
    manifest = json.loads((app_dir / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["site.css"]
    plain = dyno.get("/static/site.css")
    assert plain.status == 200 and plain.body == b"body { color: #123456; }\n"
    assert plain.headers["content-type"] == "text/css; charset=utf-8"
    assert plain.headers["cache-control"] == "public, max-age=60"
    assert plain.headers["content-length"] == str(len(plain.body))
    long_lived = dyno.get("/static/" + hashed)
    assert long_lived.status == 200
    assert long_lived.headers["cache-control"] == "public, max-age=31536000, immutable"
    request = urllib.request.Request(f"http://127.0.0.1:{dyno.port}/static/{hashed}",
                                     headers={"If-None-Match": long_lived.headers["etag"]})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("expected 304")
    except urllib.error.HTTPError as error:
        assert error.code == 304
    assert dyno.get("/static/missing.css").status == 404
    assert dyno.get("/static/..%2fmysite%2fsettings.py").status == 404


def test_django_asgi_project_serves_static_files_under_the_default_server(heroku, fixture_app):
    result = heroku.build(fixture_app("asgi_django"))
    assert result.ok, result.output
    assert "Added whitenoise" not in result.output
    web = result.default_processes["web"]
    assert web.startswith("PYBUILDPACK_APP=mysite.asgi:application gunicorn "), web
    assert web.endswith(" pybuildpack_launch.asgi_app:behind_router"), web
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Django over ASGI"
    static_checks(dyno, slug.app_dir)
    assert_graceful(dyno, "gunicorn with uvicorn workers (Django)")


@pytest.mark.long
def test_django_asgi_project_serves_static_files_under_hypercorn(heroku, fixture_app):
    config = {"PYBUILDPACK_SERVER": "hypercorn"}
    result = heroku.build(fixture_app("asgi_django"), config=config)
    assert result.ok, result.output
    assert "==0.18.0 to the install" in result.output and "Added whitenoise" not in result.output
    assert " hypercorn --config " in result.default_processes["web"]
    slug = heroku.deploy(result, config=config)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Django over ASGI"
    static_checks(dyno, slug.app_dir)
    assert dyno.terminate() == 0
    # SIGTERM while the workers are still importing the app (slowed down here):
    # no worker dies of it (the dyno would exit 241, and whether hypercorn sees
    # that is a race); each finishes starting, then stops as a serving one does.
    asgi = slug.app_dir / "mysite" / "asgi.py"
    asgi.write_text('import time\nprint("IMPORTING APP", flush=True)\ntime.sleep(3)\n'
                    'print("IMPORTED APP", flush=True)\n' + asgi.read_text())
    booting = slug.start(extra_env={"WEB_CONCURRENCY": "2"})
    wait_for_log(booting, lambda log: log.count("IMPORTING APP") == 2)
    started = time.monotonic()
    assert booting.terminate() == 0, booting.log
    assert time.monotonic() - started < 15, booting.log
    assert booting.log.count("IMPORTED APP") == 2, booting.log


# -- older Pythons get older releases, which work the same ------------------------------------------

@pytest.mark.parametrize("server, version, started", [
    ("hypercorn", "0.17.3", lambda log: log.count("Running on http") >= 2),
    ("granian", "2.5.7", lambda log: "Started worker-1" in log and "Started worker-2" in log),
], ids=["hypercorn", "granian"])
def test_python_3_9_gets_the_older_pin_and_it_stops_gracefully(heroku, fixture_app, tmp_path, server, version,
                                                                started):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("asgi_starlette"), app)
    (app / ".python-version").write_text("3.9\n")
    (app / "requirements.txt").write_text("starlette\n")   # the newest that supports Python 3.9
    config = {"PYBUILDPACK_SERVER": server}
    result = heroku.build(app, config=config)
    assert result.ok, result.output
    assert f"=={version} to the install" in result.output
    slug = heroku.deploy(result, config=config)
    dyno = slug.start(extra_env={"WEB_CONCURRENCY": "2"})
    assert dyno.wait_until_serving("/").text == "Hello from Starlette"
    assert get_json(dyno.port, "/client")["python"].startswith("3.9.")
    # granian 2.5 stops its workers slowly (20 s) when SIGTERM comes before they
    # have all started (2.8 does not): stop it once it is up, as a router would load it.
    wait_for_log(dyno, started)
    assert forwarded(dyno.port)["client"] == "203.0.113.7"
    assert_graceful(dyno, f"{server} {version} (Python 3.9)")
