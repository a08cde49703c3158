"""What is in the app directory: whether it is a Python app (bin/detect) and
whether its source holds a Python environment of its own; standard library only."""

from __future__ import annotations

import os
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
    """A buildpack's own source, such as pybuildpack's checkout with its
    pyproject.toml, is not an app: it has bin/detect, bin/compile and a
    buildpack.toml at its top. bin/detect and bin/compile alone do not make
    one: an app may carry its own (Heroku's inline-buildpack pattern) and is
    still a Python app when it has Python files."""
    return all((app_dir / name).is_file() for name in ("bin/detect", "bin/compile", "buildpack.toml"))


def detected_by(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir`, in DETECT_FILES order (none for a buildpack)."""
    if is_buildpack(app_dir):
        return []
    return python_files(app_dir)


def python_files(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir` as regular files (or links to one)."""
    found = [name for name in DETECT_FILES if (app_dir / name).is_file()]
    # PEP 751 named locks (pylock.<name>.toml) count as pylock.toml does.
    try:
        found += sorted(p.name for p in app_dir.glob("pylock.*.toml") if p.is_file() and p.name.count(".") == 2)
    except OSError:
        pass
    return found


def not_files(app_dir: Path) -> list[str]:
    """Detect file names present in `app_dir` that are not files: a directory,
    or a symlink to nothing. They do not make an app ours, and bin/detect says why."""
    found = []
    for name in DETECT_FILES:
        path = app_dir / name
        if path.is_dir():
            found.append(f"{name} is a directory")
        elif path.is_symlink() and not path.exists():
            found.append(f"{name} is a symlink to a missing file")
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


def detect_failure(app_dir: Path) -> str:
    """What bin/detect prints when `app_dir` is not ours (Heroku and CNB alike)."""
    from .. import errors

    if is_buildpack(app_dir):
        return errors.buildpack_source_not_app(python_files(app_dir))
    return errors.detect_failed(DETECT_FILES, listing(app_dir), not_files(app_dir))


# Directories no app's own environment is looked for in: pybuildpack's local
# build directory (its own, ignored by git), version control, and JavaScript's packages.
_NOT_SEARCHED = frozenset({".git", ".pybuildpack", "node_modules"})


def committed_environments(app_dir: Path, owned_dirs: tuple = ()) -> list[tuple]:
    """Python environments in the app's source, as (path, owned) pairs: the
    directories of `owned_dirs` the platform installs into when anything is
    there (a file counts too), then every virtualenv (a directory with a
    pyvenv.cfg) at the top of the app or one level down, such as .venv/ or
    backend/venv/."""
    found = [(owned, True) for owned in owned_dirs if os.path.lexists(app_dir / owned)]
    try:
        tops = sorted(p for p in app_dir.iterdir() if p.name not in _NOT_SEARCHED and p.is_dir()
                      and not p.is_symlink())
    except OSError:
        return found
    for top in tops:
        candidates = [top]
        try:
            candidates += sorted(p for p in top.iterdir() if p.name not in _NOT_SEARCHED and p.is_dir()
                                 and not p.is_symlink())
        except OSError:
            pass
        for candidate in candidates:
            relative = candidate.relative_to(app_dir).as_posix()
            if (candidate / "pyvenv.cfg").is_file() and not any(relative == o or relative.startswith(o + "/")
                                                                for o in owned_dirs):
                found.append((relative, False))
    return found
