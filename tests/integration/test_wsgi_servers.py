"""waitress, uWSGI and mod_wsgi-express as the web process: real builds, real servers, real HTTP.

Each server gets a Flask app (tests/fixtures/wsgi_<server>) that lists it in
requirements.txt or chooses it with PYBUILDPACK_SERVER, Django's startproject
site for its static files, and SIGTERM under load (200 requests in flight to
a 0.3 s endpoint): none may be dropped, and the process must exit well within
the platforms' 30 s.
"""

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from harness.apps import copy_app
from harness.load import sigterm_under_load

pytestmark = pytest.mark.slow


def get(dyno, path, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{dyno.port}{path}", headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read().decode()


def logged(dyno, text, timeout=10.0):
    """Whether `text` shows in the process's log within `timeout` (servers log
    a request after its response is sent)."""
    deadline = time.monotonic() + timeout
    while text not in dyno.log:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def assert_drains_on_sigterm(dyno, report):
    result = sigterm_under_load(dyno)
    report.append(result)
    assert result.sent == 200, result
    assert not result.dropped, result
    assert result.ok == 200, result
    assert result.exit_code == 0, f"{result}\n{dyno.log[-3000:]}"
    assert result.stop_seconds < 25, result


def assert_serves_a_factory_from_a_subdirectory(slug, runner, extra=""):
    """The runner started as the plan writes it for an app factory one directory down."""
    (slug.app_dir / "Procfile").write_text(
        f"factory: python -m pybuildpack_launch.{runner} --chdir nested 'nested_app:create_app()'{extra}\n")
    dyno = slug.start("factory")
    assert dyno.wait_until_serving("/").text == "Hello from a factory in nested/"
    assert dyno.terminate() == 0, dyno.log


def readable_by_nobody(path: Path) -> None:
    """Apache never runs as root: run as root (as in this test machine or a
    container), mod_wsgi-express's processes run as `nobody`, who must be able
    to read the app, as in any image run as root. Heroku and CNB run as a user."""
    if os.getuid() != 0:
        return
    subprocess.run(["chmod", "-R", "a+rX", str(path)], check=True)
    for parent in path.parents:
        if parent == Path("/tmp") or parent == Path("/"):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o005)


def test_waitress_listed_in_requirements_serves_flask_and_drains_on_sigterm(heroku, fixture_app, capsys):
    result = heroku.build(fixture_app("wsgi_waitress"))
    assert result.ok, result.output
    assert result.default_processes["web"] == "python -m pybuildpack_launch.wsgi_waitress wsgi:app"
    assert "Added waitress" not in result.output   # the app declares it
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Flask"
    assert "Serving on http://0.0.0.0:" in dyno.log
    # The router's headers are trusted (FORWARDED_ALLOW_IPS=* from .profile.d).
    status, headers, body = get(dyno, "/client", {"X-Forwarded-For": "6.6.6.6, 203.0.113.7",
                                                  "X-Forwarded-Proto": "https"})
    assert body == "203.0.113.7 https"
    assert logged(dyno, '"GET /client HTTP/1.1" 200') and "203.0.113.7 - - [" in dyno.log   # access log
    report = []
    assert_drains_on_sigterm(dyno, report)
    assert logged(dyno, "SIGTERM received: stopping waitress")
    assert_serves_a_factory_from_a_subdirectory(slug, "wsgi_waitress")
    # A PasteDeploy app (its .ini named so that the finder keeps wsgi.py): its [server:main] applies (ident), but not where to listen (6543).
    (slug.app_dir / "Procfile").write_text("paste: python -m pybuildpack_launch.wsgi_waitress paste:greeting.ini\n")
    dyno = slug.start("paste")
    assert dyno.wait_until_serving("/greeting").text == "Hello from greeting.ini"
    assert get(dyno, "/")[1]["server"] == "fixture-waitress"
    assert dyno.terminate() == 0, dyno.log
    with capsys.disabled():
        print(f"\nwaitress: {report[0]}; build {result.duration:.0f} s")


