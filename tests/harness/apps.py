"""Variations on the fixture apps that the tests of every platform build."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Mapping, Optional, Sequence


def make_app(tmp_path: Path, files: Mapping[str, str]) -> Path:
    """A minimal app (an app.py) plus `files`, e.g. a .python-version to test."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text("print('hi')\n")
    for name, text in files.items():
        (app / name).write_text(text)
    return app


def break_collectstatic(app: Path) -> None:
    """A manifest storage and a stylesheet that points at a missing image: a
    realistic collectstatic failure."""
    (app / "assets").mkdir()
    (app / "assets" / "site.css").write_text("body { background: url('missing.png'); }\n")
    with (app / "mysite" / "settings.py").open("a") as settings:
        settings.write(
            "\nSTATICFILES_DIRS = [BASE_DIR / 'assets']\n"
            "STATIC_ROOT = BASE_DIR / 'collected'\n"
            "STORAGES = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},\n"
            "            'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}\n"
        )


def copy_app(source: Path, tmp_path: Path, files: Mapping[str, str] = {}) -> Path:
    """A copy of the fixture app at `source` that the test may change, plus `files`."""
    import shutil

    app = tmp_path / "app"
    shutil.copytree(source, app)
    for name, text in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text)
    return app


def uv_lock(app: Path, build_env: Mapping[str, str], extra_env: Optional[Mapping[str, str]] = None) -> str:
    """Run the real `uv lock` in `app`, as a developer does after editing
    pyproject.toml, on the test runtimes' Python 3.12 and with the tests'
    shared download cache; returns uv's output."""
    from harness.machine import uv_binary
    from harness.runtimes import pyenv_versions

    python = pyenv_versions()["3.12"][1] / "bin" / "python3"
    env = {**build_env, **(extra_env or {})}
    if build_env.get("PYBUILDPACK_INSTALLER_CACHE_DIR"):
        env["UV_CACHE_DIR"] = str(Path(build_env["PYBUILDPACK_INSTALLER_CACHE_DIR"]) / "uv")
    result = subprocess.run([str(uv_binary()), "lock", "--python", str(python)], cwd=app, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


def set_dependencies(app: Path, dependencies: Sequence[str]) -> None:
    """Replace `[project] dependencies` in the app's pyproject.toml (one line each)."""
    pyproject = app / "pyproject.toml"
    text = pyproject.read_text()
    listed = "".join(f'    "{d}",\n' for d in dependencies)
    text = re.sub(r"(?ms)^dependencies = \[\n.*?^\]", f"dependencies = [\n{listed}]", text, count=1)
    pyproject.write_text(text)
