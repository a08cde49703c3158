"""Django's build steps: read the real settings, supply STATIC_ROOT, collectstatic, check --deploy.

The settings are imported once, in the app's environment, to learn STATIC_ROOT,
STATIC_URL, ALLOWED_HOSTS and whether staticfiles is installed. When STATIC_ROOT
is missing or ALLOWED_HOSTS empty, DJANGO_SETTINGS_MODULE points at
`pybuildpack_launch.django_settings`, a wrapper that adds them; the user's
files are never edited. When the settings cannot be imported for want of a
runtime secret, the step runs with stand-ins for it (stand_ins.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Optional

from .. import errors
from ..inspect.django import DjangoProject
from ..launch_config import DJANGO_WRAPPER as WRAPPER
from ..output import Log
from ..tools import command_text, run
from . import stand_ins as stand_ins_module
from .used_packages import Recording

STATIC_DIR_NAME = "staticfiles"
_MARKER = "PYBUILDPACK-DJANGO-PROBE:"

_FAILED = "PYBUILDPACK-DJANGO-PROBE-FAILED:"
# How collectstatic runs, below; the probe makes sys.argv look the same, since
# settings may read it (`TESTING = sys.argv[1] == "test"`).
COLLECTSTATIC_ARGS = ("manage.py", "collectstatic", "--noinput")
DEPLOY_CHECK_ARGS = ("manage.py", "check", "--deploy")
# A finding of Django's system checks: `?: (security.W004) You have not set ...`.
_FINDING = re.compile(r"^(?P<object>.*?): \((?P<id>[\w.]+\.[A-Z]+\d+)\) (?P<message>.+)$")
# The deployment check about ALLOWED_HOSTS, left out when the wrapper fills it at boot.
ALLOWED_HOSTS_CHECK = "security.W020"

# Run as `python -c _PROBE APP_DIR` in the directory of manage.py. An exception
# from the settings is reported as JSON: its type and message, and the frames of
# the traceback that are in the app's own files (not in the environment's
# packages), so the error can show the app's part of it.
_PROBE = f"""
import json, os, sys, traceback
app_root = os.path.realpath(sys.argv[1])
sys.argv = {list(COLLECTSTATIC_ARGS)!r}
sys.path.insert(0, os.getcwd())
prefixes = {{os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}}

def app_file(name):
    if not name or name.startswith("<"):
        return None
    path = os.path.realpath(name)
    if not path.startswith(app_root + os.sep) or any(path.startswith(p) for p in prefixes) \\
            or "site-packages" in path.split(os.sep):
        return None
    return os.path.relpath(path, app_root)

def report(exc):
    seen, frames, error = set(), [], exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        frames = [dict(file=app_file(f.filename), line=f.lineno, function=f.name, source=(f.line or "")[:300])
                  for f in traceback.extract_tb(error.__traceback__) if app_file(f.filename)]
        if frames:
            break
        error = error.__cause__ or error.__context__
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else kind.__module__ + "." + kind.__qualname__
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    found = dict(type=name, message=message[:2000], frames=frames[-20:])
    if isinstance(exc, SyntaxError) and exc.filename:
        found["syntax"] = dict(file=app_file(exc.filename) or exc.filename, line=exc.lineno, offset=exc.offset,
                               text=(exc.text or "")[:300])
    if isinstance(exc, ImportError) and exc.name:
        found["module"] = exc.name
        top = os.path.join(os.getcwd(), exc.name.split(".")[0])
        found["module_in_app"] = os.path.exists(top + ".py") or os.path.isdir(top)
        found["settings_missing"] = exc.name == os.environ.get("DJANGO_SETTINGS_MODULE", "") \\
            or os.environ.get("DJANGO_SETTINGS_MODULE", "").startswith(exc.name + ".")
    if isinstance(exc, KeyError):
        stack = traceback.extract_tb(exc.__traceback__)
        found["environ"] = bool(stack) and stack[-1].name == "__getitem__" and \\
            (stack[-1].filename in ("<frozen os>",) or stack[-1].filename.endswith(os.sep + "os.py"))
    return found

