"""The Procfile and the default web process (inspect.processes)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.inspect.django import find_django
from pybuildpack.inspect.processes import AppTarget, Process, Processes, detect_default_web, parse_procfile, wsgi_callable
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


# -- default web: order -----------------------------------------------------------------

def test_executable_app_sh_is_the_web_process(tmp_path):
    write(tmp_path / "app.sh", "#!/bin/sh\n", executable=True)
    write(tmp_path / "app.py")
    web, warnings = detect_default_web(tmp_path, django_project(tmp_path))
    assert web == Process("web", "./app.sh", "app.sh", ("./app.sh",))
    assert warnings == ()


def test_app_py_comes_before_django(tmp_path):
    write(tmp_path / "app.py")
    web, _ = detect_default_web(tmp_path, django_project(tmp_path))
    assert web == Process("web", "python app.py", "app.py", ("python", "app.py"))


def test_django_comes_before_wsgi_py(tmp_path):
    write(tmp_path / "wsgi.py", "application = None\n")
    web, _ = detect_default_web(tmp_path, django_project(tmp_path))
    assert web == AppTarget("wsgi", "mysite.wsgi:application", "", "Django project at manage.py")


def test_wsgi_py_comes_before_a_wsgi_package(tmp_path):
    write(tmp_path / "wsgi.py", "application = None\n")
    write(tmp_path / "wsgi" / "__init__.py", "app = None\n")
    web, _ = detect_default_web(tmp_path, None)
    assert web == AppTarget("wsgi", "wsgi:application", "", "wsgi.py")


def test_wsgi_package_is_served_by_gunicorn(tmp_path):
    write(tmp_path / "wsgi" / "__init__.py", "def application(environ, start_response):\n    pass\n")
    web, warnings = detect_default_web(tmp_path, None)
    assert web_process(web) == Process("web", " ".join((*GUNICORN, "wsgi:application")), "wsgi/__init__.py",
                                       (*GUNICORN, "wsgi:application"), server="gunicorn",
                                       notes=("Server: gunicorn (the default WSGI server)",))
    assert warnings == ()


def test_nothing_to_serve_gives_no_web_process(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    assert detect_default_web(tmp_path, None) == (None, ())


def test_non_executable_app_sh_warns_and_falls_through(tmp_path):
    write(tmp_path / "app.sh", "#!/bin/sh\n")
    write(tmp_path / "app.py")
    web, warnings = detect_default_web(tmp_path, None)
    assert web.command == "python app.py"
    assert warnings == (errors.app_sh_not_executable(),)


# -- default web: WSGI details ----------------------------------------------------------

def test_wsgi_py_with_app_instead_of_application(tmp_path):
    write(tmp_path / "wsgi.py", "from flask import Flask\napp = Flask(__name__)\n")
    web, warnings = detect_default_web(tmp_path, None)
    assert web.target == "wsgi:app"
    assert warnings == ()


def test_wsgi_py_without_a_callable_warns_and_assumes_application(tmp_path):
    write(tmp_path / "wsgi.py", "print('hello')\n")
    web, warnings = detect_default_web(tmp_path, None)
    assert web.target == "wsgi:application"
    assert warnings == (errors.wsgi_callable_missing("wsgi.py"),)


@pytest.mark.parametrize("source, name", [
    ("application = make()\napp = other()\n", "application"),
    ("def application(environ, start_response): pass\n", "application"),
    ("from myproject.wsgi import application\n", "application"),
    ("from myproject import create_app as app\n", "app"),
    ("app: object = make()\n", "app"),
    ("def f(:\n", None),
])
def test_wsgi_callable_prefers_application_then_app(tmp_path, source, name):
    assert wsgi_callable(write(tmp_path / "wsgi.py", source)) == name


def test_django_wsgi_application_setting_is_the_gunicorn_target(tmp_path):
    write(tmp_path / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conf.settings")\n')
    write(tmp_path / "conf" / "settings.py", 'WSGI_APPLICATION = "conf.servers.wsgi.app"\n')
    web, _ = detect_default_web(tmp_path, find_django(tmp_path, {}))
    assert web.target == "conf.servers.wsgi:app"
    assert web.origin == "WSGI_APPLICATION in conf/settings.py"


def test_nested_django_project_runs_gunicorn_with_chdir(tmp_path):
    project = django_project(tmp_path, "src")
    web = web_process(detect_default_web(tmp_path, project)[0])
    assert web.argv == (*GUNICORN, "--chdir", "src", "mysite.wsgi:application")
    assert web.command == " ".join(web.argv)
    assert web.server == "gunicorn"


def test_django_project_at_the_top_runs_gunicorn_without_chdir(tmp_path):
    web = web_process(detect_default_web(tmp_path, django_project(tmp_path))[0])
    assert "--chdir" not in web.argv


# -- Procfile and default together -------------------------------------------------------

def test_procfile_web_wins_over_the_default(tmp_path):
    write(tmp_path / "app.py")
    write(tmp_path / "Procfile", "worker: python worker.py\nweb: python serve.py\n")
    processes = find_processes(tmp_path, None)
    assert processes.default_web.command == "python app.py"
    assert processes.web.command == "python serve.py"
    assert list(processes.all) == ["worker", "web"]


def test_default_web_is_added_first_to_a_procfile_without_web(tmp_path):
    write(tmp_path / "app.py")
    write(tmp_path / "Procfile", "worker: python worker.py\n")
    processes = find_processes(tmp_path, None)
    assert list(processes.all) == ["web", "worker"]
    assert processes.web.origin == "app.py"


def test_no_procfile_and_nothing_to_serve_has_no_web(tmp_path):
    processes = find_processes(tmp_path, None)
    assert processes == Processes({}, None)
    assert processes.web is None and processes.all == {} and processes.detected == {}


def test_only_the_detected_web_is_a_default_process_type(tmp_path):
    write(tmp_path / "app.py")
    write(tmp_path / "Procfile", "worker: python worker.py\n")
    assert list(find_processes(tmp_path, None).detected) == ["web"]
    write(tmp_path / "Procfile", "web: python serve.py\n")
    assert find_processes(tmp_path, None).detected == {}
