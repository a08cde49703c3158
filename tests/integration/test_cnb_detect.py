"""bin/detect under the CNB API: exit 0 with a build plan, or 100 with the reason."""

import subprocess

import pytest

from harness.cnb import BIN, REPO, CnbPlatform, load_toml, validate_build_plan

pytestmark = pytest.mark.slow


def cnb_detect(app, tmp_path, build_env):
    plan = tmp_path / "plan.toml"
    (tmp_path / "platform" / "env").mkdir(parents=True)
    env = {**build_env, "CNB_BUILD_PLAN_PATH": str(plan), "CNB_PLATFORM_DIR": str(tmp_path / "platform"),
           "CNB_BUILDPACK_DIR": str(REPO)}
    result = subprocess.run([str(BIN / "detect")], cwd=app, env=env, capture_output=True, text=True)
    return result, plan


def test_a_python_app_passes_with_a_plan_that_provides_and_requires_python(tmp_path, build_env, fixture_app):
    result, plan = cnb_detect(fixture_app("flask_wsgi"), tmp_path, build_env)
    assert result.returncode == 0, result.stderr
    data = load_toml(plan)
    validate_build_plan(data)
    assert data == {"provides": [{"name": "python"}], "requires": [{"name": "python"}]}


def test_another_app_fails_with_100_saying_what_it_looked_for(tmp_path, build_env):
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text("{}")
    result, plan = cnb_detect(app, tmp_path, build_env)
    assert result.returncode == 100
    assert "does not look like a Python app" in result.stderr
    assert "  - requirements.txt" in result.stderr and "  - package.json" in result.stderr
    assert not plan.exists()


def test_app_files_cannot_shadow_the_buildpacks_own_modules(tmp_path, build_env, fixture_app):
    """bin/detect and bin/build run in the app directory; an app's json.py or
    toml.py must not replace the module pybuildpack imports."""
    import shutil

    app = tmp_path / "app"
    shutil.copytree(fixture_app("app_py"), app)
    for name in ("json.py", "toml.py", "pybuildpack.py"):
        (app / name).write_text("raise SystemExit('shadowed ' + __name__)\n")
    result, _ = cnb_detect(app, tmp_path, build_env)
    assert result.returncode == 0, result.stdout + result.stderr
    built = CnbPlatform(tmp_path / "cnb", build_env).build(app)
    assert built.ok, built.output
