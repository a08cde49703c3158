"""The settings probe and check --deploy are skipped when nothing they read changed, and run
again when a setting or a config var did."""

import shutil

import pytest

pytestmark = pytest.mark.slow

UNCHANGED = "       Unchanged since the last build, skipped: these are its findings"
CHECK = "-----> Checking the deployment settings (python manage.py check --deploy)"
# Distinctive, so that finding it in the cache would mean it was stored.
DEBUG_ON = "yes-debug-4e1f9a"


def check_block(output: str) -> str:
    """The check's step, up to the next one."""
    start = output.index(CHECK)
    return output[start:output.index("\n-----> ", start)]


def test_a_changed_setting_or_config_var_runs_the_check_again(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("django_static"), app)
    settings = app / "mysite" / "settings.py"
    settings.write_text("import os\n" + settings.read_text().replace(
        "DEBUG = True", "DEBUG = os.environ.get('DJANGO_DEBUG', '').startswith('yes')"))
    cache = heroku.new_cache()
    config = {"DJANGO_DEBUG": DEBUG_ON}

    first = heroku.build(app, cache_dir=cache, config=config)
    assert first.ok, first.output
    assert UNCHANGED not in first.output and "security.W018" in check_block(first.output)

    second = heroku.build(app, cache_dir=cache, config=config)
    assert second.ok, second.output
    assert UNCHANGED in second.output
    # The same findings, shown the same way, below the line saying they are kept.
    assert check_block(second.output).replace(UNCHANGED + "\n", "") == check_block(first.output)
    assert DEBUG_ON not in (cache / "pybuildpack" / "django-check.json").read_text()

    # A config var the settings read: DEBUG is off now, so its finding goes.
    off = heroku.build(app, cache_dir=cache, config={"DJANGO_DEBUG": "no"})
    assert off.ok, off.output
    assert UNCHANGED not in off.output and "security.W018" not in check_block(off.output)

    # A setting: SSL redirect on, so its finding goes.
    settings.write_text(settings.read_text() + "\nSECURE_SSL_REDIRECT = True\n")
    edited = heroku.build(app, cache_dir=cache, config={"DJANGO_DEBUG": "no"})
    assert edited.ok, edited.output
    assert UNCHANGED not in edited.output
    assert "security.W008" in check_block(off.output) and "security.W008" not in check_block(edited.output)
