"""Release tasks in the plan (the Procfile's release process, the migrate
suggestion for Django apps with migrations) and the test build of Heroku CI's
bin/test-compile (the package manager's test groups, the environment key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuildpack.build import Build
from pybuildpack.config import ConfigVars
from pybuildpack.environment_key import EnvironmentKey
from pybuildpack.explain import explain, render
from pybuildpack.inspect.django import find_migrations
from pybuildpack.plan import make_plan

from .helpers import logged, string_log, write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SUGGESTION = 'none: add "release: python manage.py migrate --noinput" to the Procfile'


def django_app(app: Path, migrations=("polls/migrations/0001_initial.py",), procfile: str = "") -> Path:
    write(app / "requirements.txt", "django\n")
    write(app / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(app / "mysite" / "settings.py", 'STATIC_URL = "static/"\n')
    for path in migrations:
        write(app / Path(path).parent / "__init__.py")
        write(app / path, "from django.db import migrations\n")
    if procfile:
        write(app / "Procfile", procfile)
    return app


def summary(plan) -> str:
    log = string_log()
    Build(plan, None, None, ConfigVars({}), log).summary()
    return logged(log)


# -- migrations ------------------------------------------------------------------------

def test_numbered_migrations_of_the_apps_own_packages_are_found(tmp_path):
    for path in ("polls/migrations/0001_initial.py", "polls/migrations/0002_votes.py",
                 "src/shop/orders/migrations/0001_initial.py"):
        write(tmp_path / path)
    for package in ("polls", "src/shop/orders"):
        write(tmp_path / package / "migrations" / "__init__.py")
    write(tmp_path / "polls" / "migrations" / "helpers.py")         # not a numbered migration
    assert find_migrations(tmp_path) == ("polls/migrations/0001_initial.py", "polls/migrations/0002_votes.py",
                                         "src/shop/orders/migrations/0001_initial.py")


@pytest.mark.parametrize("where", [".venv/lib/python3.12/site-packages/django/contrib/auth",
                                   ".heroku/python/lib/python3.12/site-packages/django/contrib/auth",
                                   ".pybuildpack/venv/lib/python3.12/site-packages/django/contrib/auth",
                                   "venv/lib/python3.12/site-packages/django/contrib/auth",
                                   "myenv/lib/python3.12/site-packages/django/contrib/auth",
                                   "lib/site-packages/django/contrib/auth",
                                   "polls"])
def test_migrations_of_installed_packages_and_of_no_package_are_not_the_apps(tmp_path, where):
    if "myenv" in where:
        write(tmp_path / "myenv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / where / "migrations" / "0001_initial.py")
    if where != "polls":   # without __init__.py, Django does not load the directory's migrations
        write(tmp_path / where / "migrations" / "__init__.py")
    assert find_migrations(tmp_path) == ()


# -- the Release line --------------------------------------------------------------------

def test_a_django_app_with_migrations_and_no_release_is_told_to_add_migrate(tmp_path):
    plan = make_plan(django_app(tmp_path), ConfigVars({}))
    assert plan.release is None
    assert f"       Release:   {SUGGESTION} to apply the app's 1 migration at each deploy\n" in summary(plan)
    doc = explain(plan)
    assert doc["release"]["migrations"] == ["polls/migrations/0001_initial.py"]
    assert f"Release       {SUGGESTION}" in render(doc)


def test_the_release_process_is_the_release_line_and_no_suggestion_is_made(tmp_path):
    app = django_app(tmp_path, procfile="web: gunicorn mysite.wsgi\nrelease: python manage.py migrate\n")
    plan = make_plan(app, ConfigVars({}))
    assert plan.release.command == "python manage.py migrate" and plan.migrations == ()
    assert "       Release:   python manage.py migrate (Procfile line 2)\n" in summary(plan)
    assert "Release       python manage.py migrate (Procfile line 2): runs once per deploy" in render(explain(plan))


@pytest.mark.parametrize("migrations", [(), ("polls/migrations/__init__.py",)])
def test_no_release_line_without_a_release_process_or_migrations(tmp_path, migrations):
    plan = make_plan(django_app(tmp_path, migrations=migrations), ConfigVars({}))
    assert "Release:" not in summary(plan) and "Release " not in render(explain(plan))


def test_the_suggestion_names_manage_py_where_it_is(tmp_path):
    write(tmp_path / "requirements.txt", "django\n")
    write(tmp_path / "site" / "manage.py", 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    write(tmp_path / "site" / "polls" / "migrations" / "__init__.py")
    write(tmp_path / "site" / "polls" / "migrations" / "0001_initial.py")
    write(tmp_path / "site" / "polls" / "migrations" / "0002_more.py")
    plan = make_plan(tmp_path, ConfigVars({}))
    assert plan.release_summary() == ('none: add "release: python site/manage.py migrate --noinput" to the '
                                      "Procfile to apply the app's 2 migrations at each deploy")


def test_a_web_process_that_migrates_at_each_start_is_told_about_the_release_line(tmp_path):
    # mdn/django-locallibrary-tutorial: `web: python manage.py migrate && ... && gunicorn locallibrary.wsgi`.
    app = django_app(tmp_path, procfile="web: python manage.py migrate && gunicorn mysite.wsgi\n")
    plan = make_plan(app, ConfigVars({}))
    assert plan.release_summary() == (
        'none: the web process (Procfile line 1) runs migrate at each start, in every dyno; a "release: python '
        'manage.py migrate --noinput" line in the Procfile applies the app\'s 1 migration once per deploy instead')


# -- the test build (bin/test-compile) ------------------------------------------------------

@pytest.mark.parametrize("fixture, group, test_package", [
    ("uv_project", "dev", "pytest"),
    ("poetry_flask", "dev", None),
    ("pipenv_flask", "develop", None),
])
def test_a_test_build_adds_the_package_managers_test_group(fixture, group, test_package):
    production = make_plan(FIXTURES / fixture, ConfigVars({}))
    test = make_plan(FIXTURES / fixture, ConfigVars({}), test=True)
    assert (production.test, production.test_groups, group in production.groups) == (False, (), False)
    assert test.test and test.test_groups == (group,) and group in test.groups
    assert f"group {group}" in test.selected()   # so the install key differs from production's
    if test_package:
        assert test_package in test.package_manager.names and test_package not in production.package_manager.names


def test_a_group_already_asked_for_is_not_added_twice(tmp_path):
    plan = make_plan(FIXTURES / "uv_project", ConfigVars({"PYBUILDPACK_GROUPS": "dev"}), test=True)
    assert plan.groups == ("dev",) and plan.test_groups == ()


def test_a_requirements_app_test_build_installs_requirements_test_txt(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    assert make_plan(tmp_path, ConfigVars({}), test=True).test_groups == ()   # none to add
    write(tmp_path / "requirements-test.txt", "-r requirements.txt\npytest\n")
    production = make_plan(tmp_path, ConfigVars({}))
    test = make_plan(tmp_path, ConfigVars({}), test=True)
    assert production.package_manager.install_files() == ["requirements.txt"]
    assert test.package_manager.install_files() == ["requirements.txt", "requirements-test.txt"]
    assert "pytest" in test.package_manager.names and "pytest" not in production.package_manager.names
    assert test.package_manager.describe() == "requirements.txt and requirements-test.txt"


def test_the_environment_of_a_test_build_is_never_reused_by_a_production_build_nor_the_reverse():
    production = EnvironmentKey("3.12.4", "uv", "0.13.9", "x86_64", "heroku-24")
    test = EnvironmentKey("3.12.4", "uv", "0.13.9", "x86_64", "heroku-24", purpose="test")
    assert "purpose" not in production.metadata()   # production keys are as they were
    assert production.changes(test.metadata()) == [
        "the last build installed the test dependencies (bin/test-compile)"]
    assert test.changes(production.metadata()) == ["this build installs the test dependencies"]
    assert test.changes(test.metadata()) == [] and production.changes(production.metadata()) == []


def test_the_uv_export_line_of_a_build_with_the_dev_group_does_not_say_production():
    from pybuildpack import errors

    assert errors.uv_exported(13, "uv.lock", ("dev",), with_dev=True) == (
        "uv.lock locks 13 packages for this build (its dependencies and the group dev)")
