"""Turning the app's facts and config vars into a BuildPlan (pybuildpack.plan)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.config import ConfigVars
from pybuildpack.inspect.processes import DEFAULT_WEB_ORDER
from pybuildpack.inspect.web_app import APP_OBJECTS
from pybuildpack.pins import WHITENOISE
from pybuildpack.package_managers.requirements_txt import RequirementsTxt
from pybuildpack.plan import AddedPackage, choose_installer, choose_selection, make_plan
from pybuildpack.servers.gunicorn import Gunicorn

from .helpers import write


def plan_for(app, **config):
    return make_plan(app, ConfigVars(config))


SERVING_APP_PY = "import http.server\nhttp.server.HTTPServer(('', 8000), None).serve_forever()\n"


def added_names(plan):
    return [package.name for package in plan.added_packages]


def wsgi_app(app, requirements="flask\n"):
    write(app / "requirements.txt", requirements)
    write(app / "wsgi.py", "from flask import Flask\napp = Flask(__name__)\n")
    return app


def django_app(app, requirements="django\n"):
    write(app / "requirements.txt", requirements)
    write(app / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(app / "mysite" / "settings.py", 'STATIC_URL = "static/"\n')
    return app


# -- installer -----------------------------------------------------------------------

def test_installer_defaults_to_uv():
    assert choose_installer(ConfigVars({})) == ("uv", "default")
    assert choose_installer(ConfigVars({"PYBUILDPACK_INSTALLER": "  "})) == ("uv", "default")


def test_installer_config_var_is_honoured_case_insensitively():
    config = ConfigVars({"PYBUILDPACK_INSTALLER": " PIP\n"})
    assert choose_installer(config) == ("pip", "config var PYBUILDPACK_INSTALLER")


def test_invalid_installer_raises_config_var_invalid():
    with pytest.raises(errors.ConfigVarInvalid) as caught:
        choose_installer(ConfigVars({"PYBUILDPACK_INSTALLER": "poetry"}))
    assert caught.value.title == "Invalid value for PYBUILDPACK_INSTALLER"
    assert "set to 'poetry', but it must be `uv` or `pip`" in caught.value.body


def test_make_plan_rejects_an_invalid_installer(tmp_path):
    wsgi_app(tmp_path)
    with pytest.raises(errors.ConfigVarInvalid):
        plan_for(tmp_path, PYBUILDPACK_INSTALLER="conda")


# -- added packages ------------------------------------------------------------------------

def test_gunicorn_is_added_when_the_default_web_process_uses_it(tmp_path):
    plan = plan_for(wsgi_app(tmp_path))
    assert plan.added_packages == (AddedPackage("gunicorn", "the web process (wsgi.py line 2) runs under gunicorn",
                                                Gunicorn.pins),)
    assert plan.added_requirements() == ['gunicorn==27.0.1; python_version >= "3.10"',
                                         'gunicorn==23.0.0; python_version < "3.10"']


@pytest.mark.parametrize("requirements", ["gunicorn==23.0.0\n", "Gunicorn\n", "gunicorn[gevent]>=22\n"])
def test_gunicorn_is_not_added_when_requirements_name_it(tmp_path, requirements):
    plan = plan_for(wsgi_app(tmp_path, "flask\n" + requirements))
    assert added_names(plan) == []


def test_gunicorn_named_in_an_included_file_is_not_added(tmp_path):
    write(tmp_path / "requirements" / "base.txt", "gunicorn\n")
    plan = plan_for(wsgi_app(tmp_path, "-r requirements/base.txt\nflask\n"))
    assert added_names(plan) == []


def test_nothing_is_added_for_a_non_gunicorn_web_process(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "app.py", SERVING_APP_PY)
    assert added_names(plan_for(tmp_path)) == []


def test_django_gets_gunicorn_and_whitenoise(tmp_path):
    plan = plan_for(django_app(tmp_path))
    assert plan.added_packages == (
        AddedPackage("gunicorn", "the web process (Django project at manage.py) runs under gunicorn", Gunicorn.pins),
        AddedPackage("whitenoise", "it serves Django's static files from the web process", WHITENOISE),
    )


def test_whitenoise_is_not_added_when_requirements_name_it(tmp_path):
    plan = plan_for(django_app(tmp_path, "django\nWhiteNoise[brotli]\ngunicorn\n"))
    assert added_names(plan) == []


def test_whitenoise_is_not_added_when_a_procfile_serves_django(tmp_path):
    django_app(tmp_path)
    write(tmp_path / "Procfile", "web: uvicorn mysite.asgi:application\n")
    # The server the Procfile runs is added (the app does not declare it); WhiteNoise is not.
    assert added_names(plan_for(tmp_path)) == ["uvicorn"]


def test_a_server_a_procfile_runs_is_added_when_the_app_does_not_declare_it(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "Procfile", "web: exec gunicorn --bind 0.0.0.0:$PORT app:app\nworker: python worker.py\n")
    (added,) = plan_for(tmp_path).added_packages
    assert (added.name, added.reason) == (
        "gunicorn", "the web process (Procfile line 1) runs gunicorn, which the app does not declare")
    write(tmp_path / "requirements.txt", "flask\ngunicorn\n")
    assert added_names(plan_for(tmp_path)) == []
    write(tmp_path / "Procfile", "web: python app.py\n")
    write(tmp_path / "requirements.txt", "flask\n")
    assert added_names(plan_for(tmp_path)) == []


def uv_app(app, dependencies=("flask",)):
    """A uv project locking `dependencies` (a minimal uv.lock: names only)."""
    listed = ", ".join(f'"{d}"' for d in dependencies)
    write(app / "pyproject.toml", f'[project]\nname = "app"\nversion = "0"\ndependencies = [{listed}]\n')
    locked = ", ".join(f'{{ name = "{d}" }}' for d in dependencies)
    tables = "".join(f'[[package]]\nname = "{d}"\n' for d in dependencies)
    write(app / "uv.lock", f'version = 1\n[[package]]\nname = "app"\nsource = {{ virtual = "." }}\n'
                           f"dependencies = [{locked}]\n{tables}")
    return app


def test_gunicorn_is_added_to_a_uv_project_that_does_not_lock_it(tmp_path):
    write(tmp_path / "wsgi.py", "from flask import Flask\napp = Flask(__name__)\n")
    plan = plan_for(uv_app(tmp_path))
    assert plan.package_manager.kind == "uv" and plan.package_manager_origin == "uv.lock"
    assert added_names(plan) == ["gunicorn"]


def test_gunicorn_locked_by_a_uv_project_is_not_added(tmp_path):
    write(tmp_path / "wsgi.py", "from flask import Flask\napp = Flask(__name__)\n")
    assert added_names(plan_for(uv_app(tmp_path, ("flask", "gunicorn")))) == []


# -- Django ------------------------------------------------------------------------------

def test_django_runs_collectstatic_by_default(tmp_path):
    plan = plan_for(django_app(tmp_path))
    assert plan.django.settings_module == "mysite.settings"
    assert plan.collectstatic is True


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_disable_collectstatic_turns_collectstatic_off(tmp_path, value):
    assert plan_for(django_app(tmp_path), DISABLE_COLLECTSTATIC=value).collectstatic is False


def test_disable_collectstatic_zero_keeps_collectstatic(tmp_path):
    assert plan_for(django_app(tmp_path), DISABLE_COLLECTSTATIC="0").collectstatic is True


def test_no_collectstatic_without_django(tmp_path):
    plan = plan_for(wsgi_app(tmp_path))
    assert plan.django is None and plan.collectstatic is False


# -- warnings ---------------------------------------------------------------------------

def test_app_with_nothing_to_serve_gets_the_no_web_process_warning(tmp_path):
    write(tmp_path / "requirements.txt", "requests\n")
    plan = plan_for(tmp_path)
    assert plan.web is None
    assert plan.warnings == (errors.no_web_process(DEFAULT_WEB_ORDER, terms=APP_OBJECTS),)
    title, body = plan.warnings[0]
    assert "  - an app object or app factory in wsgi.py, asgi.py, app.py, main.py, application.py, server.py\n" \
        in body
    assert "\nAn app object is a module-level name made by Flask(), FastAPI()" in body
    assert body.endswith("Add a Procfile with a web process, for example:\n    web: gunicorn myapp.wsgi")


def test_no_web_process_warning_says_what_it_saw_and_gives_a_procfile_line_for_the_framework(tmp_path):
    write(tmp_path / "requirements.txt", "fastapi\nuvicorn\n")
    write(tmp_path / "main.py", "print('I serve nothing')\n")
    title, body = plan_for(tmp_path).warnings[0]
    assert title == "No web process"
    assert "It saw:\n  - main.py neither defines an app object or factory nor starts a server\n" in body
    assert body.endswith("Your dependencies name FastAPI. Add a Procfile with a web process, for example:\n"
                         "    web: uvicorn main:app --host 0.0.0.0 --port $PORT")


def test_no_web_process_warning_gives_the_procfile_line_of_an_app_found_elsewhere(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "hello.py", "from flask import Flask\nserver = Flask(__name__)\n")
    assert plan_for(tmp_path).warnings[0][1].endswith(
        "  - hello.py line 2 defines a Flask app, `server`, in a file not looked in\n"
        "To serve that app, add a Procfile with this line:\n    web: gunicorn hello:server")


def test_a_procfile_web_line_means_nothing_is_looked_for(tmp_path):
    django_app(tmp_path)
    write(tmp_path / "mysite" / "settings.py", 'WSGI_APPLICATION = "mysite.missing.application"\n')
    with pytest.raises(errors.DjangoApplicationMissing):
        plan_for(tmp_path)
    write(tmp_path / "Procfile", "web: gunicorn mysite.wsgi\n")
    plan = plan_for(tmp_path)
    assert plan.processes.default_web is None and plan.web.origin == "Procfile line 1"


def test_the_framework_the_dependencies_name_classifies_an_app_its_source_does_not(tmp_path):
    write(tmp_path / "requirements.txt", "starlette\n")
    write(tmp_path / "asgi.py", "from myservice.web import application\n")
    write(tmp_path / "wsgi.py", "from myservice.web import application\n")
    plan = plan_for(tmp_path)
    assert plan.web.server == "gunicorn" and plan.web.command.startswith("PYBUILDPACK_APP=wsgi:application gunicorn ")
    assert plan.web.notes == ("App: Starlette app `application` (ASGI)",
                              "Server: gunicorn with uvicorn workers (the default ASGI server)")
    assert added_names(plan) == ["gunicorn", "uvicorn-worker", "uvicorn"]


def test_a_clean_app_has_no_warnings(tmp_path):
    assert plan_for(wsgi_app(tmp_path)).warnings == ()


def test_missing_requirements_file_warns(tmp_path):
    write(tmp_path / "app.py", SERVING_APP_PY)
    assert plan_for(tmp_path).warnings == (errors.no_requirements_file(),)


def test_dependency_files_pybuildpack_cannot_install_fail_the_plan(tmp_path):
    write(tmp_path / "app.py", SERVING_APP_PY)
    write(tmp_path / "environment.yml")
    with pytest.raises(errors.DependencyFilesNotInstalled):
        plan_for(tmp_path)


def test_several_package_managers_fail_the_plan_unless_the_config_var_chooses(tmp_path):
    uv_app(wsgi_app(tmp_path, "flask\nsix\n"))
    with pytest.raises(errors.SeveralPackageManagers):
        plan_for(tmp_path)
    plan = plan_for(tmp_path, PYBUILDPACK_PACKAGE_MANAGER="uv")
    assert (plan.package_manager.kind, plan.package_manager_origin) == ("uv", "config var PYBUILDPACK_PACKAGE_MANAGER")
    assert plan.not_installed_from == ("requirements.txt",)
    assert plan.warnings == ()


def test_runtime_txt_warns_that_it_is_deprecated(tmp_path):
    wsgi_app(tmp_path)
    write(tmp_path / "runtime.txt", "python-3.12.4")
    plan = plan_for(tmp_path)
    assert plan.warnings == (errors.runtime_txt_deprecated(),)
    assert plan.python.exact.value == "3.12.4"


def test_ignored_config_vars_warn(tmp_path):
    plan = plan_for(wsgi_app(tmp_path), PATH="/x", LD_PRELOAD="y")
    assert plan.warnings == (errors.config_var_ignored(["LD_PRELOAD", "PATH"]),)


def test_default_web_warnings_come_first(tmp_path):
    write(tmp_path / "app.sh", "#!/bin/sh\n")
    write(tmp_path / "app.py", SERVING_APP_PY)
    write(tmp_path / "runtime.txt", "python-3.12")
    assert plan_for(tmp_path).warnings == (
        errors.app_sh_not_executable(), errors.runtime_txt_deprecated(), errors.no_requirements_file())


# -- hooks and the rest ----------------------------------------------------------------------

def test_hooks_found_in_bin_are_planned_in_order(tmp_path):
    wsgi_app(tmp_path)
    write(tmp_path / "bin" / "post_compile", "echo post\n")
    write(tmp_path / "bin" / "pre_compile", "echo pre\n")
    assert plan_for(tmp_path).hooks == ("bin/pre_compile", "bin/post_compile")


def test_app_without_bin_hooks_plans_none(tmp_path):
    assert plan_for(wsgi_app(tmp_path)).hooks == ()


def test_plan_records_installer_python_dependencies_and_web(tmp_path):
    wsgi_app(tmp_path)
    write(tmp_path / ".python-version", "3.12\n")
    plan = plan_for(tmp_path, PYBUILDPACK_INSTALLER="pip")
    assert plan.app_dir == tmp_path
    assert (plan.installer, plan.installer_origin) == ("pip", "config var PYBUILDPACK_INSTALLER")
    assert plan.python.exact.value == "3.12"
    assert plan.package_manager.file == "requirements.txt"
    assert plan.web.argv[-1] == "wsgi:app" and plan.web.server == "gunicorn"


# -- groups and extras --------------------------------------------------------------------

class WithGroupsAndExtras(RequirementsTxt):
    has_groups = has_extras = True


def test_groups_and_extras_are_read_normalized_and_in_order():
    config = ConfigVars({"PYBUILDPACK_GROUPS": " prod, Docs_Site ,prod", "PYBUILDPACK_EXTRAS": "postgres"})
    chosen = choose_selection(config, WithGroupsAndExtras("requirements.txt", frozenset()))
    assert chosen == {"groups": ("prod", "docs-site"), "extras": ("postgres",)}


def test_no_groups_or_extras_asked_for_is_empty_for_any_manager(tmp_path):
    plan = plan_for(wsgi_app(tmp_path), PYBUILDPACK_GROUPS="", PYBUILDPACK_EXTRAS=" , ")
    assert (plan.groups, plan.extras, plan.selected()) == ((), (), [])


@pytest.mark.parametrize("variable", ["PYBUILDPACK_GROUPS", "PYBUILDPACK_EXTRAS"])
def test_asking_requirements_txt_for_groups_or_extras_is_an_error(tmp_path, variable):
    with pytest.raises(errors.SelectionNotSupported) as caught:
        plan_for(wsgi_app(tmp_path), **{variable: "prod"})
    assert caught.value.title.startswith(f"{variable} is set, but requirements.txt has no")


@pytest.mark.parametrize("value", ["prod docs", "-x", "a/b", "é"])
def test_a_group_name_that_is_not_a_name_is_an_invalid_config_var(value):
    with pytest.raises(errors.ConfigVarInvalid) as caught:
        choose_selection(ConfigVars({"PYBUILDPACK_GROUPS": value}), WithGroupsAndExtras("r", frozenset()))
    assert "PYBUILDPACK_GROUPS" in caught.value.title


def test_groups_and_extras_change_the_install_key_only_when_asked_for(tmp_path):
    from pybuildpack.steps.dependencies import install_inputs

    wsgi_app(tmp_path)
    plain = install_inputs(tmp_path, ["requirements.txt"], [], "uv", {})
    assert install_inputs(tmp_path, ["requirements.txt"], [], "uv", {}, []).key == plain.key
    assert install_inputs(tmp_path, ["requirements.txt"], [], "uv", {}, ["group prod"]).key != plain.key


@pytest.mark.parametrize("files", [{"pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n'},
                                   {"setup.py": "from setuptools import setup\nsetup(name='x')\n"},
                                   {"pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "flask"\n'}])
def test_the_pip_installer_installs_pyproject_setup_py_and_pylock_apps(tmp_path, files):
    for name, text in files.items():
        write(tmp_path / name, text)
    assert plan_for(tmp_path, PYBUILDPACK_INSTALLER="pip").installer == "pip"


def test_gunicorn_is_added_only_when_neither_the_pyproject_nor_its_chosen_group_names_it(tmp_path):
    write(tmp_path / "wsgi.py", "def application(environ, start_response):\n    pass\n")
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n'
                                       '[dependency-groups]\nprod = ["gunicorn"]\n')
    assert added_names(plan_for(tmp_path)) == ["gunicorn"]
    assert added_names(plan_for(tmp_path, PYBUILDPACK_GROUPS="prod")) == []


def test_a_lock_made_for_another_python_than_python_version_asks_for_is_a_conflict(tmp_path):
    import json

    write(tmp_path / "wsgi.py", "app = None\n")
    write(tmp_path / ".python-version", "3.12\n")
    write(tmp_path / "Pipfile", '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.11"\n')
    write(tmp_path / "Pipfile.lock", json.dumps({
        "_meta": {"hash": {"sha256": "0"}, "requires": {"python_version": "3.11"}, "sources": []},
        "default": {"flask": {"version": "==3.0.3"}}, "develop": {}}))
    with pytest.raises(errors.PythonVersionConflict) as caught:
        plan_for(tmp_path)
    assert ".python-version asks for Python 3.12" in caught.value.body
    assert "Pipfile.lock asks for Python 3.11" in caught.value.body


# -- the build summary shows the web process and where it came from ------------------------------

def summary_of(plan):
    from pybuildpack.build import Build

    from .helpers import string_log

    log = string_log()
    Build(plan, None, None, ConfigVars({}), log).summary()
    return log.stream.getvalue().split("\n", 1)[1]


def test_summary_shows_the_web_process_its_origin_and_every_note(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    write(tmp_path / "app.py", "from flask import Flask\napp = Flask(__name__)\n"
                               "if __name__ == '__main__':\n    app.run()\n")
    assert summary_of(plan_for(tmp_path)) == (
        "       Packages:  0\n"
        "       Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config app:app\n"
        "       From:      app.py line 2\n"
        "       App:       Flask app `app` (WSGI)\n"
        "       Note:      app.py line 4 starts Flask's development server under `if __name__ == \"__main__\":`; "
        "left alone: a production server serves `app` instead\n"
        "       Server:    gunicorn (the default WSGI server)\n")


def test_summary_of_a_procfile_web_names_its_line(tmp_path):
    write(tmp_path / "Procfile", "worker: celery\nweb: gunicorn app:app\n")
    assert summary_of(plan_for(tmp_path)).splitlines()[1:] == [
        "       Web:       gunicorn app:app", "       From:      Procfile line 2"]


def test_summary_without_a_web_process_says_to_add_one(tmp_path):
    assert summary_of(plan_for(tmp_path)).splitlines()[1:] == [
        "       Web:       (none: add a Procfile with a web process)"]


@pytest.mark.parametrize("line, variable", [
    ("hello @ ${PRIVATE_WHEELS}/hello-1.0-py3-none-any.whl", "PRIVATE_WHEELS"),
    ("--extra-index-url https://${TOKEN}@example.com/simple", "TOKEN"),
])
def test_a_requirements_variable_no_config_var_sets_fails_naming_the_line(tmp_path, line, variable):
    write(tmp_path / "requirements.txt", f"flask\n# {variable} below\n{line}\n")
    with pytest.raises(errors.SourceVariableUnset) as caught:
        plan_for(tmp_path)
    assert caught.value.title == f"{variable} is not set, and requirements.txt line 3 needs it"
    plan_for(tmp_path, **{variable: "https://example.com/wheels"})   # set: no complaint


@pytest.mark.parametrize("line", ["-e ../shared-lib", "../shared-lib", "shared @ file:///opt/shared",
                                  "-r ../common/requirements.txt", "-c ../constraints.txt"])
def test_a_requirements_path_outside_the_app_fails_naming_the_line(tmp_path, line):
    app = tmp_path / "app"
    write(app / "requirements.txt", "flask \\\n  >=3\n" + line + "\n")
    with pytest.raises(errors.PathDependencyOutsideApp) as caught:
        plan_for(app)
    assert "requirements.txt line 3 names" in caught.value.body


def test_requirements_paths_inside_the_app_are_followed_and_accepted(tmp_path):
    write(tmp_path / "requirements.txt", "-r requirements/base.txt\n-e .\n./libs/one\n")
    write(tmp_path / "requirements/base.txt", "-e ../libs/two\nflask\n")
    write(tmp_path / "setup.py", "")
    plan_for(tmp_path)
    write(tmp_path / "requirements/base.txt", "-e ../../elsewhere\n")
    with pytest.raises(errors.PathDependencyOutsideApp) as caught:
        plan_for(tmp_path)
    assert "requirements/base.txt line 1" in caught.value.body


def test_a_framework_app_with_no_dependency_file_fails_instead_of_shipping_without_it(tmp_path):
    write(tmp_path / "app.py", "from flask import Flask\napp = Flask(__name__)\n")
    with pytest.raises(errors.FrameworkNotDeclared) as caught:
        plan_for(tmp_path)
    assert "app.py line 2 is a Flask app" in caught.value.body
    write(tmp_path / "app.py", "import http.server\nhttp.server.test(port=8000)\n")
    assert plan_for(tmp_path).package_manager.kind == "none"


@pytest.mark.parametrize("make, detail", [
    (lambda hook: hook.mkdir(parents=True), "it is a directory"),
    (lambda hook: (hook.parent.mkdir(parents=True), hook.symlink_to("nowhere.sh")), "it is a symlink to nowhere.sh"),
])
def test_a_hook_that_is_no_file_fails_the_build(tmp_path, make, detail):
    write(tmp_path / "requirements.txt", "flask\n")
    make(tmp_path / "bin" / "post_compile")
    with pytest.raises(errors.HookNotRunnable) as caught:
        plan_for(tmp_path)
    assert detail in caught.value.body


def test_index_options_of_requirements_files_become_pip_variables_for_pip_sync(tmp_path):
    from pybuildpack.inspect.dependencies import index_environment

    write(tmp_path / "requirements.txt", "-i https://mirror.example/simple\n-r base.txt\n--trusted-host=h.example\n"
                                         "--extra-index-url https://${U}:${P}@private.example/simple  # ours\n")
    write(tmp_path / "base.txt", "--extra-index-url https://other.example/simple\n--find-links ./wheels\nflask\n")
    assert index_environment([tmp_path / "requirements.txt"], {"U": "deploy", "P": "s3cret"}) == {
        "PIP_INDEX_URL": "https://mirror.example/simple",
        "PIP_EXTRA_INDEX_URL": "https://other.example/simple https://deploy:s3cret@private.example/simple",
        "PIP_FIND_LINKS": "./wheels",
        "PIP_TRUSTED_HOST": "h.example",
    }


# -- a server declared only in a chosen group or extra (issue 11) -------------------------------------

UV_PYPROJECT = ('[project]\nname = "app"\nversion = "1"\ndependencies = ["flask"]\n'
                '[project.optional-dependencies]\nsrv = ["waitress"]\n[dependency-groups]\nprod = ["gunicorn"]\n')
UV_LOCK = ('version = 1\n[[package]]\nname = "app"\nversion = "1"\nsource = { virtual = "." }\n'
           'dependencies = [{ name = "flask" }]\n[package.optional-dependencies]\nsrv = [{ name = "waitress" }]\n'
           '[package.dev-dependencies]\nprod = [{ name = "gunicorn" }]\n'
           '[[package]]\nname = "flask"\nversion = "3"\n[[package]]\nname = "gunicorn"\nversion = "23"\n'
           '[[package]]\nname = "waitress"\nversion = "3"\n')
POETRY_PYPROJECT = ('[tool.poetry]\nname = "app"\nversion = "1"\ndescription = ""\nauthors = []\n'
                    'package-mode = false\n[tool.poetry.dependencies]\npython = "^3.9"\nflask = "*"\n'
                    'waitress = { version = "*", optional = true }\n[tool.poetry.extras]\nsrv = ["waitress"]\n'
                    '[tool.poetry.group.prod]\noptional = true\n[tool.poetry.group.prod.dependencies]\n'
                    'gunicorn = "*"\n')
POETRY_LOCK = ''.join(f'[[package]]\nname = "{name}"\nversion = "1.0"\ndescription = ""\noptional = {optional}\n'
                      'python-versions = "*"\nfiles = []\n\n'
                      for name, optional in (("flask", "false"), ("gunicorn", "false"), ("waitress", "true")))
POETRY_LOCK += '[extras]\nsrv = ["waitress"]\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.9"\n' \
               'content-hash = "0"\n'
PIPFILE_LOCK = ('{"_meta": {"hash": {"sha256": "0"}, "requires": {}, "sources": []}, '
                '"default": {"flask": {"version": "==3.0.0"}}, "prod": {"gunicorn": {"version": "==23.0.0"}}, '
                '"develop": {}}')


@pytest.mark.parametrize("files, selections", [
    ({"pyproject.toml": UV_PYPROJECT, "uv.lock": UV_LOCK}, ["groups", "extras"]),
    ({"pyproject.toml": POETRY_PYPROJECT, "poetry.lock": POETRY_LOCK}, ["groups", "extras"]),
    ({"Pipfile.lock": PIPFILE_LOCK}, ["groups"]),
    ({"pyproject.toml": UV_PYPROJECT}, ["groups", "extras"]),
], ids=["uv", "poetry", "pipenv", "pyproject"])
def test_a_server_declared_only_in_the_chosen_group_or_extra_is_not_added_again(tmp_path, files, selections):
    write(tmp_path / "wsgi.py", "def application(environ, start_response):\n    pass\n")
    for name, text in files.items():
        write(tmp_path / name, text)
    assert added_names(plan_for(tmp_path)) == ["gunicorn"]
    if "groups" in selections:
        assert added_names(plan_for(tmp_path, PYBUILDPACK_GROUPS="prod")) == []
    if "extras" in selections:
        # The server the app chose in an extra runs the web process, and nothing is added.
        plan = plan_for(tmp_path, PYBUILDPACK_EXTRAS="srv")
        assert (added_names(plan), plan.web.server) == ([], "waitress")
