"""The launch environment: env files only, and exec.d for what is known at launch."""

import pytest

from harness.cnb import CnbPlatform

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flask_image(tmp_path_factory, build_env, request):
    from conftest import FIXTURES

    platform = CnbPlatform(tmp_path_factory.mktemp("cnb-env"), build_env)
    request.addfinalizer(platform.cleanup)
    result = platform.build(FIXTURES / "flask_wsgi", config={"SECRET_SETTING": "build-time-only"})
    assert result.ok, result.output
    platform.lay_out()
    return platform


def test_the_apps_python_comes_first_with_buildpack_defaults(flask_image):
    env = flask_image.environment("web")
    venv = flask_image.layers_dir / "venv"
    assert env["PATH"].split(":")[0] == str(venv / "bin")
    assert str(flask_image.layers_dir / "python" / "bin") in env["PATH"]
    assert env["PYTHONUNBUFFERED"] == "1" and env["LANG"] == "C.UTF-8"
    assert env["FORWARDED_ALLOW_IPS"] == "*"
    assert env["PORT"] == "8080"
    # Config vars belong to the build; the platform gives the container its own.
    assert "SECRET_SETTING" not in env
    probe = flask_image.run(["python", "-c", "import sys, flask; print(sys.prefix)"])
    assert probe.stdout.strip() == str(venv), probe


def test_values_the_user_sets_win_over_defaults(flask_image):
    env = flask_image.environment("web", {"LANG": "de_DE.UTF-8", "PORT": "5000", "FORWARDED_ALLOW_IPS": "10.0.0.1"})
    assert (env["LANG"], env["PORT"], env["FORWARDED_ALLOW_IPS"]) == ("de_DE.UTF-8", "5000", "10.0.0.1")


@pytest.mark.parametrize("memory, cpu, expected", [
    ("536870912", "100000 100000", "2"),   # 512 MiB: two workers of 256 MiB
    ("max", "200000 100000", "5"),         # two CPUs, no memory limit: 2 x 2 + 1
])
def test_exec_d_sets_web_concurrency_from_the_containers_cgroup(flask_image, tmp_path, memory, cpu, expected):
    (tmp_path / "memory.max").write_text(memory + "\n")
    (tmp_path / "cpu.max").write_text(cpu + "\n")
    env = flask_image.environment("web", {"PYBUILDPACK_CGROUP_ROOT": str(tmp_path)})
    assert env["WEB_CONCURRENCY"] == expected


def test_a_web_concurrency_the_user_sets_is_kept(flask_image):
    assert flask_image.environment("web", {"WEB_CONCURRENCY": "7"})["WEB_CONCURRENCY"] == "7"


def test_gunicorn_runs_the_workers_exec_d_asked_for(flask_image, tmp_path):
    (tmp_path / "memory.max").write_text("536870912\n")
    (tmp_path / "cpu.max").write_text("400000 100000\n")
    container = flask_image.start(extra_env={"PYBUILDPACK_CGROUP_ROOT": str(tmp_path)})
    assert container.wait_until_serving("/").status == 200
    assert container.terminate() == 0
    assert container.log.count("Booting worker") == 2


def test_no_layer_sets_the_environment_through_a_shell_script(flask_image):
    for layer in flask_image.layers_dir.iterdir():
        assert not (layer / "profile.d").exists()
    assert not (flask_image.app_dir / ".profile.d").exists()
