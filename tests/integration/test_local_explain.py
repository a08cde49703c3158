"""`pybuildpack explain`: what a build would do and why, as text or JSON, without building."""

import json

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_explain_the_django_example_without_building_it(local):
    app = local.copy_app(REPO / "examples" / "django")
    result = local.pybuildpack("explain", str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[:3] == [
        f"What a build of {app} does, and why (nothing was built):",
        "",
        "Python        not pinned: the newest stable CPython available (the build warns)",
    ]
    assert "Packages      uv (default), from requirements.txt\n" in result.stdout
    assert "              adds gunicorn: the web process (WSGI_APPLICATION in mysite/settings.py line 69) runs under gunicorn" \
        in result.stdout
    assert "Framework     Django (manage.py, settings mysite.settings)\n" in result.stdout
    assert ("Processes     web: gunicorn --config python:pybuildpack_launch.gunicorn_config mysite.wsgi:application\n"
            "                  (detected from WSGI_APPLICATION in mysite/settings.py line 69, server gunicorn)\n"
            "                  App: Django's WSGI application `mysite.wsgi.application`\n"
            "                  Server: gunicorn (the default WSGI server)\n") in result.stdout
    assert ("Static files  collectstatic into staticfiles/ (STATIC_ROOT is not set in mysite/settings.py: "
            "pybuildpack supplies it)\n") in result.stdout
    assert "Hooks         none (bin/pre_compile and bin/post_compile are not in the app)\n" in result.stdout
    assert not (app / ".pybuildpack").exists()


def test_explain_json_names_each_decision_and_its_origin(local, fixture_app):
    app = local.copy_app(fixture_app("procfile"))
    (app / "bin").mkdir()
    (app / "bin" / "post_compile").write_text("echo done\n")
    (app / ".env").write_text("PYBUILDPACK_INSTALLER=pip\n")
    result = local.pybuildpack("explain", "--json", str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["python"]["requested"] == "3.12" and doc["python"]["origin"] == ".python-version"
    assert doc["package_manager"]["installer"] == "pip"
    assert doc["package_manager"]["installer_origin"] == "config var PYBUILDPACK_INSTALLER"
    assert doc["framework"] is None
    assert [(p["name"], p["origin"], p["detected"]) for p in doc["processes"]] == [
        ("web", "Procfile line 2", False), ("worker", "Procfile line 3", False)]
    assert doc["hooks"] == [{"hook": "bin/post_compile", "when": "last, after the packages and collectstatic"}]
    assert doc["static_files"]["collectstatic"] is False
    assert doc["last_build"] is None


def test_explain_json_on_a_cold_user_cache_prints_only_json(local, tmp_path):
    """The first command on a machine prepares pybuildpack's tools; that progress
    goes to stderr, so stdout stays a JSON document a script can parse."""
    import json

    app = local.copy_app(REPO / "examples" / "django")
    result = local.pybuildpack("explain", "--json", str(app),
                               env={"PYBUILDPACK_CACHE_DIR": str(tmp_path / "cold-user-cache")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "-----> Preparing pybuildpack's tools" in result.stderr
    assert json.loads(result.stdout)["app_dir"] == str(app)
