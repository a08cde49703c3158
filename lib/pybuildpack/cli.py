"""Command-line entry point behind the bin/ shims.

Run by the bin/ shims through bin/support/entry.py (or `python -m pybuildpack`):

    python -m pybuildpack heroku-detect BUILD_DIR
    python -m pybuildpack heroku-compile BUILD_DIR CACHE_DIR [ENV_DIR]
    python -m pybuildpack heroku-test-compile BUILD_DIR CACHE_DIR [ENV_DIR]   (Heroku CI)
    python -m pybuildpack heroku-release BUILD_DIR
    python -m pybuildpack local COMMAND ...     (bin/pybuildpack: build, start, run, explain, up)
    python -m pybuildpack cnb-detect APP_DIR     (CNB_BUILD_PLAN_PATH in the environment)
    python -m pybuildpack cnb-build APP_DIR      (CNB_LAYERS_DIR, CNB_PLATFORM_DIR too)
    python -m pybuildpack s2i-assemble           (s2i/bin/assemble; paths from PYBUILDPACK_S2I_*)
    python -m pybuildpack s2i-save-artifacts     (a tar on stdout, the log on stderr)
    python -m pybuildpack s2i-run                (execs the web process)
    python -m pybuildpack s2i-usage

A UserError (or our own InternalError) becomes a ` !     ` block and exit
status 1, never a traceback (errors.guarded).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence

from .errors import guarded
from .output import Log


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    log = Log()
    if command.startswith("heroku-"):
        from .platforms import heroku
    elif command.startswith("cnb-"):
        from .platforms import cnb
    if command == "heroku-detect" and len(rest) == 1:
        return guarded(log, lambda: heroku.detect(Path(rest[0])))
    if command in ("heroku-compile", "heroku-test-compile") and len(rest) in (2, 3):
        env_dir = Path(rest[2]) if len(rest) == 3 else None
        test = command == "heroku-test-compile"
        return guarded(log, lambda: heroku.compile(Path(rest[0]).resolve(), Path(rest[1]).resolve(), env_dir, log,
                                                   test))
    if command == "local":
        from .local_cli import main as local_main
        return local_main(rest)
    if command == "heroku-release" and len(rest) == 1:
        return guarded(log, lambda: sys.stdout.write(heroku.release(Path(rest[0]))) and None)
    if command == "cnb-detect" and len(rest) == 1:
        return guarded(log, lambda: cnb.detect(Path(rest[0]), cnb.env_path("CNB_BUILD_PLAN_PATH")))
    if command == "cnb-build" and len(rest) == 1:
        return guarded(log, lambda: cnb.build(Path(rest[0]).resolve(), cnb.env_path("CNB_LAYERS_DIR"),
                                               cnb.env_path("CNB_PLATFORM_DIR"), log))
    if command.startswith("s2i-") and not rest:
        from .platforms import s2i
        if command == "s2i-assemble":
            return guarded(log, lambda: s2i.assemble(log))
        # The others' stdout is data (a tar) or the app's: messages go to stderr.
        err = Log(sys.stderr)
        if command == "s2i-save-artifacts":
            return guarded(err, lambda: s2i.save_artifacts(sys.stdout.buffer))
        if command == "s2i-run":
            return guarded(err, s2i.run)
        if command == "s2i-usage":
            return guarded(err, lambda: sys.stdout.write(s2i.usage()) and None)
    print(f"pybuildpack: unknown command or wrong arguments: {' '.join(args)}\n\n{__doc__}", file=sys.stderr)
    return 2
