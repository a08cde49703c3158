"""Variations on the fixture apps that the tests of every platform build."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping


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
