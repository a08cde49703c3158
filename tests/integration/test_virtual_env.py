"""VIRTUAL_ENV at runtime: set where the app's packages live in a virtualenv, and only there."""

import pytest

pytestmark = pytest.mark.slow

SHOW = "import os, sys; print(os.environ.get('VIRTUAL_ENV', '-')); print(sys.prefix)"


def test_virtual_env_names_the_venv_layer_the_packages_are_in_on_cnb(cnb, fixture_app):
    result = cnb.build(fixture_app("serve_flask_slow"))
    assert result.ok, result.output
    shown = cnb.run(["python", "-c", SHOW], process_type="web")
    assert shown.returncode == 0, shown.stderr
    virtual_env, prefix = shown.stdout.split()
    assert virtual_env == prefix == str(cnb.layers_dir / "venv")


def test_heroku_sets_no_virtual_env_as_the_slugs_python_is_not_a_virtualenv(heroku, fixture_app):
    slug = heroku.deploy(heroku.build(fixture_app("serve_flask_slow")))
    shown = slug.run(f'python -c "{SHOW}"')
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["-", str(slug.app_dir / ".heroku" / "python")]
    assert not (slug.app_dir / ".heroku" / "python" / "pyvenv.cfg").exists()
