"""An app in a subdirectory of its repository (a monorepo, a uv workspace member).

The platform gives us the repository (Heroku's BUILD_DIR, CNB's workspace,
S2I's source, a local checkout); PYBUILDPACK_APP_ROOT names the app's
directory inside it. The build installs from the app's directory and the
processes run from it, but the whole repository ships, so a path dependency
or a requirements include may point anywhere inside the repository, not only
inside the app. `within()` says where that repository is for the length of a
build; without it the app's directory is all there is.
"""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional

from . import errors

VAR = "PYBUILDPACK_APP_ROOT"

_TOP: ContextVar[Optional[Path]] = ContextVar("pybuildpack_repository_top", default=None)


@contextlib.contextmanager
def within(top: Path) -> Iterator[None]:
    """Let the code run in this block reach anything inside `top`, the repository."""
    token = _TOP.set(Path(top).resolve())
    try:
        yield
    finally:
        _TOP.reset(token)


def repository_top(app_dir: Path) -> Path:
    """The directory a path the app names may reach: the repository the build
    was given (see `within`), else the git checkout the app is in (a local
    command), else the app's own directory."""
    top, app = _TOP.get(), Path(app_dir).resolve()
    if top is None:
        return git_top(app)
    return top if app.is_relative_to(top) else app


def resolve(source_dir: Path, value: Optional[str], origin: str = f"config var {VAR}") -> Path:
    """The app's directory: `source_dir`, or the directory `value` names inside it.
    A value that is absolute, leaves the repository, or names no directory is an
    AppRootInvalid naming `origin`."""
    if value is None or value.strip() in ("", ".", "./"):
        return source_dir
    written = value.strip()
    relative = PurePosixPath(written)
    if relative.is_absolute() or written.startswith("~"):
        raise errors.AppRootInvalid(origin, written, "it is an absolute path; give the app's directory "
                                    "relative to the top of the repository, for example apps/web")
    if ".." in relative.parts:
        raise errors.AppRootInvalid(origin, written, "it leaves the repository; the build has only "
                                    "the repository's files")
    app_dir = Path(source_dir) / relative
    top = Path(source_dir).resolve()
    if not app_dir.resolve().is_relative_to(top):
        raise errors.AppRootInvalid(origin, written, "it is a symlink that leads out of the repository")
    if not app_dir.is_dir():
        why = "it is a file, not a directory" if app_dir.exists() else "there is no such directory"
        raise errors.AppRootInvalid(origin, written, f"{why} in the repository{listing(source_dir)}")
    return app_dir


def relative(app_dir: Path, source_dir: Path) -> str:
    """The app's directory relative to the repository ('' for the repository itself)."""
    rel = os.path.relpath(Path(app_dir).resolve(), Path(source_dir).resolve())
    return "" if rel == "." else Path(rel).as_posix()


def git_top(app_dir: Path) -> Path:
    """The repository a local checkout of the app is in: the nearest directory at or
    above the app that holds `.git`, else the app's directory."""
    app = Path(app_dir).resolve()
    for directory in (app, *app.parents):
        if (directory / ".git").exists():
            return directory
    return app


def listing(source_dir: Path) -> str:
    """'; it holds: a/, b/' — the repository's directories, to spot a typo."""
    try:
        names = sorted(p.name + "/" for p in Path(source_dir).iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return ""
    return f"; it holds: {', '.join(names[:12])}" if names else ""
