"""Without a reachable Python download, a local build uses a matching CPython on the machine, and says so."""

import re

import pytest

pytestmark = pytest.mark.slow

# Nothing listens on the discard port: every download through this proxy fails at once.
NO_NETWORK = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def test_an_unreachable_download_falls_back_to_a_matching_local_cpython(local, fixture_app):
    from harness.runtimes import pyenv_versions

    local_312, prefix = pyenv_versions()["3.12"]
    app = local.copy_app(fixture_app("local_app_py"))
    assert local.pybuildpack("explain", str(app)).returncode == 0  # pybuildpack's own tools, while online
    offline = {k: v for k, v in local.env(NO_NETWORK).items() if k != "PYBUILDPACK_PYTHON_DOWNLOADS_JSON"}
    local.base_env = offline

    first = local.pybuildpack("build", str(app))
    assert first.returncode == 0, first.stdout
    assert f" !     Warning: Using Python {local_312} from this machine\n" in first.stdout
    assert re.search(r"Python 3\.12\.\d+ could not be downloaded \(python-build-standalone is not reachable\)",
                     first.stdout)
    assert f"-----> Using Python {local_312} (from .python-version, found on this machine)\n" in first.stdout
    assert f"       Python:    {local_312} (from .python-version, found on this machine)\n" in first.stdout

    second = local.pybuildpack("build", str(app))
    assert second.returncode == 0, second.stdout
    assert "failed in an earlier build and is not retried" in second.stdout
    assert "Warning: Using Python" not in second.stdout
    assert "Dependencies unchanged since the last build" in second.stdout

    probe = local.pybuildpack("run", "python", "-c", "import sys; print(sys.base_prefix)", cwd=app)
    assert probe.stdout.strip() == str(prefix), probe.stderr


def test_no_matching_local_cpython_is_a_clear_error(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    (app / ".python-version").write_text("3.7\n")
    assert local.pybuildpack("explain", str(app)).returncode == 0
    offline = {k: v for k, v in local.env(NO_NETWORK).items() if k != "PYBUILDPACK_PYTHON_DOWNLOADS_JSON"}
    offline["PYENV_ROOT"] = "/nonexistent"
    local.base_env = offline
    result = local.pybuildpack("build", str(app))
    assert result.returncode == 1
    assert " !     Error: No Python 3.7 for this build" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