try:
    from django.conf import settings
    apps = list(settings.INSTALLED_APPS)
    hosts = getattr(settings, "ALLOWED_HOSTS", None)
    try:
        # Empty as pybuildpack_launch.allowed_hosts.is_empty counts it: only blank entries.
        hosts_empty = not hosts or (not hosts.strip() if isinstance(hosts, str)
                                    else not any(str(h).strip() for h in hosts))
    except TypeError:
        hosts_empty = False
    found = {{
        "static_root": str(settings.STATIC_ROOT) if settings.STATIC_ROOT else None,
        "static_url": static_url(settings),
        "staticfiles": "django.contrib.staticfiles" in apps,
        "wsgi_application": getattr(settings, "WSGI_APPLICATION", None),
        "allowed_hosts_empty": hosts_empty,
        "debug": bool(getattr(settings, "DEBUG", False)),
    }}
except BaseException as exc:
    sys.stdout.flush()
    print("\\n" + {_FAILED!r} + json.dumps(report(exc)), flush=True)
    os._exit(1)
if os.environ.get("PYBUILDPACK_PROBE_STATIC") == "1" and found["staticfiles"]:
    # What collectstatic reads (static_cache.py): never a reason to fail the probe.
    try:
        found["static_inputs"] = static_inputs(settings)
    except BaseException as exc:
        found["static_inputs_error"] = (type(exc).__name__ + ": " + str(exc))[:300]
print("\\n" + {_MARKER!r} + json.dumps(found))
"""

# What collectstatic reads, beyond the settings import: the static settings,
# the storage, finder and command classes' source files, and every file the
# finders list (name as collected, absolute source path). Run in the probe.
# With Django's own two finders, they are listed as those finders do without
# `django.setup()` (which imports every app's models: about 0.1 s on the critical
# path of every build); a STATICFILES_FINDERS of its own sets Django up and asks them.
_STATIC_INPUTS = """
import fnmatch, importlib, importlib.util
DEFAULT_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder",
                   "django.contrib.staticfiles.finders.AppDirectoriesFinder"]

def static_url(settings):
    # settings.STATIC_URL as Django gives it, without importing django.urls for the
    # script prefix (80 ms of the probe's 0.2 s): at build time the prefix is "/".
    value = getattr(settings._wrapped, "STATIC_URL", None)
    import django
    if not isinstance(value, str) or django.VERSION < (3, 1) or value.startswith(("http://", "https://", "/")):
        return value
    return "/" + value

def _app_path(entry):
    spec = importlib.util.find_spec(entry)
    if spec is not None and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    if spec is not None and spec.origin:
        return os.path.dirname(spec.origin)
    raise ImportError(entry)

def _app_dirs(apps):
    found = []
    for entry in apps:
        try:
            path = _app_path(entry)
        except (ImportError, ValueError):
            # An AppConfig's dotted path: its `path`, else the module its `name` says.
            module, _, name = entry.rpartition(".")
            config = getattr(importlib.import_module(module), name)
            path = getattr(config, "path", None) or _app_path(config.name)
        found.append(os.path.realpath(path))
    return found

def _walk(root, prefix, ignore, sources):
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatchcase(d, p) for p in ignore))
        for name in sorted(files):
            if any(fnmatch.fnmatchcase(name, p) for p in ignore):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            sources.append([prefix + "/" + relative if prefix else relative, os.path.realpath(path)])

def _listed(settings, apps):
    ignore = ["CVS", ".*", "*~"]
    sources = []
    for entry in settings.STATICFILES_DIRS:
        prefix, root = entry if isinstance(entry, (list, tuple)) else ("", entry)
        _walk(str(root), prefix, ignore, sources)
    for app in apps:
        if os.path.isdir(os.path.join(app, "static")):
            _walk(os.path.join(app, "static"), "", ignore, sources)
    return sources

def _set_up_and_listed():
    import django
    django.setup()
    from django.apps import apps as app_registry
    from django.contrib.staticfiles.finders import get_finders
    ignore = app_registry.get_app_config("staticfiles").ignore_patterns
    sources, finders = [], list(get_finders())
    for finder in finders:
        for path, source in finder.list(ignore):
            prefix = getattr(source, "prefix", None)
            sources.append([os.path.join(prefix, path) if prefix else path, os.path.realpath(source.path(path))])
    return sources, [type(f) for f in finders]

