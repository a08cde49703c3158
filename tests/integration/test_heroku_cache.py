"""The build cache: warm rebuilds, what is discarded and why, interrupted builds."""

import json
import os
import shutil
import signal
import subprocess

import pytest

from harness.heroku import BIN

pytestmark = pytest.mark.slow

# Any network access through these fails at once: a rebuild that passes with
# them set touched no network.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "ALL_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}


def test_no_change_rebuild_skips_install_and_touches_no_network(heroku, fixture_app):
    cache = heroku.new_cache()
    cold = heroku.build(fixture_app("django_startproject"), cache_dir=cache)
    assert cold.ok, cold.output
    warm = heroku.build(fixture_app("django_startproject"), cache_dir=cache, env=OFFLINE)
    assert warm.ok, warm.output
    assert "Preparing pybuildpack's tools" not in warm.output
    assert "Installing Python" not in warm.output
    assert "Restored the environment from the build cache" in warm.output
    assert "Dependencies unchanged since the last build (requirements.txt)" in warm.output
    # Nothing collectstatic reads changed: its output comes back from the cache.
    assert "-----> collectstatic: unchanged since the last build, skipped (" in warm.output
    assert "static files copied" in cold.output and "static files copied" not in warm.output
    assert warm.duration < cold.duration
    slug = heroku.deploy(warm)
    dyno = slug.start()
    assert dyno.wait_until_serving("/admin/login/").status == 200
    assert dyno.terminate() == 0


def built_flask_app(heroku, fixture_app, tmp_path) -> tuple:
    """The Flask fixture with idna 3.6 as well, built once: (app, its cache)."""
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements.txt").write_text("Flask\nidna==3.6\n")
    cache = heroku.new_cache()
    assert heroku.build(app, cache_dir=cache).ok
    return app, cache


def test_changed_requirement_resyncs_incrementally(heroku, fixture_app, tmp_path):
    app, cache = built_flask_app(heroku, fixture_app, tmp_path)
    (app / "requirements.txt").write_text("Flask\nidna==3.7\n")
    second = heroku.build(app, cache_dir=cache)
    assert second.ok, second.output
    assert "Installing Python" not in second.output
    assert "- idna==3.6" in second.output and "+ idna==3.7" in second.output
    assert "+ flask" not in second.output  # unchanged packages stay installed


def test_the_server_check_is_skipped_until_a_package_it_imports_changes(heroku, fixture_app, tmp_path):
    app, cache = built_flask_app(heroku, fixture_app, tmp_path)
    record = cache / "pybuildpack" / "server-check.json"
    kept = json.loads(record.read_text())
    assert "gunicorn" in kept["used"]["packages"] and "idna" not in kept["used"]["packages"]
    stamp = record.stat().st_mtime_ns
    # gunicorn imports nothing of idna's: its last check still holds, and is not run again.
    (app / "requirements.txt").write_text("Flask\nidna==3.7\n")
    second = heroku.build(app, cache_dir=cache)
    assert second.ok, second.output
    assert "+ idna==3.7" in second.output
    assert record.stat().st_mtime_ns == stamp
    # Another gunicorn is checked again: this one imports pkg_resources, which the environment lacks.
    (app / "requirements.txt").write_text("Flask\nidna==3.7\ngunicorn==20.1.0\n")
    third = heroku.build(app, cache_dir=cache)
    assert not third.ok
    assert "Error: gunicorn cannot start in the app's environment" in third.output
    assert "No module named 'pkg_resources'" in third.output


def test_the_server_check_runs_beside_djangos_steps_and_its_failure_still_fails_the_build(heroku, fixture_app,
                                                                                         tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("django_static"), app)
    # This gunicorn imports pkg_resources, which the environment lacks.
    (app / "requirements.txt").write_text("Django\ngunicorn==20.1.0\n")
    broken_server = heroku.build(app)
    assert not broken_server.ok
    assert "Running collectstatic" in broken_server.output   # ran while the check did
    assert broken_server.output.index("Checking the deployment settings") \
        < broken_server.output.index("Error: gunicorn cannot start in the app's environment")
    assert "No module named 'pkg_resources'" in broken_server.output
    # When Django's steps fail first, theirs is the error: the check is stopped, not reported.
    settings = app / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\nimport not_installed_anywhere\n")
    both = heroku.build(app)
    assert not both.ok
    assert "not_installed_anywhere" in both.output
    assert "gunicorn cannot start" not in both.output


def test_python_version_change_discards_the_environment_saying_why(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    cache = heroku.new_cache()
    assert heroku.build(app, cache_dir=cache).ok
    (app / ".python-version").write_text("3.11\n")
    second = heroku.build(app, cache_dir=cache)
    assert second.ok, second.output
    assert "Discarding cached environment: Python version changed (3.12.1 -> 3.11.7)" in second.output
    assert "Installing Python 3.11.7" in second.output


def test_unreadable_cache_metadata_is_discarded_not_fatal(heroku, fixture_app):
    cache = heroku.new_cache()
    assert heroku.build(fixture_app("flask_wsgi"), cache_dir=cache).ok
    meta = cache / "pybuildpack" / "env" / ".pybuildpack-cache.json"
    meta.write_text("{not json")
    second = heroku.build(fixture_app("flask_wsgi"), cache_dir=cache)
    assert second.ok, second.output
    assert "Discarding cached environment: its metadata is missing or unreadable" in second.output


def test_metadata_from_an_older_format_is_discarded(heroku, fixture_app):
    cache = heroku.new_cache()
    assert heroku.build(fixture_app("flask_wsgi"), cache_dir=cache).ok
    meta = cache / "pybuildpack" / "env" / ".pybuildpack-cache.json"
    data = json.loads(meta.read_text())
    data["format"] = 1  # before the metadata was an EnvironmentKey
    meta.write_text(json.dumps(data))
    second = heroku.build(fixture_app("flask_wsgi"), cache_dir=cache)
    assert second.ok, second.output
    assert "Discarding cached environment: cache format changed (1 -> 2)" in second.output


@pytest.mark.parametrize("kill_after", ["Installing Python", "Installing dependencies",
                                        "Saving the environment to the build cache", "Build finished"])
def test_a_build_killed_at_any_point_leaves_a_usable_cache(heroku, fixture_app, tmp_path, build_env, kill_after):
    """SIGKILL the compile when its log reaches a step; the next build must pass."""
    cache = heroku.new_cache()
    first = heroku.build(fixture_app("flask_wsgi"), cache_dir=cache)
    assert first.ok, first.output
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements.txt").write_text("Flask\nsix\n")
    (app / ".python-version").write_text("3.11\n")
    build_dir = tmp_path / "build_killed"
    shutil.copytree(app, build_dir)
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    process = subprocess.Popen([str(BIN / "compile"), str(build_dir), str(cache), str(env_dir)], env=build_env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if kill_after in line:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait()
    assert any(kill_after in line for line in seen), "".join(seen)
    again = heroku.build(app, cache_dir=cache)
    assert again.ok, again.output
    slug = heroku.deploy(again)
    assert slug.run("python -c 'import six, flask'").returncode == 0
    dyno = slug.start()
    assert dyno.wait_until_serving("/").status == 200
    assert dyno.terminate() == 0
