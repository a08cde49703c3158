"""Default web processes for apps without a Procfile, and apps with one."""

import os

import pytest

pytestmark = pytest.mark.slow


def test_flask_app_behind_wsgi_py_runs_under_gunicorn(heroku, fixture_app):
    result = heroku.build(fixture_app("flask_wsgi"))
    assert result.ok, result.output
    assert result.default_processes["web"].endswith(" wsgi:application")
    assert "Added gunicorn==27.0.1" in result.output
    assert "Using Python 3.12." in result.output and "(from .python-version)" in result.output
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from Flask behind wsgi.py"
    assert dyno.terminate() == 0
    assert "Handling signal: term" in dyno.log
    # The runtime's own pip survives the exact sync of the app's packages, as on a real runtime.
    pip = slug.run("python -m pip --version")
    assert pip.returncode == 0 and pip.stdout.startswith("pip "), pip.stdout + pip.stderr


def test_app_py_is_run_with_python(heroku, fixture_app):
    result = heroku.build(fixture_app("app_py"))
    assert result.ok, result.output
    assert result.default_processes == {"web": "python app.py"}
    assert "Added gunicorn" not in result.output
    assert "Warning: No requirements file found" in result.output
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text.startswith("Hello from app.py on Python 3.12.")
    assert dyno.terminate() == 0


def test_executable_app_sh_is_the_web_process(heroku, fixture_app):
    result = heroku.build(fixture_app("app_sh"))
    assert result.ok, result.output
    assert result.default_processes == {"web": "./app.sh"}
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert "Hello from app.sh" in dyno.wait_until_serving("/").text
    # app.sh runs with the app's Python first on PATH.
    assert slug.run("python3 --version").stdout.startswith("Python 3.11.")
    # http.server has no SIGTERM handler: it dies of the signal, without a SIGKILL.
    assert dyno.stops_on_sigterm()


def test_non_executable_app_sh_is_skipped_with_a_warning(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    import shutil
    shutil.copytree(fixture_app("app_sh"), app)
    os.chmod(app / "app.sh", 0o644)
    result = heroku.build(app)
    assert result.ok, result.output
    assert "Warning: app.sh is not executable" in result.output
    assert "Warning: No web process" in result.output
    assert result.default_processes == {}


def test_a_server_the_procfile_runs_but_the_app_does_not_declare_is_added(heroku, fixture_app, tmp_path):
    """Without it the build would be green and the web process would crash at boot."""
    import shutil
    app = tmp_path / "app"
    shutil.copytree(fixture_app("procfile"), app)
    (app / "requirements.txt").write_text("# the Procfile runs gunicorn, but nothing here names it\n")
    result = heroku.build(app)
    assert result.ok, result.output
    assert ("Added gunicorn==27.0.1 to the install: the web process (Procfile line 2) runs gunicorn, "
            "which the app does not declare") in result.output
    dyno = heroku.deploy(result).start("web")
    assert dyno.wait_until_serving("/").text == "Hello from the Procfile app"
    assert dyno.terminate() == 0


def test_procfile_processes_are_used_and_no_default_is_added(heroku, fixture_app):
    result = heroku.build(fixture_app("procfile"))
    assert result.ok, result.output
    assert result.default_processes == {}
    assert "Added gunicorn" not in result.output
    slug = heroku.deploy(result)
    dyno = slug.start("web")
    assert dyno.wait_until_serving("/").text == "Hello from the Procfile app"
    worker = slug.run(slug.command("worker"))
    assert worker.stdout.strip() == "worker ready", worker
    assert dyno.terminate() == 0
