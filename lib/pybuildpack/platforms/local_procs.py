"""`pybuildpack start --all`: every process of the Procfile at once, as Foreman runs them.

The formation (which process types run, and how many copies of each) comes
from `-c web=2,worker=1`; every type not named there runs once, except
`release`, which Heroku runs once per deploy rather than as a dyno (naming it
in -c is an error: `pybuildpack release` runs it). Each copy
is named like a dyno (`web.1`) and gets its own PORT: the first type on the
base port, each further type 100 higher, each further copy 1 higher (Foreman's
rule, so `web.1` is 5000, `web.2` 5001, `worker.1` 5100).

The copies are children of pybuildpack, each in a process group of its own.
Their stdout and stderr lines are printed with the time and the copy's name,
aligned, and in a colour per copy on a terminal. Ctrl-C or SIGTERM stops them
all: SIGTERM to each group, then SIGKILL to what is left after the timeout
(30 s, as on Heroku). When one copy exits by itself the others are stopped the
same way, and pybuildpack exits with that copy's status.

This is our own code rather than honcho: honcho would be a new dependency of
the local command, installed on the user's Python, and it knows neither the
built environment nor our errors; the part we need is small.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, TextIO

from .. import errors
from ..output import Log
from . import local_serve

STOP_TIMEOUT = 30.0      # Heroku's: SIGTERM, then SIGKILL 30 s later
PORT_STEP = 100          # between process types, as Foreman assigns them
NOT_RUN_BY_DEFAULT = ("release",)   # Heroku runs it at deploy, not as a dyno
# Foreman's palette: bright enough on dark and light terminals, never red (errors look red).
COLOURS = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94")
SYSTEM = "system"
# What stops them all: Ctrl-C, SIGTERM, SIGQUIT, and SIGHUP (the terminal went away).
STOPPING = local_serve.STOPPING + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())


@dataclass(frozen=True)
class Copy:
    """One running copy of a process type, named like a dyno."""

    process: str   # the process type, e.g. "web"
    number: int    # 1, 2, ...
    port: int
    command: str

    @property
    def name(self) -> str:
        return f"{self.process}.{self.number}"


def parse_concurrency(text: Optional[str]) -> Dict[str, int]:
    """`web=2,worker=1` as {"web": 2, "worker": 1}; ConcurrencyInvalid when malformed.

    >>> parse_concurrency("web=2, worker=0")
    {'web': 2, 'worker': 0}
    """
    counts: Dict[str, int] = {}
    if text is None:
        return counts
    for item in text.split(","):
        name, equals, number = (part.strip() for part in item.partition("="))
        if not item.strip():
            raise errors.ConcurrencyInvalid(text, "it has an empty entry (two commas, or one at an end)")
        if not equals or not name:
            raise errors.ConcurrencyInvalid(text, f"{item.strip()!r} is not of the form TYPE=NUMBER")
        if not number.isdigit():
            raise errors.ConcurrencyInvalid(text, f"the number of {name} copies, {number!r}, is not a whole number")
        if name in counts:
            raise errors.ConcurrencyInvalid(text, f"it names {name} twice")
        counts[name] = int(number)
    return counts


def formation(processes: Mapping[str, object], counts: Mapping[str, int], base_port: int,
              option: str = "-c") -> List[Copy]:
    """The copies to run, in Procfile order. `processes` maps type to Process;
    a type not in `counts` runs once (release not at all)."""
    if not processes:
        raise errors.NoProcesses()
    if any(name in NOT_RUN_BY_DEFAULT for name in counts):
        raise errors.ReleaseInFormation(option)
    unknown = [name for name in counts if name not in processes]
    if unknown:
        raise errors.ConcurrencyUnknownProcess(unknown[0], list(processes), option)
    copies = []
    for index, (name, process) in enumerate(processes.items()):
        count = counts.get(name, 0 if name in NOT_RUN_BY_DEFAULT else 1)
        for number in range(1, count + 1):
            port = base_port + index * PORT_STEP + number - 1
            if port > 65535:
                raise errors.FormationPortsTooHigh(f"{name}.{number}", port, base_port)
            copies.append(Copy(name, number, port, process.command))
    if not copies:
        raise errors.NoProcesses(counts_given=True)
    return copies


class Printer:
    """Prefixed, aligned, optionally coloured lines from many copies, one line at a time."""

    def __init__(self, names: Sequence[str], stream: TextIO, colour: bool) -> None:
        self.width = max(len(name) for name in [*names, SYSTEM])
        self.stream = stream
        self.colours = {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(names)} if colour else {}
        self.lock = threading.Lock()

    def line(self, name: str, text: str) -> None:
        prefix = f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} |"
        colour = self.colours.get(name)
        if colour:
            prefix = f"\033[{colour}m{prefix}\033[0m"
        with self.lock:
            self.stream.write(f"{prefix} {text}\n")
            self.stream.flush()


def _copy_lines(name: str, pipe, printer: Printer) -> None:
    # Lines as bytes, decoded leniently: a process may print anything.
    for raw in iter(pipe.readline, b""):
        printer.line(name, raw.decode("utf-8", "replace").rstrip("\r\n"))
    pipe.close()


def how_it_ended(code: int) -> str:
    """`exited with status 3`, `was killed by SIGKILL`."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def run_all(copies: Sequence[Copy], argv_for: Callable[[Copy], List[str]], env_for: Callable[[Copy], dict],
            cwd: str, log: Log, timeout: float = STOP_TIMEOUT, stream: Optional[TextIO] = None) -> int:
    """Run every copy until one exits or we are told to stop; stop the rest; return our exit status:
    0 when a signal stopped them, else the status of the copy that exited first (128+N for signal N)."""
    stream = stream or sys.stdout
    # Colour on a terminal, unless NO_COLOR is set (https://no-color.org).
    printer = Printer([c.name for c in copies], stream, colour=stream.isatty() and not os.environ.get("NO_COLOR"))
    received: List[int] = []
    previous = {sig: signal.getsignal(sig) for sig in STOPPING}

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    for sig in STOPPING:
        signal.signal(sig, on_signal)
    running: Dict[str, subprocess.Popen] = {}
    threads: List[threading.Thread] = []
    first: Optional[tuple] = None
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        for copy in copies:
            if received:
                break
            argv = argv_for(copy)
            try:
                child = subprocess.Popen(argv, cwd=cwd, env=env_for(copy), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         preexec_fn=local_serve._child_setup)
            except OSError:
                raise errors.CommandNotFound(argv[0])
            running[copy.name] = child
            printer.line(SYSTEM, f"{copy.name} started (pid {child.pid}, PORT={copy.port}): {copy.command}")
            thread = threading.Thread(target=_copy_lines, args=(copy.name, child.stdout, printer), daemon=True)
            thread.start()
            threads.append(thread)
        while not received and first is None:
            for name, child in running.items():
                if child.poll() is not None:
                    first = (name, child.returncode)
                    break
            else:
                time.sleep(0.05)
        if first is not None:
            printer.line(SYSTEM, f"{first[0]} {how_it_ended(first[1])}; stopping the others")
        else:
            printer.line(SYSTEM, f"{signal.Signals(received[0]).name} received; stopping all processes")
    finally:
        _stop(running, printer, timeout, received)
        for thread in threads:
            thread.join(2)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if first is None:
        return 0
    name, code = first
    if code != 0:
        log.error(*errors.process_failed(name, how_it_ended(code)))
    return 128 - code if code < 0 else code


