"""Default web processes through the CNB API: the ones the Heroku path detects."""

import os
import shutil

import pytest

pytestmark = pytest.mark.slow


def test_flask_app_behind_wsgi_py_runs_under_gunicorn(cnb, fixture_app):
    result = cnb.build(fixture_app("flask_wsgi"))
    assert result.ok, result.output
    assert result.processes["web"][-1] == "wsgi:application"
    assert "Added gunicorn==27.0.1" in result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from Flask behind wsgi.py"
    assert container.terminate() == 0
    assert "Handling signal: term" in container.log


def test_app_py_is_run_with_the_apps_python(cnb, fixture_app):
    result = cnb.build(fixture_app("app_py"))
    assert result.ok, result.output
    assert result.processes == {"web": ["python", "app.py"]}
    assert "Warning: No requirements file found" in result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text.startswith("Hello from app.py on Python 3.12.")
    assert container.terminate() == 0


def test_executable_app_sh_is_the_web_process(cnb, fixture_app):
    result = cnb.build(fixture_app("app_sh"))
    assert result.ok, result.output
    assert result.processes == {"web": ["./app.sh"]}
    container = cnb.start()
    assert "Hello from app.sh" in container.wait_until_serving("/").text
    assert container.stops_on_sigterm()
    # app.sh runs with the app's Python first on PATH.
    assert cnb.run(["python3", "--version"]).stdout.startswith("Python 3.11.")


def test_no_web_process_means_no_default_process(cnb, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("app_sh"), app)
    os.chmod(app / "app.sh", 0o644)
    result = cnb.build(app)
    assert result.ok, result.output
    assert "Warning: app.sh is not executable" in result.output and "Warning: No web process" in result.output
    assert "-----> Processes: none" in result.output
    assert result.processes == {} and cnb.image.default_process is None
