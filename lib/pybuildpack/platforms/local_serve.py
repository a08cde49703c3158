"""Run the web process for `pybuildpack start` and `up`, and say "Serving on" only once it answers.

The process runs as a child, in a process group of its own: pybuildpack stays
in front of it to watch its start. "Serving on http://localhost:PORT" is
printed once the port answers an HTTP request, never before. When the
process exits before that, `start` fails with its exit status and the last
lines of its output (`errors.WebProcessExitedAtStart`), so a script or a
developer sees a non-zero status rather than a server that never came up.
Everything the process printed before it answered is copied out before
"Serving on", so the log reads in order.

Signals that stop or steer a server (Ctrl-C, SIGTERM, SIGHUP, and gunicorn's
TTIN/TTOU/USR1/USR2) are passed on to the process exactly once: it is in
another process group, so a terminal's Ctrl-C or a process manager's signal
to our group reaches only us. On Linux the child also gets SIGTERM should
pybuildpack itself be killed, so no server outlives it. Its output is copied
through unchanged, stdout to stdout and stderr to stderr.
"""

from __future__ import annotations

import collections
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Callable, Deque, Mapping, Optional, Sequence

from .. import errors
from ..output import Log

FORWARDED = tuple(getattr(signal, name) for name in
                  ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGTTIN", "SIGTTOU")
                  if hasattr(signal, name))
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
TAIL_LINES = 20
PROBE_INTERVAL = 0.1
# How long a process may take to answer before the log asks whether it listens on $PORT.
SLOW_START_WARNING = 30.0
PR_SET_PDEATHSIG = 1


def answers(port: int, timeout: float = 5.0) -> bool:
    """Whether an HTTP server on 127.0.0.1:`port` answers a request (any status)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: pybuildpack-start\r\n"
                         b"Connection: close\r\n\r\n")
            answer = b""
            # Read to the end (or the timeout, for a server that keeps the connection
            # open anyway), so the server never writes to a connection we closed.
            while True:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                if len(answer) < 5:
                    answer += chunk
            return answer.startswith(b"HTTP/")
    except OSError:
        return False


def _child_setup() -> None:
    """In the child, before exec: a process group of its own, SIGTERM when we
    die, and the signals we block around the fork unblocked again (a signal
    mask outlives exec)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass


class _Output:
    """The child's stdout and stderr, copied to ours as they come, with their last lines kept.

    Until the process answers, the caller copies with `pump()` between probes, so
    everything it printed before answering is out before "Serving on"; then
    `follow()` hands the copying to threads for as long as it runs."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.streams = {process.stdout.fileno(): sys.stdout, process.stderr.fileno(): sys.stderr}
        self.partial = {fd: b"" for fd in self.streams}
        self.tail: Deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.lock = threading.Lock()
        self.threads: list = []

    def _copy(self, fd: int) -> bool:
        """Copy one chunk from `fd`; False at its end."""
        chunk = os.read(fd, 65536)
        if not chunk:
            rest = self.partial.pop(fd)
            if rest:
                with self.lock:
                    self.tail.append(rest.decode("utf-8", "replace"))
            return False
        stream = self.streams[fd]
        out = getattr(stream, "buffer", None)
        if out is not None:
            out.write(chunk)
            out.flush()
        else:
            stream.write(chunk.decode("utf-8", "replace"))
            stream.flush()
        lines = (self.partial[fd] + chunk).split(b"\n")
        self.partial[fd] = lines.pop()
        with self.lock:
            self.tail.extend(line.decode("utf-8", "replace").rstrip("\r") for line in lines)
        return True

    def pump(self, wait: float, limit: float = 1.0) -> None:
        """Copy what the pipes hold, waiting up to `wait` for the first of it
        (and for at most `limit` seconds in all, should the process never pause)."""
        deadline = time.monotonic() + wait + limit
        while self.partial and time.monotonic() < deadline:
            readable, _, _ = select.select(list(self.partial), [], [], wait)
            if not readable:
                return
            for fd in readable:
                self._copy(fd)
            wait = 0.0

    def follow(self) -> None:
        for fd in list(self.partial):
            thread = threading.Thread(target=self._follow, args=(fd,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _follow(self, fd: int) -> None:
        while self._copy(fd):
            pass

    def finish(self) -> list:
        """Copy the rest (the process has exited); its last lines."""
        for thread in self.threads:
            thread.join(5)
        while self.partial and not self.threads:
            readable, _, _ = select.select(list(self.partial), [], [], 5)
            if not readable:
                break
            for fd in readable:
                self._copy(fd)
        with self.lock:
            return list(self.tail)


def exit_status(code: int, stop_signal: Optional[int]) -> int:
    """Our exit status for the child's return code: 0 when it stopped cleanly
    because we passed it a stop signal, 128+N for death by signal N, else its own."""
    if stop_signal is not None and code in (0, -stop_signal, -signal.SIGTERM):
        return 0
    return 128 - code if code < 0 else code


def serve(argv: Sequence[str], env: Mapping[str, str], cwd: str, port: int, command: str, log: Log,
          on_ready: Optional[Callable[[], None]] = None) -> int:
    """Run the web process until it exits; return the status to exit with.
    Raises WebProcessExitedAtStart when it exits before answering on `port`."""
    received: list = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    sys.stdout.flush()
    sys.stderr.flush()
    previous = {sig: signal.getsignal(sig) for sig in FORWARDED}
    # Handlers first, so a signal that arrives between the fork and here is not lost
    # (it is passed on once `process` exists; until then it is only recorded).
    process: subprocess.Popen
    blocked = set(FORWARDED)
    signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        try:
            process = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_child_setup)
        except OSError:
            raise errors.CommandNotFound(argv[0])
        for sig in FORWARDED:
            signal.signal(sig, on_signal)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
    output = _Output(process)
    try:
        started = time.monotonic()
        warned = ready = False
        while process.poll() is None:
            output.pump(PROBE_INTERVAL)
            if answers(port):
                output.pump(0.0)
                ready = True
                log.detail(f"Serving on http://localhost:{port}")
                if on_ready is not None:
                    on_ready()
                output.follow()
                break
            if not warned and not received and time.monotonic() - started > SLOW_START_WARNING:
                log.warning(*errors.web_process_not_answering(port, SLOW_START_WARNING))
                warned = True
        code = process.wait()
        lines = output.finish()
        stop_signal = next((sig for sig in received if sig in STOPPING), None)
        if stop_signal is None and not ready:
            raise errors.WebProcessExitedAtStart(command, code, lines, port)
        return exit_status(code, stop_signal)
    finally:
        if process.poll() is None:   # an error of ours: do not leave the server behind
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

