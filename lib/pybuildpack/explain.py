"""`pybuildpack explain`: what a build would do and why, read from the BuildPlan.

Nothing is built or run: `explain()` turns the plan (the same value every
platform executes) into a plain document, `render()` into text. Each entry
says where its decision came from, so a surprise can be traced to a file:

    Python        3.12 (from .python-version)
    Framework     Django (manage.py, settings mysite.settings)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Optional

from .inspect.framework import find_framework
from .inspect.processes import DEFAULT_WEB_ORDER
from .plan import HOOKS, BuildPlan, server_of
from .python_lifecycle import python_warnings
from .python_lifecycle import today as lifecycle_today

HOOK_TIMES = {
    "bin/pre_compile": "first, before Python is installed",
    "bin/post_compile": "last, after the packages and collectstatic",
}
_LABEL = 14


def _python(plan: BuildPlan) -> dict:
    requests = plan.python
    exact, constraint = requests.exact, requests.constraint
    doc = {
        "requested": exact.value if exact else None,
        "origin": exact.origin if exact else None,
        "constraint": {"value": constraint.value, "origin": constraint.origin} if constraint else None,
        "pinned": requests.primary is not None,
    }
    if exact:
        doc["summary"] = f"{exact.value} (from {exact.origin})"
    elif constraint:
        doc["summary"] = f"the newest CPython matching {constraint.value} (from {constraint.origin})"
    else:
        doc["summary"] = "not pinned: the newest stable CPython available (the build warns)"
    if exact and constraint:
        doc["summary"] += f", which must satisfy {constraint.value} (from {constraint.origin})"
    return doc


def _packages(plan: BuildPlan) -> dict:
    manager = plan.package_manager
    source = manager.describe()
    return {
        "installer": plan.installer,
        "installer_origin": plan.installer_origin,
        "file": manager.file,
        "kind": manager.kind,
        "names": sorted(manager.names),
        "origin": plan.package_manager_origin,
        "not_installed_from": list(plan.not_installed_from),
        "added": [{"name": p.name, "reason": p.reason} for p in plan.added_packages],
        "groups": list(plan.groups),
        "extras": list(plan.extras),
        "summary": f"{plan.installer} ({plan.installer_origin}), from {source}"
                   + (f" (chosen by {plan.package_manager_origin})"
                      if plan.package_manager_origin.startswith(("config var", "pyproject.toml")) else ""),
    }


def _static_files(plan: BuildPlan) -> dict:
    django, web = plan.django, plan.web
    if django is None:
        summary = "not a Django app: the app serves its own static files, if any"
        return {"collectstatic": False, "static_root": None, "served_by": None, "summary": summary,
                "lines": [summary]}
    settings = django.settings_file or django.settings_module
    if django.static_root_assigned:
        root = f"STATIC_ROOT from {settings}"
    else:
        location = (django.manage_dir + "/" if django.manage_dir else "") + "staticfiles/"
        root = f"{location} (STATIC_ROOT is not set in {settings}: pybuildpack supplies it)"
    server = server_of(web) if web is not None else None
    how = server.django_static_for(web.interface) if server is not None else None
    served = (f"the web process, with {how} (unless MIDDLEWARE has WhiteNoise or STATIC_URL is another host)"
              if how else None)
    collect = f"collectstatic into {root}" if plan.collectstatic else \
        "collectstatic is skipped: DISABLE_COLLECTSTATIC is set"
    if served:
        serve = f"served by {served}"
    elif web is None:
        serve = "not served by pybuildpack (there is no web process)"
    else:
        serve = "not served by pybuildpack (the web process is the Procfile's: serve them there)"
    return {"collectstatic": plan.collectstatic, "static_root": root, "served_by": served,
            "summary": f"{collect}; {serve}", "lines": [collect, serve]}


@dataclass(frozen=True)
class PythonOutcome:
    """The Python a build would use, chosen as the build chooses it
    (steps.runtime.resolve_python), or why it could not be chosen."""

    version: Optional[str] = None
    available: tuple = ()
    error: Optional[str] = None
    note: str = ""   # newer versions passed over for the lock's wheels (ChosenPython.note)


def build_warnings(plan: BuildPlan, python: Optional[PythonOutcome], today: date) -> list:
    """Every warning block a build of `plan` shows, in the order it shows them:
    the plan's, then the chosen Python's (python_lifecycle), then collectstatic's."""
    found = list(plan.warnings)
    if python is not None and python.version is not None:
        found += python_warnings(plan.python, python.version, python.available, today)
    if plan.static_root_warning is not None:
        found.append(plan.static_root_warning)
    return found


