"""Settings in pyproject.toml's [tool.pybuildpack] (pybuildpack.settings) and their place under the config vars."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.config import ConfigVars
from pybuildpack.explain import explain, render
from pybuildpack.plan import make_plan
from pybuildpack.settings import KEYS, in_use, read_settings, with_settings

from .helpers import write


def pyproject(app, table: str, before: str = "") -> None:
    write(app / "pyproject.toml", f'{before}[tool.pybuildpack]\n{table}')


def flask_app(app, table: str) -> None:
    write(app / "requirements.txt", "flask\n")
    write(app / "wsgi.py", "from flask import Flask\napp = Flask(__name__)\n")
    pyproject(app, table)


def config_for(app, **config) -> ConfigVars:
    return with_settings(ConfigVars(config), app)


# -- reading the table -----------------------------------------------------------------------

def test_no_pyproject_or_no_table_means_no_settings(tmp_path):
    assert read_settings(tmp_path) == {}
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n')
    assert read_settings(tmp_path) == {}


def test_each_key_becomes_its_config_var_as_the_config_var_would_be_written(tmp_path):
    pyproject(tmp_path, 'server = "waitress"\ninstaller = "pip"\npackage-manager = "requirements"\n'
                        'groups = ["prod", "Docs_Site"]\nextras = "postgres,redis"\ncollectstatic = false\n'
                        'app-root = "./apps//web/"\n')
    found = {name: setting.value for name, setting in read_settings(tmp_path).items()}
    assert found == {
        "PYBUILDPACK_SERVER": "waitress", "PYBUILDPACK_INSTALLER": "pip",
        "PYBUILDPACK_PACKAGE_MANAGER": "requirements", "PYBUILDPACK_GROUPS": "prod,Docs_Site",
        "PYBUILDPACK_EXTRAS": "postgres,redis", "DISABLE_COLLECTSTATIC": "1", "PYBUILDPACK_APP_ROOT": "apps/web",
    }


def test_collectstatic_true_means_the_step_runs(tmp_path):
    pyproject(tmp_path, "collectstatic = true\n")
    config = config_for(tmp_path)
    assert config.get("DISABLE_COLLECTSTATIC") == "0" and not config.flag("DISABLE_COLLECTSTATIC")


def test_settings_remember_their_key_how_it_was_written_and_its_line(tmp_path):
    pyproject(tmp_path, '# the server\n"server" = "waitress"\ngroups = [\n  "prod",\n]\n',
              before='[project]\nname = "x"\n\n')
    found = read_settings(tmp_path)
    server, groups = found["PYBUILDPACK_SERVER"], found["PYBUILDPACK_GROUPS"]
    assert (server.key, server.written, server.line) == ("server", 'server = "waitress"', 6)
    assert (groups.written, groups.shown, groups.line) == ('groups = ["prod"]', "prod", 7)
    assert str(server.origin) == "pyproject.toml [tool.pybuildpack] server"


def test_an_unknown_key_names_the_file_its_line_the_valid_keys_and_the_closest(tmp_path):
    pyproject(tmp_path, 'server = "waitress"\npackage_manager = "uv"\n')
    with pytest.raises(errors.SettingUnknown) as caught:
        read_settings(tmp_path)
    error = caught.value
    assert error.title == "Unknown setting `package_manager` in pyproject.toml"
    assert "pyproject.toml line 3 sets `package_manager` in the [tool.pybuildpack] table" in error.body
    assert "Did you mean `package-manager`?" in error.body
    assert all(f"  - {key.name}\n" in error.body for key in KEYS)


def test_an_unknown_key_far_from_every_valid_one_gets_no_suggestion(tmp_path):
    pyproject(tmp_path, "frobnicate = 1\n")
    with pytest.raises(errors.SettingUnknown) as caught:
        read_settings(tmp_path)
    assert "Did you mean" not in caught.value.body


@pytest.mark.parametrize("line, expected", [
    ('server = ["waitress"]', 'a string, such as "gunicorn"'),
    ('installer = ""', 'a string, such as "uv"'),
    ("groups = [1, 2]", "a list of names"),
    ('groups = ["a,b"]', "a list of names"),
    ('extras = ""', "a list of names"),
    ('collectstatic = "false"', "true or false (no quotes)"),
    ("collectstatic = 0", "true or false (no quotes)"),
    ('app-root = ""', 'a relative path inside the repository, such as "apps/web"'),
    ("app-root = 1", 'a relative path inside the repository, such as "apps/web"'),
])
def test_a_value_of_the_wrong_shape_names_the_key_what_was_given_and_what_is_expected(tmp_path, line, expected):
    pyproject(tmp_path, line + "\n")
    with pytest.raises(errors.SettingInvalid) as caught:
        read_settings(tmp_path)
    key = line.split(" = ")[0]
    assert caught.value.title == f"Invalid value for {key} in pyproject.toml"
    assert f"pyproject.toml line 2 has `{line}` in the [tool.pybuildpack] table" in caught.value.body
    assert f"{key} must be {expected}" in caught.value.body


def test_a_tool_pybuildpack_that_is_not_a_table_is_invalid(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool]\npybuildpack = "waitress"\n')
    with pytest.raises(errors.SettingInvalid) as caught:
        read_settings(tmp_path)
    assert "must be a table of settings" in caught.value.body


def test_an_invalid_pyproject_is_the_error_it_is_everywhere_else(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.pybuildpack]\nserver = \n")
    with pytest.raises(errors.FileUnreadable) as caught:
        read_settings(tmp_path)
    assert "pyproject.toml" in caught.value.title and "not valid TOML" in caught.value.body


def test_an_app_root_leaving_the_repository_is_refused_naming_the_setting(tmp_path):
    from pybuildpack import app_root

    pyproject(tmp_path, 'app-root = "../elsewhere"\n')
    config = with_settings(ConfigVars({}), tmp_path)
    with pytest.raises(errors.AppRootInvalid) as caught:
        app_root.resolve(tmp_path, config.get(app_root.VAR), config.origin(app_root.VAR))
    assert "pyproject.toml [tool.pybuildpack] app-root names '../elsewhere'" in caught.value.body


def test_app_root_in_the_apps_own_pyproject_is_an_error_and_the_tops_is_used(tmp_path):
    app = tmp_path / "apps" / "web"
    app.mkdir(parents=True)
    pyproject(tmp_path, 'app-root = "apps/web"\nserver = "uvicorn"\n')
    pyproject(app, 'server = "waitress"\n')
    config = with_settings(ConfigVars({}), app, tmp_path)
    assert config.get("PYBUILDPACK_SERVER") == "waitress"      # the app's own, not the top's
    assert config.get("PYBUILDPACK_APP_ROOT") == "apps/web"
    pyproject(app, 'app-root = "x"\n')
    with pytest.raises(errors.SettingInvalid, match="app-root"):
        with_settings(ConfigVars({}), app, tmp_path)


# -- precedence and origins -------------------------------------------------------------------

def test_a_config_var_wins_over_the_setting_and_a_blank_one_does_not(tmp_path):
    pyproject(tmp_path, 'installer = "pip"\ncollectstatic = false\n')
    config = config_for(tmp_path, PYBUILDPACK_INSTALLER="uv", DISABLE_COLLECTSTATIC=" ")
    assert config.get("PYBUILDPACK_INSTALLER") == "uv"
    assert config.origin("PYBUILDPACK_INSTALLER") == "config var PYBUILDPACK_INSTALLER"
    assert config.flag("DISABLE_COLLECTSTATIC")
    assert config.origin("DISABLE_COLLECTSTATIC") == "pyproject.toml [tool.pybuildpack] collectstatic"


def test_settings_are_neither_config_vars_for_build_steps_nor_secrets(tmp_path):
    pyproject(tmp_path, 'server = "waitress"\n')
    config = config_for(tmp_path, SECRET_KEY="s3cret-value")
    assert "PYBUILDPACK_SERVER" not in config.all and "PYBUILDPACK_SERVER" not in config.exported
    assert config.secrets() == ["s3cret-value"]


def test_in_use_lists_each_setting_with_its_origin_and_what_it_overrides(tmp_path):
    pyproject(tmp_path, 'server = "waitress"\ninstaller = "uv"\ngroups = ["prod", "docs"]\n')
    config = config_for(tmp_path, PYBUILDPACK_INSTALLER="pip", DISABLE_COLLECTSTATIC="1")
    assert [s.line() for s in in_use(config)] == [
        "server = waitress (pyproject.toml [tool.pybuildpack])",
        "installer = pip (config var PYBUILDPACK_INSTALLER, overrides pyproject.toml)",
        "groups = prod, docs (pyproject.toml [tool.pybuildpack])",
        "collectstatic = false (config var DISABLE_COLLECTSTATIC)",
    ]


# -- through the plan ---------------------------------------------------------------------------

def test_the_server_setting_chooses_the_server_with_the_config_vars_aliases(tmp_path):
    flask_app(tmp_path, 'server = "Mod-WSGI-Express"\n')
    plan = make_plan(tmp_path, config_for(tmp_path))
    assert plan.web.server == "mod_wsgi"
    assert "Server: mod_wsgi (pyproject.toml [tool.pybuildpack] server)" in plan.web.notes
    assert plan.settings_in_file


def test_the_config_var_overrides_the_server_setting(tmp_path):
    flask_app(tmp_path, 'server = "waitress"\n')
    plan = make_plan(tmp_path, config_for(tmp_path, PYBUILDPACK_SERVER="gunicorn"))
    assert plan.web.server == "gunicorn"


def test_an_unknown_server_in_the_file_is_reported_against_the_file(tmp_path):
    flask_app(tmp_path, 'server = "nginx"\n')
    with pytest.raises(errors.ConfigVarInvalid) as caught:
        make_plan(tmp_path, config_for(tmp_path))
    assert caught.value.title == "Invalid value for server in pyproject.toml"
    assert "pyproject.toml's [tool.pybuildpack] has `server = \"nginx\"` (line 2), but it must be one of" \
        in caught.value.body
    assert "PYBUILDPACK_SERVER, when set, wins over it" in caught.value.body


def test_groups_for_requirements_txt_from_the_file_name_the_file(tmp_path):
    flask_app(tmp_path, 'groups = ["prod"]\n')
    with pytest.raises(errors.SelectionNotSupported) as caught:
        make_plan(tmp_path, config_for(tmp_path))
    assert caught.value.title == "`groups` in pyproject.toml's [tool.pybuildpack] is set, but requirements.txt " \
                                 "has no dependency groups"


def test_an_undeclared_group_from_the_file_names_the_file(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n'
                                       '[dependency-groups]\ndev = ["pytest"]\n'
                                       '[tool.pybuildpack]\ngroups = "prod"\n')
    with pytest.raises(errors.SelectionUnknown) as caught:
        make_plan(tmp_path, config_for(tmp_path))
    assert caught.value.title.startswith("`groups` in pyproject.toml's [tool.pybuildpack] names dependency groups")
    assert "`groups = \"prod\"` in pyproject.toml's [tool.pybuildpack] (line 8) asks for prod" in caught.value.body


def test_a_package_manager_setting_without_its_files_names_the_file(tmp_path):
    flask_app(tmp_path, 'package-manager = "poetry"\n')
    with pytest.raises(errors.PackageManagerFileMissing) as caught:
        make_plan(tmp_path, config_for(tmp_path))
    assert caught.value.title == 'No poetry.lock for `package-manager = "poetry"` in pyproject.toml'


def test_the_installer_setting_names_its_origin_in_the_plan(tmp_path):
    flask_app(tmp_path, 'installer = "pip"\n')
    plan = make_plan(tmp_path, config_for(tmp_path))
    assert (plan.installer, plan.installer_origin) == ("pip", "pyproject.toml [tool.pybuildpack] installer")


def test_collectstatic_false_in_the_file_skips_collectstatic(tmp_path):
    write(tmp_path / "requirements.txt", "django\n")
    write(tmp_path / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(tmp_path / "mysite" / "settings.py", 'STATIC_URL = "static/"\n')
    pyproject(tmp_path, "collectstatic = false\n")
    assert make_plan(tmp_path, config_for(tmp_path)).collectstatic is False
    assert make_plan(tmp_path, config_for(tmp_path, DISABLE_COLLECTSTATIC="0")).collectstatic is True


def test_explain_shows_the_settings_and_their_origins(tmp_path):
    flask_app(tmp_path, 'server = "waitress"\n')
    doc = explain(make_plan(tmp_path, config_for(tmp_path, PYBUILDPACK_INSTALLER="pip")))
    assert doc["settings"] == {
        "server": {"value": "waitress", "origin": "pyproject.toml [tool.pybuildpack] server",
                   "config_var": "PYBUILDPACK_SERVER", "overrides_pyproject": False,
                   "summary": "server = waitress (pyproject.toml [tool.pybuildpack])"},
        "installer": {"value": "pip", "origin": "config var PYBUILDPACK_INSTALLER",
                      "config_var": "PYBUILDPACK_INSTALLER", "overrides_pyproject": False,
                      "summary": "installer = pip (config var PYBUILDPACK_INSTALLER)"},
    }
    assert ("Settings      server = waitress (pyproject.toml [tool.pybuildpack])\n"
            "              installer = pip (config var PYBUILDPACK_INSTALLER)\n") in render(doc)


def test_explain_without_settings_says_so(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    doc = explain(make_plan(tmp_path, config_for(tmp_path)))
    assert doc["settings"] == {}
    assert "Settings      none (" in render(doc)
