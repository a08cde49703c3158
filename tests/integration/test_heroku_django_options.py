"""Django variations: failing collectstatic, skipping it, a nested project."""

import shutil

import pytest

from harness.apps import break_collectstatic

pytestmark = pytest.mark.slow


def test_failing_collectstatic_shows_djangos_message_and_how_to_skip(heroku, django_app):
    break_collectstatic(django_app)
    result = heroku.build(django_app)
    assert result.returncode == 1
    assert " !     Error: collectstatic failed" in result.output
    assert "missing.png" in result.output
    assert "Command: python manage.py collectstatic --noinput" in result.output
    assert "DISABLE_COLLECTSTATIC=1" in result.output
    assert "Traceback (most recent call last)" not in result.output.split(" !     Error")[1].split("Command:")[1]


def test_disable_collectstatic_skips_the_step(heroku, django_app):
    break_collectstatic(django_app)
    result = heroku.build(django_app, config={"DISABLE_COLLECTSTATIC": "1"})
    assert result.ok, result.output
    assert "Skipping collectstatic: DISABLE_COLLECTSTATIC is set" in result.output


def test_own_static_root_is_used_and_served(heroku, django_app):
    # With ALLOWED_HOSTS named too, the settings lack nothing: no wrapper module at all.
    with (django_app / "mysite" / "settings.py").open("a") as settings:
        settings.write("\nSTATIC_ROOT = BASE_DIR / 'public' / 'static'\nALLOWED_HOSTS = ['127.0.0.1']\n")
    result = heroku.build(django_app)
    assert result.ok, result.output
    assert "STATIC_ROOT is not set" not in result.output
    assert (result.build_dir / "public" / "static" / "admin" / "css" / "base.css").is_file()
    slug = heroku.deploy(result)
    assert "DJANGO_SETTINGS_MODULE" not in slug.run("env").stdout
    dyno = slug.start()
    dyno.wait_until_serving("/admin/login/")
    assert dyno.get("/static/admin/css/base.css").status == 200
    assert dyno.terminate() == 0


def test_manage_py_in_a_subdirectory(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("django_startproject"), app / "src")
    (app / "src" / "requirements.txt").rename(app / "requirements.txt")
    (app / ".python-version").write_text("3.12\n")
    result = heroku.build(app)
    assert result.ok, result.output
    assert "--chdir src mysite.wsgi:application" in result.default_processes["web"]
    assert (result.build_dir / "src" / "staticfiles" / "admin").is_dir()
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/admin/login/").status == 200
    assert dyno.get("/static/admin/css/base.css").status == 200
    assert dyno.terminate() == 0


def test_hashed_static_files_get_far_future_cache_headers(heroku, django_app):
    with (django_app / "mysite" / "settings.py").open("a") as settings:
        settings.write(
            "\nSTORAGES = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},\n"
            "            'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}\n"
            # Django links hashed names only when DEBUG is off.
            "DEBUG = False\nALLOWED_HOSTS = ['*']\n"
        )
    result = heroku.build(django_app)
    assert result.ok, result.output
    slug = heroku.deploy(result)
    dyno = slug.start()
    page = dyno.wait_until_serving("/admin/login/")
    import re
    hashed = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text).group(1)
    reply = dyno.get(hashed)
    assert reply.status == 200
    assert "max-age=315360000" in reply.headers["cache-control"] and "immutable" in reply.headers["cache-control"]
    plain = dyno.get("/static/admin/css/base.css")
    assert plain.headers["cache-control"] == "max-age=60, public"
    assert dyno.terminate() == 0
