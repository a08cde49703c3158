"""The CNB platform adapter (platforms.cnb): detect, launch.toml processes,
env files, the exec.d program, buildpack.toml and the layer notices."""

from __future__ import annotations


import pytest

from harness.cnb import BUILDPACK_TOML, load_toml, run_exec_d, validate_buildpack_toml
from pybuildpack import __version__, errors
from pybuildpack.inspect.processes import AppTarget, Process, Processes
from pybuildpack.launch_config import LAUNCH_SOURCE, LaunchConfig
from pybuildpack.platforms import cnb
from pybuildpack.platforms.cnb_layers import Layer, Types
from pybuildpack.plan import web_process
from pybuildpack.steps.django import WRAPPER

from .helpers import write


# -- detect ----------------------------------------------------------------------------------

def test_detect_passes_and_writes_a_plan_providing_and_requiring_python(tmp_path):
    write(tmp_path / "app" / "requirements.txt", "flask\n")
    assert cnb.detect(tmp_path / "app", tmp_path / "plan.toml") == 0
    assert load_toml(tmp_path / "plan.toml") == {"provides": [{"name": "python"}], "requires": [{"name": "python"}]}


def test_detect_fails_with_100_and_explains_on_stderr(tmp_path, capsys):
    write(tmp_path / "app" / "index.js", "")
    assert cnb.detect(tmp_path / "app", tmp_path / "plan.toml") == 100
    out, err = capsys.readouterr()
    assert out == "" and "does not look like a Python app" in err and "  - index.js" in err
    assert not (tmp_path / "plan.toml").exists()


def test_missing_lifecycle_variable_is_an_internal_error(monkeypatch):
    monkeypatch.delenv("CNB_LAYERS_DIR", raising=False)
    with pytest.raises(errors.CnbVariableMissing):
        cnb.env_path("CNB_LAYERS_DIR")


# -- buildpack.toml ---------------------------------------------------------------------------

def test_buildpack_toml_follows_the_spec_and_the_package_version():
    data = load_toml(BUILDPACK_TOML)
    validate_buildpack_toml(data)
    assert data["buildpack"]["id"] == "pybuildpack/python"
    assert data["buildpack"]["version"] == __version__
    assert data["buildpack"]["sbom-formats"] == ["application/vnd.cyclonedx+json"]
    assert [(t["os"], t["arch"]) for t in data["targets"]] == [("linux", "amd64"), ("linux", "arm64")]
    assert data["buildpack"]["clear-env"] is True


# -- processes ---------------------------------------------------------------------------------

def launch(processes, wrapped=None):
    return LaunchConfig(processes.all, processes.detected, wrapped)


def gunicorn_process(target, origin):
    return web_process(AppTarget("wsgi", target, "", origin))


def test_generated_web_is_an_argv_and_procfile_entries_say_they_need_bash():
    procfile = {"worker": Process("worker", "celery -A app worker", "Procfile line 1")}
    web = gunicorn_process("wsgi:application", "wsgi.py")
    assert cnb.launch_processes(launch(Processes(procfile, web))) == [
        {"type": "web", "command": list(web.argv), "default": True},
        {"type": "worker", "command": ["bash", "-c", "celery -A app worker"], "default": False},
    ]


def test_a_procfile_web_replaces_the_detected_one():
    procfile = {"web": Process("web", "gunicorn app:app", "Procfile line 1")}
    processes = cnb.launch_processes(launch(Processes(procfile, gunicorn_process("wsgi:app", "wsgi.py"))))
    assert processes == [{"type": "web", "command": ["bash", "-c", "gunicorn app:app"], "default": True}]


def test_without_a_web_process_there_is_no_default():
    procfile = {"worker": Process("worker", "python worker.py", "Procfile line 1")}
    assert [p["default"] for p in cnb.launch_processes(launch(Processes(procfile, None)))] == [False]


# -- env files ------------------------------------------------------------------------------------

def test_venv_env_files_prepend_its_bin_name_the_virtualenv_and_set_defaults(tmp_path):
    venv = Layer(tmp_path, "venv", Types(launch=True, build=True, cache=True), {})
    venv.write_env("STALE", "1")
    cnb.write_venv_env(venv, LaunchConfig())
    files = {p.name: p.read_text() for p in (tmp_path / "venv" / "env").iterdir()}
    assert files == {"PATH.prepend": str(tmp_path / "venv" / "bin"), "PATH.delim": ":",
                     "VIRTUAL_ENV.override": str(tmp_path / "venv"),
                     "PYTHONUNBUFFERED.default": "1", "LANG.default": "C.UTF-8"}


def django_build(supplied):
    return launch(Processes(), "mysite.settings" if supplied else None)


