"""The Procfile and the default web process (inspect.processes)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.inspect.django import find_django
from pybuildpack.inspect.processes import AppTarget, Process, Processes, detect_default_web, parse_procfile
from pybuildpack.inspect.web_app import no_web_hint
from pybuildpack.plan import web_process
from pybuildpack.servers.gunicorn import CONFIG

from .helpers import write

GUNICORN = ("gunicorn", "--config", CONFIG)


def find_processes(app_dir, django):
    """The processes a plan gets: the Procfile's and the default web, as a server runs it."""
    found, _ = detect_default_web(app_dir, django)
    return Processes(parse_procfile(app_dir), web_process(found))


def django_project(root, manage_dir=""):
    base = root / manage_dir if manage_dir else root
    write(base / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(base / "mysite" / "settings.py", "DEBUG = False\n")
    return find_django(root, {})


# -- Procfile ------------------------------------------------------------------------

def test_no_procfile_gives_no_processes(tmp_path):
    assert parse_procfile(tmp_path) == {}


def test_procfile_lines_become_processes_in_file_order(tmp_path):
    write(tmp_path / "Procfile", "web: gunicorn app:app --log-file -\nworker:   celery -A app worker\n")
    assert parse_procfile(tmp_path) == {
        "web": Process("web", "gunicorn app:app --log-file -", "Procfile line 1"),
        "worker": Process("worker", "celery -A app worker", "Procfile line 2"),
    }


def test_procfile_comments_and_blank_lines_are_skipped(tmp_path):
    write(tmp_path / "Procfile", "# processes\n\n   \nrelease: python manage.py migrate\n  # web: off\n")
    processes = parse_procfile(tmp_path)
    assert list(processes) == ["release"]
    assert processes["release"].origin == "Procfile line 4"


def test_procfile_commands_are_shell_text_with_no_argv_or_server(tmp_path):
    write(tmp_path / "Procfile", "web: ./start.sh\n")
    process = parse_procfile(tmp_path)["web"]
    assert (process.argv, process.server) == ((), None)


@pytest.mark.parametrize("line", ["web gunicorn app:app", "web:", "web:   ", "my web: run", "w*b: run", ": run"])
def test_invalid_procfile_line_raises_with_its_line_number(tmp_path, line):
    write(tmp_path / "Procfile", f"# first\nworker: run\n{line}\n")
    with pytest.raises(errors.ProcfileInvalid) as caught:
        parse_procfile(tmp_path)
    assert "Procfile line 3 is not of the form `name: command`" in caught.value.body
    assert f"    {line.strip()}\n" in caught.value.body


def test_procfile_that_is_not_utf8_is_unreadable(tmp_path):
    (tmp_path / "Procfile").write_bytes(b"web: \xff\n")
    with pytest.raises(errors.FileUnreadable) as caught:
        parse_procfile(tmp_path)
    assert caught.value.title == "Could not read Procfile"


# -- default web: the order -------------------------------------------------------------

SERVING_APP_PY = """\
import http.server, os
server = http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler)
server.serve_forever()
"""
FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n"
FASTAPI_APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def find(app_dir, django=None, declared=None):
    found, warnings = detect_default_web(app_dir, django, declared)
    assert warnings == ()
    return found


def test_executable_app_sh_is_the_web_process(tmp_path):
    write(tmp_path / "app.sh", "#!/bin/sh\n", executable=True)
    write(tmp_path / "app.py", FLASK_APP)
    web, warnings = detect_default_web(tmp_path, django_project(tmp_path))
    assert web == Process("web", "./app.sh", "app.sh", ("./app.sh",))
    assert warnings == ()


def test_non_executable_app_sh_warns_and_falls_through(tmp_path):
    write(tmp_path / "app.sh", "#!/bin/sh\n")
    write(tmp_path / "app.py", SERVING_APP_PY)
    web, warnings = detect_default_web(tmp_path, None)
    assert web.command == "python app.py"
    assert warnings == (errors.app_sh_not_executable(),)


def test_django_comes_before_app_objects(tmp_path):
    write(tmp_path / "app.py", FLASK_APP)
    write(tmp_path / "mysite" / "wsgi.py", "application = None\n")
    web = find(tmp_path, django_project(tmp_path))
    assert web == AppTarget("wsgi", "mysite.wsgi:application", "", "mysite/wsgi.py line 1",
                            framework="Django", notes=("App: Django's WSGI application `mysite.wsgi.application`",))


def test_paste_ini_comes_before_app_objects(tmp_path):
    write(tmp_path / "app.py", FLASK_APP)
    write(tmp_path / "production.ini", "# Pyramid\n[app:main]\nuse = egg:myapp\n\n[server:main]\nuse = egg:waitress#main\n")
    web = find(tmp_path)
    assert web == AppTarget("wsgi", "production.ini", "", "production.ini line 2", kind="paste",
                            framework="Pyramid", notes=("App: a PasteDeploy app, [app:main] (Pyramid, WSGI)",))


def test_paste_ini_wins_over_production_ini_and_needs_a_main_app(tmp_path):
    write(tmp_path / "paste.ini", "[app:other]\nuse = call:x:y\n")
    write(tmp_path / "production.ini", "[pipeline:main]\npipeline = myapp\n")
    assert find(tmp_path).target == "production.ini"
    write(tmp_path / "paste.ini", "[composite:main]\nuse = egg:Paste#urlmap\n")
    web = find(tmp_path, declared="FastAPI")   # an ASGI framework cannot be a PasteDeploy app
    assert (web.target, web.framework, web.interface) == ("paste.ini", None, "wsgi")
    assert find(tmp_path, declared="Bottle").framework == "Bottle"


def test_app_objects_come_before_scripts_that_serve(tmp_path):
    write(tmp_path / "app.py", SERVING_APP_PY)
    write(tmp_path / "main.py", FASTAPI_APP)
    assert find(tmp_path).target == "main:app"


@pytest.mark.parametrize("first, second", [
    ("wsgi.py", "asgi.py"), ("asgi.py", "app.py"), ("app.py", "main.py"), ("main.py", "application.py"),
    ("application.py", "server.py"),
])
def test_candidate_files_are_looked_in_in_order(tmp_path, first, second):
    write(tmp_path / second, FLASK_APP)
    write(tmp_path / first, FLASK_APP)
    assert find(tmp_path).origin == f"{first} line 3"


def test_top_level_files_come_before_packages(tmp_path):
    write(tmp_path / "app" / "main.py", FASTAPI_APP)
    write(tmp_path / "server.py", FLASK_APP)
    assert find(tmp_path).target == "server:app"


def test_packages_come_before_src_layout(tmp_path):
    write(tmp_path / "src" / "svc" / "main.py", FASTAPI_APP)
    write(tmp_path / "web" / "app.py", FLASK_APP)
    assert find(tmp_path).target == "web.app:app"


def test_a_file_that_defines_no_app_and_starts_no_server_is_not_a_web_process(tmp_path):
    write(tmp_path / "app.py", "print('hello')\n")
    write(tmp_path / "requirements.txt", "flask\n")
    assert find(tmp_path) is None


def test_nothing_to_serve_gives_no_web_process(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    assert detect_default_web(tmp_path, None) == (None, ())


# -- app objects ----------------------------------------------------------------------------

@pytest.mark.parametrize("source, framework, interface", [
    ("from flask import Flask\napp = Flask(__name__)\n", "Flask", "wsgi"),
    ("import flask\napp = flask.Flask(__name__)\n", "Flask", "wsgi"),
    ("from fastapi import FastAPI\napp = FastAPI(title='x')\n", "FastAPI", "asgi"),
    ("import fastapi as fa\napp = fa.FastAPI()\n", "FastAPI", "asgi"),
    ("from starlette.applications import Starlette\napp = Starlette(routes=[])\n", "Starlette", "asgi"),
    ("from litestar import Litestar\napp = Litestar(route_handlers=[])\n", "Litestar", "asgi"),
    ("from quart import Quart\napp = Quart(__name__)\n", "Quart", "asgi"),
    ("from bottle import Bottle\napp = Bottle()\n", "Bottle", "wsgi"),
    ("import bottle\napp = bottle.default_app()\n", "Bottle", "wsgi"),
    ("import falcon\napp = falcon.App()\n", "Falcon", "wsgi"),
    ("import falcon.asgi\napp = falcon.asgi.App()\n", "Falcon", "asgi"),
    ("from falcon import asgi\napp = asgi.App()\n", "Falcon", "asgi"),
    ("from pyramid.config import Configurator\napp = Configurator().make_wsgi_app()\n", "Pyramid", "wsgi"),
    ("from pyramid.config import Configurator\nwith Configurator() as config:\n    config.add_route('home', '/')\n"
     "    app = config.make_wsgi_app()\n", "Pyramid", "wsgi"),
    ("from flask import *\napp = Flask(__name__)\n", "Flask", "wsgi"),
])
def test_framework_constructors_make_app_objects_classified_wsgi_or_asgi(tmp_path, source, framework, interface):
    write(tmp_path / "app.py", source)
    web = find(tmp_path)
    assert (web.target, web.kind, web.framework, web.interface) == ("app:app", "object", framework, interface)
    assert web.notes == (f"App: {framework} app `app` ({interface.upper()})",)


def test_origin_is_the_file_and_line_of_the_assignment(tmp_path):
    write(tmp_path / "main.py", '"""My API."""\nimport os\n\nfrom fastapi import FastAPI\n\n\napi = FastAPI()\n')
    web = find(tmp_path)
    assert (web.target, web.origin) == ("main:api", "main.py line 7")


def test_application_then_app_then_api_then_any_other_name(tmp_path):
    write(tmp_path / "main.py", FASTAPI_APP + "api = FastAPI()\napplication = app\n")
    assert find(tmp_path).target == "main:application"
    write(tmp_path / "main.py", "from fastapi import FastAPI\nservice = FastAPI()\napi = FastAPI()\n")
    assert find(tmp_path).target == "main:api"
    write(tmp_path / "main.py", "from fastapi import FastAPI\nservice = FastAPI()\n")
    assert find(tmp_path).target == "main:service"


def test_a_middleware_wrapping_the_app_keeps_it_an_app(tmp_path):
    write(tmp_path / "app.py", FLASK_APP + "from whitenoise import WhiteNoise\napplication = WhiteNoise(app, root='static')\n")
    web = find(tmp_path)
    assert (web.target, web.framework, web.origin) == ("app:application", "Flask", "app.py line 5")


def test_a_name_rebound_to_something_else_is_not_an_app(tmp_path):
    write(tmp_path / "app.py", FLASK_APP + "app = 'not an app'\n")
    assert find(tmp_path) is None


def test_plain_wsgi_and_asgi_functions_are_apps(tmp_path):
    write(tmp_path / "app.py", "def application(environ, start_response):\n    return [b'hi']\n")
    web = find(tmp_path)
    assert (web.target, web.interface, web.framework, web.notes) == (
        "app:application", "wsgi", None, ("App: WSGI callable `application`",))
    write(tmp_path / "app.py", "async def app(scope, receive, send):\n    pass\n")
    web = find(tmp_path)
    assert (web.target, web.interface, web.notes) == ("app:app", "asgi", ("App: ASGI callable `app`",))


def test_an_app_defined_only_under_main_is_not_importable(tmp_path):
    write(tmp_path / "app.py", "from flask import Flask\nif __name__ == '__main__':\n    app = Flask(__name__)\n"
                               "    app.run()\n")
    assert find(tmp_path) is None


def test_wsgi_py_application_imported_from_the_app_takes_its_framework(tmp_path):
    write(tmp_path / "wsgi.py", "from hello import create_app\n\napplication = create_app()\n")
    write(tmp_path / "hello" / "__init__.py", "from flask import Flask\n\ndef create_app():\n"
                                              "    app = Flask(__name__)\n    return app\n")
    web = find(tmp_path)
    assert (web.target, web.framework, web.interface, web.origin) == ("wsgi:application", "Flask", "wsgi",
                                                                       "wsgi.py line 3")


def test_wsgi_py_application_imported_from_elsewhere_is_trusted_by_its_name(tmp_path):
    write(tmp_path / "wsgi.py", "from myproject.web import application\n")
    web = find(tmp_path)
    assert (web.target, web.interface, web.origin) == ("wsgi:application", "wsgi", "wsgi.py line 1")
    write(tmp_path / "asgi.py", "from myproject.web import app\n")
    (tmp_path / "wsgi.py").unlink()
    assert (find(tmp_path).target, find(tmp_path).interface) == ("asgi:app", "asgi")


def test_an_app_imported_into_main_py_from_a_local_module_is_found(tmp_path):
    write(tmp_path / "main.py", "from api.app import app\n")
    write(tmp_path / "api" / "app.py", FASTAPI_APP)
    write(tmp_path / "api" / "__init__.py", "")
    web = find(tmp_path)
    assert (web.target, web.framework, web.origin) == ("main:app", "FastAPI", "main.py line 1")


def test_an_unknown_import_outside_wsgi_py_is_not_an_app(tmp_path):
    write(tmp_path / "main.py", "from somewhere import app\n")
    assert find(tmp_path) is None


def test_wsgi_py_that_defines_nothing_is_not_served(tmp_path):
    write(tmp_path / "wsgi.py", "print('hello')\n")
    assert find(tmp_path) is None


def test_a_file_with_a_syntax_error_is_skipped(tmp_path):
    write(tmp_path / "app.py", "def f(:\n")
    write(tmp_path / "main.py", FASTAPI_APP)
    assert find(tmp_path).target == "main:app"


# -- factories -----------------------------------------------------------------------------

FLASK_FACTORY = """\
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    if test_config is not None:
        app.config.from_mapping(test_config)
    return app
"""


def test_a_factory_in_a_package_init_like_the_flask_tutorial(tmp_path):
    write(tmp_path / "flaskr" / "__init__.py", FLASK_FACTORY)
    write(tmp_path / "flaskr" / "db.py", "")
    web = find(tmp_path)
    assert web == AppTarget("wsgi", "flaskr:create_app", "", "flaskr/__init__.py line 6", kind="factory",
                            framework="Flask",
                            notes=("App: Flask app factory `create_app()`, called once per worker (WSGI)",))


@pytest.mark.parametrize("name", ["create_app", "make_app"])
def test_factories_by_name_that_return_an_app(tmp_path, name):
    write(tmp_path / "app.py", f"from starlette.applications import Starlette\n\ndef {name}():\n"
                               "    return Starlette()\n")
    web = find(tmp_path)
    assert (web.target, web.kind, web.interface) == (f"app:{name}", "factory", "asgi")


def test_a_factory_that_needs_arguments_is_not_an_app(tmp_path):
    write(tmp_path / "app.py", "from flask import Flask\n\ndef create_app(config):\n    return Flask(__name__)\n")
    assert find(tmp_path) is None


def test_an_app_object_wins_over_a_factory_in_the_same_file(tmp_path):
    write(tmp_path / "app.py", FLASK_FACTORY + "\napp = create_app()\n")
    web = find(tmp_path)
    assert (web.target, web.kind, web.framework, web.origin) == ("app:app", "object", "Flask", "app.py line 12")


def test_a_tornado_make_app_is_not_a_factory_of_a_wsgi_or_asgi_app(tmp_path):
    write(tmp_path / "app.py", "import tornado.web\n\ndef make_app():\n    return tornado.web.Application([])\n")
    assert find(tmp_path) is None


# nsidnev/fastapi-realworld-example-app's app/main.py, shortened.
REALWORLD_MAIN = """from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.core.config import get_app_settings


def get_application() -> FastAPI:
    settings = get_app_settings()
    application = FastAPI(**settings.fastapi_kwargs)
    application.add_middleware(CORSMiddleware, allow_origins=settings.allowed_hosts)
    return application


app = get_application()
"""


def test_an_app_made_by_a_function_of_the_module_whatever_its_name(tmp_path):
    write(tmp_path / "app" / "__init__.py", "")
    write(tmp_path / "app" / "main.py", REALWORLD_MAIN)
    web = find(tmp_path)
    assert (web.target, web.kind, web.framework, web.interface, web.origin) == (
        "app.main:app", "object", "FastAPI", "asgi", "app/main.py line 14")


@pytest.mark.parametrize("source, framework", [
    # By its return annotation, when the app is made elsewhere.
    ("import flask\nfrom .factory import make\n\ndef build(name) -> flask.Flask:\n    return make(name)\n\n"
     "site = build('x')\n", "Flask"),
    # By the app it makes, with arguments given at the call.
    ("from litestar import Litestar\n\ndef assemble(debug):\n    return Litestar(route_handlers=[], debug=debug)\n\n"
     "site = assemble(False)\n", "Litestar"),
])
def test_a_module_level_call_of_a_function_that_returns_an_app(tmp_path, source, framework):
    write(tmp_path / "main.py", source)
    web = find(tmp_path)
    assert (web.target, web.kind, web.framework) == ("main:site", "object", framework)


@pytest.mark.parametrize("source", [
    # It makes an app but returns nothing: the name is None.
    "from fastapi import FastAPI\n\ndef configure():\n    global api\n    api = FastAPI()\n\nsite = configure()\n",
    # A function of another module (not read): not known to make an app.
    "from fastapi import FastAPI\nfrom .factory import get_application\n\nsite = get_application()\n",
    # Async: calling it makes a coroutine, not an app.
    "from fastapi import FastAPI\n\nasync def build():\n    return FastAPI()\n\nsite = build()\n",
    # It makes an app but returns something else made of it.
    "from fastapi import FastAPI\nfrom fastapi.testclient import TestClient\n\ndef client():\n"
    "    app = FastAPI()\n    return TestClient(app)\n\nsite = client()\n",
])
def test_a_call_of_a_function_not_known_to_return_an_app_is_not_an_app(tmp_path, source):
    write(tmp_path / "main.py", source)
    assert find(tmp_path) is None


# -- packages and src layout -----------------------------------------------------------------

def test_app_main_py_in_a_package(tmp_path):
    write(tmp_path / "app" / "__init__.py", "")
    write(tmp_path / "app" / "main.py", "from fastapi import FastAPI\nfrom .routers import items\n\napp = FastAPI()\n")
    web = find(tmp_path)
    assert (web.target, web.chdir, web.origin, web.interface) == ("app.main:app", "", "app/main.py line 4", "asgi")


def test_package_files_are_looked_in_before_its_init(tmp_path):
    write(tmp_path / "app" / "__init__.py", FLASK_FACTORY)
    write(tmp_path / "app" / "wsgi.py", "from . import create_app\napplication = create_app()\n")
    web = find(tmp_path)
    assert (web.target, web.kind, web.framework) == ("app.wsgi:application", "object", "Flask")


def test_src_layout_runs_from_src(tmp_path):
    write(tmp_path / "src" / "shop" / "__init__.py", "")
    write(tmp_path / "src" / "shop" / "asgi.py", "from litestar import Litestar\napplication = Litestar([])\n")
    web = find(tmp_path)
    assert (web.target, web.chdir, web.origin) == ("shop.asgi:application", "src", "src/shop/asgi.py line 2")


def test_tests_and_docs_directories_are_not_the_app(tmp_path):
    write(tmp_path / "tests" / "app.py", FLASK_APP)
    write(tmp_path / "docs" / "main.py", FASTAPI_APP)
    assert find(tmp_path) is None


def test_apps_in_two_packages_pick_the_first_and_say_so(tmp_path):
    write(tmp_path / "api" / "main.py", FASTAPI_APP)
    write(tmp_path / "web" / "app.py", FLASK_APP)
    web = find(tmp_path)
    assert web.target == "api.main:app"
    assert web.notes[-1] == "Note: also found web.app:app; a Procfile `web` line can choose another"


# -- classification fallbacks --------------------------------------------------------------

def test_an_app_whose_constructor_is_unknown_takes_the_interface_of_the_modules_imports(tmp_path):
    write(tmp_path / "wsgi.py", "import quart\nfrom service import application\n")
    assert (find(tmp_path).framework, find(tmp_path).interface) == ("Quart", "asgi")


def test_then_the_framework_the_dependencies_name(tmp_path):
    write(tmp_path / "wsgi.py", "from service import application\n")
    web = find(tmp_path, declared="FastAPI")
    assert (web.framework, web.interface) == ("FastAPI", "asgi")


def test_then_the_file_name(tmp_path):
    write(tmp_path / "asgi.py", "from service import application\n")
    assert find(tmp_path).interface == "asgi"
    write(tmp_path / "wsgi.py", "from service import application\n")
    assert find(tmp_path).interface == "wsgi"


# -- development servers and scripts that serve ------------------------------------------------

def test_a_dev_server_under_main_is_left_alone_with_a_note(tmp_path):
    write(tmp_path / "app.py", FLASK_APP + "\n\nif __name__ == '__main__':\n    app.run(debug=True)\n")
    web = find(tmp_path)
    assert web.target == "app:app"
    assert web.notes == ("App: Flask app `app` (WSGI)",
                         "Note: app.py line 7 starts Flask's development server under "
                         '`if __name__ == "__main__":`; left alone: a production server serves `app` instead')


def test_uvicorn_run_under_main_is_left_alone_too(tmp_path):
    write(tmp_path / "main.py", FASTAPI_APP + "if __name__ == '__main__':\n    import uvicorn\n"
                                              "    uvicorn.run(app, port=8000)\n")
    web = find(tmp_path)
    assert web.target == "main:app" and "starts uvicorn under" in web.notes[1]


def test_a_dev_server_started_at_import_makes_the_file_a_script(tmp_path):
    write(tmp_path / "app.py", FLASK_APP + "import os\napp.run(host='0.0.0.0', port=int(os.environ['PORT']))\n")
    web = find(tmp_path)
    assert web == Process("web", "python app.py", "app.py line 5", ("python", "app.py"), notes=(
        "App: a script that starts its own server (Flask's development server)",
        "Note: app.py line 5 starts Flask's development server when the module is imported, so a production "
        'server cannot load `app`; put that call under `if __name__ == "__main__":` to have one serve it'))


@pytest.mark.parametrize("source, what", [
    (SERVING_APP_PY, "http.server"),
    ("import os\nimport tornado.web, tornado.ioloop\n\ndef make_app():\n    return tornado.web.Application([])\n\n"
     "if __name__ == '__main__':\n    make_app().listen(int(os.environ['PORT']))\n"
     "    tornado.ioloop.IOLoop.current().start()\n", "Tornado"),
    ("import os\nfrom aiohttp import web\napp = web.Application()\n"
     "web.run_app(app, port=int(os.environ['PORT']))\n", "aiohttp"),
    ("import asyncio, os\nfrom aiohttp import web\n\nasync def main():\n    runner = web.AppRunner(web.Application())\n"
     "    await runner.setup()\n    await web.TCPSite(runner, port=int(os.environ['PORT'])).start()\n\n"
     "asyncio.run(main())\n", "aiohttp"),
    ("import os\nimport waitress\n\ndef app(environ, start_response, extra):\n    pass\n\n"
     "waitress.serve(app, port=os.environ['PORT'])\n", "waitress"),
])
def test_scripts_that_start_a_server_run_with_python(tmp_path, source, what):
    write(tmp_path / "server.py", source)
    web = find(tmp_path)
    assert (web.command, web.argv, web.server) == ("python server.py", ("python", "server.py"), None)
    assert web.notes == (f"App: a script that starts its own server ({what})",)


def test_a_script_that_ignores_port_gets_a_note(tmp_path):
    write(tmp_path / "app.py", "import tornado.web, tornado.ioloop\napp = tornado.web.Application([])\n"
                               "app.listen(8888)\ntornado.ioloop.IOLoop.current().start()\n")
    web = find(tmp_path)
    assert web.origin == "app.py line 3"
    assert web.notes[-1] == "Note: app.py does not read PORT; the platform sends requests to $PORT only"


def test_scripts_in_packages_or_wsgi_py_are_not_run(tmp_path):
    write(tmp_path / "wsgi.py", SERVING_APP_PY)
    write(tmp_path / "pkg" / "app.py", SERVING_APP_PY)
    assert find(tmp_path) is None


# -- Django --------------------------------------------------------------------------------

def django_settings(root, settings, files=("wsgi.py", "asgi.py")):
    write(root / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(root / "mysite" / "settings.py", settings)
    for name in files:
        write(root / "mysite" / name, "application = None\n")
    return find_django(root, {})


def test_django_wsgi_application_setting_is_the_gunicorn_target(tmp_path):
    write(tmp_path / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conf.settings")\n')
    write(tmp_path / "conf" / "settings.py", 'DEBUG = False\nWSGI_APPLICATION = "conf.servers.wsgi.app"\n')
    write(tmp_path / "conf" / "servers" / "wsgi.py", "app = None\n")
    web = find(tmp_path, find_django(tmp_path, {}))
    assert (web.target, web.interface, web.framework) == ("conf.servers.wsgi:app", "wsgi", "Django")
    assert web.origin == "WSGI_APPLICATION in conf/settings.py line 2"


def test_django_asgi_application_setting_means_asgi(tmp_path):
    project = django_settings(tmp_path, 'WSGI_APPLICATION = "mysite.wsgi.application"\n'
                                        'ASGI_APPLICATION = "mysite.asgi.application"\n')
    web = find(tmp_path, project)
    assert (web.target, web.interface, web.origin) == ("mysite.asgi:application", "asgi",
                                                       "ASGI_APPLICATION in mysite/settings.py line 2")


def test_django_project_with_only_asgi_py_is_asgi(tmp_path):
    project = django_settings(tmp_path, "DEBUG = True\n", files=("asgi.py",))
    web = find(tmp_path, project)
    assert (web.target, web.interface, web.origin) == ("mysite.asgi:application", "asgi", "mysite/asgi.py line 1")


def test_django_without_wsgi_or_asgi_py_names_the_project(tmp_path):
    project = django_settings(tmp_path, "DEBUG = True\n", files=())
    assert find(tmp_path, project).origin == "Django project at manage.py"


def test_django_default_origin_is_the_line_that_assigns_application(tmp_path):
    project = django_settings(tmp_path, "DEBUG = True\n", files=())
    write(tmp_path / "mysite" / "wsgi.py", "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n"
                                           "application = get_wsgi_application()\n")
    assert find(tmp_path, project).origin == "mysite/wsgi.py line 5"


def test_django_wsgi_application_naming_a_missing_module_falls_back_to_asgi_py(tmp_path):
    project = django_settings(tmp_path, 'WSGI_APPLICATION = "mysite.wsgi.application"\n', files=("asgi.py",))
    web = find(tmp_path, project)
    assert (web.target, web.interface) == ("mysite.asgi:application", "asgi")
    assert web.notes[-1] == ("Note: WSGI_APPLICATION in mysite/settings.py line 1 names mysite.wsgi.application, "
                             "which does not exist; mysite.asgi.application does")


def test_django_wsgi_application_naming_a_missing_module_with_no_asgi_is_an_error(tmp_path):
    project = django_settings(tmp_path, 'DEBUG = False\n\nWSGI_APPLICATION = "mysite.wsgy.application"\n')
    (tmp_path / "mysite" / "asgi.py").unlink()
    with pytest.raises(errors.DjangoApplicationMissing) as caught:
        detect_default_web(tmp_path, project)
    assert caught.value.title == "WSGI_APPLICATION names a module that does not exist"
    assert "WSGI_APPLICATION in mysite/settings.py line 3 is 'mysite.wsgy.application'" in caught.value.body


def test_django_asgi_application_naming_a_missing_module_is_an_error(tmp_path):
    project = django_settings(tmp_path, 'ASGI_APPLICATION = "mysite.routing.application"\n')
    with pytest.raises(errors.DjangoApplicationMissing) as caught:
        detect_default_web(tmp_path, project)
    assert "ASGI_APPLICATION in mysite/settings.py line 1" in caught.value.body


def test_nested_django_project_runs_gunicorn_with_chdir(tmp_path):
    project = django_project(tmp_path, "src")
    write(tmp_path / "src" / "mysite" / "wsgi.py", "application = None\n")
    web = web_process(detect_default_web(tmp_path, project)[0])
    assert web.argv == (*GUNICORN, "--chdir", "src", "mysite.wsgi:application")
    assert web.command == " ".join(web.argv)
    assert web.server == "gunicorn"


def test_django_project_at_the_top_runs_gunicorn_without_chdir(tmp_path):
    web = web_process(detect_default_web(tmp_path, django_project(tmp_path))[0])
    assert "--chdir" not in web.argv


# -- served by the server the plan picks ------------------------------------------------------

def test_an_app_object_is_served_by_gunicorn_with_its_notes(tmp_path):
    write(tmp_path / "wsgi" / "__init__.py", "def application(environ, start_response):\n    pass\n")
    web, warnings = detect_default_web(tmp_path, None)
    assert web_process(web) == Process("web", " ".join((*GUNICORN, "wsgi:application")), "wsgi/__init__.py line 1",
                                       (*GUNICORN, "wsgi:application"), server="gunicorn",
                                       notes=("App: WSGI callable `application`",
                                              "Server: gunicorn (the default WSGI server)"), interface="wsgi")
    assert warnings == ()


def test_a_factory_is_called_by_gunicorn(tmp_path):
    write(tmp_path / "app" / "__init__.py", FLASK_FACTORY)
    assert web_process(find(tmp_path)).argv == (*GUNICORN, "app:create_app()")


def test_an_asgi_app_is_served_by_gunicorn_with_uvicorn_workers(tmp_path):
    write(tmp_path / "main.py", FASTAPI_APP)
    web = web_process(find(tmp_path))
    assert (web.server, web.interface, web.argv) == ("gunicorn", "asgi", ())
    assert web.command == ("PYBUILDPACK_APP=main:app gunicorn --config python:pybuildpack_launch.gunicorn_config "
                           "--worker-class pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker pybuildpack_launch.asgi_app:behind_router")
    assert web.notes == ("App: FastAPI app `app` (ASGI)",
                         "Server: gunicorn with uvicorn workers (the default ASGI server)")


# -- when nothing is found ------------------------------------------------------------------

def test_hint_for_an_app_in_a_file_not_looked_in(tmp_path):
    write(tmp_path / "service.py", "from fastapi import FastAPI\napi = FastAPI()\n")
    write(tmp_path / "app.py", "print('hello')\n")
    assert find(tmp_path) is None
    assert no_web_hint(tmp_path, "FastAPI") == (
        ("app.py neither defines an app object or factory nor starts a server",
         "service.py line 2 defines a FastAPI app, `api`, in a file not looked in"),
        "web: uvicorn service:api --host 0.0.0.0 --port $PORT")


def test_hint_for_a_flask_factory_in_a_file_not_looked_in(tmp_path):
    write(tmp_path / "hello.py", FLASK_FACTORY)
    assert no_web_hint(tmp_path, None)[1] == "web: gunicorn 'hello:create_app()'"


@pytest.mark.parametrize("declared, line", [
    ("Flask", "web: gunicorn app:app"),
    ("FastAPI", "web: uvicorn main:app --host 0.0.0.0 --port $PORT"),
    ("Pyramid", "web: gunicorn --paste production.ini"),
    (None, None),
])
def test_hint_falls_back_to_an_example_for_the_declared_framework(tmp_path, declared, line):
    assert no_web_hint(tmp_path, declared) == ((), line)

# -- Procfile and default together -------------------------------------------------------

def test_procfile_web_wins_over_the_default(tmp_path):
    write(tmp_path / "app.py", SERVING_APP_PY)
    write(tmp_path / "Procfile", "worker: python worker.py\nweb: python serve.py\n")
    processes = find_processes(tmp_path, None)
    assert processes.default_web.command == "python app.py"
    assert processes.web.command == "python serve.py"
    assert list(processes.all) == ["worker", "web"]


def test_default_web_is_added_first_to_a_procfile_without_web(tmp_path):
    write(tmp_path / "app.py", SERVING_APP_PY)
    write(tmp_path / "Procfile", "worker: python worker.py\n")
    processes = find_processes(tmp_path, None)
    assert list(processes.all) == ["web", "worker"]
    assert processes.web.origin == "app.py line 3"


def test_no_procfile_and_nothing_to_serve_has_no_web(tmp_path):
    processes = find_processes(tmp_path, None)
    assert processes == Processes({}, None)
    assert processes.web is None and processes.all == {} and processes.detected == {}


def test_only_the_detected_web_is_a_default_process_type(tmp_path):
    write(tmp_path / "app.py", SERVING_APP_PY)
    write(tmp_path / "Procfile", "worker: python worker.py\n")
    assert list(find_processes(tmp_path, None).detected) == ["web"]
    write(tmp_path / "Procfile", "web: python serve.py\n")
    assert find_processes(tmp_path, None).detected == {}


def test_an_app_made_from_the_modules_own_subclass_of_a_framework_app(tmp_path):
    write(tmp_path / "main" / "__init__.py", "from .app import app\n")
    write(tmp_path / "main" / "app.py", "from fastapi import FastAPI\n\nclass Application(FastAPI):\n"
                                        "    pass\n\napp = Application()\n")
    web = find(tmp_path)
    assert (web.target, web.framework, web.interface, web.origin) == ("main.app:app", "FastAPI", "asgi",
                                                                       "main/app.py line 6")


def test_a_local_class_named_app_is_not_taken_for_falcon(tmp_path):
    write(tmp_path / "app.py", "class App:\n    pass\n\napp = App()\n")
    assert find(tmp_path) is None


def test_a_server_started_in_a_function_nothing_calls_does_not_make_a_script(tmp_path):
    write(tmp_path / "app.py", "import http.server\n\ndef serve():\n"
                               "    http.server.HTTPServer(('', 8000), None).serve_forever()\n")
    assert find(tmp_path) is None
    write(tmp_path / "app.py", "import http.server\n\ndef serve():\n"
                               "    http.server.HTTPServer(('', 8000), None).serve_forever()\n\n"
                               "if __name__ == '__main__':\n    serve()\n")
    assert find(tmp_path).command == "python app.py"


def test_an_app_in_a_file_the_builds_python_cannot_parse_is_found_by_its_text(tmp_path):
    write(tmp_path / "main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n\nmatch case of := broken\n")
    web = find(tmp_path)
    assert (web.target, web.framework, web.interface, web.origin) == ("main:app", "FastAPI", "asgi", "main.py line 3")
    assert web.notes[-1].startswith("Note: main.py could not be parsed by Python 3.")
    assert web.notes[-1].endswith("(the build's); `app` was found by its text")


def test_a_file_that_cannot_be_parsed_is_named_in_the_no_web_hint(tmp_path):
    write(tmp_path / "app.py", "def f(:\n")
    assert no_web_hint(tmp_path, None) == (("app.py could not be parsed as Python",), None)


def test_a_procfile_with_a_byte_order_mark_and_crlf_lines_is_read_as_written(tmp_path):
    (tmp_path / "Procfile").write_bytes(b"\xef\xbb\xbfweb: gunicorn app:app\r\nworker: python w.py\r\n")
    processes = parse_procfile(tmp_path)
    assert [(p.name, p.command) for p in processes.values()] == [("web", "gunicorn app:app"),
                                                               ("worker", "python w.py")]


def test_a_process_type_defined_twice_is_an_error_naming_both_lines(tmp_path):
    write(tmp_path / "Procfile", "web: gunicorn app:app\n# the old one\nweb: python app.py\n")
    with pytest.raises(errors.ProcfileDuplicate) as raised:
        parse_procfile(tmp_path)
    assert "Procfile line 3 defines the process type `web` again; line 1" in raised.value.body
