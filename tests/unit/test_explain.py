"""`pybuildpack explain`'s document and text, from a BuildPlan (pybuildpack.explain)."""

from __future__ import annotations

import json

import pytest

from pybuildpack.config import ConfigVars
from pybuildpack.explain import explain, render
from pybuildpack.inspect.framework import find_framework
from pybuildpack.plan import make_plan

from .helpers import write


def django_app(app, settings='STATIC_URL = "static/"\nWSGI_APPLICATION = "mysite.wsgi.application"\n'):
    write(app / "requirements.txt", "Django\n")
    write(app / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(app / "mysite" / "settings.py", settings)
    write(app / "mysite" / "wsgi.py", "from django.core.wsgi import get_wsgi_application\n\n"
                                      "application = get_wsgi_application()\n")
    return app


def doc_for(app, **config):
    return explain(make_plan(app, ConfigVars(config)))


def test_django_without_static_root_explains_every_decision(tmp_path):
    doc = doc_for(django_app(tmp_path))
    assert doc["python"]["pinned"] is False
    assert doc["package_manager"]["summary"] == "uv (default), from requirements.txt"
    assert [a["name"] for a in doc["package_manager"]["added"]] == ["gunicorn", "whitenoise"]
    assert doc["framework"] == {"name": "Django", "origin": "manage.py, settings mysite.settings"}
    assert doc["processes"] == [{
        "name": "web", "command": "gunicorn --config python:pybuildpack_launch.gunicorn_config mysite.wsgi:application",
        "origin": "WSGI_APPLICATION in mysite/settings.py line 2", "server": "gunicorn", "detected": True,
        "notes": ["App: Django's WSGI application `mysite.wsgi.application`",
                  "Server: gunicorn (the default WSGI server)"]}]
    static = doc["static_files"]
    assert static["collectstatic"] is True
    assert static["static_root"] == "staticfiles/ (STATIC_ROOT is not set in mysite/settings.py: pybuildpack supplies it)"
    assert static["served_by"].startswith("the web process, with WhiteNoise")
    assert doc["hooks"] == []
    json.dumps(doc)  # JSON-ready as it is


def test_python_request_and_constraint_carry_their_files(tmp_path):
    write(tmp_path / ".python-version", "3.12\n")
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.11"\n')
    write(tmp_path / "app.py", "")
    python = doc_for(tmp_path)["python"]
    assert (python["requested"], python["origin"]) == ("3.12", ".python-version")
    assert python["constraint"] == {"value": ">=3.11", "origin": "requires-python in pyproject.toml"}
    assert python["summary"] == "3.12 (from .python-version), which must satisfy >=3.11 (from requires-python in pyproject.toml)"


def test_static_files_from_settings_skipped_or_not_served(tmp_path):
    app = django_app(tmp_path / "a", 'STATIC_URL = "static/"\nSTATIC_ROOT = BASE_DIR / "static"\n')
    assert doc_for(app)["static_files"]["static_root"] == "STATIC_ROOT from mysite/settings.py"
    skipped = doc_for(django_app(tmp_path / "b"), DISABLE_COLLECTSTATIC="1")["static_files"]
    assert skipped["lines"][0] == "collectstatic is skipped: DISABLE_COLLECTSTATIC is set"
    app = django_app(tmp_path / "c")
    write(app / "Procfile", "web: python manage.py runserver 0.0.0.0:$PORT\n")
    assert doc_for(app)["static_files"]["served_by"] is None
    assert doc_for(tmp_path / "c")["static_files"]["lines"][1] == \
        "not served by pybuildpack (the web process is the Procfile's: serve them there)"


@pytest.mark.parametrize("server, how", [
    ("waitress", "WhiteNoise"), ("uwsgi", "uWSGI's --static-map"),
    ("hypercorn", "pybuildpack's ASGI static file server"),
])
def test_static_files_say_how_the_chosen_server_serves_them(tmp_path, server, how):
    app = django_app(tmp_path / "app")
    if server == "hypercorn":
        (app / "mysite" / "wsgi.py").unlink()
        write(app / "mysite" / "asgi.py", "from django.core.asgi import get_asgi_application\n"
                                          "application = get_asgi_application()\n")
    served = doc_for(app, PYBUILDPACK_SERVER=server)["static_files"]["served_by"]
    assert served.startswith(f"the web process, with {how} ")


def test_hooks_say_when_they_run(tmp_path):
    write(tmp_path / "app.py", "")
    write(tmp_path / "bin" / "pre_compile", "true\n")
    write(tmp_path / "bin" / "post_compile", "true\n")
    assert doc_for(tmp_path)["hooks"] == [
        {"hook": "bin/pre_compile", "when": "first, before Python is installed"},
        {"hook": "bin/post_compile", "when": "last, after the packages and collectstatic"},
    ]


def test_text_rendering_lines_up_and_lists_warnings(tmp_path):
    write(tmp_path / "Procfile", "worker: python work.py\n")
    write(tmp_path / "runtime.txt", "python-3.12.4\n")
    text = render(doc_for(tmp_path))
    assert text.startswith(f"What a build of {tmp_path} does, and why (nothing was built):\n\n")
    assert "Python        3.12.4 (from runtime.txt)\n" in text
    assert "Packages      uv (default), from no requirements file: only what pybuildpack adds\n" in text
    assert "Framework     none recognised\n" in text
    assert "Processes     worker: python work.py\n                  (Procfile line 1)\n" in text
    assert ("              no web process: add a Procfile `web` line, or one of these, looked for in order:\n"
            "                - an executable app.sh\n"
            "                - a Django project (manage.py): its ASGI_APPLICATION or WSGI_APPLICATION\n") in text
    assert "Static files  not a Django app: the app serves its own static files, if any\n" in text
    assert "The build would warn:\n  - runtime.txt is deprecated\n" in text
    assert "  - No web process\n" in text


def test_the_last_local_build_is_reported_when_there_is_one(tmp_path):
    write(tmp_path / "app.py", "")
    plan = make_plan(tmp_path, ConfigVars({}))
    doc = explain(plan, {"python": {"version": "3.12.1", "origin": "from .python-version"}, "packages": 3})
    assert doc["last_build"] == {"python": "3.12.1", "python_origin": "from .python-version", "packages": 3}
    assert "Last build    Python 3.12.1 (from .python-version), 3 packages\n" in render(doc)


def test_frameworks_other_than_django_come_from_the_requirements():
    assert find_framework(None, frozenset({"flask", "gunicorn"}), "requirements.txt").name == "Flask"
    assert find_framework(None, frozenset({"fastapi", "uvicorn"}), "requirements.txt").origin == "requirements.txt"
    assert find_framework(None, frozenset(), None) is None


def test_a_uv_project_says_its_packages_come_from_uv_lock(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\nversion = "0"\ndependencies = ["flask"]\n')
    write(tmp_path / "uv.lock", 'version = 1\n[[package]]\nname = "app"\nsource = { virtual = "." }\n'
          'dependencies = [{ name = "flask" }]\n[[package]]\nname = "flask"\n')
    write(tmp_path / "requirements.txt", "six\n")
    doc = doc_for(tmp_path, PYBUILDPACK_PACKAGE_MANAGER="uv")
    packages = doc["package_manager"]
    assert (packages["kind"], packages["file"], packages["names"]) == ("uv", "uv.lock", ["flask"])
    assert packages["origin"] == "config var PYBUILDPACK_PACKAGE_MANAGER"
    assert packages["not_installed_from"] == ["requirements.txt"]
    assert packages["summary"] == ("uv (default), from uv.lock (uv export --locked: the project's dependencies, "
                                   "without the dev group) (chosen by config var PYBUILDPACK_PACKAGE_MANAGER)")
    text = render(doc)
    assert "from uv.lock (uv export --locked" in text
    assert "not installed from: requirements.txt" in text
    assert doc["framework"] == {"name": "Flask", "origin": "uv.lock"}


def test_a_detected_web_process_shows_its_origin_and_notes_in_text_and_json(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "app.py", "from flask import Flask\n\napp = Flask(__name__)\n\n"
                               "if __name__ == '__main__':\n    app.run()\n")
    doc = doc_for(tmp_path)
    assert doc["processes"][0]["origin"] == "app.py line 3"
    assert doc["processes"][0]["notes"] == [
        "App: Flask app `app` (WSGI)",
        'Note: app.py line 6 starts Flask\'s development server under `if __name__ == "__main__":`; left alone: '
        "a production server serves `app` instead",
        "Server: gunicorn (the default WSGI server)"]
    text = render(doc)
    assert ("Processes     web: gunicorn --config python:pybuildpack_launch.gunicorn_config app:app\n"
            "                  (detected from app.py line 3, server gunicorn)\n"
            "                  App: Flask app `app` (WSGI)\n"
            "                  Note: app.py line 6 starts Flask's development server") in text
    assert "                  Server: gunicorn (the default WSGI server)\n" in text


# -- the build's warnings (issue 13) ---------------------------------------------------------------

def test_explain_lists_the_plans_the_pythons_and_collectstatics_warnings_in_build_order(tmp_path):
    from datetime import date

    from pybuildpack.config import ConfigVars
    from pybuildpack.explain import PythonOutcome, explain
    from pybuildpack.plan import make_plan

    from .helpers import write as write_file

    write_file(tmp_path / "runtime.txt", "python-3.9.1\n")
    write_file(tmp_path / "manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n")
    write_file(tmp_path / "site1" / "__init__.py")
    write_file(tmp_path / "site1" / "settings.py", "INSTALLED_APPS = ['django.contrib.staticfiles']\n")
    write_file(tmp_path / "site1" / "wsgi.py", "application = None\n")
    write_file(tmp_path / "requirements.txt", "django\n")
    plan = make_plan(tmp_path, ConfigVars({}))
    doc = explain(plan, python=PythonOutcome("3.9.1", ("3.9.25", "3.9.1", "3.12.12")), today=date(2026, 11, 22))
    assert [w["title"] for w in doc["warnings"]] == [
        "runtime.txt is deprecated",
        "Python 3.9 has reached its end of life",
        "Python 3.9.1 has a newer patch release: 3.9.25",
        "STATIC_ROOT is not set in your Django settings",
    ]
    assert doc["python"]["version"] == "3.9.1"
