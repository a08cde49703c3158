"""Build log in Heroku's conventions, with secrets masked on every line.

`-----> ` starts a step, detail lines are indented seven spaces, and warnings
and errors are blocks whose lines start with ` !     `. Every line written here
passes through `mask()`, so a config var value or an index password that
reaches the log through a subprocess is replaced before it is printed.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sys
import threading
import time
import urllib.parse
from typing import IO, Callable, Iterable, Iterator, Optional, Union

STEP = "-----> "
DETAIL = "       "
BANG = " !     "

# The scheme's length is bounded: unbounded, a long run of letters (a 2 MB
# requirement name echoed by uv) made every search quadratic, hanging the build.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{0,31}://)(?P<cred>[^/@\s:]+(?::[^/@\s]*)?)@")
# A line of a subprocess's output is cut to this in the log (after masking).
RAW_LINE_WIDTH = 1000
MASK = "****"
# A step that is silent when quick says how long it took from this long on.
SLOW_STEP = 1.0
MIN_SECRET_PART = 4


class Log:
    """Writes the build log; holds the secrets to mask."""

    def __init__(self, stream: Optional[IO[str]] = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self._secrets: list[str] = []
        # A progress watcher writes from its own thread; whole lines never interleave.
        self._lock = threading.RLock()
        # The width of the status line on a terminal, which every other line replaces.
        self._status = 0

    # -- masking -------------------------------------------------------------
    def add_secrets(self, values: Iterable[str]) -> None:
        """Remember values that must never be printed (longest first, so that
        a secret containing another is masked whole), and the secret parts of
        URL values (`secret_parts`), which programs print on their own."""
        for value in values:
            # The log is written line by line, so a multi-line secret (a PEM key)
            # is masked line by line; values read from files often end in a newline.
            parts = [value.strip(), *(line.strip() for line in value.splitlines()), *secret_parts(value)]
            for part in parts:
                if len(part) >= MIN_SECRET_PART and part not in self._secrets:
                    self._secrets.append(part)
        self._secrets.sort(key=len, reverse=True)

    def mask(self, text: str) -> str:
        text = _URL_CREDENTIALS.sub(lambda m: m.group("scheme") + MASK + "@", text)
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    # -- lines ---------------------------------------------------------------
    def _write(self, line: str) -> None:
        self._emit(self.mask(line) + "\n")

    def _emit(self, text: str) -> None:
        with self._lock:
            if self._status:
                self.stream.write("\r" + " " * self._status + "\r")
                self._status = 0
            self.stream.write(text)
            self.stream.flush()

    def status(self, message: str) -> None:
        """A detail line rewritten in place, for a terminal only: the next
        status or line replaces it; an empty message just clears it."""
        text = self.mask(DETAIL + message).rstrip() if message else ""
        # One row only: a line that wraps cannot be rewritten in place.
        text = text[:max(20, shutil.get_terminal_size().columns - 1)]
        with self._lock:
            self._emit(text)
            self._status = len(text)

    def step(self, message: str) -> None:
        self._write(STEP + message)

    def detail(self, message: str = "") -> None:
        for line in message.splitlines() or [""]:
            self._write((DETAIL + line).rstrip())

    def raw(self, line: str) -> None:
        """A line of subprocess output, indented as detail; cut when it is absurdly long."""
        text = self.mask((DETAIL + line.rstrip("\n")).rstrip())
        if len(text) > RAW_LINE_WIDTH:
            text = text[:RAW_LINE_WIDTH] + f" ... ({len(text) - RAW_LINE_WIDTH} more characters)"
        self._emit(text + "\n")

    def _block(self, title: str, body: str) -> None:
        self._write("")
        self._write((BANG + title).rstrip())
        if body:
            self._write(BANG.rstrip())
            for line in body.rstrip("\n").splitlines():
                self._write((BANG + line).rstrip())
        self._write("")

    def warning(self, title: str, body: str = "") -> None:
        self._block("Warning: " + title, body)

    def error(self, title: str, body: str = "") -> None:
        self._block("Error: " + title, body)

    @contextlib.contextmanager
    def timed(self, message: str, threshold: float = 0.0) -> Iterator[None]:
        """A step header now, and a 'Done (N.Ns)' detail when the step took
        longer than `threshold` seconds."""
        self.step(message)
        started = time.monotonic()
        yield
        elapsed = time.monotonic() - started
        if elapsed >= threshold:
            self.detail(f"Done ({format_duration(elapsed)})")

    @contextlib.contextmanager
    def quiet_step(self, message: Union[str, Callable[[], str]], threshold: float = SLOW_STEP) -> Iterator[None]:
        """Work that prints nothing when quick; when it took `threshold` seconds
        or more, a `-----> message (N.Ns)` step after it, so that a slow build
        accounts for its time (`message` may be a function, to say what the work
        found). Nothing when the work raised: its error says."""
        started = time.monotonic()
        yield
        elapsed = time.monotonic() - started
        if elapsed >= threshold:
            text = message() if callable(message) else message
            self.step(f"{text} ({format_duration(elapsed)})")


def format_duration(seconds: float) -> str:
    """`0.4s`, `12.3s`, `2m 05s`."""
    if round(seconds, 1) < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m {rest:02d}s"


# Query parameters of a URL whose values are credentials (`?token=...`).
_SECRET_QUERY_KEY = re.compile(r"(token|key|secret|password|passwd|pass|pwd|auth|signature|sig|credential)",
                               re.IGNORECASE)


def secret_parts(value: str) -> list:
    """The parts of a URL-valued secret that leak on their own: the password
    (or a lone user name, which is often a token: `https://TOKEN@host`) and
    credential-like query parameters, each as written and percent-decoded (a
    framework prints `DATABASES` with the password decoded from DATABASE_URL).

        >>> secret_parts("postgres://app:s3cr%40t@db.example.com:5432/app?sslmode=require")
        ['s3cr%40t', 's3cr@t']
        >>> secret_parts("https://ghp_0123456789@github.com/org/repo.git")
        ['ghp_0123456789']
    """
    value = value.strip()
    if "://" not in value or any(c.isspace() for c in value):
        return []
    try:
        parts = urllib.parse.urlsplit(value)
        password, username = parts.password, parts.username
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=False)
    except ValueError:
        return []
    found = []
    if password:
        found.append(password)
    elif username:
        found.append(username)
    found += [v for k, v in query if _SECRET_QUERY_KEY.search(k)]
    decoded = [urllib.parse.unquote(part) for part in found]
    return list(dict.fromkeys(part for part in found + decoded if len(part) >= MIN_SECRET_PART))


def mask_url(url: str) -> str:
    """A URL with any user:password part replaced, for messages built outside a Log."""
    return _URL_CREDENTIALS.sub(lambda m: m.group("scheme") + MASK + "@", url)
