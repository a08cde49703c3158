"""Progress of long work (downloads, unpacking) while a tool runs it.

uv shows no progress when its output is a pipe, so a watcher thread measures
what the work leaves on disk (the bytes unpacked so far) and reports it: on a
terminal as one line rewritten in place, in a build log as a detail line at
most every LOG_INTERVAL seconds. Work that ends before the first report is
due prints nothing, so a fast build's log is unchanged, and nothing is
measured before then either: the watcher costs a sleeping thread.

    with watching(log, lambda done, elapsed: f"... {format_bytes(done)}", measure):
        run(...)
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

from .output import Log

# A build log gets a line at most this often; the first once the work has taken this long.
LOG_INTERVAL = 5.0
# A terminal's line is rewritten this often, from this long after the start.
TTY_INTERVAL = 0.5
TTY_DELAY = 1.0
# A report whose measure took m seconds waits at least this many times m for the
# next: measuring (walking a directory of thousands of files) then costs at most
# a tenth of one core, however often a terminal would like to be updated.
MEASURE_SHARE = 10


class Throttle:
    """Says when a report is due: first after `delay` seconds, then every `interval`.

        >>> now = [0.0]
        >>> throttle = Throttle(delay=5, interval=5, clock=lambda: now[0])
        >>> throttle.due(), now.__setitem__(0, 5.0), throttle.due(), throttle.due()
        (False, None, True, False)
    """

    def __init__(self, delay: float, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.interval = interval
        self.started = clock()
        self.next = self.started + delay

    def due(self) -> bool:
        """True when a report is due now; the next one is then `interval` later."""
        now = self.clock()
        if now < self.next:
            return False
        self.next = now + self.interval
        return True

    def elapsed(self) -> float:
        return self.clock() - self.started

    def defer(self, seconds: float) -> None:
        """No report for `seconds` from now, even if one falls due sooner."""
        self.next = max(self.next, self.clock() + seconds)



def format_bytes(count: int) -> str:
    """Sizes in uv's binary units: `512 KiB`, `12.0 MiB`, `1.50 GiB`."""
    if count < 1024 * 1024:
        return f"{count // 1024} KiB"
    if count < 1024 ** 3:
        return f"{count / 1024 ** 2:.1f} MiB"
    return f"{count / 1024 ** 3:.2f} GiB"


def bar(done: int, total: int, width: int = 20) -> str:
    """`[######--------------]` for `done` of `total` (capped at full)."""
    filled = min(width, width * done // total) if total > 0 else 0
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def is_terminal(log: Log) -> bool:
    isatty = getattr(log.stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class Reporter:
    """Shows progress text in `log`: a status line on a terminal, throttled
    detail lines otherwise."""

    def __init__(self, log: Log, terminal: Optional[bool] = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.log = log
        self.terminal = is_terminal(log) if terminal is None else terminal
        self.throttle = (Throttle(TTY_DELAY, TTY_INTERVAL, clock) if self.terminal
                         else Throttle(LOG_INTERVAL, LOG_INTERVAL, clock))

    def due(self) -> bool:
        return self.throttle.due()

    def elapsed(self) -> float:
        return self.throttle.elapsed()

    def show(self, text: str) -> None:
        if self.terminal:
            self.log.status(text)
        else:
            self.log.detail(text)

    def finish(self) -> None:
        if self.terminal:
            self.log.status("")


@contextlib.contextmanager
def watching(log: Optional[Log], render: Callable[[int, float], Optional[str]], measure: Callable[[], int],
             reporter: Optional[Reporter] = None, tick: float = 0.25) -> Iterator[None]:
    """Report progress while the body runs: when a report is due, `measure()`
    the work done (bytes) and show `render(done, seconds)` unless it is None."""
    if log is None:
        yield
        return
    reporter = reporter or Reporter(log)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(tick):
            if not reporter.due():
                continue
            started = time.monotonic()
            try:
                done = measure()
                reporter.throttle.defer(MEASURE_SHARE * (time.monotonic() - started))
                text = render(done, reporter.elapsed())
            except OSError:
                continue  # the directory changed under us: try again next time
            except Exception:  # noqa: BLE001 - progress is an aid: a fault in it must not print a traceback mid-build
                return
            if text is not None and not stop.is_set():
                reporter.show(text)

    thread = threading.Thread(target=watch, name="pybuildpack-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        reporter.finish()


def tree_size(path: Path) -> int:
    """The bytes of the regular files under `path` (0 when it does not exist)."""
    total = 0
    stack = [str(path)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue  # gone or renamed meanwhile
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


class UnpackedPackages:
    """Bytes uv has unpacked into its cache since this was made: wheels being
    unpacked (`.tmp*` directories at the cache's top) and those finished since
    (entries of `archive-v*` modified since). Nothing is read until the first
    call, which only comes once an install has taken a while; each entry is
    then looked at once, except the ones still growing."""

    # Filesystem times come from a coarser clock than time.time(): an entry made
    # just after the start may look a little older.
    SLACK = 0.1

    def __init__(self, uv_cache: Path, clock: Callable[[], float] = time.time) -> None:
        self.uv_cache = uv_cache
        self.since = clock() - self.SLACK
        self.known: dict = {}  # finished entry -> its bytes (0 for one older than the install)

    def __call__(self) -> int:
        total = 0
        try:
            top = list(os.scandir(self.uv_cache))
        except OSError:
            return 0
        for entry in top:
            if entry.name.startswith(".tmp") and entry.is_dir(follow_symlinks=False):
                if entry.stat(follow_symlinks=False).st_mtime >= self.since:
                    total += tree_size(Path(entry.path))  # still growing
            elif re.fullmatch(r"archive-v\d+", entry.name):
                total += self._finished(entry.path)
        return total

    def _finished(self, archive: str) -> int:
        total = 0
        with os.scandir(archive) as entries:
            for entry in entries:
                if entry.path not in self.known:
                    try:
                        new = entry.stat(follow_symlinks=False).st_mtime >= self.since
                    except OSError:
                        continue
                    self.known[entry.path] = tree_size(Path(entry.path)) if new else 0
                total += self.known[entry.path]
        return total
