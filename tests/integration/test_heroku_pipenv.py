"""Pipenv apps: Pipfile.lock's default packages converted to hash-pinned requirements."""

import pytest

from harness.apps import copy_app
from harness.heroku import slug_distributions as distributions

pytestmark = pytest.mark.slow


def test_the_default_packages_are_installed_and_served_and_a_rebuild_skips_the_install(heroku, fixture_app):
    cache = heroku.new_cache()
    first = heroku.build(fixture_app("pipenv_flask"), cache_dir=cache)
    assert first.ok, first.output
    assert "Using Python 3.12.1 (from Pipfile.lock)" in first.output
    assert "Pipfile.lock: 7 packages for production, each installed where its markers hold" in first.output
    installed = distributions(first.build_dir)
    assert {"flask", "werkzeug", "gunicorn"} <= installed
    assert "six" not in installed  # a dev package
    print(f"pipenv cold build: {first.duration:.1f}s")

    second = heroku.build(fixture_app("pipenv_flask"), cache_dir=cache)
    assert second.ok, second.output
    assert "Dependencies unchanged since the last build (Pipfile.lock, Pipfile)" in second.output
    print(f"pipenv no-change rebuild: {second.duration:.1f}s")
    slug = heroku.deploy(second)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from a Pipenv app"
    assert dyno.terminate() == 0


def test_a_stale_lock_fails_naming_pipenv_lock(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pipenv_flask"), tmp_path)
    pipfile = app / "Pipfile"
    pipfile.write_text(pipfile.read_text().replace('flask = "==3.0.3"', 'flask = "==3.0.3"\nrequests = "*"'))
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Pipfile.lock is out of date" in result.output
    assert "Run `pipenv lock`" in result.output


def test_a_pipfile_without_a_lock_fails_naming_pipenv_lock(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pipenv_flask"), tmp_path)
    (app / "Pipfile.lock").unlink()
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Pipfile without Pipfile.lock" in result.output
    assert "Run `pipenv lock`" in result.output
    assert "Traceback" not in result.output
