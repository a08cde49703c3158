"""The local platform's pure parts: finding the app, ports, the process environment (pybuildpack.platforms.local)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pybuildpack import errors
from pybuildpack.config import ConfigVars
from pybuildpack.inspect.files import detected_by, is_buildpack
from pybuildpack.inspect.processes import Process
from pybuildpack.plan import make_plan
from pybuildpack.platforms import local

from .helpers import write

REPO = Path(__file__).resolve().parents[2]


def launch_for(app, record=None, dotenv=None):
    write(app / "app.py", "")
    return local.Prepared(app, record or {}, dotenv or {}, make_plan(app, ConfigVars(dotenv or {})))


def test_the_cache_root_follows_the_variable_then_xdg_then_home():
    assert local.cache_root({"PYBUILDPACK_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c")
    assert local.cache_root({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/pybuildpack")
    assert local.cache_root({"HOME": "/h"}) == Path("/h/.cache/pybuildpack")


def test_find_app_accepts_an_app_and_names_what_is_wrong_otherwise(tmp_path):
    write(tmp_path / "app" / "requirements.txt", "")
    assert local.find_app(tmp_path / "app") == (tmp_path / "app").resolve()
    with pytest.raises(errors.AppDirMissing):
        local.find_app(tmp_path / "missing")
    write(tmp_path / "empty" / "README.md", "")
    with pytest.raises(errors.AppNotFound):
        local.find_app(tmp_path / "empty")
    with pytest.raises(errors.BuildpackNotApp):
        local.find_app(REPO)


def test_a_buildpack_checkout_is_not_detected_even_with_a_pyproject(tmp_path):
    assert is_buildpack(REPO) and (REPO / "pyproject.toml").is_file()
    assert detected_by(REPO) == []
    write(tmp_path / "pyproject.toml", "")
    write(tmp_path / "bin" / "compile", "")  # an app's own bin/ scripts are not a buildpack
    assert detected_by(tmp_path) == ["pyproject.toml"]


def test_the_port_is_the_option_then_port_then_5000():
    assert local.resolve_port("8001", {"PORT": "8002"}) == 8001
    assert local.resolve_port(None, {"PORT": "8002"}) == 8002
    assert local.resolve_port(None, {}) == local.DEFAULT_PORT == 5000
    assert local.resolve_port(None, {"PORT": ""}) == 5000


@pytest.mark.parametrize("option, env, where", [
    ("http", {}, "--port"), (None, {"PORT": "0"}, "PORT"), (None, {"PORT": "70000"}, "PORT"),
    (None, {"PORT": "-1"}, "PORT"),
])
def test_a_port_that_is_not_one_is_an_error(option, env, where):
    with pytest.raises(errors.PortInvalid) as raised:
        local.resolve_port(option, env)
    assert raised.value.body.startswith(f"{where} is ")


def test_a_port_someone_listens_on_is_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(errors.PortInUse) as raised:
            local.check_port_free(port)
    assert "another program is listening on it" in raised.value.body
    local.check_port_free(port)  # free again once closed


def test_the_process_environment_is_productions_with_dotenv_over_the_shell(tmp_path):
    launch = launch_for(tmp_path, dotenv={"FROM_BOTH": "dotenv", "ONLY_DOTENV": "1"})
    shell = {"PATH": "/usr/bin", "FROM_BOTH": "shell", "PYTHONPATH": "/buildpack/lib", "VIRTUAL_ENV": "/other",
             "PYBUILDPACK_UV_BIN": "/uv", "WEB_CONCURRENCY": "3", "LANG": "en_GB.UTF-8"}
    env = local.process_environment(launch, shell, 5123)
    venv = tmp_path / ".pybuildpack" / "venv"
    assert env["PATH"] == f"{venv}/bin:/usr/bin"
    assert env["VIRTUAL_ENV"] == str(venv)
    assert (env["FROM_BOTH"], env["ONLY_DOTENV"]) == ("dotenv", "1")
    assert "PYTHONPATH" not in env and "PYBUILDPACK_UV_BIN" not in env
    assert (env["PORT"], env["WEB_CONCURRENCY"], env["PYTHONUNBUFFERED"], env["LANG"]) == \
        ("5123", "3", "1", "en_GB.UTF-8")
    assert "DJANGO_SETTINGS_MODULE" not in env


def test_web_concurrency_is_derived_as_in_production_when_unset(tmp_path):
    env = local.process_environment(launch_for(tmp_path), {"PATH": "/usr/bin:/bin"}, 5000)
    assert int(env["WEB_CONCURRENCY"]) >= 1


def test_django_gets_the_static_root_wrapper_only_when_the_build_supplied_it(tmp_path):
    record = {"django": {"settings_module": "mysite.settings", "static_root_supplied": True}}
    env = local.process_environment(launch_for(tmp_path, record), {"PATH": "/bin"}, 5000)
    assert (env["DJANGO_SETTINGS_MODULE"], env["PYBUILDPACK_DJANGO_SETTINGS_MODULE"]) == \
        ("pybuildpack_launch.django_settings", "mysite.settings")
    own = local.process_environment(launch_for(tmp_path, record, {"DJANGO_SETTINGS_MODULE": "mysite.prod"}),
                                    {"PATH": "/bin"}, 5000)
    assert own["DJANGO_SETTINGS_MODULE"] == "mysite.prod" and "PYBUILDPACK_DJANGO_SETTINGS_MODULE" not in own
    record["django"]["static_root_supplied"] = False
    assert "DJANGO_SETTINGS_MODULE" not in local.process_environment(launch_for(tmp_path, record), {}, 5000)


def test_django_gets_the_wrapper_for_an_empty_allowed_hosts_with_localhost_allowed(tmp_path):
    record = {"django": {"settings_module": "mysite.settings", "static_root_supplied": False, "wrapped": True}}
    env = local.process_environment(launch_for(tmp_path, record), {"PATH": "/bin"}, 5000)
    assert env["DJANGO_SETTINGS_MODULE"] == "pybuildpack_launch.django_settings"
    # The wrapper allows localhost names for a local run (launch/allowed_hosts.py).
    assert env["PYBUILDPACK_LOCAL_RUN"] == "1"
    record["django"]["wrapped"] = False
    env = local.process_environment(launch_for(tmp_path, record), {"PATH": "/bin"}, 5000)
    assert "DJANGO_SETTINGS_MODULE" not in env and "PYBUILDPACK_LOCAL_RUN" not in env


@pytest.mark.parametrize("process, reloads", [
    (Process("web", "gunicorn app:app", "Procfile line 1"), True),
    (Process("web", "exec gunicorn --bind 0.0.0.0:$PORT app:app", "Procfile line 1"), True),
    (Process("web", "gunicorn --config c wsgi:app", "wsgi.py", ("gunicorn", "--config", "c", "wsgi:app"),
             server="gunicorn"), True),
    (Process("web", "python app.py", "app.py", ("python", "app.py")), False),
    (Process("web", "uvicorn app:app --port $PORT", "Procfile line 1"), False),
])
def test_servers_that_reload_code_themselves_are_asked_to(process, reloads):
    env, message = local.server_reload(process, {"GUNICORN_CMD_ARGS": "--workers 2"})
    if reloads:
        assert env["GUNICORN_CMD_ARGS"] == "--workers 2 --reload"
        assert message == "Reloading on code changes (gunicorn --reload)"
    else:
        assert (env, message) == (None, "")


def test_our_processes_run_as_argv_and_procfile_lines_under_bash():
    ours = Process("web", "python app.py", "app.py", ("python", "app.py"))
    assert local.process_argv(ours, {"PATH": "/usr/bin:/bin"}) == ["python", "app.py"]
    theirs = Process("web", "python app.py $PORT", "Procfile line 1")
    argv = local.process_argv(theirs, {"PATH": "/usr/bin:/bin"})
    assert argv[0].endswith("bash") and argv[1:] == ["-c", "python app.py $PORT"]


def test_an_unknown_process_lists_the_known_ones(tmp_path):
    write(tmp_path / "app.py", "import http.server\nhttp.server.HTTPServer(('', 5000), None).serve_forever()\n")
    write(tmp_path / "Procfile", "worker: python work.py\n")
    plan = make_plan(tmp_path, ConfigVars({}))
    assert local.find_process(plan, "worker").command == "python work.py"
    with pytest.raises(errors.UnknownProcess) as raised:
        local.find_process(plan, "wrker")
    assert "    web: python app.py  (app.py line 2)\n    worker: python work.py  (Procfile line 1)" in raised.value.body


def test_the_build_record_survives_a_round_trip_and_ignores_other_formats(tmp_path):
    paths = local.Paths(tmp_path)
    assert local.read_record(paths) == {}
    local.write_record(paths, {"install_key": "abc"})
    assert local.read_record(paths) == {"format": local.RECORD_FORMAT, "install_key": "abc"}
    paths.record.write_text('{"format": 999}')
    assert local.read_record(paths) == {}
    paths.record.write_text("not json")
    assert local.read_record(paths) == {}
