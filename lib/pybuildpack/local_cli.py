"""The `pybuildpack` command: build and run an app on your own machine.

    pybuildpack build [APP_DIR]                 build the app in place (state in APP_DIR/.pybuildpack/)
    pybuildpack start [PROCESS] [-C APP_DIR]    run a process (default: web) as production would
                      [--port PORT] [--reload]
    pybuildpack start --all [-c web=2,worker=1] [-C APP_DIR] [--port BASE] [--timeout S]
                                                run every process at once, as foreman start does
    pybuildpack export systemd|supervisord OUT [-C APP_DIR] [-c ...] [--app NAME] [--user USER]
                                                write units or program sections that run the app
    pybuildpack run [-C APP_DIR] CMD [ARGS...]  run a command in the built environment
    pybuildpack explain [APP_DIR] [--json]      say what a build would do and why, without building
    pybuildpack release [-C APP_DIR]            run the Procfile's release process, as a deploy does
    pybuildpack up [APP_DIR] [--port PORT] [--reload] [--no-release]
                                                build, run the release process, then start the web process

APP_DIR defaults to the current directory. `.env` in the app holds its config
vars (NAME=value lines). PORT defaults to 5000.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .errors import guarded
from .output import Log


class CommandLog(Log):
    """Output on its stream, and errors on stderr (masked the same way), so that
    a failing command's error is where a terminal or a script expects it."""

    def error(self, title: str, body: str = "") -> None:
        stream, self.stream = self.stream, sys.stderr
        try:
            super().error(title, body)
        finally:
            self.stream = stream


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pybuildpack", description="Build and run a Python web app on your machine the way production does.",
        epilog="Documentation: README.md in pybuildpack's repository.")
    parser.add_argument("--version", action="version", version=f"pybuildpack {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help="build the app in place (state in APP_DIR/.pybuildpack/)")
    build.add_argument("app_dir", nargs="?", default=".", metavar="APP_DIR")

    start = commands.add_parser("start", help="run a process of the built app (default: web), or all of them")
    start.add_argument("process", nargs="?", default=None, metavar="PROCESS")
    start.add_argument("-C", "--app-dir", default=".", metavar="APP_DIR",
                       help="the app's directory (default: the current one)")
    start.add_argument("-a", "--all", action="store_true",
                       help="run every process type of the Procfile at once, as foreman start does")

    export = commands.add_parser("export", help="write systemd units or a supervisord config that run the app")
    export.add_argument("format", choices=("systemd", "supervisord"), metavar="FORMAT",
                        help="systemd (OUT is a directory) or supervisord (OUT is a file)")
    export.add_argument("out", metavar="OUT")
    export.add_argument("-C", "--app-dir", default=".", metavar="APP_DIR",
                        help="the app's directory (default: the current one)")
    export.add_argument("--app", metavar="NAME", help="the app's name in unit and program names "
                        "(default: the app directory's name)")
    export.add_argument("-u", "--user", metavar="USER", help="the user the processes run as (default: you)")
    export.add_argument("-p", "--port", metavar="PORT", help="the base port (default: $PORT, else 5000)")

    run = commands.add_parser("run", help="run a command in the built environment, like `heroku run`")
    run.add_argument("-C", "--app-dir", default=".", metavar="APP_DIR",
                     help="the app's directory (default: the current one)")
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="CMD ...")

    explain = commands.add_parser("explain", help="say what a build would do and why, without building")
    explain.add_argument("app_dir", nargs="?", default=".", metavar="APP_DIR")
    explain.add_argument("--json", action="store_true", help="print a JSON document instead of text")

    release = commands.add_parser("release", help="run the Procfile's release process (migrations, say), "
                                  "as a deploy does")
    release.add_argument("-C", "--app-dir", default=".", metavar="APP_DIR",
                         help="the app's directory (default: the current one)")

    up = commands.add_parser("up", help="build, run the release process, then start the web process")
    up.add_argument("app_dir", nargs="?", default=".", metavar="APP_DIR")
    up.add_argument("--no-release", action="store_true",
                    help="do not run the Procfile's release process before the web process")

    for command in (start, up):
        command.add_argument("-p", "--port", metavar="PORT",
                             help="the port to serve on" + (", with --all web.1's" if command is start else "")
                             + " (default: $PORT, else 5000)")
        command.add_argument("--reload", action="store_true",
                             help="restart when the app's code changes (gunicorn's --reload for gunicorn)")
    for command, scope in ((start, " (implies --all)"), (export, "")):
        command.add_argument("-c", "--concurrency", metavar="TYPE=N,...",
                             help=f"copies per process type, e.g. web=2,worker=1{scope}; a type left out runs once")
        command.add_argument("-t", "--timeout", type=float, default=30.0, metavar="SECONDS",
                             help="how long processes get to stop after SIGTERM before SIGKILL"
                             + (" (with --all)" if command is start else "") + " (default: 30)")
    return parser


