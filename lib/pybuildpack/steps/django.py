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

_PROBE = f"""
import json, os, sys
sys.path.insert(0, os.getcwd())
from django.conf import settings
apps = list(settings.INSTALLED_APPS)
print({_MARKER!r} + json.dumps({{
    "static_root": str(settings.STATIC_ROOT) if settings.STATIC_ROOT else None,
    "static_url": settings.STATIC_URL,
    "staticfiles": "django.contrib.staticfiles" in apps,
    "wsgi_application": getattr(settings, "WSGI_APPLICATION", None),
}}))
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


def probe(python: Path, app_dir: Path, project: DjangoProject, env: Mapping[str, str]) -> DjangoSettings:
    cwd = app_dir / project.manage_dir
    result = run([str(python), "-c", _PROBE], None, env=settings_env(project, env, False), cwd=cwd, show=False)
    line = next((l for l in result.output.splitlines() if l.startswith(_MARKER)), None)
    if result.returncode != 0 or line is None:
        raise errors.DjangoProbeFailed(project.settings_module, result.output)
    data = json.loads(line[len(_MARKER):])
    supplied = not data["static_root"]
    return DjangoSettings(data["static_root"], data["static_url"], bool(data["staticfiles"]),
                          data["wsgi_application"], supplied)


def collectstatic(python: Path, app_dir: Path, project: DjangoProject, settings: DjangoSettings,
                  env: Mapping[str, str], log: Log) -> None:
    argv = [str(python), "manage.py", "collectstatic", "--noinput"]
    shown = command_text(["python", "manage.py", "collectstatic", "--noinput"])
    if project.manage_dir:
        shown = f"cd {project.manage_dir} && {shown}"
    child_env = settings_env(project, env, settings.static_root_supplied)
    result = run(argv, log, env=child_env, cwd=app_dir / project.manage_dir,
                 filter_line=lambda line: "static file" in line or "Error" in line)
    if result.returncode != 0:
        raise errors.CollectstaticFailed(shown, result.output)
