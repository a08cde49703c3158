"""Django's build steps: read the real settings, supply STATIC_ROOT, collectstatic.

The settings are imported once, in the app's environment, to learn STATIC_ROOT,
STATIC_URL and whether staticfiles is installed. When STATIC_ROOT is missing,
DJANGO_SETTINGS_MODULE points at `pybuildpack_launch.django_settings`, a
wrapper that adds it; the user's files are never edited.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from .. import errors
from ..inspect.django import DjangoProject
from ..launch_config import DJANGO_WRAPPER as WRAPPER
from ..output import Log
from ..tools import command_text, run

STATIC_DIR_NAME = "staticfiles"
_MARKER = "PYBUILDPACK-DJANGO-PROBE:"

_FAILED = "PYBUILDPACK-DJANGO-PROBE-FAILED:"
# How collectstatic runs, below; the probe makes sys.argv look the same, since
# settings may read it (`TESTING = sys.argv[1] == "test"`).
COLLECTSTATIC_ARGS = ("manage.py", "collectstatic", "--noinput")

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
    found = {{
        "static_root": str(settings.STATIC_ROOT) if settings.STATIC_ROOT else None,
        "static_url": settings.STATIC_URL,
        "staticfiles": "django.contrib.staticfiles" in apps,
        "wsgi_application": getattr(settings, "WSGI_APPLICATION", None),
    }}
except BaseException as exc:
    sys.stdout.flush()
    print("\\n" + {_FAILED!r} + json.dumps(report(exc)), flush=True)
    os._exit(1)
print("\\n" + {_MARKER!r} + json.dumps(found))
"""


@dataclass(frozen=True)
class DjangoSettings:
    static_root: Optional[str]
    static_url: Optional[str]
    staticfiles: bool
    wsgi_application: Optional[str]
    static_root_supplied: bool


def static_root_from_settings(project: DjangoProject) -> str:
    """Where STATIC_ROOT goes when supplied, relative to the settings module's
    directory: `staticfiles/` next to manage.py."""
    settings_dir = os.path.dirname(project.settings_file) if project.settings_file else project.manage_dir
    target = os.path.join(project.manage_dir, STATIC_DIR_NAME)
    return os.path.relpath(target, settings_dir or ".")


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
          dependency_file: Optional[str] = None) -> DjangoSettings:
    """Import the settings as `manage.py collectstatic` would, and read what the
    build needs from them; a DjangoSettingsImportFailed naming the file, line and
    exception when they raise."""
    cwd = app_dir / project.manage_dir
    result = run([str(python), "-c", _PROBE, str(app_dir)], None, env=settings_env(project, env, False), cwd=cwd,
                 show=False)
    line = next((l for l in result.output.splitlines() if l.startswith(_MARKER)), None)
    failed = next((l for l in result.output.splitlines() if l.startswith(_FAILED)), None)
    if failed is not None:
        try:
            report = json.loads(failed[len(_FAILED):])
        except ValueError:
            report = None
        if isinstance(report, dict):
            raise errors.DjangoSettingsImportFailed(project.settings_module, project.settings_origin, report,
                                                    project.settings_file, dependency_file,
                                                    collectstatic_shown(project))
    if result.returncode != 0 or line is None:
        raise errors.DjangoProbeFailed(project.settings_module, result.output, result.returncode)
    data = json.loads(line[len(_MARKER):])
    supplied = not data["static_root"]
    return DjangoSettings(data["static_root"], data["static_url"], bool(data["staticfiles"]),
                          data["wsgi_application"], supplied)


def collectstatic_shown(project: DjangoProject) -> str:
    """The collectstatic command as a user would type it, from the app's top."""
    shown = command_text(["python", *COLLECTSTATIC_ARGS])
    return f"cd {project.manage_dir} && {shown}" if project.manage_dir else shown


def collectstatic(python: Path, app_dir: Path, project: DjangoProject, settings: DjangoSettings,
                  env: Mapping[str, str], log: Log) -> None:
    argv = [str(python), *COLLECTSTATIC_ARGS]
    shown = collectstatic_shown(project)
    child_env = settings_env(project, env, settings.static_root_supplied)
    result = run(argv, log, env=child_env, cwd=app_dir / project.manage_dir,
                 filter_line=lambda line: "static file" in line or "Error" in line)
    if result.returncode != 0:
        raise errors.CollectstaticFailed(shown, errors.app_traceback(result.output, str(app_dir)))
