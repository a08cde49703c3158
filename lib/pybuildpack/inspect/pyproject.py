"""Reading pyproject.toml once, with a clear error when it is not valid TOML."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from .. import errors

try:  # Python 3.11+: the standard library's TOML 1.0 parser.
    import tomllib as _toml_reader
    _DECODE_ERROR: type = _toml_reader.TOMLDecodeError
except ImportError:  # pragma: no cover - exercised on 3.9/3.10 tool Pythons
    import toml as _toml_reader  # type: ignore[no-redef]
    _DECODE_ERROR = _toml_reader.TomlDecodeError


def parse_toml(text: str) -> dict:
    if hasattr(_toml_reader, "loads"):
        return _toml_reader.loads(text)
    raise AssertionError("no TOML reader")  # pragma: no cover


def read_pyproject(app_dir: Path) -> Optional[dict[str, Any]]:
    path = app_dir / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        return parse_toml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable("pyproject.toml", str(exc))
    except _DECODE_ERROR as exc:
        raise errors.FileUnreadable("pyproject.toml", f"It is not valid TOML: {exc}")
