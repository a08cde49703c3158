"""`pybuildpack export systemd OUTDIR` and `pybuildpack export supervisord OUTFILE`.

The exported units and programs run the built app on a server of your own,
one per copy of each process type (the formation and ports of `start --all`),
restarted when they exit and started at boot. Each runs

    <pybuildpack> start TYPE -C APP_DIR --port PORT

so a process gets exactly the environment `pybuildpack start` gives it: the
`.profile.d` values, WEB_CONCURRENCY from the machine, and the app's `.env`,
read again at every start. No config var value is copied into the exported
files (they are often world-readable); editing `.env` and restarting is enough.
Besides that command, a unit sets only DYNO (`web.1`) and where pybuildpack
keeps its tools (PYBUILDPACK_CACHE_DIR), so it finds them whoever it runs as.

systemd: `APP-TYPE-N.service` per copy and `APP.target`, which wants them all
and is wanted by multi-user.target. Output goes to the journal; stopping sends
SIGTERM to every process of the unit, as Heroku does in a dyno, and SIGKILL to
what is left after the timeout.

supervisord: a `[program:APP-TYPE-N]` section per copy and a `[group:APP]`
over them, to `[include]` from supervisord.conf; output goes to Supervisor's
child logs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from .. import errors
from ..output import Log
from .local_procs import Copy

MARKER = "Written by `pybuildpack export"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*\$?$|^[0-9]+$")
_SYSTEMD_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


def pybuildpack_command() -> str:
    """The absolute path of the command that runs pybuildpack: bin/pybuildpack in a
    checkout, else the console script this process was started as."""
    checkout = Path(__file__).resolve().parents[3] / "bin" / "pybuildpack"
    if checkout.is_file():
        return str(checkout)
    found = shutil.which("pybuildpack")
    return str(Path(found).resolve()) if found else str(Path(sys.argv[0]).resolve())


def app_name(option: Optional[str], app_dir: Path) -> str:
    """--app, else the app directory's name made fit for unit names (`My App` -> `my-app`)."""
    if option is not None:
        if not _NAME.match(option):
            raise errors.ExportNameInvalid("--app", option, "a unit or program name takes only letters, digits, "
                                           "`-` and `_`,\nstarting with a letter or digit")
        return option
    return re.sub(r"[^a-z0-9_-]+", "-", app_dir.name.lower()).strip("-_") or "app"


def check_user(user: str) -> str:
    if not _USER.match(user):
        raise errors.ExportNameInvalid("--user", user, "that is not a user name")
    return user


def unit_name(app: str, copy: Copy) -> str:
    """`myapp-web-1`: the copy's unit (without .service) or program name."""
    return f"{app}-{copy.process}-{copy.number}"


def _start_argv(command: str, copy: Copy, app_dir: Path) -> List[str]:
    return [command, "start", copy.process, "-C", str(app_dir), "--port", str(copy.port)]


# --- systemd ------------------------------------------------------------------------------

