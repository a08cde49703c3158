"""uWSGI's Python home: a `$(VIRTUAL_ENV)` home where no virtualenv is active
(Heroku and S2I, whose packages are in the runtime's own Python) stops the
compiled uWSGI at boot, so the build refuses it (servers.check_configs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pybuildpack import errors, servers
from pybuildpack.inspect.processes import Process
from pybuildpack.servers.uwsgi import read_options

PROCFILE = Process("web", "uwsgi ./etc/uwsgi.ini", "Procfile line 2")
# Where the app's packages are in a virtualenv (CNB, local), the platform sets VIRTUAL_ENV.
IN_VIRTUALENV = {"VIRTUAL_ENV": "/layers/python/venv"}
DOCKER_INI = "[uwsgi]\nhttp-socket = :$(PORT)\nmaster = true\nvirtualenv = $(VIRTUAL_ENV)\nwsgi-file = app.py\n"


def declares(*names: str):
    return lambda name: name in names


def check(app: Path, process: Process, runtime_env=None, declared=("uwsgi",)) -> None:
    servers.check_configs({process.name: process}, app, declares(*declared), runtime_env or {})


def write(app: Path, name: str, text: str) -> None:
    (app / name).parent.mkdir(parents=True, exist_ok=True)
    (app / name).write_text(text)


def test_a_virtualenv_home_from_an_ini_file_fails_the_build_naming_the_file_and_line(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", DOCKER_INI)
    with pytest.raises(errors.UwsgiHomeUnset) as raised:
        check(tmp_path, PROCFILE)
    body = raised.value.body
    assert "etc/uwsgi.ini line 4 sets `virtualenv = $(VIRTUAL_ENV)`" in body
    assert "for the web process" in body and "if-env = VIRTUAL_ENV" in body


def test_the_same_ini_passes_where_the_packages_are_in_a_virtualenv_or_a_config_var_sets_it(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", DOCKER_INI)
    check(tmp_path, PROCFILE, IN_VIRTUALENV)
    check(tmp_path, PROCFILE, {"VIRTUAL_ENV": "/app/.heroku/python"})


def test_pyuwsgi_ignores_the_home_so_only_the_compiled_uwsgi_is_held_to_it(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", DOCKER_INI)
    check(tmp_path, PROCFILE, declared=("pyuwsgi",))
    check(tmp_path, PROCFILE, declared=())       # the build adds pyuwsgi
    with pytest.raises(errors.UwsgiHomeUnset):
        check(tmp_path, PROCFILE, declared=("uwsgi", "pyuwsgi"))


def test_a_home_only_set_where_virtual_env_is_set_passes(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", "[uwsgi]\nif-env = VIRTUAL_ENV\nvirtualenv = %(_)\nendif =\n"
                                     "; home = $(VIRTUAL_ENV)\n# venv = $(VIRTUAL_ENV)\n")
    check(tmp_path, PROCFILE)


def test_only_the_uwsgi_section_counts_and_every_name_of_the_home_option_does(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", "[docker]\nhome = $(VIRTUAL_ENV)\n[uwsgi]\nmaster = true\n")
    check(tmp_path, PROCFILE)
    for option in ("home", "virtualenv", "venv", "pyhome"):
        write(tmp_path, "etc/uwsgi.ini", f"[uwsgi]\n{option}=$(VIRTUAL_ENV)/\n")
        with pytest.raises(errors.UwsgiHomeUnset) as raised:
            check(tmp_path, PROCFILE)
        assert f"etc/uwsgi.ini line 2 sets `{option} = $(VIRTUAL_ENV)/`" in raised.value.body


@pytest.mark.parametrize("command, setting", [
    ("uwsgi --http :$PORT --home $VIRTUAL_ENV --module app", "--home $VIRTUAL_ENV"),
    ("exec uwsgi --http :$PORT -H ${VIRTUAL_ENV} --module app", "-H ${VIRTUAL_ENV}"),
    ("uwsgi --virtualenv=$VIRTUAL_ENV --module app", "--virtualenv=$VIRTUAL_ENV"),
])
def test_a_virtualenv_home_on_the_command_line_fails_naming_the_procfile_line(tmp_path, command, setting):
    with pytest.raises(errors.UwsgiHomeUnset) as raised:
        check(tmp_path, Process("web", command, "Procfile line 1"))
    assert f"Procfile line 1 sets `{setting}`" in raised.value.body
    assert f"remove `{setting}` from the" in raised.value.body


def homes(words, app: Path) -> list:
    return [(s.where, s.value) for s in read_options(words, app, "Procfile line 1") if s.option == "home"
            or s.option in ("virtualenv", "venv", "pyhome")]


def test_ini_files_are_found_as_uwsgi_reads_them(tmp_path):
    write(tmp_path, "a.ini", "[uwsgi]\nhome = /a\n")
    write(tmp_path, "b.ini", "[uwsgi]\nvenv = /b\n[other]\nhome = /x\n")
    write(tmp_path, "sub/c.ini", "[uwsgi]\npyhome = /c\n")
    words = ["uwsgi", "--ini", "a.ini", "--ini=b.ini:other", "sub/c.ini", "--socket", "x.ini", "-M", "-H", "/d"]
    assert homes(words, tmp_path) == [
        ("Procfile line 1", "/d"), ("a.ini line 2", "/a"), ("b.ini line 4", "/x"), ("sub/c.ini line 2", "/c")]
    # A missing file, a directory, a FIFO (which would block), a value that is not a file: nothing to read.
    (tmp_path / "dir.ini").mkdir()
    os.mkfifo(tmp_path / "fifo.ini")
    assert read_options(["uwsgi", "--ini", "missing.ini", "dir.ini", "fifo.ini", "--ini"], tmp_path, "x") == []


def test_flags_take_no_value_and_options_take_the_next_word(tmp_path):
    words = ["uwsgi", "--master", "--http", ":8000", "-M", "--processes=4", "--die-on-term", "--module", "app"]
    assert [(s.option, s.value, s.written) for s in read_options(words, tmp_path, "Procfile line 1")] == [
        ("master", "", "--master"), ("http", ":8000", "--http :8000"), ("master", "", "-M"),
        ("processes", "4", "--processes=4"), ("die-on-term", "", "--die-on-term"), ("module", "app", "--module app")]


def test_the_generated_command_reads_the_apps_uwsgi_ini_from_its_directory(tmp_path):
    write(tmp_path, "src/uwsgi.ini", DOCKER_INI)
    web = Process("web", "python -m pybuildpack_launch.wsgi_uwsgi --chdir src mysite.wsgi:application "
                         "--ini uwsgi.ini", "Django project at src/manage.py", server="uwsgi", interface="wsgi")
    with pytest.raises(errors.UwsgiHomeUnset) as raised:
        check(tmp_path, web)
    assert "src/uwsgi.ini line 4 sets" in raised.value.body
    check(tmp_path, web, IN_VIRTUALENV)


def test_other_servers_and_commands_are_not_read(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", DOCKER_INI)
    check(tmp_path, Process("web", "gunicorn app:app --config etc/uwsgi.ini", "Procfile line 1"))
    check(tmp_path, Process("worker", "celery -A app worker", "Procfile line 2"))
    check(tmp_path, Process("web", "uwsgi 'unbalanced", "Procfile line 1"))


@pytest.mark.parametrize("in_virtualenv, config, fails", [
    (False, {}, True),                                          # Heroku, S2I: the runtime's own Python
    (True, {}, False),                                          # CNB, local: a virtualenv, VIRTUAL_ENV set
    (False, {"VIRTUAL_ENV": "/app/.heroku/python"}, False),     # set by a config var
])
def test_the_build_holds_the_app_to_where_its_packages_are(tmp_path, in_virtualenv, config, fails):
    from pybuildpack.build import Build, Layout
    from pybuildpack.config import ConfigVars
    from pybuildpack.plan import make_plan

    from .helpers import string_log

    app = tmp_path / "app"
    write(app, "requirements.txt", "flask\nuwsgi==2.0.31\n")
    write(app, "Procfile", "web: uwsgi etc/uwsgi.ini\n")
    write(app, "etc/uwsgi.ini", DOCKER_INI)
    runtime = tmp_path / "python"
    env = tmp_path / "venv" if in_virtualenv else runtime
    layout = Layout(app_dir=app, runtime_prefix=runtime, env_prefix=env, state_dir=tmp_path / "state")
    build = Build(make_plan(app, ConfigVars(config)), layout, None, ConfigVars(config), string_log())
    if fails:
        with pytest.raises(errors.UwsgiHomeUnset):
            build.check_server_configs()
    else:
        build.check_server_configs()


# -- SIGTERM: uWSGI 2.0's master reloads on it ----------------------------------------------------

MASTER_INI = "[uwsgi]\nhttp-socket = :$(PORT)\nmaster = true\nmodule = app\n"


def warnings_for(app: Path, command: str, config=None, declared=("uwsgi",)) -> list:
    process = Process("web", command, "Procfile line 1")
    return servers.config_warnings({"web": process}, app, declares(*declared), config or {})


def test_a_master_without_a_stop_on_sigterm_is_warned_about_naming_the_file_to_add_to(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", MASTER_INI)
    [(title, body)] = warnings_for(tmp_path, "uwsgi etc/uwsgi.ini")
    assert title == "uWSGI reloads when asked to stop"
    assert "The web process runs uWSGI with a master process (etc/uwsgi.ini line 3)" in body
    assert "Add these lines to etc/uwsgi.ini, so that" in body
    assert "    die-on-term = true\n    hook-master-start = unix_signal:15 gracefully_kill_them_all" in body


def test_on_the_command_line_the_fix_is_for_the_command(tmp_path):
    [(_, body)] = warnings_for(tmp_path, "uwsgi --master --http :$PORT --module app")
    assert "master process (Procfile line 1)" in body and "to the command" in body


@pytest.mark.parametrize("command, ini, config", [
    ("uwsgi etc/uwsgi.ini --die-on-term", MASTER_INI, {}),
    ("uwsgi etc/uwsgi.ini", MASTER_INI + "die-on-term = true\n", {}),
    ("uwsgi etc/uwsgi.ini", MASTER_INI + "hook-master-start = unix_signal:15 gracefully_kill_them_all\n", {}),
    ("uwsgi etc/uwsgi.ini", MASTER_INI, {"UWSGI_DIE_ON_TERM": "1"}),
    ("UWSGI_DIE_ON_TERM=true uwsgi etc/uwsgi.ini", MASTER_INI, {}),
    ("uwsgi etc/uwsgi.ini", MASTER_INI.replace("master = true", "master = false"), {}),
    ("uwsgi --http :$PORT --module app", "", {}),                       # no master: SIGTERM stops it
])
def test_no_warning_when_uwsgi_stops_on_sigterm(tmp_path, command, ini, config):
    write(tmp_path, "etc/uwsgi.ini", ini)
    assert warnings_for(tmp_path, command, config) == []


def test_pyuwsgi_stops_on_sigterm(tmp_path):
    write(tmp_path, "etc/uwsgi.ini", MASTER_INI)
    assert warnings_for(tmp_path, "uwsgi etc/uwsgi.ini", declared=("pyuwsgi",)) == []


def test_the_plan_warns_for_a_procfile_command_not_for_the_one_pybuildpack_writes(tmp_path):
    from pybuildpack.config import ConfigVars
    from pybuildpack.plan import make_plan

    write(tmp_path, "requirements.txt", "flask\nuwsgi==2.0.31\n")
    write(tmp_path, "wsgi.py", "from flask import Flask\napp = Flask(__name__)\n")
    write(tmp_path, "uwsgi.ini", MASTER_INI)   # read by pybuildpack's runner, which stops gracefully itself
    titles = [title for title, _ in make_plan(tmp_path, ConfigVars({})).warnings]
    assert "uWSGI reloads when asked to stop" not in titles
    write(tmp_path, "Procfile", "web: uwsgi uwsgi.ini\n")
    titles = [title for title, _ in make_plan(tmp_path, ConfigVars({})).warnings]
    assert "uWSGI reloads when asked to stop" in titles
