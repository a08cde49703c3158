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
    "pylock.toml",
    ".python-version",
    "runtime.txt",
    "manage.py",
    "app.py",
    "app.sh",
    "wsgi.py",
    "main.py",
)


def is_buildpack(app_dir: Path) -> bool:
    """A buildpack's own source (bin/detect and bin/compile at its top), such as
    pybuildpack's checkout with its pyproject.toml, is not an app."""
    return (app_dir / "bin" / "detect").is_file() and (app_dir / "bin" / "compile").is_file()


def detected_by(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir`, in DETECT_FILES order (none for a buildpack)."""
    if is_buildpack(app_dir):
        return []
    found = [name for name in DETECT_FILES if (app_dir / name).is_file()]
    # PEP 751 named locks (pylock.<name>.toml) count as pylock.toml does.
    try:
        found += sorted(p.name for p in app_dir.glob("pylock.*.toml") if p.is_file() and p.name.count(".") == 2)
    except OSError:
        pass
    return found


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
