"""hypercorn settings for the web process pybuildpack starts, and its graceful stop.

Its `settings` (`hypercorn --config python:pybuildpack_launch.asgi_hypercorn.settings`,
with `--bind 0.0.0.0:$PORT` on the command line) run WEB_CONCURRENCY workers, log requests to stdout
and errors to stderr, keep idle connections 5 s (less than the router's
idle timeout), hold 2048 pending connections (hypercorn's 100 refuses
connections in a burst), and give in-flight requests 20 s after SIGTERM
(less than the platforms' 30 s before SIGKILL). The app's own hypercorn.toml
is applied last, so anything it sets wins.

`patch_worker()`, called by `asgi_app` inside each worker, fixes the ways
hypercorn drops requests on SIGTERM: its workers die of the SIGTERM the
platform sends to every process of the dyno (they leave signals to the
parent), and on stopping it resets the connections queued in its listening
socket and closes at once every connection whose request it has not parsed
yet, though the request may already be on the wire. The worker now stops on
SIGTERM itself, after DRAIN_SECONDS of business as usual in which those
connections are accepted and those requests start.

A worker still starting (importing the app) when SIGTERM comes must not die
of it either: the dyno would exit with 241, hypercorn's code for a worker
killed by SIGTERM. So the master ignores SIGTERM from loading these settings
until it sets its own handler, and the workers it spawns are born ignoring it
(an ignored signal stays ignored across exec); `patch_worker` then notes a
SIGTERM from the moment the app's import begins. A SIGTERM a worker missed
while ignoring it still stops it: the master sets the shutdown event the
worker watches.
"""

import os
import signal
import sys
import types

CONFIG_FILE = "hypercorn.toml"
DRAIN_SECONDS = 1.0


def _read_toml(path: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # hypercorn depends on tomli on these Pythons
        import tomli as tomllib
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _settings() -> types.SimpleNamespace:
    try:
        workers = max(1, int(os.environ.get("WEB_CONCURRENCY", "1")))
    except ValueError:
        workers = 1
    values = {
        "workers": workers,
        "accesslog": "-",
        "errorlog": "-",
        "keep_alive_timeout": 5,
        "graceful_timeout": 20,
        "backlog": 2048,
    }
    if os.path.isfile(CONFIG_FILE):
        values.update(_read_toml(CONFIG_FILE))
    return types.SimpleNamespace(**values)


# What `--config python:pybuildpack_launch.asgi_hypercorn.settings` reads.
settings = _settings()
# hypercorn's master replaces this with its own handler right after spawning
# its workers, which inherit it; a worker replaces it in `patch_worker`.
signal.signal(signal.SIGTERM, signal.SIG_IGN)
_sigterm_received = False


def _note_sigterm(signum, frame) -> None:
    global _sigterm_received
    _sigterm_received = True


def patch_worker() -> None:
    """Make this hypercorn worker (asyncio) stop gracefully on SIGTERM."""
    try:
        import hypercorn.asyncio.run as run
    except ImportError:
        run = None
    original = getattr(run, "check_multiprocess_shutdown_event", None)
    if original is None:   # not a worker this can patch: SIGTERM as hypercorn expects it
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        return
    if getattr(original, "pybuildpack", False):
        return
    signal.signal(signal.SIGTERM, _note_sigterm)

    async def shutdown_trigger(shutdown_event, sleep):
        import asyncio

        signalled = asyncio.Event()
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, signalled.set)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        if _sigterm_received:   # while the app was being imported
            signalled.set()
        while not shutdown_event.is_set() and not signalled.is_set():
            await sleep(0.1)
        await sleep(DRAIN_SECONDS)

    shutdown_trigger.pybuildpack = True
    run.check_multiprocess_shutdown_event = shutdown_trigger
