"""Apps with no Procfile, found by reading their source and served by a production server (Heroku)."""

import json

import pytest

pytestmark = pytest.mark.slow


def summary(output):
    return output[output.index("-----> Build finished in"):]


def test_fastapi_in_main_py_is_served_by_gunicorn_with_uvicorn_workers(heroku, fixture_app):
    result = heroku.build(fixture_app("web_fastapi_main"))
    assert result.ok, result.output
    assert result.default_processes == {"web": "PYBUILDPACK_APP=main:app gunicorn --config python:pybuildpack_launch.gunicorn_config --worker-class pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker pybuildpack_launch.asgi_app:behind_router"}
    assert "Added uvicorn==0.54.0 to the install: the web process (main.py line 4) runs under gunicorn" in result.output
    assert ("       Web:       PYBUILDPACK_APP=main:app gunicorn --config python:pybuildpack_launch.gunicorn_config --worker-class pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker pybuildpack_launch.asgi_app:behind_router\n"
            "       From:      main.py line 4\n"
            "       App:       FastAPI app `app` (ASGI)\n"
            "       Server:    gunicorn with uvicorn workers (the default ASGI server)\n") in summary(result.output)
    dyno = heroku.deploy(result).start()
    assert json.loads(dyno.wait_until_serving("/").text) == {"message": "Hello from FastAPI in main.py"}
    assert dyno.terminate() == 0


def test_flask_app_py_that_runs_the_dev_server_under_main_is_served_by_gunicorn(heroku, fixture_app):
    result = heroku.build(fixture_app("web_flask_dev_server"))
    assert result.ok, result.output
    assert result.default_processes["web"].endswith(" app:app")
    assert ("       From:      app.py line 6\n"
            "       App:       Flask app `app` (WSGI)\n"
            "       Note:      app.py line 15 starts Flask's development server under "
            '`if __name__ == "__main__":`; left alone: a production server serves `app` instead\n'
            "       Server:    gunicorn (the default WSGI server)\n") in summary(result.output)
    dyno = heroku.deploy(result).start()
    # gunicorn on $PORT, not Flask's development server on 127.0.0.1:5000.
    assert dyno.wait_until_serving("/").text == "Hello from Flask, served by gunicorn"
    assert dyno.terminate() == 0
    assert "Handling signal: term" in dyno.log


def test_asgi_only_django_project_is_served_as_asgi(heroku, fixture_app):
    result = heroku.build(fixture_app("web_django_asgi"))
    assert result.ok, result.output
    assert result.default_processes == {"web": "PYBUILDPACK_APP=mysite.asgi:application gunicorn --config python:pybuildpack_launch.gunicorn_config --worker-class pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker pybuildpack_launch.asgi_app:behind_router"}
    assert ("       From:      mysite/asgi.py line 7\n"
            "       App:       Django's ASGI application `mysite.asgi.application`\n"
            "       Note:      WSGI_APPLICATION in mysite/settings.py line 11 names mysite.wsgi.application, "
            "which does not exist; mysite.asgi.application does\n") in summary(result.output)
    dyno = heroku.deploy(result).start()
    assert dyno.wait_until_serving("/").text == "Hello from Django over http (ASGI)"
    assert dyno.terminate() == 0


def test_pyramid_production_ini_is_served_by_gunicorn_paste(heroku, fixture_app):
    result = heroku.build(fixture_app("web_pyramid_paste"))
    assert result.ok, result.output
    assert result.default_processes["web"].endswith(" --paste production.ini")
    assert ("       From:      production.ini line 5\n"
            "       App:       a PasteDeploy app, [app:main] (Pyramid, WSGI)\n") in summary(result.output)
    dyno = heroku.deploy(result).start()
    assert dyno.wait_until_serving("/").text == "Hello from Pyramid behind production.ini"
    assert dyno.terminate() == 0


def test_flask_factory_runs_through_the_shell_the_dyno_uses(heroku, fixture_app):
    # Heroku runs default_process_types with bash: `app:create_app()` must be quoted.
    result = heroku.build(fixture_app("web_flask_factory"))
    assert result.ok, result.output
    assert result.default_processes["web"].endswith(" 'app:create_app()'")
    dyno = heroku.deploy(result).start()
    assert dyno.wait_until_serving("/").text == "Hello from the create_app() factory"
    assert dyno.terminate() == 0


def test_an_app_pinning_an_old_uvicorn_gets_the_command_that_release_accepts(heroku, fixture_app, tmp_path):
    # nsidnev/fastapi-realworld-example-app locks uvicorn 0.18: it has no --timeout-graceful-shutdown (0.22)
    # and refused to start with it ("No such option").
    from harness.apps import copy_app

    app = copy_app(fixture_app("web_fastapi_main"), tmp_path,
                   {".python-version": "3.11\n", "requirements.txt": "fastapi\nuvicorn==0.18.3\n"})
    result = heroku.build(app)
    assert result.ok, result.output
    assert " !     Warning: uvicorn 0.18.3 has no time limit for stopping\n" in result.output
    assert result.default_processes["web"] == (
        "PYBUILDPACK_APP=main:app uvicorn --host 0.0.0.0 --port \"$PORT\" --timeout-keep-alive 5 --backlog 2048 "
        "--no-proxy-headers pybuildpack_launch.asgi_app:behind_router")
    assert f"       Web:       {result.default_processes['web']}\n" in summary(result.output)
    dyno = heroku.deploy(result).start()
    assert json.loads(dyno.wait_until_serving("/").text) == {"message": "Hello from FastAPI in main.py"}
    assert dyno.terminate() == 0
