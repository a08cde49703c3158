"""Shared fixtures: test runtimes, a shared wheel cache, and the platform harnesses."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from harness import runtimes
from harness.heroku import SYSTEM_PATH, HerokuPlatform

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_CACHE = runtimes.DEFAULT_CACHE
ARTIFACTS = REPO / "tests" / "artifacts"


def uv_binary() -> Path:
    """The uv the dev virtualenv installed (the same version the buildpack pins)."""
    candidate = Path(sys.executable).parent / "uv"
    if candidate.is_file():
        return candidate
    found = shutil.which("uv")
    if not found:
        raise RuntimeError("uv not found: run `make setup`")
    return Path(found)


@pytest.fixture(scope="session")
def downloads_json() -> Path:
    return runtimes.downloads_json(TEST_CACHE)


@pytest.fixture(scope="session")
def build_env(downloads_json, tmp_path_factory) -> dict:
    """The build machine's environment: a clean PATH with the system python3, the
    test runtimes instead of python-build-standalone, and one installer cache
    shared by every build of the run so no wheel is downloaded twice."""
    home = tmp_path_factory.mktemp("home")
    # The machine's trust store and proxy settings belong to the build machine too.
    passthrough = {k: v for k, v in os.environ.items()
                   if k in ("SSL_CERT_FILE", "SSL_CERT_DIR", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
                            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")}
    return {
        **passthrough,
        "PATH": SYSTEM_PATH,
        "HOME": str(home),
        "STACK": "heroku-24",
        "LANG": "C.UTF-8",
        "PYBUILDPACK_UV": str(uv_binary()),
        "PYBUILDPACK_PYTHON_DOWNLOADS_JSON": str(downloads_json),
        "PYBUILDPACK_INSTALLER_CACHE_DIR": str(TEST_CACHE / "installer-cache"),
    }


@pytest.fixture
def heroku(tmp_path, build_env):
    platform = HerokuPlatform(tmp_path, build_env)
    yield platform
    platform.cleanup()


@pytest.fixture
def fixture_app():
    def find(name: str) -> Path:
        path = FIXTURES / name
        assert path.is_dir(), f"no fixture app {name}"
        return path
    return find
