"""Hooks and config vars from $CNB_PLATFORM_DIR/env/: the same names, meanings and masking as on Heroku."""

import pytest

pytestmark = pytest.mark.slow


def test_hooks_run_with_config_vars_and_secrets_are_masked(cnb, app_with_hooks):
    result = cnb.build(app_with_hooks, config={"GREETING": "hello-there", "API_TOKEN": "s3cr3t-t0ken-value"})
    assert result.ok, result.output
    assert "pre_compile sees GREETING=****" in result.output
    assert "post_compile imports flask flask" in result.output
    assert "secret is ****" in result.output
    assert "s3cr3t-t0ken-value" not in result.output and "hello-there" not in result.output
    assert (cnb.image.app_dir / "pre_compile.txt").read_text() == "pre_compile ran\n"
    assert result.output.index("Running bin/pre_compile") < result.output.index("Installing Python")


def test_a_failing_hook_fails_the_build_naming_hook_and_status(cnb, app_with_hooks):
    result = cnb.build(app_with_hooks, config={"FAIL_POST_COMPILE": "1"})
    assert result.returncode == 1
    assert " !     Error: bin/post_compile failed" in result.output
    assert "exited with status 3" in result.output


def test_denylisted_vars_are_not_exported_and_credentials_are_masked(cnb, fixture_app):
    config = {"PIP_EXTRA_INDEX_URL": "https://builder:hunter2-password@pypi.org/simple",
              "LD_PRELOAD": "/nonexistent/libevil.so", "PATH": "/nonexistent"}
    result = cnb.build(fixture_app("flask_wsgi"), config=config)
    assert result.ok, result.output
    assert "hunter2-password" not in result.output
    assert "Warning: Some config vars are not used during the build" in result.output
    assert "  - LD_PRELOAD" in result.output and "  - PATH" in result.output


@pytest.mark.long
def test_installer_config_var_picks_pip_and_the_lock_is_kept_in_the_dependencies_layer(cnb, fixture_app):
    result = cnb.build(fixture_app("flask_wsgi"), config={"PYBUILDPACK_INSTALLER": "pip"})
    assert result.ok, result.output
    assert "Installing dependencies with pip (pip-tools)" in result.output
    assert result.layer_toml("venv")["metadata"]["installer"] == "pip"
    assert "flask==" in (cnb.layers_dir / "venv" / "pybuildpack" / "requirements.lock.txt").read_text()
    container = cnb.start()
    assert container.wait_until_serving("/").status == 200
    assert container.terminate() == 0
    back = cnb.build(fixture_app("flask_wsgi"))
    assert "Rebuilding layer venv: installer changed (pip -> uv); installer version changed" in back.output
