"""Mistakes in local use get one paragraph naming the problem and the fix, never a traceback."""

import socket
import subprocess

import pytest

from conftest import REPO
from harness.heroku import BIN, free_port

pytestmark = pytest.mark.slow


def assert_one_error(result, title):
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f" !     Error: {title}" in result.stderr, output
    assert output.count(" !     Error:") == 1 and "Traceback" not in output, output


@pytest.fixture
def built_app(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    return app


def test_a_directory_without_an_app_says_what_it_looked_for(local, tmp_path):
    empty = tmp_path / "notes"
    empty.mkdir()
    (empty / "README.md").write_text("")
    result = local.pybuildpack("build", str(empty))
    assert_one_error(result, f"No Python app in {empty}")
    assert "requirements.txt, requirements.in, pyproject.toml" in result.stderr
    assert "    README.md\n" in result.stderr
    assert_one_error(local.pybuildpack("up", str(tmp_path / "missing")), f"No directory {tmp_path / 'missing'}")


def test_the_buildpack_checkout_is_not_an_app(local):
    assert_one_error(local.pybuildpack("build", str(REPO)), f"{REPO} is a buildpack, not an app")
    # Its pyproject.toml (for the console script) does not make bin/detect accept it either.
    detect = subprocess.run([str(BIN / "detect"), str(REPO)], env=local.env(), capture_output=True, text=True)
    assert detect.returncode == 1, detect.stdout


def test_start_before_a_build_says_to_build(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    result = local.pybuildpack("start", cwd=app)
    assert_one_error(result, "The app has not been built yet")
    assert "`pybuildpack build`" in result.stderr and "`pybuildpack up`" in result.stderr


def test_a_bad_dotenv_line_is_named_by_its_number_without_its_value(local, built_app):
    (built_app / ".env").write_text("# settings\nDEBUG=1\nSECRET_KEY is hunter2\n")
    for command in (["start"], ["run", "true"], ["build", "."], ["explain"]):
        result = local.pybuildpack(*command, cwd=built_app)
        assert_one_error(result, "Invalid line in .env")
        assert ".env line 3 is not of the form NAME=value (it has no `=`)" in result.stderr
        assert "hunter2" not in result.stdout + result.stderr


def test_an_unknown_process_lists_the_known_ones(local, built_app):
    result = local.pybuildpack("start", "wrker", cwd=built_app)
    assert_one_error(result, "No process named 'wrker'")
    assert "        web: python app.py  (app.py line 29)\n" in result.stderr


def test_a_port_in_use_is_named_with_another_to_try(local, built_app):
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        result = local.pybuildpack("start", "--port", str(port), cwd=built_app)
    assert_one_error(result, f"Port {port} is in use")
    assert f"`pybuildpack start --port {port + 1}`" in result.stderr


def test_an_invalid_port_says_what_a_port_is(local, built_app):
    result = local.pybuildpack("start", cwd=built_app, env={"PORT": "http"})
    assert_one_error(result, "Invalid port")
    assert "PORT is 'http', but a port is a whole number from 1 to 65535" in result.stderr
