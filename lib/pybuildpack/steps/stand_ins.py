"""Throwaway values for runtime secrets a Django app's settings demand at build time.

Many settings read `os.environ["SECRET_KEY"]`, `env("DATABASE_URL")`
(django-environ), `config("SECRET_KEY")` (python-decouple) or
`env.str("SECRET_KEY")` (environs) when they are imported, and the build has
no such values: they are secrets, set only where the app runs. When importing
the settings fails because one is missing, the Django step runs again with a
stand-in for exactly that name, a few times at most.

The rule, by the variable's name (upper-cased):
- ends with DATABASE_URL or _DB_URL: `sqlite://:memory:` (dj-database-url and
  django-environ both parse it; nothing connects during collectstatic);
- ends with REDIS_URL or REDIS_TLS_URL: `redis://localhost:6379/0`;
- ends with CACHE_URL: `locmemcache://` (django-environ's in-memory cache);
- contains SECRET, KEY, TOKEN, PASSWORD or PASSWD: a random 50-byte token;
- anything else (DEBUG, ALLOWED_HOSTS, EMAIL_HOST...) is configuration the
  app should default or the user should set: the build fails as before.
A variable set in the build's environment (a config var) never gets one.
The values live only in the environment of the Django step's subprocesses.
"""

from __future__ import annotations

import re
import secrets
from typing import Mapping, Optional

# Rounds of "import, find the missing name, add its stand-in" before giving up.
MAX_STAND_INS = 5
_SECRET_WORDS = ("SECRET", "KEY", "TOKEN", "PASSWORD", "PASSWD")
_URL_STAND_INS = (
    (("DATABASE_URL", "_DB_URL"), "sqlite://:memory:"),
    (("REDIS_URL", "REDIS_TLS_URL"), "redis://localhost:6379/0"),
    (("CACHE_URL",), "locmemcache://"),
)
# Not secrets: the log may show them.
FIXED_VALUES = frozenset(value for _, value in _URL_STAND_INS)
_NAME = r"([A-Za-z_][A-Za-z0-9_]*)"
# The messages of the settings libraries that read a required variable.
_MESSAGES = (
    re.compile(rf"^Set the {_NAME} environment variable"),             # django-environ
    re.compile(rf"^{_NAME} not found\. Declare it as envvar"),          # python-decouple
    re.compile(rf"""^Environment variable ["']{_NAME}["'] not set"""),  # environs
)
# The last line of a Python traceback: `module.Type: message`.
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): (?P<message>.*)$")


def stand_in(name: str) -> Optional[str]:
    """A throwaway value for `name`, or None when the rule gives it none."""
    upper = name.upper()
    for endings, value in _URL_STAND_INS:
        if upper.endswith(endings):
            return value
    if any(word in upper for word in _SECRET_WORDS):
        return secrets.token_urlsafe(50)
    return None


def missing_name(exc_type: str, message: str, environ_key_error: bool) -> Optional[str]:
    """The environment variable an exception says is missing, if it says so:
    a KeyError raised by os.environ, or a settings library's message."""
    message = message.strip()
    if exc_type == "KeyError":
        if not environ_key_error:
            return None
        found = re.fullmatch(rf"""['"]?{_NAME}['"]?""", message)
        return found.group(1) if found else None
    for pattern in _MESSAGES:
        found = pattern.match(message)
        if found:
            return found.group(1)
    return None


def missing_name_in_output(output: str) -> Optional[str]:
    """The same, from a command's output ending in a Python traceback: the
    exception is its last `Type: message` line; a KeyError counts when the
    frame that raised it is os.environ's __getitem__."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        found = _EXCEPTION_LINE.match(lines[index])
        if not found:
            continue
        exc_type = found.group("type").rsplit(".", 1)[-1] if found.group("type").startswith("builtins.") \
            else found.group("type")
        before = "\n".join(lines[max(0, index - 3):index])
        environ = exc_type == "KeyError" and re.search(r'File "(<frozen os>|[^"]*/os\.py)", line \d+, in __getitem__',
                                                       before) is not None
        return missing_name(exc_type, found.group("message"), environ)
    return None


def next_stand_in(name: Optional[str], env: Mapping[str, str], given: Mapping[str, str]) -> Optional[str]:
    """The value to add for `name` this round, or None when there is none to add:
    no name, set by the user, given one already, the rule gives none, or the
    rounds are used up."""
    if not name or name in env or name in given or len(given) >= MAX_STAND_INS:
        return None
    return stand_in(name)


def hides_line(line: str, env: Mapping[str, str]) -> bool:
    """Whether a line of collectstatic's output is the exception a stand-in may
    answer (`KeyError: 'SECRET_KEY'`): not streamed, since the step then runs
    again; if it does not, the error shows the traceback whole."""
    found = _EXCEPTION_LINE.match(line.strip())
    if not found:
        return False
    name = missing_name(found.group("type").rsplit(".", 1)[-1] if found.group("type") == "builtins.KeyError"
                        else found.group("type"), found.group("message"), True)
    return bool(name) and name not in env and stand_in(name) is not None
