"""Run the web process for `pybuildpack start` and `up`, and say "Serving on" only once it answers.

The process runs as a child, in a process group of its own: pybuildpack stays
in front of it to watch its start. "Serving on http://localhost:PORT" is
printed once the port answers an HTTP request, never before. When the
process exits before that, `start` fails with its exit status and the last
lines of its output (`errors.WebProcessExitedAtStart`), so a script or a
developer sees a non-zero status rather than a server that never came up.

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


class _Tee(threading.Thread):
    """Copies one of the child's pipes to our stream, keeping its last lines."""

    def __init__(self, pipe, stream, tail: Deque[str], lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.pipe, self.stream, self.tail, self.lock = pipe, stream, tail, lock
        self.partial = b""

    def run(self) -> None:
        out = getattr(self.stream, "buffer", None)
        while True:
            chunk = os.read(self.pipe.fileno(), 65536)
            if not chunk:
                break
            if out is not None:
                out.write(chunk)
                out.flush()
            else:
                self.stream.write(chunk.decode("utf-8", "replace"))
                self.stream.flush()
            lines = (self.partial + chunk).split(b"\n")
            self.partial = lines.pop()
            with self.lock:
                self.tail.extend(line.decode("utf-8", "replace").rstrip("\r") for line in lines)
        if self.partial:
            with self.lock:
                self.tail.append(self.partial.decode("utf-8", "replace"))


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
    tail: Deque[str] = collections.deque(maxlen=TAIL_LINES)
    lock = threading.Lock()
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
    tees = [_Tee(process.stdout, sys.stdout, tail, lock), _Tee(process.stderr, sys.stderr, tail, lock)]
    for tee in tees:
        tee.start()
    try:
        started = time.monotonic()
        warned = ready = False
        while process.poll() is None:
            if answers(port):
                ready = True
                log.detail(f"Serving on http://localhost:{port}")
                if on_ready is not None:
                    on_ready()
                break
            if not warned and not received and time.monotonic() - started > SLOW_START_WARNING:
                log.warning(*errors.web_process_not_answering(port, SLOW_START_WARNING))
                warned = True
            time.sleep(PROBE_INTERVAL)
        code = process.wait()
        for tee in tees:
            tee.join(5)
        stop_signal = next((sig for sig in received if sig in STOPPING), None)
        if stop_signal is None and not ready:
            with lock:
                lines = list(tail)
            raise errors.WebProcessExitedAtStart(command, code, lines, port)
        return exit_status(code, stop_signal)
    finally:
        if process.poll() is None:   # an error of ours: do not leave the server behind
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

