"""`pybuildpack run`: one-off commands in the built environment, as `heroku run` runs them."""

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def django_app(tmp_path_factory, local_env):
    from harness.local import LocalPlatform

    platform = LocalPlatform(tmp_path_factory.mktemp("local-run"), local_env)
    app = platform.copy_app(REPO / "examples" / "django")
    result = platform.pybuildpack("build", str(app))
    assert result.returncode == 0, result.stdout
    return platform, app


def test_run_uses_the_built_environments_python_and_packages(django_app):
    platform, app = django_app
    result = platform.pybuildpack("run", "python", "-c", "import django, sys; print(sys.prefix)", cwd=app)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{app / '.pybuildpack' / 'venv'}\n"
    assert result.stderr == ""


def test_run_manage_py_migrate_with_the_supplied_static_root(django_app):
    platform, app = django_app
    migrate = platform.pybuildpack("run", "python", "manage.py", "migrate", "--noinput", cwd=app)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert "Applying auth.0001_initial... OK" in migrate.stdout
    assert (app / "db.sqlite3").is_file()
    settings = platform.pybuildpack("run", "python", "manage.py", "shell", "-c",
                                    "from django.conf import settings; print(settings.STATIC_ROOT)", cwd=app)
    assert settings.stdout.strip().splitlines()[-1] == str(app / "staticfiles"), settings.stderr


def test_run_from_elsewhere_runs_in_the_app_directory_and_passes_the_exit_status(django_app):
    platform, app = django_app
    result = platform.pybuildpack("run", "-C", str(app), "python -c 'import os, sys; print(os.getcwd()); sys.exit(3)'")
    assert (result.returncode, result.stdout) == (3, f"{app}\n")


def test_run_of_a_missing_command_names_it(django_app):
    platform, app = django_app
    result = platform.pybuildpack("run", "no-such-command", cwd=app)
    assert result.returncode == 1
    assert " !     Error: Command not found: no-such-command" in result.stderr
    assert "Traceback" not in result.stderr
