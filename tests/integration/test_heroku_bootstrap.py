"""bin/detect, and how the buildpack gets uv and its own tools."""

import subprocess

import pytest

from harness.heroku import BIN

pytestmark = pytest.mark.slow


def test_detect_passes_on_any_python_file(tmp_path, build_env):
    for name in ("requirements.txt", "pyproject.toml", "manage.py", "app.sh", "uv.lock", ".python-version"):
        app = tmp_path / name.strip(".")
        app.mkdir()
        (app / name).write_text("")
        result = subprocess.run([str(BIN / "detect"), str(app)], env=build_env, capture_output=True, text=True)
        assert (result.returncode, result.stdout) == (0, "Python\n"), name


def test_detect_failure_says_what_it_looked_for_and_what_it_found(tmp_path, build_env):
    (tmp_path / "index.js").write_text("")
    (tmp_path / "README.md").write_text("")
    result = subprocess.run([str(BIN / "detect"), str(tmp_path)], env=build_env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "  - requirements.txt" in result.stderr and "  - manage.py" in result.stderr
    assert "  - index.js" in result.stderr and "  - README.md" in result.stderr


def test_uv_is_downloaded_verified_and_then_reused(heroku, fixture_app, build_env):
    env = {k: v for k, v in build_env.items() if k != "PYBUILDPACK_UV"}
    heroku.base_env = env
    cache = heroku.new_cache()
    first = heroku.build(fixture_app("app_py"), cache_dir=cache)
    assert first.ok, first.output
    assert "-----> Downloading uv 0.13.9" in first.output
    uv = cache / "pybuildpack" / "uv"
    assert [p.name for p in uv.iterdir()][0].startswith("0.13.9-")
    second = heroku.build(fixture_app("app_py"), cache_dir=cache)
    assert second.ok, second.output
    assert "Downloading uv" not in second.output
    assert "Preparing pybuildpack's tools" not in second.output


def test_a_bad_pybuildpack_uv_is_a_clear_error(heroku, fixture_app):
    result = heroku.build(fixture_app("app_py"), env={"PYBUILDPACK_UV": "/nonexistent/uv"})
    assert result.returncode == 1
    assert " !     Error: PYBUILDPACK_UV is not an executable file" in result.output
