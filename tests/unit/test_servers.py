"""The web servers and how a process names one (pybuildpack.servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuildpack import servers
from pybuildpack.inspect.processes import AppTarget
from pybuildpack.servers.base import Server
from pybuildpack.servers.gunicorn import CONFIG, Gunicorn


def test_gunicorn_serves_a_wsgi_target_with_our_config():
    target = AppTarget("wsgi", "wsgi:app", "", "wsgi.py")
    assert servers.choose(target, lambda n: False, None).server.command(target, Path(".")) == ("gunicorn", "--config", CONFIG, "wsgi:app")


def test_gunicorn_imports_a_nested_target_from_its_directory():
    target = AppTarget("wsgi", "mysite.wsgi:application", "src", "Django project at src/manage.py")
    assert Gunicorn().command(target, Path(".")) == ("gunicorn", "--config", CONFIG, "--chdir", "src",
                                          "mysite.wsgi:application")


@pytest.mark.parametrize("command, expected", [
    ("gunicorn app:app", "gunicorn"),
    ("exec gunicorn --bind 0.0.0.0:$PORT app:app", "gunicorn"),
    ("FOO=1 /srv/venv/bin/gunicorn app:app", "gunicorn"),
    ("python -m gunicorn app:app", "gunicorn"),
    ("python3 -m gunicorn app:app", "gunicorn"),
    ("uvicorn app:app --port $PORT", "uvicorn"),
    ("waitress-serve app:app", "waitress"),
    ("uwsgi --http :$PORT --module app:app", "uwsgi"),
    ("mod_wsgi-express start-server wsgi.py --port $PORT", "mod_wsgi"),
    ("python app.py", None),
    ("echo 'unclosed", None),
    ("", None),
])
def test_procfile_commands_are_recognised_by_the_server_they_start(command, expected):
    found = servers.running(command)
    assert (found.name if found else None) == expected


def test_every_registered_server_is_complete():
    for name, server in servers.SERVERS.items():
        assert isinstance(server, Server) and server.name == name
        assert server.interfaces and server.pins
    for interface, name in servers.DEFAULT.items():
        assert interface in servers.get(name).interfaces


def test_a_server_without_a_reloader_of_its_own_says_so():
    class Plain(Server):
        name, interfaces, pins = "plain", ("wsgi",), ()

        def command(self, target):
            return ("plain", target.target)

    assert Plain().reload({"A": "1"}) == (None, "")
