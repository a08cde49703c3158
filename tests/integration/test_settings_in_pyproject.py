"""Settings committed in pyproject.toml's [tool.pybuildpack]: used by the build,
shown with their origin, overridden by config vars, and checked for unknown keys."""

import json
import shutil

import pytest

from harness.blocks import error_block, expected_block, normalized_lines

pytestmark = pytest.mark.slow


def test_the_server_setting_is_served_and_a_config_var_overrides_it(heroku, fixture_app, tmp_path):
    app = fixture_app("settings_in_pyproject")
    result = heroku.build(app)
    assert result.ok, result.output
    assert ("-----> Settings\n"
            "       server = waitress (pyproject.toml [tool.pybuildpack])\n") in result.output
    assert result.default_processes["web"] == "python -m pybuildpack_launch.wsgi_waitress wsgi:app"
    assert "Server:    waitress (pyproject.toml [tool.pybuildpack] server)" in result.output
    assert "Added waitress" in result.output
    dyno = heroku.deploy(result).start()
    assert dyno.wait_until_serving("/").text == "Hello from waitress"
    assert "Serving on http://0.0.0.0:" in dyno.log
    assert dyno.terminate() == 0, dyno.log

    overridden = heroku.build(app, config={"PYBUILDPACK_SERVER": "gunicorn"})
    assert overridden.ok, overridden.output
    assert ("-----> Settings\n"
            "       server = gunicorn (config var PYBUILDPACK_SERVER, overrides pyproject.toml)\n") \
        in overridden.output
    assert overridden.default_processes["web"].startswith("gunicorn ")


def test_an_unknown_setting_fails_the_build_naming_the_key_and_the_valid_ones(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("settings_in_pyproject"), app)
    (app / "pyproject.toml").write_text('[tool.pybuildpack]\nserver = "waitress"\nsever = "gunicorn"\n')
    result = heroku.build(app)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert error_block(normalized_lines(result.output, {"build_dir": result.build_dir})) == expected_block("""\
        !     Error: Unknown setting `sever` in pyproject.toml
        !
        !     pyproject.toml line 3 sets `sever` in the [tool.pybuildpack] table, but pybuildpack has no
        !     setting of that name, so it would have no effect.
        !
        !     Did you mean `server`? The settings are:
        !       - server
        !       - installer
        !       - package-manager
        !       - groups
        !       - extras
        !       - collectstatic
        !       - app-root
        !
        !     Fix the key's spelling, or remove it.
    """)
    assert "Installing Python" not in result.output


def test_explain_json_shows_the_settings_and_their_origins(local, fixture_app):
    app = local.copy_app(fixture_app("settings_in_pyproject"))
    (app / ".env").write_text("PYBUILDPACK_INSTALLER=pip\n")
    result = local.pybuildpack("explain", "--json", str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert {key: (s["value"], s["origin"]) for key, s in doc["settings"].items()} == {
        "server": ("waitress", "pyproject.toml [tool.pybuildpack] server"),
        "installer": ("pip", "config var PYBUILDPACK_INSTALLER"),
    }
    assert [p["server"] for p in doc["processes"] if p["name"] == "web"] == ["waitress"]
    text = local.pybuildpack("explain", str(app)).stdout
    assert "Settings      server = waitress (pyproject.toml [tool.pybuildpack])\n" in text