def static_inputs(settings):
    import django
    from django.core.files.storage import FileSystemStorage
    from django.utils.module_loading import import_string
    prefixes = ("WHITENOISE", "COMPRESS", "PIPELINE", "SASS", "LIBSASS", "FILE_UPLOAD")
    names = sorted(n for n in dir(settings) if n.isupper() and ("STATIC" in n or n.startswith(prefixes)))
    chosen = {n: static_url(settings) if n == "STATIC_URL" else getattr(settings, n)
              for n in names + ["INSTALLED_APPS"]}
    storages = getattr(settings, "STORAGES", None)
    chosen["STORAGES.staticfiles"] = storages.get("staticfiles") if isinstance(storages, dict) else None
    try:
        from django.core.files.storage import storages as storage_handler
        backend = storage_handler.backends["staticfiles"]["BACKEND"]
    except (ImportError, KeyError, AttributeError):
        backend = settings.STATICFILES_STORAGE
    storage = import_string(backend)
    manifest = None
    try:
        from django.contrib.staticfiles.storage import ManifestFilesMixin
        if issubclass(storage, ManifestFilesMixin):
            manifest = storage.manifest_name
    except ImportError:
        pass
    apps = _app_dirs(list(settings.INSTALLED_APPS))
    code = set()
    # The collectstatic command: the first installed app's that has one, as Django's get_commands picks.
    command = next((os.path.join(a, "management", "commands", "collectstatic.py") for a in apps
                    if os.path.isfile(os.path.join(a, "management", "commands", "collectstatic.py"))), None)
    if command:
        code.add(os.path.realpath(command))
    classes = [storage]
    if list(settings.STATICFILES_FINDERS) == DEFAULT_FINDERS:
        sources = _listed(settings, apps)
        code.add(os.path.realpath(importlib.util.find_spec("django.contrib.staticfiles.finders").origin))
    else:
        sources, finder_classes = _set_up_and_listed()
        classes += finder_classes
    for cls in classes:
        for base in cls.__mro__:
            name = getattr(sys.modules.get(base.__module__), "__file__", None)
            if name:
                code.add(os.path.realpath(name))
    return dict(settings=json.dumps(chosen, sort_keys=True, default=str), storage=backend,
                local=issubclass(storage, FileSystemStorage), manifest=manifest, code=sorted(code),
                sources=sources, django=django.__version__, python=sys.version)
"""


@dataclass(frozen=True)
class DjangoSettings:
    static_root: Optional[str]
    static_url: Optional[str]
    staticfiles: bool
    wsgi_application: Optional[str]
    static_root_supplied: bool
    allowed_hosts_empty: bool = False
    debug: bool = False
    # Throwaway values the settings needed at build time (name -> value); never saved.
    stand_ins: dict = field(default_factory=dict, compare=False, repr=False)
    # What collectstatic reads (the probe's `static_inputs`), when asked for and
    # listed without error; else None, and static_cache.py never skips.
    static_inputs: Optional[dict] = field(default=None, compare=False, repr=False)

    @property
    def wrapped(self) -> bool:
        """Processes run the settings wrapper (it supplies STATIC_ROOT or ALLOWED_HOSTS)."""
        return self.static_root_supplied or self.allowed_hosts_empty


def static_root_from_settings(project: DjangoProject) -> str:
    """Where STATIC_ROOT goes when supplied, relative to the settings module's
    directory: `staticfiles/` next to manage.py."""
    settings_dir = os.path.dirname(project.settings_file) if project.settings_file else project.manage_dir
    target = os.path.join(project.manage_dir, STATIC_DIR_NAME)
    return os.path.relpath(target, settings_dir or ".")


def static_root_path(app_dir: Path, project: DjangoProject, settings: "DjangoSettings") -> Path:
    """Where collectstatic writes: the settings' STATIC_ROOT (relative to
    manage.py's directory, as Django resolves it), or the supplied one."""
    base = app_dir / project.manage_dir
    return base / (settings.static_root or STATIC_DIR_NAME)