def _stop(running: Mapping[str, subprocess.Popen], printer: Printer, timeout: float, received: List[int]) -> None:
    """SIGTERM every group still running; SIGKILL the ones left after `timeout`,
    or at once on a second Ctrl-C (as Foreman does)."""
    signals_before = len(received)
    alive = {name: child for name, child in running.items() if child.poll() is None}
    for name, child in alive.items():
        printer.line(SYSTEM, f"sending SIGTERM to {name} (pid {child.pid})")
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(child.poll() is None for child in alive.values()) and time.monotonic() < deadline:
        if len(received) > signals_before:
            break
        time.sleep(0.05)
    for name, child in alive.items():
        if child.poll() is None:
            printer.line(SYSTEM, f"{name} still running: sending SIGKILL")
            _signal_group(child, signal.SIGKILL)
            child.wait()
    for name, child in alive.items():
        printer.line(SYSTEM, f"{name} {how_it_ended(child.returncode)}")


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def start_all(app_dir, concurrency: Optional[str], port_option: Optional[str], timeout: float, log: Log) -> int:
    """`pybuildpack start --all`: run the formation in the built environment until it stops."""
    from pathlib import Path

    from . import local

    counts = parse_concurrency(concurrency)
    launch = local.prepare_launch(Path(app_dir), log)
    base = local.resolve_port(port_option, {**os.environ, **launch.dotenv})
    processes = launch.plan.processes.all
    copies = formation(processes, counts, base)
    for copy in copies:
        if copy.process == "web":
            try:
                local.check_port_free(copy.port)
            except errors.PortInUse:
                raise errors.ProcessPortInUse(copy.name, copy.port, "another program is listening on it", base)
    log.step("Starting " + ", ".join(f"{c.name} (port {c.port})" if c.process == "web" else c.name
                                     for c in copies))
    if launch.dotenv:
        log.detail(f"With {len(launch.dotenv)} variables from .env")
    if launch.plan.release is not None:
        log.detail(errors.release_not_started())

    envs: Dict[str, dict] = {}

    def env_for(copy: Copy) -> dict:
        env = local.process_environment(launch, os.environ, copy.port)
        env["DYNO"] = copy.name   # as on Heroku: which copy this is
        envs[copy.name] = env
        return env

    def argv_for(copy: Copy) -> List[str]:
        return local.process_argv(processes[copy.process], envs.get(copy.name) or env_for(copy))

    return run_all(copies, argv_for, lambda copy: envs.get(copy.name) or env_for(copy), str(launch.app_dir), log,
                   timeout)