def test_uwsgi_chosen_by_config_var_is_added_as_pyuwsgi_and_drains_on_sigterm(cnb, fixture_app, capsys):
    # "uWSGI", not "uwsgi": config values are masked in the log, and "Added pyuwsgi" must show.
    result = cnb.build(fixture_app("wsgi_uwsgi"), config={"PYBUILDPACK_SERVER": "uWSGI"})
    assert result.ok, result.output
    assert result.processes["web"] == ["python", "-m", "pybuildpack_launch.wsgi_uwsgi", "wsgi:app",
                                       "--ini", "uwsgi.ini"]
    assert "Added pyuwsgi==2.0.30.post1 to the install" in result.output
    dyno = cnb.start()
    assert dyno.wait_until_serving("/").text == "Hello from Flask"
    status, headers, body = get(dyno, "/")
    assert headers.get("x-fixture") == "from uwsgi.ini"   # the app's uwsgi.ini, applied last
    status, headers, body = get(dyno, "/client", {"X-Forwarded-For": "6.6.6.6, 203.0.113.8",
                                                  "X-Forwarded-Proto": "https"})
    assert body == "203.0.113.8 https"
    assert logged(dyno, "GET /client => generated"), dyno.log
    report = []
    assert_drains_on_sigterm(dyno, report)
    assert logged(dyno, "graceful shutdown triggered")
    with capsys.disabled():
        print(f"\nuWSGI: {report[0]}; build {result.duration:.0f} s" if hasattr(result, "duration")
              else f"\nuWSGI: {report[0]}")


@pytest.mark.long
def test_mod_wsgi_express_listed_in_requirements_serves_flask_and_drains_on_sigterm(heroku, fixture_app, capsys):
    result = heroku.build(fixture_app("wsgi_mod_wsgi"))
    assert result.ok, result.output
    assert result.default_processes["web"] == ("python -m pybuildpack_launch.wsgi_mod_wsgi wsgi:app "
                                               "--setenv FIXTURE_NOTE from-mod_wsgi-express.conf")
    slug = heroku.deploy(result)
    readable_by_nobody(slug.app_dir)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Flask (from-mod_wsgi-express.conf)"
    status, headers, body = get(dyno, "/client", {"X-Forwarded-For": "6.6.6.6, 203.0.113.9",
                                                  "X-Forwarded-Proto": "https"})
    assert body == "203.0.113.9 https"
    assert headers["server"].startswith("Apache")
    assert logged(dyno, '"GET /client HTTP/1.1" 200'), dyno.log   # Apache's access log on the terminal
    # The server root is a temporary directory, not in the slug (a dyno's: /tmp, no TMPDIR is set).
    assert re.search(r"Server Root +: /tmp/mod_wsgi-", dyno.log), dyno.log
    assert not list(slug.app_dir.rglob("httpd.conf"))
    report = []
    assert_drains_on_sigterm(dyno, report)
    assert logged(dyno, "caught SIGWINCH, shutting down gracefully")
    assert_serves_a_factory_from_a_subdirectory(slug, "wsgi_mod_wsgi")
    with capsys.disabled():
        print(f"\nmod_wsgi-express: {report[0]}; build {result.duration:.0f} s")


def test_mod_wsgi_without_apache_fails_the_build_naming_what_to_install(heroku, fixture_app):
    result = heroku.build(fixture_app("wsgi_mod_wsgi"), env={"APXS": "/nonexistent/apxs"})
    assert not result.ok
    assert "mod_wsgi-express needs Apache httpd, and this build machine has no apxs (apache2-dev)" in result.output
    assert "apt-get install apache2 apache2-dev" in result.output
    assert "Installing dependencies" not in result.output   # it fails before the long part


@pytest.mark.parametrize("server", ["waitress", "uwsgi", "mod_wsgi"])
@pytest.mark.long
def test_django_static_files_are_served_by_the_server(heroku, django_app, server):
    result = heroku.build(django_app, config={"PYBUILDPACK_SERVER": server})
    assert result.ok, result.output
    slug = heroku.deploy(result, config={"PYBUILDPACK_SERVER": server})
    if server == "mod_wsgi":
        readable_by_nobody(slug.app_dir)
    dyno = slug.start()
    dyno.wait_until_serving("/admin/login/")
    status, headers, body = get(dyno, "/static/admin/css/base.css")
    assert status == 200 and "body" in body
    assert headers["content-type"].startswith("text/css")
    assert int(headers["content-length"]) == len(body.encode())
    assert "last-modified" in headers
    if server == "waitress":
        assert headers["cache-control"] == "max-age=60, public"   # WhiteNoise: not a hashed name
    assert dyno.terminate() == 0


