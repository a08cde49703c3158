"""Apps with no Procfile, found by reading their source, built and started by `pybuildpack up`."""

import pytest

pytestmark = pytest.mark.slow


def test_flask_factory_in_a_package_is_called_by_gunicorn(local, fixture_app):
    app = local.copy_app(fixture_app("web_flask_factory"))
    server = local.serve(["up", str(app)])
    assert server.wait_until_serving("/", timeout=300).text == "Hello from the create_app() factory"
    assert ("       Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config 'app:create_app()'\n"
            "       From:      app/__init__.py line 7\n"
            "       App:       Flask app factory `create_app()`, called once per worker (WSGI)\n") in server.log
    assert server.stops_on_sigterm(), server.log


def test_litestar_in_a_src_layout_is_served_from_src(local, fixture_app):
    app = local.copy_app(fixture_app("web_litestar_src"))
    server = local.serve(["up", str(app)])
    assert server.wait_until_serving("/", timeout=300).text == "Hello from Litestar in src/hello_litestar/app.py"
    assert ("       From:      src/hello_litestar/app.py line 10\n"
            "       App:       Litestar app `app` (ASGI)\n") in server.log
    assert server.stops_on_sigterm(), server.log


def test_app_py_that_serves_nothing_is_not_a_web_process(local, fixture_app):
    app = local.copy_app(fixture_app("web_serves_nothing"))
    explained = local.pybuildpack("explain", str(app))
    assert explained.returncode == 0, explained.stderr
    assert "no web process: add a Procfile `web` line, or one of these, looked for in order:" in explained.stdout
    result = local.pybuildpack("build", str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "       Web:       (none: add a Procfile with a web process)\n" in result.stdout
    warning = result.stdout[result.stdout.index(" !     Warning: No web process"):]
    assert " !     knows how to serve. It looked for, in order:\n !       - an executable app.sh\n" in warning
    assert (" !     It saw:\n"
            " !       - app.py neither defines an app object or factory nor starts a server\n"
            " !     Your dependencies name Flask. Add a Procfile with a web process, for example:\n"
            " !         web: gunicorn app:app\n") in warning
