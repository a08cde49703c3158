"""Small helpers shared by the unit tests: writing app files and rendering logs."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from pybuildpack.output import Log


def write(path: Path, text: str = "", executable: bool = False) -> Path:
    """Write `text` to `path`, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        os.chmod(path, 0o755)
    return path


def string_log(secrets=()) -> Log:
    log = Log(io.StringIO())
    log.add_secrets(secrets)
    return log


def logged(log: Log) -> str:
    return log.stream.getvalue()


def render(error, secrets=()) -> str:
    """What the build log shows for a UserError."""
    log = string_log(secrets)
    error.render(log)
    return logged(log)


def block(title: str, body: str, secrets=()) -> str:
    """What the build log shows for a warning (title, body)."""
    log = string_log(secrets)
    log.warning(title, body)
    return logged(log)


@contextlib.contextmanager
def raises(error_type, text: str):
    """The error's title and body (where the explanation is) must include `text`."""
    with pytest.raises(error_type) as caught:
        yield
    assert text in caught.value.title + "\n" + caught.value.body


def install_context(app: Path, groups=(), extras=()):
    """The parts of an InstallContext that a package manager's check_lock reads."""
    return SimpleNamespace(app_dir=app, groups=tuple(groups), extras=tuple(extras))
