"""An unmodified `django-admin startproject` site through the CNB API: the same
build as on Heroku, and the image serves the styled admin login."""

import re

import pytest

from harness.apps import break_collectstatic
from harness.cnb import CnbPlatform

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def django_build(tmp_path_factory, build_env, request):
    from conftest import DJANGO_EXAMPLE

    platform = CnbPlatform(tmp_path_factory.mktemp("cnb-django"), build_env)
    request.addfinalizer(platform.cleanup)
    return platform, platform.build(DJANGO_EXAMPLE)


def test_startproject_builds_as_on_heroku(django_build):
    _, result = django_build
    assert result.ok, result.output
    assert "Added gunicorn==" in result.output and "Added whitenoise==" in result.output
    assert "Warning: STATIC_ROOT is not set in your Django settings" in result.output
    assert "Warning: No Python version was requested" in result.output
    assert re.search(r"\d+ static files copied", result.output)
    assert "-----> Processes: web (default)" in result.output
    assert "Traceback" not in result.output


def test_the_default_process_is_gunicorn_exec_d_without_a_shell(django_build):
    platform, result = django_build
    assert result.written["launch.toml"] == {"processes": [{
        "type": "web",
        "command": ["gunicorn", "--config", "python:pybuildpack_launch.gunicorn_config", "mysite.wsgi:application"],
        "default": True,
    }]}


def test_admin_login_and_its_css_are_served(django_build):
    platform, _ = django_build
    container = platform.start()
    page = container.wait_until_serving("/admin/login/")
    assert page.status == 200 and "Django administration" in page.text
    css = container.get(re.search(r'href="(/static/admin/css/base\.css)"', page.text).group(1))
    assert css.status == 200 and b"--body-fg" in css.body
    assert container.terminate() == 0
    assert (platform.app_dir / "staticfiles" / "admin" / "css" / "base.css").is_file()


@pytest.mark.parametrize("user_value, expected", [
    (None, "pybuildpack_launch.django_settings"),
    ("mysite.settings", "pybuildpack_launch.django_settings"),
    ("mysite.other_settings", "mysite.other_settings"),
])
def test_static_root_wrapper_follows_the_heroku_rule(django_build, user_value, expected):
    """The wrapper supplies STATIC_ROOT unless the user names another settings module."""
    platform, _ = django_build
    extra = {"DJANGO_SETTINGS_MODULE": user_value} if user_value else {}
    probe = platform.run(["python", "-c", "import os; print(os.environ['DJANGO_SETTINGS_MODULE'], "
                          "os.environ.get('PYBUILDPACK_DJANGO_SETTINGS_MODULE'))"], extra_env=extra)
    assert probe.stdout.split()[0] == expected, probe
    if expected.startswith("pybuildpack_launch"):
        assert probe.stdout.split()[1] == "mysite.settings"


def test_user_naming_their_own_settings_still_gets_static_files(django_build):
    platform, _ = django_build
    container = platform.start(extra_env={"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    container.wait_until_serving("/admin/login/")
    assert container.get("/static/admin/css/base.css").status == 200
    assert container.terminate() == 0


def test_failing_collectstatic_fails_with_the_heroku_message(cnb, django_app):
    break_collectstatic(django_app)
    result = cnb.build(django_app)
    assert result.returncode == 1
    assert " !     Error: collectstatic failed" in result.output
    assert "missing.png" in result.output and "DISABLE_COLLECTSTATIC=1" in result.output
    assert cnb.image is None  # a failed build exports nothing

    skipped = cnb.build(django_app, config={"DISABLE_COLLECTSTATIC": "1"})
    assert skipped.ok, skipped.output
    assert "Skipping collectstatic: DISABLE_COLLECTSTATIC is set" in skipped.output


@pytest.mark.long
def test_settings_demanding_runtime_secrets_build_and_serve_once_they_are_set(cnb, fixture_app, tmp_path):
    """SECRET_KEY and DATABASE_URL read at import (tests/fixtures/django_runtime_secrets):
    stand-ins at build only, nowhere in the image; PYBUILDPACK_ALLOWED_HOSTS at boot."""
    runtime = {"SECRET_KEY": "the-real-secret-key-set-on-the-app-0123456789-abcdefghijklmnop",
               "DATABASE_URL": "sqlite:////tmp/pybuildpack-test-cnb-runtime-secrets.sqlite3",
               "API_TOKEN": "the-real-api-token"}
    record = tmp_path / "seen.txt"
    result = cnb.build(fixture_app("django_runtime_secrets"), env={"RECORD_SECRET_KEY_TO": str(record)})
    assert result.ok, result.output
    assert "SECRET_KEY is not set at build time: collectstatic ran with a throwaway value" in result.output
    seen = set(record.read_text().split())
    assert len(seen) == 1
    stand_in = seen.pop()
    assert stand_in not in result.output
    # Not in the app, its layers, the cache or the platform's files.
    assert [p for p in cnb.root.rglob("*")
            if p.is_file() and not p.is_symlink() and stand_in.encode() in p.read_bytes()] == []
    env = cnb.run(["env"]).stdout
    assert "SECRET_KEY=" not in env and "DATABASE_URL=" not in env and "API_TOKEN=" not in env

    container = cnb.start(extra_env={**runtime, "PYBUILDPACK_ALLOWED_HOSTS": "www.example.com"})
    container.wait_until_serving("/admin/login/")
    assert container.get("/admin/login/", headers={"Host": "www.example.com"}).status == 200
    assert container.get("/admin/login/", headers={"Host": "evil.example"}).status == 400
    assert "allowing www.example.com (from PYBUILDPACK_ALLOWED_HOSTS)" in container.log
    assert container.terminate() == 0
