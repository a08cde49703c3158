"""What the built app's processes run with: one value, rendered by each platform.

`LaunchConfig` is computed once, at the end of a build, from the plan and
what the build found. Heroku renders it as `.profile.d` and release YAML, CNB
as env files, an exec.d program and launch.toml, the local command as the
environment it starts a process with. The rules live here, once:

- the processes: the Procfile's, plus the detected web process when the
  Procfile has none;
- the defaults every process gets (`PROCESS_DEFAULTS`), and behind a
  platform's router `ROUTER_DEFAULTS` too; a value the user set wins;
- WEB_CONCURRENCY from the container's memory and CPUs (`web_concurrency.sh`);
- the Django wrapper: when the build supplied STATIC_ROOT or found
  ALLOWED_HOSTS empty, a process whose
  DJANGO_SETTINGS_MODULE is unset or names the app's own settings gets the
  wrapper module instead (`django_settings()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

LAUNCH_SOURCE = Path(__file__).resolve().parent / "launch"
LAUNCH_PACKAGE = "pybuildpack_launch"
WEB_CONCURRENCY_SCRIPT = LAUNCH_SOURCE / "web_concurrency.sh"
DJANGO_WRAPPER = "pybuildpack_launch.django_settings"

# Defaults every process of the built app gets, whichever platform runs it.
PROCESS_DEFAULTS = {"PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"}
# Behind a platform's router only the router reaches the app, so the server may
# trust its X-Forwarded-* headers. (Not locally: nothing sits in front there.)
ROUTER_DEFAULTS = {"FORWARDED_ALLOW_IPS": "*"}


@dataclass(frozen=True)
class LaunchConfig:
    processes: Mapping = field(default_factory=dict)   # name -> Process, web first
    detected: Mapping = field(default_factory=dict)    # the ones pybuildpack chose (not the Procfile's)
    # The app's settings module, when processes must run the wrapper instead (STATIC_ROOT, ALLOWED_HOSTS).
    wrapped_settings_module: Optional[str] = None

    @property
    def default_process(self) -> Optional[str]:
        return "web" if "web" in self.processes else None

    def defaults(self, behind_router: bool) -> dict:
        return {**PROCESS_DEFAULTS, **(ROUTER_DEFAULTS if behind_router else {})}

    def django_settings(self, current: Optional[str]) -> dict:
        """The variables the wrapper rule sets for a process whose
        DJANGO_SETTINGS_MODULE is `current` (None when unset); {} for none."""
        module = self.wrapped_settings_module
        if module is None or (current and current != module):
            return {}
        return {"PYBUILDPACK_DJANGO_SETTINGS_MODULE": module, "DJANGO_SETTINGS_MODULE": DJANGO_WRAPPER}

    def django_settings_shell(self) -> list:
        """The same rule as POSIX shell lines (for .profile.d)."""
        module = self.wrapped_settings_module
        if module is None:
            return []
        return [
            "# The app's settings lack STATIC_ROOT or ALLOWED_HOSTS: a wrapper module supplies them.",
            f'if [ -z "${{DJANGO_SETTINGS_MODULE:-}}" ] || [ "$DJANGO_SETTINGS_MODULE" = "{module}" ]; then',
            f'  export PYBUILDPACK_DJANGO_SETTINGS_MODULE="{module}"',
            f'  export DJANGO_SETTINGS_MODULE="{DJANGO_WRAPPER}"',
            "fi",
        ]

    @staticmethod
    def web_concurrency_script() -> str:
        """Defines pybuildpack_web_concurrency: workers from the cgroup's memory and CPUs."""
        return WEB_CONCURRENCY_SCRIPT.read_text()
