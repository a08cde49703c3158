"""Source-to-Image: s2i/bin/assemble, run and save-artifacts, through the s2i contract (tests/harness/s2i.py)."""

import io
import signal
import tarfile
import time

import pytest

from harness.s2i import S2iPlatform

pytestmark = pytest.mark.slow


@pytest.fixture
def s2i(tmp_path, build_env):
    platform = S2iPlatform(tmp_path / "s2i", build_env)
    yield platform
    platform.cleanup()


def summary(output):
    return output[output.index("-----> Build finished in"):]


def test_flask_app_named_by_app_module_in_s2i_environment_serves_on_8080_and_rebuilds_incrementally(s2i, fixture_app):
    first = s2i.build(fixture_app("s2i_flask"))
    assert first.ok, first.output
    assert "\n-----> Copying the app from " in first.output
    assert "-----> Reading 2 variables from .s2i/environment: APP_MODULE, APP_CONFIG\n" in first.output
    assert ("       Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config site_app:server\n"
            "       From:      config var APP_MODULE\n"
            "       App:       Flask app `site_app:server` named by APP_MODULE (WSGI)\n"
            "       Server:    gunicorn (the default WSGI server)\n") in summary(first.output)
    assert "-----> Processes: web (default)\n" in first.output
    assert "previous image" not in first.output          # not an incremental build
    assert (first.image.app_dir / "site_app.py").is_file()

    container = s2i.start(first.image)
    reply = container.wait_until_serving("/")
    # PORT unset: 8080; APP_CONFIG's gunicorn settings applied.
    assert (reply.status, reply.text) == (200, "Hello from S2I; greeting: set by APP_CONFIG")
    # run exec'd all the way down: the process s2i started is gunicorn itself, and SIGTERM reaches it.
    assert "gunicorn" in " ".join(container.command_line())
    started = time.monotonic()
    container.process.send_signal(signal.SIGTERM)
    assert container.process.wait(timeout=25) == 0
    assert time.monotonic() - started < 10
    assert "Handling signal: term" in container.log

    second = s2i.build(fixture_app("s2i_flask"), incremental=first.image)
    assert second.ok, second.output
    # save-artifacts wrote a tar and nothing else on stdout: the environment and its key
    # (and a pip install's lock; uv installs requirements.txt without one).
    with tarfile.open(fileobj=io.BytesIO(second.artifacts), mode="r:") as tar:
        names = tar.getnames()
        end = tar.offset
    assert second.artifacts[end:].strip(b"\0") == b""       # nothing after the archive's end
    assert "pybuildpack/env.json" in names and "pybuildpack/previous-lock.txt" not in names
    assert any(name.startswith("pybuildpack/python/bin/") for name in names)
    assert "       Restored the environment from the previous image (incremental build)\n" in second.output
    assert "-----> Dependencies unchanged since the last build (requirements.txt)\n" in second.output
    assert "Installing dependencies" not in second.output
    container = s2i.start(second.image)
    assert container.wait_until_serving("/").status == 200


def test_app_file_from_the_build_environment_wins_over_s2i_environment_in_the_app_home_directory(s2i, fixture_app):
    result = s2i.build(fixture_app("s2i_app_file"), env={"APP_FILE": "serve_here.py"})
    assert result.ok, result.output
    assert "-----> APP_HOME names the app's directory: service/ (as PYBUILDPACK_APP_ROOT)\n" in result.output
    assert "-----> Using Python 3.12." in result.output          # service/.python-version
    assert ("       Web:       python serve_here.py\n"
            "       From:      config var APP_FILE\n") in summary(result.output)
    container = s2i.start(result.image)
    assert container.wait_until_serving("/").text.startswith("Hello from serve_here.py on Python 3.12.")
    assert container.command_line()[:2] == ["python", "serve_here.py"]
    assert container.cwd() == result.image.app_dir / "service"
    container.process.send_signal(signal.SIGTERM)
    assert container.process.wait(timeout=10) == 0


def test_app_module_naming_a_module_the_app_lacks_fails_the_build_naming_the_variable(s2i, fixture_app):
    result = s2i.build(fixture_app("s2i_flask"), env={"APP_MODULE": "myproject.wsgi:application"})
    assert result.returncode == 1
    assert (" !     Error: Invalid value for APP_MODULE\n"
            " !\n"
            " !     APP_MODULE is set to 'myproject.wsgi:application', but the app has no module myproject.wsgi\n"
            " !     (myproject/wsgi.py or myproject/wsgi/__init__.py, at its top or under src/).\n"
            ) in result.output
    assert "Traceback" not in result.output


def test_an_app_with_no_web_process_fails_the_build_since_the_image_could_not_run(s2i, tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "requirements.txt").write_text("flask\n")
    (tmp_path / "app" / "Procfile").write_text("worker: python worker.py\n")
    result = s2i.build(tmp_path / "app")
    assert result.returncode == 1
    assert " !     Warning: No web process\n" in result.output
    assert (" !     Error: The app has no web process to run\n"
            " !\n"
            " !     An S2I image runs the app's web process, and the build found none.\n"
            " !     The app's processes are: worker.\n") in result.output
    assert "Installing Python" not in result.output


def test_usage_says_how_to_build_with_the_builder_on_stdout(build_env):
    import subprocess

    from harness.s2i import S2I_BIN

    result = subprocess.run([str(S2I_BIN / "usage")], env={**build_env, "PYBUILDPACK_S2I_BUILDER_IMAGE": "pybp"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("This is pybuildpack's Source-to-Image builder for Python web apps.\n")
    assert "    s2i build <source directory or git URL> pybp <image>\n" in result.stdout
    assert "    APP_MODULE       a WSGI or ASGI app to serve, `module:callable`\n" in result.stdout