def test_launch_files_supply_the_django_wrapper_only_when_static_root_was_supplied():
    files = cnb.launch_files(django_build(True))
    assert files["env.launch/DJANGO_SETTINGS_MODULE.default"] == (WRAPPER, False)
    assert files["env.launch/PYBUILDPACK_DJANGO_SETTINGS_MODULE.default"] == ("mysite.settings", False)
    assert files["env.launch/PORT.default"] == ("8080", False)
    assert files["env.launch/FORWARDED_ALLOW_IPS.default"] == ("*", False)
    assert files["web_concurrency.sh"][0] == (LAUNCH_SOURCE / "web_concurrency.sh").read_text()
    assert files["exec.d/pybuildpack"][1] is True
    plain = cnb.launch_files(django_build(False))
    assert not any("DJANGO" in name for name in plain)
    assert cnb.files_digest(plain) != cnb.files_digest(files)
    assert cnb.files_digest(plain) == cnb.files_digest(cnb.launch_files(django_build(False)))


# -- the exec.d program -------------------------------------------------------------------------------

def exec_d_output(tmp_path, env, settings_module="mysite.settings"):
    """Run the program as the launcher does: fd 3 open for its TOML output."""
    files = cnb.launch_files(django_build(settings_module is not None))
    for name, (text, executable) in files.items():
        write(tmp_path / "layer" / name, text, executable)
    return run_exec_d(tmp_path / "layer" / "exec.d" / "pybuildpack", {"PATH": "/usr/bin:/bin", **env}, tmp_path)


def cgroup(tmp_path, memory, cpu):
    write(tmp_path / "cgroup" / "memory.max", memory + "\n")
    write(tmp_path / "cgroup" / "cpu.max", cpu + "\n")
    return {"PYBUILDPACK_CGROUP_ROOT": str(tmp_path / "cgroup")}


def test_exec_d_derives_web_concurrency_with_the_shared_cgroup_logic(tmp_path):
    env = cgroup(tmp_path, "1073741824", "300000 100000")   # 1 GiB and 3 CPUs: min(4, 2 x 3 + 1)
    assert exec_d_output(tmp_path, env, None) == {"WEB_CONCURRENCY": "4"}


def test_exec_d_keeps_a_web_concurrency_that_is_set(tmp_path):
    assert exec_d_output(tmp_path, {"WEB_CONCURRENCY": "9"}, None) == {}


def test_exec_d_points_the_apps_own_settings_at_the_wrapper_as_heroku_does(tmp_path):
    env = {"WEB_CONCURRENCY": "2", "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    assert exec_d_output(tmp_path, env) == {"DJANGO_SETTINGS_MODULE": WRAPPER,
                                         "PYBUILDPACK_DJANGO_SETTINGS_MODULE": "mysite.settings"}
    assert exec_d_output(tmp_path, {"WEB_CONCURRENCY": "2", "DJANGO_SETTINGS_MODULE": "other.settings"}) == {}


def test_exec_d_leaves_out_a_settings_module_that_is_not_a_module_name():
    program = cnb.exec_d_program('my"site; rm -rf /', WRAPPER)
    assert "DJANGO_SETTINGS_MODULE" not in program


# -- distro and notices -------------------------------------------------------------------------------

def test_distro_comes_from_the_lifecycles_target_variables(monkeypatch):
    monkeypatch.setenv("CNB_TARGET_DISTRO_NAME", "ubuntu")
    monkeypatch.setenv("CNB_TARGET_DISTRO_VERSION", "24.04")
    assert cnb.distro() == "ubuntu 24.04"


def test_distro_falls_back_to_os_release(monkeypatch, tmp_path):
    monkeypatch.delenv("CNB_TARGET_DISTRO_NAME", raising=False)
    monkeypatch.setattr(cnb, "OS_RELEASE", write(tmp_path / "os-release", 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="22.04"\n'))
    assert cnb.distro() == "ubuntu 22.04"
    monkeypatch.setattr(cnb, "OS_RELEASE", tmp_path / "missing")
    assert cnb.distro() == "unknown"


def test_layer_notices_name_the_layer_and_every_reason():
    assert errors.layer_reused("python", "Python 3.12.4") == "Reusing layer python: Python 3.12.4"
    assert errors.layer_rebuilt("venv", ["a changed (1 -> 2)", "b was not recorded"]) == (
        "Rebuilding layer venv: a changed (1 -> 2); b was not recorded")
    assert errors.layer_updated("venv", [errors.requirements_changed(["requirements.txt", "base.txt"])]) == (
        "Updating layer venv: the requirements changed (requirements.txt, base.txt)")
    assert errors.launch_processes(["web", "worker"], "web") == "Processes: web (default), worker"
    assert errors.launch_processes([], None) == "Processes: none"
