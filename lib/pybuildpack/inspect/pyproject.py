"""Reading pyproject.toml, and any TOML file of the app, with a clear error when it is not valid TOML."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from .. import errors
from .files import read_app_text

try:  # Python 3.11+: the standard library's TOML 1.0 parser.
    import tomllib as _toml_reader
except ImportError:  # pragma: no cover - exercised on 3.9/3.10 tool Pythons
    import toml as _toml_reader  # type: ignore[no-redef]


def parse_toml(text: str) -> dict:
    if hasattr(_toml_reader, "loads"):
        return _toml_reader.loads(text)
    raise AssertionError("no TOML reader")  # pragma: no cover


def read_toml(path: Path, name: str) -> dict[str, Any]:
    """The TOML file at `path`; a FileUnreadable naming it as `name` when it
    cannot be read or parsed (the parser's message gives the line)."""
    text = read_app_text(path, name)
    try:
        return parse_toml(text)
    except Exception as exc:  # tomllib's and toml's decode errors; toml raises others on some garbage
        raise errors.FileUnreadable(name, f"It is not valid TOML: {exc}")


def read_pyproject(app_dir: Path) -> Optional[dict[str, Any]]:
    path = app_dir / "pyproject.toml"
    if not path.is_file():
        return None
    return read_toml(path, "pyproject.toml")
