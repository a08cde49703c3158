"""Apps with no Procfile, found by reading their source, through the CNB API."""

import pytest

pytestmark = pytest.mark.slow


def test_flask_app_py_without_app_run_is_served_by_gunicorn(cnb, fixture_app):
    result = cnb.build(fixture_app("web_flask_app_py"))
    assert result.ok, result.output
    assert result.processes["web"][-1] == "app:app"
    assert "       From:      app.py line 4\n       App:       Flask app `app` (WSGI)\n" in result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from Flask in app.py"
    assert container.terminate() == 0
    assert "Handling signal: term" in container.log


def test_starlette_app_is_served_as_asgi_by_gunicorn_with_uvicorn_workers(cnb, fixture_app):
    result = cnb.build(fixture_app("web_starlette"))
    assert result.ok, result.output
    assert result.processes["web"][-1] == "PYBUILDPACK_APP=app:app gunicorn --config python:pybuildpack_launch.gunicorn_config --worker-class pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker pybuildpack_launch.asgi_app:behind_router"
    assert "       App:       Starlette app `app` (ASGI)\n" in result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text.startswith("Hello from Starlette, http 3.")
    assert container.terminate() == 0


def test_tornado_script_that_starts_its_own_server_runs_with_python(cnb, fixture_app):
    result = cnb.build(fixture_app("web_tornado"))
    assert result.ok, result.output
    assert result.processes == {"web": ["python", "app.py"]}
    assert ("       From:      app.py line 19\n"
            "       App:       a script that starts its own server (Tornado)\n") in result.output
    assert "Added" not in result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from a Tornado app.py"
    assert container.stops_on_sigterm()