def _systemd_word(word: str) -> str:
    """One ExecStart= or Environment= word: `%` is a specifier and `$` a variable to systemd."""
    escaped = word.replace("%", "%%").replace("$", "$$")
    if _SYSTEMD_SAFE.match(word):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_systemd(app: str, copies: Sequence[Copy], app_dir: Path, user: str, command: str,
                   env: Mapping[str, str], timeout: float) -> Dict[str, str]:
    """{file name: contents} for the units: one service per copy and the app's target."""
    files: Dict[str, str] = {}
    services = []
    for copy in copies:
        name = unit_name(app, copy)
        services.append(f"{name}.service")
        environment = {**env, "DYNO": copy.name}
        files[f"{name}.service"] = "\n".join([
            f"# {MARKER} systemd`: {copy.name} of {app}, `{copy.command}`.",
            "[Unit]",
            f"Description={app} {copy.name}".replace("%", "%%"),
            f"PartOf={app}.target",
            "After=network.target",
            "",
            "[Service]",
            "Type=simple",
            f"User={user}",
            f"WorkingDirectory={_systemd_word(str(app_dir))}",
            *(f"Environment={_systemd_word(f'{key}={value}')}" for key, value in environment.items()),
            "ExecStart=" + " ".join(_systemd_word(word) for word in _start_argv(command, copy, app_dir)),
            # Heroku restarts a dyno that exits; so does this unit, a second later.
            "Restart=always",
            "RestartSec=1",
            # As on Heroku, SIGTERM to every process of the unit (the server also gets
            # it from pybuildpack, which is harmless), SIGKILL to those left after the timeout.
            "KillMode=control-group",
            "KillSignal=SIGTERM",
            f"TimeoutStopSec={timeout:g}",
            "StandardOutput=journal",
            "StandardError=journal",
            f"SyslogIdentifier={name}",
            "",
            "[Install]",
            f"WantedBy={app}.target",
            "",
        ])
    files[f"{app}.target"] = "\n".join([
        f"# {MARKER} systemd`: every process of {app}. Start, stop and enable them together:",
        f"#   systemctl enable --now {app}.target",
        "[Unit]",
        f"Description={app} (all processes)".replace("%", "%%"),
        "Wants=" + " ".join(services),
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ])
    return files


# --- supervisord --------------------------------------------------------------------------

def _supervisor_value(text: str) -> str:
    # supervisord expands %(name)s in every value; a literal % is %%.
    return text.replace("%", "%%")


def render_supervisord(app: str, copies: Sequence[Copy], app_dir: Path, user: str, command: str,
                       env: Mapping[str, str], timeout: float) -> str:
    """The program sections, one per copy, and the group over them, as one file."""
    names = [unit_name(app, copy) for copy in copies]
    lines = [
        f"; {MARKER} supervisord`: every process of {app}. Include it from",
        "; supervisord.conf ([include] files = ...), then: supervisorctl update",
        "",
        f"[group:{app}]",
        f"programs={','.join(names)}",
    ]
    for name, copy in zip(names, copies):
        environment = {**env, "DYNO": copy.name}
        lines += [
            "",
            f"; {copy.name}: {_supervisor_value(copy.command)}",
            f"[program:{name}]",
            "command=" + _supervisor_value(shlex.join(_start_argv(command, copy, app_dir))),
            f"directory={_supervisor_value(str(app_dir))}",
            f"user={user}",
            "environment=" + ",".join(f"{key}={_supervisor_value(shlex.quote(value))}"
                                      for key, value in environment.items()),
            "autostart=true",
            # Restarted whenever it exits, as Heroku restarts a dyno.
            "autorestart=true",
            "startsecs=1",
            "stopsignal=TERM",
            f"stopwaitsecs={max(1, round(timeout))}",
            # The signals reach the whole process group (a Procfile line run by bash
            # included); pybuildpack passes SIGTERM on to the web server's own group.
            "stopasgroup=true",
            "killasgroup=true",
            # A web process killed hard may hold its port for a moment after: retry.
            "startretries=10",
            "redirect_stderr=true",
            "stdout_logfile=AUTO",
        ]
    return "\n".join(lines) + "\n"


# --- writing ------------------------------------------------------------------------------

def _ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(errors="replace")[:300]
    except OSError:
        return False


def write_systemd(out: Path, app: str, files: Mapping[str, str]) -> List[Path]:
    """Write the units into `out` (made when missing), replacing an earlier export of the app's."""
    if out.exists() and not out.is_dir():
        raise errors.ExportTargetInvalid(str(out), "it is a file; systemd units go into a directory")
    earlier = []
    if out.is_dir():
        others = []
        for path in sorted(out.iterdir()):
            if path.name.startswith(app) and path.suffix in (".service", ".target") and _ours(path):
                earlier.append(path)
            else:
                others.append(path.name)
        if others:
            raise errors.ExportDirNotEmpty(str(out), others)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path in earlier:   # a copy the new formation no longer has must not linger
            path.unlink()
        written = []
        for name, text in files.items():
            (out / name).write_text(text)
            written.append(out / name)
    except OSError as exc:
        raise errors.ExportTargetInvalid(str(out), exc.strerror or str(exc))
    return written


