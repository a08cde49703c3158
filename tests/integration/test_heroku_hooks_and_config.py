"""Build hooks, config vars, masking and the environment a dyno gets."""

import shutil

import pytest

pytestmark = pytest.mark.slow


def test_hooks_run_with_config_vars_and_secrets_are_masked(heroku, app_with_hooks):
    config = {"GREETING": "hello-there", "API_TOKEN": "s3cr3t-t0ken-value"}
    result = heroku.build(app_with_hooks, config=config)
    assert result.ok, result.output
    assert "-----> Running bin/pre_compile" in result.output
    assert "pre_compile sees GREETING=****" in result.output
    assert "post_compile imports flask flask" in result.output
    assert "secret is ****" in result.output
    assert "s3cr3t-t0ken-value" not in result.output and "hello-there" not in result.output
    assert (result.build_dir / "pre_compile.txt").read_text() == "pre_compile ran\n"
    assert result.output.index("Running bin/pre_compile") < result.output.index("Installing Python")


def test_a_failing_hook_fails_the_build_naming_hook_and_status(heroku, app_with_hooks):
    result = heroku.build(app_with_hooks, config={"FAIL_POST_COMPILE": "1"})
    assert result.returncode == 1
    assert " !     Error: bin/post_compile failed" in result.output
    assert "exited with status 3" in result.output


def test_index_credentials_are_masked_and_denylisted_vars_ignored(heroku, fixture_app):
    config = {
        "PIP_EXTRA_INDEX_URL": "https://builder:hunter2-password@pypi.org/simple",
        "LD_PRELOAD": "/nonexistent/libevil.so",
        "PATH": "/nonexistent",
    }
    result = heroku.build(fixture_app("flask_wsgi"), config=config)
    assert result.ok, result.output
    assert "hunter2-password" not in result.output
    assert "Warning: Some config vars are not used during the build" in result.output
    assert "  - LD_PRELOAD" in result.output and "  - PATH" in result.output


def test_profile_sets_runtime_environment(heroku, fixture_app):
    result = heroku.build(fixture_app("flask_wsgi"))
    slug = heroku.deploy(result)
    env = dict(line.split("=", 1) for line in slug.run("env").stdout.splitlines() if "=" in line)
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["LANG"] == "C.UTF-8"
    assert env["FORWARDED_ALLOW_IPS"] == "*"
    assert int(env["WEB_CONCURRENCY"]) >= 1
    assert env["PATH"].startswith(str(slug.app_dir / ".heroku" / "python" / "bin"))
    kept = slug.run("echo $WEB_CONCURRENCY", extra_env={"WEB_CONCURRENCY": "7"})
    assert kept.stdout.strip() == "7"


def test_export_file_gives_later_buildpacks_the_apps_python(tmp_path, build_env, fixture_app):
    """A later buildpack sources $BUILDPACK_DIR/export during the same build."""
    import subprocess
    from harness.heroku import REPO

    buildpack = tmp_path / "buildpack"
    for part in ("bin", "lib", "requirements"):
        shutil.copytree(REPO / part, buildpack / part, ignore=shutil.ignore_patterns("__pycache__"))
    build_dir = tmp_path / "build_0123abcd"
    shutil.copytree(fixture_app("flask_wsgi"), build_dir)
    (tmp_path / "cache").mkdir()
    (tmp_path / "env").mkdir()
    compiled = subprocess.run([str(buildpack / "bin" / "compile"), str(build_dir), str(tmp_path / "cache"),
                               str(tmp_path / "env")], env=build_env, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    later = subprocess.run(["bash", "-c", f'. "{buildpack}/export"; python -c "import flask, sys; print(sys.prefix)"'],
                           env=build_env, capture_output=True, text=True)
    assert later.stdout.strip() == str(build_dir / ".heroku" / "python"), later
