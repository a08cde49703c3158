"""Heroku's contract where apps and build machines surprise us: the hooks'
BUILD_DIR, CACHE_DIR and ENV_DIR, apps that carry their own bin/ scripts,
PYTHONHOME and PYTHONPATH on the build machine, and Python environments in the
app's source (Heroku and CNB)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.blocks import bang_block, normalized_lines

pytestmark = pytest.mark.slow

BIN = Path(__file__).resolve().parents[2] / "bin"
HOOK = """#!/usr/bin/env bash
set -euo pipefail
{{ echo "BUILD_DIR=$BUILD_DIR"; echo "CACHE_DIR=$CACHE_DIR"; echo "ENV_DIR=$ENV_DIR"
   echo "GREETING_FILE=$(cat "$ENV_DIR/GREETING")"
   echo "MODES=$(stat -c %a "$ENV_DIR") $(stat -c %a "$ENV_DIR/GREETING")"; }} > "$BUILD_DIR/{name}.env"
mkdir -p "$CACHE_DIR/my-hook" && date +%s%N > "$CACHE_DIR/my-hook/{name}.stamp"
"""


def _app_with_env_hooks(fixture_app, tmp_path: Path) -> Path:
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    for name in ("pre_compile", "post_compile"):
        hook = app / "bin" / name
        hook.parent.mkdir(exist_ok=True)
        hook.write_text(HOOK.format(name=name))
        hook.chmod(0o755)
    return app


def _read_env(path: Path) -> dict:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_hooks_get_build_dir_cache_dir_and_env_dir_as_herokus_hooks_do(heroku, fixture_app, tmp_path):
    cache = heroku.new_cache()
    result = heroku.build(_app_with_env_hooks(fixture_app, tmp_path), config={"GREETING": "hello-there"},
                          cache_dir=cache)
    assert result.ok, result.output
    for name in ("pre_compile", "post_compile"):
        seen = _read_env(result.build_dir / f"{name}.env")
        assert seen["BUILD_DIR"] == str(result.build_dir)
        # bin/compile's CACHE_DIR itself, which survives between builds (pybuildpack's part is CACHE_DIR/pybuildpack).
        assert seen["CACHE_DIR"] == str(cache.resolve())
        assert seen["GREETING_FILE"] == "hello-there"
        assert (Path(seen["ENV_DIR"]) / "GREETING").read_text() == "hello-there"
        assert (cache / "my-hook" / f"{name}.stamp").is_file()


def test_cnb_hooks_get_the_workspace_a_cache_layer_and_the_platform_env_dir(cnb, fixture_app, tmp_path):
    result = cnb.build(_app_with_env_hooks(fixture_app, tmp_path), config={"GREETING": "hello-there"})
    assert result.ok, result.output
    seen = _read_env(cnb.app_dir / "post_compile.env")
    assert seen["BUILD_DIR"] == str(cnb.app_dir)
    assert seen["ENV_DIR"] == str(cnb.platform_dir / "env")
    assert seen["CACHE_DIR"] == str(cnb.layers_dir / "hooks-cache")
    assert seen["GREETING_FILE"] == "hello-there"
    # A cache-only layer: kept for the next build, not in the image.
    assert result.layer_toml("hooks-cache")["types"] == {"cache": True}
    assert "hooks-cache" not in result.image.layers


def test_an_app_with_its_own_bin_detect_and_compile_is_detected_and_built(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    for name in ("detect", "compile", "release"):
        script = app / "bin" / name
        script.parent.mkdir(exist_ok=True)
        script.write_text("#!/bin/sh\necho inline buildpack\n")
        script.chmod(0o755)
    result = heroku.build(app)
    assert result.detect_output.strip() == "Python"
    assert result.ok, result.output


def test_a_buildpack_source_is_refused_by_detect_without_contradicting_itself(build_env, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    for name in ("bin/detect", "bin/compile", "buildpack.toml"):
        (app / name).parent.mkdir(exist_ok=True)
        (app / name).write_text("")
    detect = subprocess.run([str(BIN / "detect"), str(app)], env=build_env, capture_output=True, text=True)
    assert detect.returncode == 1
    assert detect.stderr.startswith("pybuildpack: this is a buildpack's own source, not an app.\n")
    assert "  - requirements.txt\n  - .python-version\n  - wsgi.py\n" in detect.stderr
    assert "does not look like a Python app" not in detect.stderr


def test_pythonhome_and_pythonpath_on_the_build_machine_neither_break_detect_nor_the_build(heroku, build_env,
                                                                                          fixture_app):
    wrong = {"PYTHONHOME": "/nonexistent/python", "PYTHONPATH": "/nonexistent/site-packages"}
    detect = subprocess.run([str(BIN / "detect"), str(fixture_app("flask_wsgi"))], env={**build_env, **wrong},
                            capture_output=True, text=True)
    assert (detect.returncode, detect.stdout) == (0, "Python\n"), detect.stdout + detect.stderr
    result = heroku.build(fixture_app("flask_wsgi"), env=wrong)
    assert result.ok, result.output
    assert "python3" not in "".join(line for line in result.output.splitlines() if "Error" in line)


def test_cnb_warns_about_a_virtualenv_in_the_workspace_and_still_builds(cnb, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / ".venv").mkdir()
    (app / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = cnb.build(app)
    assert result.ok, result.output
    lines = normalized_lines(result.output)
    assert bang_block(lines, "Warning: The app's source contains a Python environment: .venv/")
    assert 'exclude = ["/.venv"]' in result.output


def test_a_local_build_keeps_the_developers_own_virtualenv(local, fixture_app):
    app = local.copy_app(fixture_app("flask_wsgi"))
    (app / ".venv").mkdir()
    (app / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = local.pybuildpack("build", cwd=app)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Python environment" not in result.stdout


def test_local_hooks_get_the_app_a_kept_cache_and_the_dotenv_values_as_an_env_dir(local, fixture_app, tmp_path):
    app = local.copy_app(_app_with_env_hooks(fixture_app, tmp_path))
    (app / ".env").write_text("GREETING=hello-there\n")
    result = local.pybuildpack("build", cwd=app)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = _read_env(app / "post_compile.env")
    assert seen["BUILD_DIR"] == str(app)
    assert seen["CACHE_DIR"] == str(app / ".pybuildpack" / "hooks-cache")
    assert seen["GREETING_FILE"] == "hello-there"
    assert seen["ENV_DIR"] == str(app / ".pybuildpack" / "env")
    assert seen["MODES"] == "700 600"
    # The copy of .env is not kept once the hooks have run.
    assert not (app / ".pybuildpack" / "env").exists()
