"""The default gunicorn web process: threaded workers, graceful shutdown under load, user settings win.

SIGTERM arrives with 200 requests in flight to a 0.3 s endpoint
(harness/load.py, loopback only, bounded in time): every one must be
answered, and the process must be gone well within the platforms' 30 s.
"""

import shutil

import pytest

from harness.load import sigterm_under_load

pytestmark = pytest.mark.slow

HEROKU_SIGKILL_AFTER = 30.0


def assert_no_request_dropped(dyno) -> None:
    dyno.wait_until_serving("/")
    result = sigterm_under_load(dyno)
    assert result.sent == 200, str(result)
    assert result.dropped == [] and result.ok == 200, str(result) + "\n" + dyno.log[-3000:]
    assert result.exit_code == 0, str(result)
    assert result.stop_seconds < HEROKU_SIGKILL_AFTER, str(result)
    assert "Using worker: gthread" in dyno.log


def test_sigterm_under_load_drops_no_request_on_heroku(heroku, fixture_app):
    result = heroku.build(fixture_app("serve_flask_slow"))
    assert result.ok, result.output
    assert result.default_processes["web"].startswith("gunicorn --config python:pybuildpack_launch.gunicorn_config")
    assert_no_request_dropped(heroku.deploy(result).start())


def test_sigterm_under_load_drops_no_request_on_cnb(cnb, fixture_app):
    result = cnb.build(fixture_app("serve_flask_slow"))
    assert result.ok, result.output
    assert_no_request_dropped(cnb.start())


def test_the_apps_gunicorn_settings_win_over_the_threaded_default(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("serve_flask_slow"), app)
    (app / "gunicorn.conf.py").write_text('worker_class = "sync"\n')
    slug = heroku.deploy(heroku.build(app))
    from_file = slug.start()
    assert from_file.wait_until_serving("/").text == "Hello from the slow Flask app"
    assert "Using worker: sync" in from_file.log, from_file.log
    assert from_file.terminate() == 0
    (slug.app_dir / "gunicorn.conf.py").unlink()
    # GUNICORN_CMD_ARGS naming a worker class gets it as named: the default's
    # thread count would otherwise turn sync into gthread.
    from_env = slug.start(extra_env={"GUNICORN_CMD_ARGS": "--worker-class sync"})
    from_env.wait_until_serving("/")
    assert "Using worker: sync" in from_env.log, from_env.log
    assert from_env.terminate() == 0
    threads = slug.start(extra_env={"GUNICORN_CMD_ARGS": "--threads 2"})
    threads.wait_until_serving("/")
    assert "Using worker: gthread" in threads.log, threads.log
    assert threads.terminate() == 0
