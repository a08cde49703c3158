"""The build machine's environment, shared by the tests and the benchmarks."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The machine's trust store and proxies belong to the build machine too.
PASSTHROUGH = ("SSL_CERT_FILE", "SSL_CERT_DIR", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
               "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


def uv_binary() -> Path:
    """The uv the dev virtualenv installed (the same version the buildpack pins)."""
    candidate = Path(sys.executable).parent / "uv"
    if candidate.is_file():
        return candidate
    found = shutil.which("uv")
    if not found:
        raise RuntimeError("uv not found: run `make setup`")
    return Path(found)


def build_machine_env(home: Path, downloads_json: Path, installer_cache: Optional[Path]) -> dict:
    """A clean environment with the system python3 on PATH, the test runtimes
    instead of python-build-standalone, and (optionally) a shared installer cache."""
    env = {k: v for k, v in os.environ.items() if k in PASSTHROUGH}
    env.update({
        "PATH": SYSTEM_PATH,
        "HOME": str(home),
        "STACK": "heroku-24",
        "LANG": "C.UTF-8",
        "PYBUILDPACK_UV": str(uv_binary()),
        "PYBUILDPACK_PYTHON_DOWNLOADS_JSON": str(downloads_json),
    })
    if installer_cache is not None:
        env["PYBUILDPACK_INSTALLER_CACHE_DIR"] = str(installer_cache)
    return env
