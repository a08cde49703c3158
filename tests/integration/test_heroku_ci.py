"""Heroku CI: `bin/test-compile BUILD_DIR CACHE_DIR ENV_DIR` builds the app as
bin/compile does, with its test dependencies too (uv's dev group,
requirements-test.txt), so the app's test script finds them; a production
build never reuses that environment."""

import shutil

import pytest

from harness.heroku import slug_distributions as distributions

pytestmark = pytest.mark.slow


def test_test_compile_of_a_uv_app_installs_its_dev_group_and_compile_after_it_does_not(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("uv_project"), app)
    cache = heroku.new_cache()
    tested = heroku.test_compile(app, cache_dir=cache)
    assert tested.ok, tested.output
    assert "-----> Installing test dependencies (the dev group of uv.lock)\n" in tested.output
    assert "for production" not in tested.output
    assert {"pytest", "flask", "gunicorn"} <= distributions(tested.build_dir)
    slug = heroku.deploy(tested)
    # The app's test script, as Heroku CI runs it: in the app, .profile.d sourced.
    run = slug.run("python -m pytest --version && python -c 'import flask, wsgi'")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "pytest" in run.stdout + run.stderr

    deployed = heroku.build(app, cache_dir=cache)
    assert deployed.ok, deployed.output
    assert "the last build installed the test dependencies (bin/test-compile)" in deployed.output
    assert "Installing test dependencies" not in deployed.output
    installed = distributions(deployed.build_dir)
    assert "flask" in installed and not {"pytest", "pluggy", "iniconfig"} & installed


def test_test_compile_of_a_requirements_app_installs_requirements_test_txt(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements-test.txt").write_text("-r requirements.txt\npytest\n")
    tested = heroku.test_compile(app)
    assert tested.ok, tested.output
    assert "-----> Installing test dependencies (requirements-test.txt)\n" in tested.output
    assert {"pytest", "flask"} <= distributions(tested.build_dir)
    run = heroku.deploy(tested).run("python -m pytest --version")
    assert run.returncode == 0, run.stdout + run.stderr
