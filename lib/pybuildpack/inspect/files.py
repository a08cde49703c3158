"""Whether a directory is a Python app (bin/detect); standard library only."""

from __future__ import annotations

from pathlib import Path

# Any one of these at the top of the app makes it ours.
DETECT_FILES = (
    "requirements.txt",
    "requirements.in",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    ".python-version",
    "runtime.txt",
    "manage.py",
    "app.py",
    "app.sh",
    "wsgi.py",
    "main.py",
)


def detected_by(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir`, in DETECT_FILES order."""
    return [name for name in DETECT_FILES if (app_dir / name).is_file()]


def listing(app_dir: Path, limit: int = 20) -> list[str]:
    """The top-level names in `app_dir` (directories end in /), for messages."""
    try:
        entries = sorted(app_dir.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    names = [p.name + ("/" if p.is_dir() else "") for p in entries if p.name != ".git"]
    if len(names) > limit:
        names = names[:limit] + [f"... and {len(names) - limit} more"]
    return names