def launch_info(project: DjangoProject) -> dict:
    return {"settings_module": project.settings_module,
            "static_root_from_settings": static_root_from_settings(project)}


def settings_env(project: DjangoProject, env: Mapping[str, str], supplied: bool) -> dict:
    child = dict(env)
    if supplied:
        child["PYBUILDPACK_DJANGO_SETTINGS_MODULE"] = project.settings_module
        child["DJANGO_SETTINGS_MODULE"] = WRAPPER
    else:
        child["DJANGO_SETTINGS_MODULE"] = project.settings_module
    return child


def probe(python: Path, app_dir: Path, project: DjangoProject, env: Mapping[str, str],
          dependency_file: Optional[str] = None, log: Optional[Log] = None,
          list_static: bool = False, recording: Optional[Recording] = None) -> DjangoSettings:
    """Import the settings as `manage.py collectstatic` would, and read what the
    build needs from them; a DjangoSettingsImportFailed naming the file, line and
    exception when they raise. When they raise for want of a runtime secret
    (stand_ins.py), import them again with a throwaway value for it, and record
    it in the result's `stand_ins` (masked in `log`). With `list_static`, also
    set up Django and list what collectstatic would read (`static_inputs`).
    With `recording`, the probe records what it used as "probe" (used_packages.py)."""
    given: dict = {}
    while True:
        outcome = _probe_once(python, app_dir, project, {**env, **given}, list_static, recording)
        if isinstance(outcome, DjangoSettings):
            return replace(outcome, stand_ins=given)
        name = stand_ins_module.missing_name(str(outcome.get("type") or ""), str(outcome.get("message") or ""),
                                             bool(outcome.get("environ")))
        value = stand_ins_module.next_stand_in(name, env, given)
        if value is None:
            raise errors.DjangoSettingsImportFailed(project.settings_module, project.settings_origin, outcome,
                                                    project.settings_file, dependency_file,
                                                    collectstatic_shown(project))
        _add_stand_in(given, name, value, log)


def _add_stand_in(given: dict, name: str, value: str, log: Optional[Log]) -> None:
    if log is not None and value not in stand_ins_module.FIXED_VALUES:
        log.add_secrets([value])
    given[name] = value


def _probe_once(python: Path, app_dir: Path, project: DjangoProject, env: Mapping[str, str],
                list_static: bool = False, recording: Optional[Recording] = None):
    """The settings read, or the probe's report of the exception they raised."""
    cwd = app_dir / project.manage_dir
    child_env = settings_env(project, env, False)
    if list_static:
        child_env["PYBUILDPACK_PROBE_STATIC"] = "1"
    if recording is not None:
        child_env = recording.env(child_env, "probe")
    result = run([str(python), "-c", _STATIC_INPUTS + _PROBE, str(app_dir)], None, env=child_env, cwd=cwd,
                 show=False)
    line = next((l for l in result.output.splitlines() if l.startswith(_MARKER)), None)
    failed = next((l for l in result.output.splitlines() if l.startswith(_FAILED)), None)
    if failed is not None:
        try:
            report = json.loads(failed[len(_FAILED):])
        except ValueError:
            report = None
        if isinstance(report, dict):
            return report
    if result.returncode != 0 or line is None:
        raise errors.DjangoProbeFailed(project.settings_module, result.output, result.returncode)
    data = json.loads(line[len(_MARKER):])
    supplied = not data["static_root"]
    return DjangoSettings(data["static_root"], data["static_url"], bool(data["staticfiles"]),
                          data["wsgi_application"], supplied, bool(data.get("allowed_hosts_empty")),
                          bool(data.get("debug")), static_inputs=data.get("static_inputs"))


def collectstatic_shown(project: DjangoProject) -> str:
    """The collectstatic command as a user would type it, from the app's top."""
    shown = command_text(["python", *COLLECTSTATIC_ARGS])
    return f"cd {project.manage_dir} && {shown}" if project.manage_dir else shown