def explain(plan: BuildPlan, last_build: Optional[Mapping[str, object]] = None,
            python: Optional[PythonOutcome] = None, today: Optional[date] = None) -> dict:
    """The plan as a JSON-ready document; `last_build` is the local build record,
    if any; `python` the Python the build would choose (without it, the warnings
    that depend on it are not listed)."""
    manager = plan.package_manager
    framework = find_framework(plan.django, manager.names, manager.file)
    processes = [
        {"name": p.name, "command": p.command, "origin": p.origin, "server": p.server,
         "detected": p.name not in plan.processes.procfile, "notes": list(p.notes)}
        for p in plan.processes.all.values()
    ]
    python_doc = _python(plan)
    if python is not None:
        python_doc["version"] = python.version
        if python.note:
            python_doc["note"] = python.note
        if python.error:
            python_doc["error"] = python.error
    doc = {
        "app_dir": str(plan.app_dir),
        "python": python_doc,
        "package_manager": _packages(plan),
        "framework": {"name": framework.name, "origin": framework.origin} if framework else None,
        "processes": processes,
        "web_detection_order": list(DEFAULT_WEB_ORDER),
        "static_files": _static_files(plan),
        "hooks": [{"hook": h, "when": HOOK_TIMES[h]} for h in plan.hooks],
        "settings": {s.key: {"value": s.value, "origin": s.origin, "config_var": s.variable,
                             "overrides_pyproject": s.overrides, "summary": s.line()} for s in plan.settings},
        "release": {"command": plan.release.command if plan.release else None,
                    "origin": plan.release.origin if plan.release else None,
                    "migrations": list(plan.migrations), "summary": plan.release_summary()},
        "warnings": [{"title": title, "body": body}
                     for title, body in build_warnings(plan, python, today or lifecycle_today())],
        "last_build": None,
    }
    if last_build and isinstance(last_build.get("python"), dict):
        python = last_build["python"]
        doc["last_build"] = {"python": python.get("version"), "python_origin": python.get("origin"),
                             "packages": last_build.get("packages")}
    return doc


def _row(label: str, lines: list) -> list:
    out = []
    for index, line in enumerate(lines or ["-"]):
        out.append((label if index == 0 else "").ljust(_LABEL) + line)
    return out


def render(doc: Mapping[str, object]) -> str:
    """The document as the text `pybuildpack explain` prints."""
    python, packages, static = doc["python"], doc["package_manager"], doc["static_files"]
    lines = [f"What a build of {doc['app_dir']} does, and why (nothing was built):", ""]
    python_lines = [python["summary"]]
    if python.get("error"):
        python_lines.append(f"cannot be chosen: {python['error']}")
    elif python.get("version"):
        python_lines.append(f"uses Python {python['version']} (from the download list)")
        python_lines += python.get("note", "").splitlines()
    lines += _row("Python", python_lines)
    package_lines = [packages["summary"]]
    if packages["names"]:
        package_lines.append("names: " + ", ".join(packages["names"]))
    for key, variable in (("groups", "PYBUILDPACK_GROUPS"), ("extras", "PYBUILDPACK_EXTRAS")):
        if packages.get(key):
            origin = (doc.get("settings") or {}).get(key, {}).get("origin", "")
            package_lines.append(f"{key}: {', '.join(packages[key])} "
                                 f"(from {origin if origin.startswith('pyproject.toml') else variable})")
    package_lines += [f"adds {a['name']}: {a['reason']}" for a in packages["added"]]
    if packages["not_installed_from"]:
        package_lines.append("not installed from: " + ", ".join(packages["not_installed_from"]))
    lines += _row("Packages", package_lines)
    framework = doc["framework"]
    lines += _row("Framework", [f"{framework['name']} ({framework['origin']})" if framework else "none recognised"])
    process_lines = []
    for process in doc["processes"]:
        how = "detected from " if process["detected"] else ""
        server = f", server {process['server']}" if process["server"] else ""
        process_lines += [f"{process['name']}: {process['command']}", f"    ({how}{process['origin']}{server})"]
        process_lines += [f"    {note}" for note in process.get("notes", ())]
    if not any(p["name"] == "web" for p in doc["processes"]):
        process_lines.append("no web process: add a Procfile `web` line, or one of these, looked for in order:")
        process_lines += [f"  - {item}" for item in doc["web_detection_order"]]
    lines += _row("Processes", process_lines)
    release = doc.get("release") or {}
    if release.get("summary"):
        lines += _row("Release", [release["summary"] + (": runs once per deploy, before the web process"
                                                        if release.get("command") else "")])
    lines += _row("Static files", static.get("lines") or [static["summary"]])
    settings = doc.get("settings") or {}
    lines += _row("Settings", [s["summary"] for s in settings.values()]
                  or ["none (no config vars of pybuildpack's, no [tool.pybuildpack] in pyproject.toml)"])
    hooks = doc["hooks"]
    lines += _row("Hooks", [f"{h['hook']} runs {h['when']}" for h in hooks]
                  or [f"none ({' and '.join(HOOKS)} are not in the app)"])
    last = doc.get("last_build")
    if last:
        lines += _row("Last build", [f"Python {last['python']} ({last['python_origin']}), {last['packages']} packages"])
    if doc["warnings"]:
        lines += ["", "The build would warn:"] + [f"  - {w['title']}" for w in doc["warnings"]]
    return "\n".join(lines) + "\n"
