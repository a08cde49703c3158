"""Source-to-Image: config vars, the web process OpenShift's variables name, and the run and save-artifacts scripts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from pybuildpack import errors
from pybuildpack.config import ConfigVars
from pybuildpack.inspect.declared_web import declared_web, names_same, parse_app_module
from pybuildpack.inspect.processes import Process, parse_procfile
from pybuildpack.launch_config import LaunchConfig
from pybuildpack.plan import make_plan
from pybuildpack.platforms import s2i

from .helpers import write


# --- config vars -------------------------------------------------------------------------------

def test_s2i_environment_is_name_value_lines_taken_as_they_are_the_last_one_winning():
    text = "# build settings\n\nAPP_FILE=server.py\nGREETING=\"hello there\"\nA=1\nA=2\nEMPTY=\n"
    assert s2i.parse_environment_file(text) == {"APP_FILE": "server.py", "GREETING": '"hello there"', "A": "2",
                                                 "EMPTY": ""}


@pytest.mark.parametrize("line, reason", [("APP_FILE server.py", "it has no `=`"),
                                          ("1APP=x", "a name has letters")])
def test_an_invalid_s2i_environment_line_is_an_error_naming_its_number(line, reason):
    with pytest.raises(errors.S2iEnvironmentInvalid) as raised:
        s2i.parse_environment_file(f"A=1\n{line}\n")
    assert ".s2i/environment line 2 is not of the form NAME=value" in raised.value.body
    assert reason in raised.value.body


def test_the_build_environment_wins_over_s2i_environment_and_the_machines_variables_are_not_config(tmp_path):
    write(tmp_path / ".s2i" / "environment", "APP_FILE=missing.py\nSECRET_KEY=from-file\n")
    environ = {"APP_FILE": "server.py", "PATH": "/usr/bin", "HOME": "/opt/app-root/src", "HOSTNAME": "build-1",
               "PYBUILDPACK_S2I_APP": "/x", "PYBUILDPACK_UV": "/usr/local/bin/uv", "LC_ALL": "C"}
    config = s2i.read_config(tmp_path, environ)
    assert config.all == {"APP_FILE": "server.py", "SECRET_KEY": "from-file"}
    assert config.ignored == []     # PATH and HOME are the machine's, not a user's config var to warn about


@pytest.mark.parametrize("value, root", [("backend", "backend"), ("./backend/", "backend"), (".", None),
                                         ("services/api", "services/api")])
def test_app_home_becomes_the_app_root_config_var(tmp_path, value, root):
    config = s2i.read_config(tmp_path, {"APP_HOME": value})
    assert config.get("PYBUILDPACK_APP_ROOT") == root


def test_an_app_root_set_explicitly_wins_over_app_home(tmp_path):
    config = s2i.read_config(tmp_path, {"APP_HOME": "a", "PYBUILDPACK_APP_ROOT": "b"})
    assert config.get("PYBUILDPACK_APP_ROOT") == "b"


def test_paths_default_to_the_s2i_conventions_and_each_is_an_environment_variable():
    assert s2i.Paths.from_environment({}) == s2i.Paths(
        Path("/tmp/src"), Path("/opt/app-root/src"), Path("/tmp/artifacts"), Path("/opt/app-root/pybuildpack"),
        Path("/opt/app-root/pybuildpack/cache"))
    paths = s2i.Paths.from_environment({"PYBUILDPACK_S2I_HOME": "/h", "PYBUILDPACK_S2I_APP": "/a"})
    assert (paths.python, paths.state, paths.cache, paths.app) == (Path("/h/python"), Path("/h/state"),
                                                                   Path("/h/cache"), Path("/a"))


# --- APP_MODULE, APP_FILE, APP_SCRIPT ------------------------------------------------------------

@pytest.mark.parametrize("value, parsed", [
    ("main:app", ("main", "app", "object")),
    ("myproject.wsgi", ("myproject.wsgi", "application", "object")),
    ("hello:create_app()", ("hello", "create_app", "factory")),
])
def test_app_module_is_module_colon_callable(value, parsed):
    assert parse_app_module(value) == parsed


@pytest.mark.parametrize("value", ["main:app:x", "main app", "main:", "-m main", "main:create_app(1)"])
def test_an_app_module_that_is_no_module_and_callable_is_an_error(value):
    with pytest.raises(errors.AppVariableInvalid) as raised:
        parse_app_module(value)
    assert "APP_MODULE=myproject.wsgi:application" in raised.value.body


def web_for(app, **config):
    return make_plan(app, ConfigVars(config)).web


def test_app_module_names_an_app_the_finder_does_not_look_for(tmp_path):
    write(tmp_path / "requirements.txt", "fastapi\n")
    write(tmp_path / "service.py", "from fastapi import FastAPI\napi_v2 = FastAPI()\n")
    web = web_for(tmp_path, APP_MODULE="service:api_v2")
    assert web.origin == "config var APP_MODULE"
    assert web.interface == "asgi" and web.server == "gunicorn"
    assert "PYBUILDPACK_APP=service:api_v2" in web.command
    assert "App: FastAPI app `service:api_v2` named by APP_MODULE (ASGI)" in web.notes


def test_app_module_with_parentheses_calls_a_factory_and_a_module_in_src_runs_from_there(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "src" / "hello" / "__init__.py",
          "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n")
    web = web_for(tmp_path, APP_MODULE="hello:create_app()")
    assert web.command == ("gunicorn --config python:pybuildpack_launch.gunicorn_config --chdir src "
                           "'hello:create_app()'")


def test_app_file_and_app_script_are_run_as_they_are(tmp_path):
    write(tmp_path / "tools" / "serve.py", "print('serving')\n")
    write(tmp_path / "start.sh", "#!/bin/sh\nexec python tools/serve.py\n", executable=True)
    assert web_for(tmp_path, APP_FILE="tools/serve.py").argv == ("python", "tools/serve.py")
    assert web_for(tmp_path, APP_SCRIPT="start.sh").argv == ("./start.sh",)


@pytest.mark.parametrize("name, value, reason", [
    ("APP_FILE", "../other/app.py", "it is not a path inside the app"),
    ("APP_FILE", "/etc/passwd", "it is not a path inside the app"),
    ("APP_FILE", "missing.py", "the app has no file missing.py"),
    ("APP_SCRIPT", "start.sh", "start.sh is not executable"),
])
def test_app_file_and_app_script_must_be_files_of_the_app(tmp_path, name, value, reason):
    write(tmp_path / "start.sh", "#!/bin/sh\n")
    with pytest.raises(errors.AppVariableInvalid) as raised:
        web_for(tmp_path, **{name: value})
    assert reason in raised.value.body


def test_two_of_the_variables_at_once_is_an_error(tmp_path):
    write(tmp_path / "app.py", "")
    with pytest.raises(errors.AppVariablesConflict) as raised:
        declared_web(tmp_path, ConfigVars({"APP_MODULE": "app:app", "APP_FILE": "app.py"}), {})
    assert raised.value.title == "Both APP_MODULE and APP_FILE are set"


def test_a_procfile_web_line_running_the_same_app_is_what_runs(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "site_app.py", "from flask import Flask\nserver = Flask(__name__)\n")
    write(tmp_path / "Procfile", "web: gunicorn site_app:server --workers 2\n")
    web = web_for(tmp_path, APP_MODULE="site_app:server")
    assert (web.command, web.origin) == ("gunicorn site_app:server --workers 2", "Procfile line 1")


def test_a_procfile_web_line_running_something_else_is_an_error_never_a_silent_choice(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "site_app.py", "from flask import Flask\nserver = Flask(__name__)\n")
    write(tmp_path / "Procfile", "web: gunicorn other:app\n")
    with pytest.raises(errors.AppVariableConflictsWithProcfile) as raised:
        declared_web(tmp_path, ConfigVars({"APP_MODULE": "site_app:server"}), parse_procfile(tmp_path))
    assert "Procfile line 1 runs another command:\n    web: gunicorn other:app" in raised.value.body


@pytest.mark.parametrize("variable, value, command, same", [
    ("APP_MODULE", "wsgi:app", "gunicorn wsgi:app", True),
    ("APP_MODULE", "wsgi", "gunicorn wsgi:application", True),
    ("APP_MODULE", "hello:make()", "gunicorn 'hello:make()'", True),
    ("APP_MODULE", "wsgi:app", "gunicorn wsgi:application", False),
    ("APP_FILE", "app.py", "python ./app.py", True),
    ("APP_FILE", "app.py", "python server.py", False),
    ("APP_SCRIPT", "bin/start.sh", "bin/start.sh --fast", True),
])
def test_whether_a_procfile_command_runs_what_a_variable_names(variable, value, command, same):
    assert names_same(variable, value, command) is same


def test_without_the_variables_nothing_is_declared(tmp_path):
    assert declared_web(tmp_path, ConfigVars({"APP_MODULE": "  "}), {}) is None


# --- run and save-artifacts -----------------------------------------------------------------------

def paths_in(tmp_path):
    return s2i.Paths.from_environment({"PYBUILDPACK_S2I_HOME": str(tmp_path / "home"),
                                       "PYBUILDPACK_S2I_APP": str(tmp_path / "src")})


def write_launch(paths, processes):
    write(paths.state / s2i.LAUNCH_FILE, json.dumps({"processes": processes}))


def test_run_in_an_image_assemble_did_not_build_says_so(tmp_path):
    with pytest.raises(errors.S2iNotAssembled):
        s2i.run_argv(paths_in(tmp_path), {})


def test_run_with_no_web_process_names_the_processes_there_are(tmp_path):
    paths = paths_in(tmp_path)
    write_launch(paths, {"worker": {"command": "python worker.py", "argv": []}})
    with pytest.raises(errors.S2iNoWebProcess) as raised:
        s2i.run_argv(paths, {})
    assert "The app's processes are: worker." in raised.value.body


def test_run_execs_the_web_process_after_the_profile_on_8080_unless_port_is_set(tmp_path):
    paths = paths_in(tmp_path)
    write_launch(paths, {"web": {"command": "gunicorn wsgi:app", "argv": ["gunicorn", "wsgi:app"]},
                         "worker": {"command": "celery -A x worker", "argv": []}})
    argv, env, cwd = s2i.run_argv(paths, {"PORT": ""})
    assert argv == ["bash", "-c", '. "$0" && exec "$@"', str(paths.state / "profile.sh"), "gunicorn", "wsgi:app"]
    assert env["PORT"] == "8080" and cwd == paths.app
    assert s2i.run_argv(paths, {"PORT": "9000"})[1]["PORT"] == "9000"
    # The run script keeps the app's PYTHONPATH aside from pybuildpack's own Python; the app gets it back.
    env = s2i.run_argv(paths, {"PYBUILDPACK_S2I_PYTHONPATH": "src"})[1]
    assert env["PYTHONPATH"] == "src" and "PYBUILDPACK_S2I_PYTHONPATH" not in env


def test_a_shell_command_web_process_runs_through_bash(tmp_path):
    paths = paths_in(tmp_path)
    write(paths.state / s2i.LAUNCH_FILE, json.dumps({"app_dir": str(paths.app / "api"), "processes": {
        "web": {"command": "cd www && gunicorn app:app", "argv": []}}}))
    argv, _, cwd = s2i.run_argv(paths, {})
    assert cwd == paths.app / "api"      # an app in a subdirectory (APP_HOME) runs from there
    assert argv[2:] == ['. "$0" && exec bash -c "$1"', str(paths.state / "profile.sh"), "cd www && gunicorn app:app"]


def _run(paths, environ):
    argv, env, cwd = s2i.run_argv(paths, environ)
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(argv, env={**env, "PATH": os.environ["PATH"]}, cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("release, disabled, status, log", [
    ("echo migrated >> order", None, 0, ["migrated", "web"]),
    ("echo migrated >> order", "1", 0, ["web"]),                 # OpenShift's switch skips it
    ("echo migrating >> order; exit 3", None, 3, ["migrating"]),  # web never starts
])
def test_run_runs_the_release_process_before_web_unless_migrations_are_disabled(tmp_path, release, disabled,
                                                                               status, log):
    paths = paths_in(tmp_path)
    write(paths.state / "profile.sh", "export FROM_PROFILE=1\n")
    write_launch(paths, {"web": {"command": "web", "argv": ["bash", "-c", 'echo "web $FROM_PROFILE" >> order']},
                         "release": {"command": release, "argv": []}})
    environ = {"DISABLE_MIGRATE": disabled} if disabled else {}
    ran = _run(paths, environ)
    assert ran.returncode == status, ran.stderr
    order = (paths.app / "order").read_text().split()
    assert [w for w in order if w != "1"] == log
    assert ("-----> Running release process" in ran.stderr) == (disabled is None)


def test_save_artifacts_of_an_image_with_no_environment_is_an_empty_tar(tmp_path):
    stream = io.BytesIO()
    s2i.save_artifacts(stream, {"PYBUILDPACK_S2I_HOME": str(tmp_path / "home")})
    with tarfile.open(fileobj=io.BytesIO(stream.getvalue())) as tar:
        assert tar.getnames() == []


def test_the_profile_defaults_port_to_8080_and_points_gunicorn_at_app_config(tmp_path):
    paths = paths_in(tmp_path)
    launch = LaunchConfig(processes={"web": Process("web", "gunicorn x:y", "Procfile line 1")})
    text = s2i.profile_script(paths, launch, "conf/gunicorn.py")
    assert 'export PORT="${PORT:-8080}"\n' in text
    assert f'export PYBUILDPACK_GUNICORN_CONFIG="${{PYBUILDPACK_GUNICORN_CONFIG:-{paths.app}/conf/gunicorn.py}}"' in text
    assert f'export PATH="{paths.python}/bin":"$PATH"\n' in text
    assert "PYBUILDPACK_GUNICORN_CONFIG" not in s2i.profile_script(paths, launch, None)


def test_app_config_must_be_a_file_of_the_app_and_is_only_read_by_gunicorn(tmp_path):
    from types import SimpleNamespace

    from .helpers import string_log

    write(tmp_path / "gunicorn_settings.py", "workers = 2\n")
    uvicorn = Process("web", "uvicorn main:app", "Procfile line 1")
    log = string_log()
    build = SimpleNamespace(config=ConfigVars({"APP_CONFIG": "gunicorn_settings.py"}), log=log,
                            plan=SimpleNamespace(web=uvicorn))
    s2i.app_config(tmp_path, build)
    assert "APP_CONFIG is not used" in log.stream.getvalue()
    assert "(Procfile line 1) runs `uvicorn main:app`" in log.stream.getvalue()
    build.config = ConfigVars({"APP_CONFIG": "missing.py"})
    with pytest.raises(errors.AppVariableInvalid):
        s2i.app_config(tmp_path, build)


def test_artifacts_of_another_python_are_not_used_and_the_log_says_why(tmp_path):
    from types import SimpleNamespace

    from pybuildpack.cache import FORMAT
    from pybuildpack.environment_key import EnvironmentKey

    from .helpers import string_log

    paths = s2i.Paths.from_environment({"PYBUILDPACK_S2I_HOME": str(tmp_path / "home"),
                                        "PYBUILDPACK_S2I_ARTIFACTS": str(tmp_path / "artifacts")})
    old = EnvironmentKey("3.12.1", "uv", "0.13.9", "x86_64", "debian 12")
    saved = tmp_path / "artifacts" / "pybuildpack"
    write(saved / "python" / "bin" / "python3")
    write(saved / "env.json", json.dumps({"format": FORMAT, **old.metadata(), "install_key": "k"}))
    platform = s2i.S2i(paths, string_log())
    build = SimpleNamespace(log=string_log(), layout=SimpleNamespace(runtime_prefix=paths.python))

    new = EnvironmentKey("3.13.1", "uv", "0.13.9", "x86_64", "debian 12")
    assert platform.restore_environment(build, new) == {}
    assert build.log.stream.getvalue() == ("-----> Not using the previous image's environment: "
                                           "Python version changed (3.12.1 -> 3.13.1)\n")
    assert not paths.python.exists()

    assert platform.restore_environment(build, old)["install_key"] == "k"
    assert (paths.python / "bin" / "python3").is_file()
    assert "Restored the environment from the previous image (incremental build)" in build.log.stream.getvalue()