def write_supervisord(out: Path, text: str) -> None:
    if out.is_dir():
        raise errors.ExportTargetInvalid(str(out), "it is a directory; give the file to write, e.g. "
                                                   f"{out / 'app.conf'}")
    if not out.parent.is_dir():
        raise errors.ExportTargetInvalid(str(out), f"there is no directory {out.parent}")
    if out.exists() and not _ours(out):
        raise errors.ExportTargetInvalid(str(out), "the file exists and pybuildpack did not write it")
    try:
        out.write_text(text)
    except OSError as exc:
        raise errors.ExportTargetInvalid(str(out), exc.strerror or str(exc))


def runtime_env(environ: Mapping[str, str]) -> Dict[str, str]:
    """What pybuildpack itself needs at the start of a unit: where its tools are cached
    (and the uv it was given). Never a config var."""
    from .local import cache_root

    env = {"PYBUILDPACK_CACHE_DIR": str(cache_root(environ).resolve())}
    if environ.get("PYBUILDPACK_UV"):
        env["PYBUILDPACK_UV"] = environ["PYBUILDPACK_UV"]
    return env


def _home(user: str) -> Optional[str]:
    import pwd

    try:
        return pwd.getpwuid(int(user)).pw_dir if user.isdigit() else pwd.getpwnam(user).pw_dir
    except KeyError:
        return None   # a user of the server, not of this machine


def export(app_dir: Path, kind: str, out: Path, concurrency: Optional[str], app_option: Optional[str],
           user_option: Optional[str], port_option: Optional[str], timeout: float, log: Log) -> None:
    """Write the systemd units or the supervisord config for the built app."""
    import getpass

    from . import local, local_procs

    counts = local_procs.parse_concurrency(concurrency)
    app = app_name(app_option, app_dir.resolve())
    user = check_user(user_option if user_option is not None else getpass.getuser())
    launch = local.prepare_launch(app_dir, log)
    base = local.resolve_port(port_option, {**os.environ, **launch.dotenv})
    copies = local_procs.formation(launch.plan.processes.all, counts, base)
    command, env = pybuildpack_command(), runtime_env(os.environ)
    out = out.absolute()
    if kind == "systemd":
        files = render_systemd(app, copies, launch.app_dir, user, command, env, timeout)
        write_systemd(out, app, files)
        log.step(f"Wrote {len(files)} systemd units for {app} to {out}")
        for copy in copies:
            log.detail(f"{unit_name(app, copy)}.service  {copy.name} on port {copy.port}: {copy.command}")
        log.detail(f"{app}.target          all of them")
        log.detail("Install and start them, also at every boot:")
        log.detail(f"    sudo cp {shlex.quote(str(out))}/* /etc/systemd/system/ && sudo systemctl daemon-reload")
        log.detail(f"    sudo systemctl enable --now {app}.target")
    else:
        # systemd sets HOME for User=; supervisord keeps its own, often root's or none.
        home = _home(user)
        if home:
            env["HOME"] = home
        write_supervisord(out, render_supervisord(app, copies, launch.app_dir, user, command, env, timeout))
        log.step(f"Wrote the supervisord programs of {app} to {out}")
        for copy in copies:
            log.detail(f"{unit_name(app, copy)}  {copy.name} on port {copy.port}: {copy.command}")
        log.detail("Include the file from supervisord.conf ([include] files = ...), then:")
        log.detail("    supervisorctl update")
    release = launch.plan.release
    if release is not None:
        log.step(f"No {'unit' if kind == 'systemd' else 'program'} for the release process")
        log.detail(errors.release_not_exported(release.command,
                                               shlex.join([command, "release", "-C", str(launch.app_dir)])))
