"""SIGTERM under load: how many in-flight requests a web process drops when it is stopped.

`sigterm_under_load(dyno)` opens `connections` loopback connections to the
running process, sends one request on each (a slow endpoint of the fixture
app, so that they are all in flight at once), sends SIGTERM to the process
group as the dyno manager does once every request is on the wire, and waits
for every answer. A request whose connection closes or resets without a
complete response is dropped. Bounded in time: every socket has a deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field

from harness.heroku import Dyno


@dataclass
class LoadResult:
    sent: int
    answered: dict = field(default_factory=dict)     # status -> count
    dropped: list = field(default_factory=list)      # why, per dropped request
    exit_code: "int | None" = None
    stop_seconds: float = 0.0                         # SIGTERM to exit

    @property
    def ok(self) -> int:
        return self.answered.get(200, 0)

    def __str__(self) -> str:
        reasons: dict = {}
        for reason in self.dropped:
            reasons[reason] = reasons.get(reason, 0) + 1
        return (f"sent {self.sent}, answered {self.answered}, dropped {len(self.dropped)} {reasons}, "
                f"exit {self.exit_code} after {self.stop_seconds:.1f}s")


def _request(port: int, path: str, deadline: float, sent: threading.Semaphore, results: list, index: int) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=max(0.1, deadline - time.monotonic())) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            sent.release()
            data = b""
            while time.monotonic() < deadline:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    except socket.timeout:
        results[index] = "timeout"
        return
    except ConnectionResetError:
        results[index] = "reset"
        return
    except OSError as error:
        results[index] = f"error {error.errno}"
        return
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        results[index] = "closed without a response"
        return
    status = int(head.split()[1])
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                   if line.lower().startswith(b"content-length:")), None)
    if length is not None and len(body) < length:
        results[index] = "response cut short"
        return
    results[index] = status


def sigterm_under_load(dyno: Dyno, path: str = "/slow", connections: int = 200, settle: float = 0.5,
                       timeout: float = 40.0) -> LoadResult:
    """Send `connections` concurrent requests to `path`, SIGTERM the process
    group `settle` seconds after the last one is sent, and count the answers."""
    deadline = time.monotonic() + timeout
    sent = threading.Semaphore(0)
    results: list = [None] * connections
    threads = [threading.Thread(target=_request, args=(dyno.port, path, deadline, sent, results, i), daemon=True)
               for i in range(connections)]
    for thread in threads:
        thread.start()
    on_the_wire = 0
    while on_the_wire < connections and time.monotonic() < deadline:
        if sent.acquire(timeout=0.1):
            on_the_wire += 1
        elif all(result is not None for result in results if result is not None) and \
                sum(r is not None for r in results) + on_the_wire >= connections:
            break   # the rest failed before sending
    time.sleep(settle)
    stopped = time.monotonic()
    os.killpg(dyno.process.pid, signal.SIGTERM)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    try:
        dyno.process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except Exception:
        pass
    result = LoadResult(sent=on_the_wire, exit_code=dyno.process.poll(), stop_seconds=time.monotonic() - stopped)
    for outcome in results:
        if isinstance(outcome, int):
            result.answered[outcome] = result.answered.get(outcome, 0) + 1
        else:
            result.dropped.append(outcome or "no answer in time")
    return result
