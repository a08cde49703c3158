"""Starts granian for the web process, with pybuildpack's defaults in its GRANIAN_* settings.

granian has no config file: it reads every setting from a GRANIAN_* variable
too, and the ones the app sets win over these defaults. An idle kept-alive
connection is closed when no request head arrives within 5 s (less than the
router's idle timeout); after SIGTERM the workers get 20 s in all to finish
their requests (less than the platforms' 30 s before SIGKILL). granian 2.8
bounds the whole stop by GRANIAN_WORKERS_KILL_TIMEOUT, but earlier releases
(pinned for Python 3.8 and 3.9) wait that long for each worker in turn, so a
stuck worker or two would outlast the 30 s: for them the 20 s is shared out
between the workers. The settings go in the environment rather than in flags
because granian 1.x, which lacks some of them, ignores variables but refuses
flags. Standard library only; exec's granian with the words given.
"""

import os
import re
import sys

STOP_SECONDS = 20
HEADER_READ_MILLISECONDS = 5000
# The first release whose kill timeout bounds the whole stop rather than each worker's.
WHOLE_STOP_BOUND = (2, 8)


def _granian_release() -> tuple:
    try:
        from importlib.metadata import version
        return tuple(int(part) for part in re.findall(r"\d+", version("granian"))[:2])
    except Exception:  # not installed or an odd version: assume the newest behaviour
        return WHOLE_STOP_BOUND


def _workers(argv: list, env) -> int:
    value = env.get("GRANIAN_WORKERS", "")
    if "--workers" in argv[:-1]:
        value = argv[argv.index("--workers") + 1]
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def defaults(argv: list, env, release: tuple) -> dict:
    """The GRANIAN_* variables to set: those of ours that `env` does not set already."""
    kill_timeout = STOP_SECONDS
    if release < WHOLE_STOP_BOUND:
        kill_timeout = max(1, STOP_SECONDS // _workers(argv, env))
    ours = {"GRANIAN_WORKERS_KILL_TIMEOUT": str(kill_timeout),
            "GRANIAN_HTTP1_HEADER_READ_TIMEOUT": str(HEADER_READ_MILLISECONDS)}
    return {name: value for name, value in ours.items() if not env.get(name)}


def main(argv: list) -> None:
    os.environ.update(defaults(argv, os.environ, _granian_release()))
    os.execvp("granian", ["granian"] + argv)


if __name__ == "__main__":
    main(sys.argv[1:])
