"""Reading an app's `.env` file, in the format foreman and `heroku local` use.

One variable per line as `NAME=value`; blank lines and lines starting with `#`
are skipped, and an `export ` prefix is allowed. A value in single quotes is
taken literally; in double quotes, `\\n` becomes a newline and a backslash
escapes the next character; otherwise the value is the rest of the line, with
surrounding spaces removed. Nothing is expanded (`$HOME` stays `$HOME`).
Unlike foreman, a line that is none of these is an error naming its number,
instead of being skipped without a word.

    >>> parse_dotenv('# config\\nDEBUG=1\\nexport NAME="a b"\\n')
    {'DEBUG': '1', 'NAME': 'a b'}
"""

from __future__ import annotations

import re
from pathlib import Path

from . import errors

FILE_NAME = ".env"
_LINE = re.compile(r"^(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")


def _unquote(value: str, number: int, line: str) -> str:
    if value[:1] in ("'", '"'):
        quote = value[0]
        if len(value) < 2 or not value.endswith(quote):
            raise errors.DotenvInvalid(number, line, f"the value opens a {quote} quote that this line does not close")
        inner = value[1:-1]
        if quote == "'":
            return inner
        return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), inner)
    return value


def parse_dotenv(text: str) -> dict:
    """The variables in `.env` text, in file order; raises DotenvInvalid."""
    values: dict = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            reason = ("a name has letters, digits and _ and does not start with a digit"
                      if "=" in line else "it has no `=`")
            raise errors.DotenvInvalid(number, line, reason)
        values[match.group("name")] = _unquote(match.group("value").strip(), number, line)
    return values


def read_dotenv(app_dir: Path) -> dict:
    """The app's `.env` variables, or {} when it has no `.env` file."""
    path = app_dir / FILE_NAME
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable(FILE_NAME, str(exc))
    return parse_dotenv(text)