def collectstatic(python: Path, app_dir: Path, project: DjangoProject, settings: DjangoSettings,
                  env: Mapping[str, str], log: Log, recording: Optional[Recording] = None) -> None:
    """Run collectstatic with the settings' stand-ins; when it fails for want of
    another runtime secret, run it again with one for that too (added to
    `settings.stand_ins`). With `recording`, it records what it used as
    "collectstatic"."""
    argv = [str(python), *COLLECTSTATIC_ARGS]
    shown = collectstatic_shown(project)
    given = settings.stand_ins
    while True:
        child_env = settings_env(project, {**env, **given}, settings.wrapped)
        if recording is not None:
            child_env = recording.env(child_env, "collectstatic")
        result = run(argv, log, env=child_env, cwd=app_dir / project.manage_dir,
                     filter_line=lambda line: ("static file" in line or "Error" in line)
                     and not stand_ins_module.hides_line(line, env))
        if result.returncode == 0:
            return
        name = stand_ins_module.missing_name_in_output(result.output)
        value = stand_ins_module.next_stand_in(name, env, given)
        if value is None:
            raise errors.CollectstaticFailed(shown, errors.app_traceback(result.output, str(app_dir)))
        _add_stand_in(given, name, value, log)


@dataclass
class DeployCheck:
    """What `manage.py check --deploy` found: (id, first line of the message) each,
    or `crashed` (its last output line) when it failed without findings."""

    findings: list = field(default_factory=list)
    crashed: Optional[str] = None


def deploy_check_shown(project: DjangoProject) -> str:
    shown = command_text(["python", *DEPLOY_CHECK_ARGS])
    return f"cd {project.manage_dir} && {shown}" if project.manage_dir else shown


def parse_deploy_check(output: str, returncode: int, leave_out: tuple = ()) -> DeployCheck:
    findings, seen = [], set()
    for line in output.splitlines():
        found = _FINDING.match(line.strip())
        if found and found.group("id") not in seen and found.group("id") not in leave_out:
            seen.add(found.group("id"))
            findings.append((found.group("id"), _first_sentence(found.group("message"))))
    crashed = None
    if returncode != 0 and not findings and not any(_FINDING.match(l.strip()) for l in output.splitlines()):
        lines = [l.strip() for l in output.splitlines() if l.strip()]
        crashed = lines[-1][:300] if lines else f"exit status {returncode}"
    return DeployCheck(findings, crashed)


def _first_sentence(message: str, width: int = 72) -> str:
    cut = re.split(r"(?<=[.!?])\s", message.strip(), maxsplit=1)[0]
    return cut if len(cut) <= width else cut[:width - 3].rstrip() + "..."


def start_deploy_check(python: Path, app_dir: Path, project: DjangoProject, settings: DjangoSettings,
                       env: Mapping[str, str], recording: Optional[Recording] = None):
    """Start `manage.py check --deploy` in a thread (it runs beside collectstatic);
    the returned function waits for it and gives its DeployCheck. Its own output
    is never streamed: the build shows the findings as one block. With
    `recording`, it records what it used as "check"."""
    done: dict = {}
    # A copy: collectstatic may add stand-ins to the settings' own while this runs.
    child_env = settings_env(project, {**env, **settings.stand_ins}, settings.wrapped)
    if recording is not None:
        child_env = recording.env(child_env, "check")
    leave_out = (ALLOWED_HOSTS_CHECK,) if settings.allowed_hosts_empty else ()

    def work() -> None:
        try:
            result = subprocess.run([str(python), *DEPLOY_CHECK_ARGS], env=child_env, cwd=app_dir / project.manage_dir,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, errors="replace", timeout=300)
            output, code = result.stdout, result.returncode
        except (OSError, subprocess.TimeoutExpired) as exc:
            output, code = str(exc), 1
        done["check"] = parse_deploy_check(output, code, leave_out)

    thread = threading.Thread(target=work, name="django-check-deploy", daemon=True)
    thread.start()

    def wait() -> DeployCheck:
        thread.join()
        return done.get("check") or DeployCheck(crashed="the check did not finish")

    return wait
