"""The build machine's environment, shared by the tests and the benchmarks."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

# The day the tests' builds believe it is (PYBUILDPACK_TODAY): 3.9 is past its
# end of life, 3.11 ends within a year, 3.12 and 3.13 have longer.
TODAY = "2026-11-22"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The machine's trust store, proxies and temporary directory belong to the build machine too.
PASSTHROUGH = ("SSL_CERT_FILE", "SSL_CERT_DIR", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
               "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "TMPDIR")


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
        # One day for every test build, so the Python end-of-life warnings
        # (python_lifecycle.py) are the same on every run, whatever the date.
        "PYBUILDPACK_TODAY": TODAY,
    })
    if installer_cache is not None:
        env["PYBUILDPACK_INSTALLER_CACHE_DIR"] = str(installer_cache)
    return env