def test_waitress_runs_locally_trusting_no_forwarded_headers_and_stops_on_ctrl_c(local, fixture_app):
    app = local.copy_app(fixture_app("wsgi_waitress"))
    build = local.pybuildpack("build", str(app))
    assert build.returncode == 0, build.stdout + build.stderr
    server = local.serve(["start"], cwd=app, env={"FORWARDED_ALLOW_IPS": ""})
    assert server.wait_until_serving("/").text == "Hello from Flask"
    # No router in front of a laptop: X-Forwarded-* from a client are not believed.
    status, headers, body = get(server, "/client", {"X-Forwarded-For": "6.6.6.6, 203.0.113.7",
                                                  "X-Forwarded-Proto": "https"})
    assert body == "127.0.0.1 http"
    os.killpg(server.process.pid, signal.SIGINT)   # Ctrl-C in the terminal
    assert server.process.wait(timeout=30) == 0, server.log
    assert logged(server, "SIGINT received: stopping waitress")


@pytest.mark.long
def test_an_app_declaring_uwsgi_gets_it_compiled_from_source(heroku, fixture_app, tmp_path, capsys):
    from harness.heroku import slug_distributions

    app = tmp_path / "app"
    shutil.copytree(fixture_app("wsgi_uwsgi"), app)
    (app / "requirements.txt").write_text("Flask\nuwsgi==2.0.31\n")
    # A Python home for where VIRTUAL_ENV is set (a Docker image), as the build's
    # error (errors.UwsgiHomeUnset) suggests: on Heroku it is not, and uWSGI starts.
    with (app / "uwsgi.ini").open("a") as ini:
        ini.write("if-env = VIRTUAL_ENV\nvirtualenv = %(_)\nendif =\n")
    result = heroku.build(app)
    assert result.ok, result.output
    assert "Added pyuwsgi" not in result.output
    slug = heroku.deploy(result)
    assert "uwsgi" in slug_distributions(slug) and "pyuwsgi" not in slug_distributions(slug)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Flask"
    assert logged(dyno, "uWSGI")
    assert dyno.terminate() == 0
    assert_serves_a_factory_from_a_subdirectory(slug, "wsgi_uwsgi", " --ini ../uwsgi.ini")
    with capsys.disabled():
        print(f"\nuWSGI compiled from source: build {result.duration:.0f} s")


@pytest.mark.long
def test_a_docker_style_uwsgi_ini_serves_on_cnb_and_is_warned_about_reloading_on_sigterm(cnb, fixture_app,
                                                                                          tmp_path):
    from harness.blocks import bang_block, expected_block, normalized_lines

    # On CNB the packages are in a virtualenv and VIRTUAL_ENV names it, so the
    # home that fails a Heroku build (tests/corpus: procfile-uwsgi-virtualenv-home-unset) is right.
    app = copy_app(fixture_app("wsgi_uwsgi"), tmp_path, {
        "requirements.txt": "Flask\nuwsgi==2.0.31\n", "Procfile": "web: uwsgi etc/uwsgi.ini\n",
        "etc/uwsgi.ini": "[uwsgi]\nhttp-socket = :$(PORT)\nvirtualenv = $(VIRTUAL_ENV)\n"
                         "module = wsgi:app\nmaster = true\n"})
    result = cnb.build(app)
    assert result.ok, result.output
    assert bang_block(normalized_lines(result.output), "Warning: uWSGI reloads") == expected_block("""\
        !     Warning: uWSGI reloads when asked to stop
        !
        !     The web process runs uWSGI with a master process (etc/uwsgi.ini line 5). On
        !     SIGTERM, which the platform sends to stop a process (at every deploy and
        !     restart), uWSGI 2.0 kills its workers with the requests they are serving, and
        !     starts again; the platform kills it for good 30 s later.
        !
        !     Add these lines to etc/uwsgi.ini, so that each worker finishes the
        !     requests it is serving and uWSGI exits:
        !         die-on-term = true
        !         hook-master-start = unix_signal:15 gracefully_kill_them_all
    """)
    dyno = cnb.start()
    assert dyno.wait_until_serving("/").text == "Hello from Flask"
    assert logged(dyno, "Set PythonHome to " + str(cnb.layers_dir / "venv")), dyno.log
    # What the warning says: SIGTERM makes it start again, not stop.
    os.killpg(dyno.process.pid, signal.SIGTERM)
    assert logged(dyno, "brutally killing workers"), dyno.log
    assert logged(dyno, "binary reloading uWSGI"), dyno.log
    assert dyno.process.poll() is None
    os.killpg(dyno.process.pid, signal.SIGKILL)
    dyno.process.wait()