def _explain(app_dir: Path, as_json: bool) -> None:
    from . import explain
    from .plan import make_plan
    from .platforms import local

    from .settings import with_settings

    app = local.find_app(app_dir)
    config = with_settings(local.read_config(app), app)
    plan = make_plan(app, config)
    doc = explain.explain(plan, local.read_record(local.Paths(app)) or None, _explain_python(plan, config))
    sys.stdout.write(json.dumps(doc, indent=2) + "\n" if as_json else explain.render(doc))


def _explain_python(plan, config) -> "object":
    """The Python a build would choose, chosen the way the build does (from the
    download list, nothing installed), so explain lists the same warnings."""
    from . import errors
    from .config import build_environment
    from .explain import PythonOutcome
    from .platforms import local
    from .steps import runtime
    from .tools import Tools

    tools = Tools.from_environment(local.cache_root(os.environ))
    try:
        chosen, available = runtime.resolve_python(tools, build_environment(config), config.all, plan.python)
    except errors.UserError as error:
        return PythonOutcome(error=error.title)
    return PythonOutcome(chosen.version, tuple(available), note=chosen.note)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .platforms import local

    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        _parser().print_help()
        return 2
    # Build output is the command's output; for start and run it is commentary,
    # kept off stdout so `pybuildpack run python -c ...` prints only what the command does.
    log = CommandLog(sys.stdout if args.command in ("build", "explain", "up", "export", "release") else sys.stderr)
    if args.command == "build":
        return guarded(log, lambda: local.build(Path(args.app_dir), log) and None)
    if args.command == "explain":
        return guarded(log, lambda: _explain(Path(args.app_dir), args.json))
    if args.command == "start":
        if args.all or args.concurrency is not None:
            if args.process is not None or args.reload:
                print("pybuildpack start: --all (or -c) runs every process; give no PROCESS and no --reload with it",
                      file=sys.stderr)
                return 2
            from .platforms import local_procs
            return guarded(log, lambda: local_procs.start_all(Path(args.app_dir), args.concurrency, args.port,
                                                              args.timeout, log))
        return guarded(log, lambda: local.start(Path(args.app_dir), args.process or "web", args.port, args.reload,
                                                log))
    if args.command == "export":
        from .platforms import export
        return guarded(log, lambda: export.export(Path(args.app_dir), args.format, Path(args.out), args.concurrency,
                                                  args.app, args.user, args.port, args.timeout, log))
    if args.command == "release":
        from .platforms import local_release
        return guarded(log, lambda: local_release.release(Path(args.app_dir), log))
    if args.command == "run":
        if not args.cmd:
            print("pybuildpack run: give the command to run, for example `pybuildpack run python manage.py migrate`",
                  file=sys.stderr)
            return 2
        return guarded(log, lambda: local.run(Path(args.app_dir), args.cmd, log))

    def up() -> int:
        from .platforms import local_release

        build = local.build(Path(args.app_dir), log)
        return local_release.up(build.plan.app_dir, args.port, args.reload, not args.no_release, log)

    return guarded(log, up)


def console_main() -> None:
    """The `pybuildpack` console script: find the uv that came with the package."""
    if not os.environ.get("PYBUILDPACK_UV_BIN") and not os.environ.get("PYBUILDPACK_UV"):
        try:
            from uv import find_uv_bin
            os.environ["PYBUILDPACK_UV_BIN"] = find_uv_bin()
        except (ImportError, FileNotFoundError):
            pass  # then uv must be on PATH
    raise SystemExit(main())
