"""An unmodified `django-admin startproject` site, with only Django listed, on Heroku."""

import re

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def django_build(tmp_path_factory, build_env, request):
    from harness.heroku import HerokuPlatform
    from conftest import DJANGO_EXAMPLE

    platform = HerokuPlatform(tmp_path_factory.mktemp("heroku-django"), build_env)
    request.addfinalizer(platform.cleanup)
    result = platform.build(DJANGO_EXAMPLE)
    return platform, result


def test_startproject_builds_with_gunicorn_and_whitenoise_added(django_build):
    _, result = django_build
    assert result.ok, result.output
    assert "Added gunicorn==" in result.output
    assert "Added whitenoise==" in result.output
    assert "Warning: STATIC_ROOT is not set in your Django settings" in result.output
    assert re.search(r"\d+ static files copied", result.output)
    assert "Traceback" not in result.output


def test_check_deploy_findings_and_the_empty_allowed_hosts_are_said_without_failing(django_build):
    _, result = django_build
    assert result.ok
    lines = result.output.splitlines()
    start = lines.index("-----> Checking the deployment settings (python manage.py check --deploy)")
    assert lines[start + 1].startswith("       ALLOWED_HOSTS is empty in mysite/settings.py: at boot the app's host")
    block = result.output.split(" !     Warning: Django's deployment checks found ")[1].split("\n\n")[0]
    # startproject's DEBUG = True and its django-insecure- key are among them; W020 (ALLOWED_HOSTS)
    # is left out: the settings wrapper fills it at boot.
    assert re.match(r"\d+ issues\n", block)
    assert " !     security.W018  You should not have DEBUG set to True in deployment." in block
    assert " !     security.W009  " in block and "security.W020" not in block
    assert result.output.count("Django's deployment checks") == 1


def test_unpinned_python_warns_and_uses_newest(django_build, downloads_json):
    _, result = django_build
    assert "Warning: No Python version was requested" in result.output
    assert re.search(r"Using Python 3\.13\.\d+ \(newest available, not pinned\)", result.output)


def test_default_web_process_runs_wsgi_application(django_build):
    _, result = django_build
    assert result.default_processes == {
        "web": "gunicorn --config python:pybuildpack_launch.gunicorn_config mysite.wsgi:application"
    }


def test_admin_login_and_its_css_are_served_from_app_dir(django_build):
    platform, result = django_build
    slug = platform.deploy(result)
    dyno = slug.start("web")
    page = dyno.wait_until_serving("/admin/login/")
    assert page.status == 200
    assert "Django administration" in page.text
    css_path = re.search(r'href="(/static/admin/css/base\.css)"', page.text).group(1)
    css = dyno.get(css_path)
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    assert b"--body-fg" in css.body
    # The slug works from the directory that plays /app, not the build directory.
    probe = slug.run('python -c "import sys, django.conf as c; print(sys.base_prefix)"')
    assert probe.stdout.strip() == str(slug.app_dir / ".heroku" / "python"), probe
    assert (slug.app_dir / "staticfiles" / "admin" / "css" / "base.css").is_file()
    assert dyno.terminate() == 0
