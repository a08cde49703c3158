"""The Heroku classic buildpack API: bin/detect, bin/compile, bin/release.

Layout of the slug (BUILD_DIR at build time, /app at runtime):

    .heroku/python/          CPython and the app's packages (relocatable)
    .heroku/pybuildpack/     what the build recorded: release.json, locks
    .profile.d/pybuildpack.sh  the runtime environment, sourced by the dyno

CACHE_DIR/pybuildpack/ holds uv, the tool environment, the installer caches,
the previous environment (env/) and the previous lock.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .. import errors
from ..inspect.files import DETECT_FILES, detected_by, listing
from ..output import Log

if TYPE_CHECKING:  # detect and release run on a bare python3: import the rest lazily
    from ..build import Build

PYTHON_DIR = ".heroku/python"
STATE_DIR = ".heroku/pybuildpack"
PROFILE = ".profile.d/pybuildpack.sh"
ENV_FIELDS = {
    "stack": "stack",
    "arch": "architecture",
    "python_version": "Python version",
    "installer": "installer",
    "installer_version": "installer version",
    "buildpack_format": "cache format",
}
CACHE_FORMAT = "1"


def detect(build_dir: Path) -> int:
    found = detected_by(build_dir)
    if found:
        print("Python")
        return 0
    print(errors.detect_failed(DETECT_FILES, listing(build_dir)), file=sys.stderr)
    return 1


def stack() -> str:
    return os.environ.get("STACK") or os.environ.get("CNB_TARGET_DISTRO_NAME", "") or "unknown"


def compile(build_dir: Path, cache_dir: Path, env_dir: Optional[Path], log: Log) -> None:
    from ..build import Build, Layout
    from ..cache import CachedDir, describe_changes, write_atomically
    from ..config import read_env_dir
    from ..plan import make_plan
    from ..tools import Tools

    config = read_env_dir(env_dir)
    log.add_secrets(config.secrets())
    plan = make_plan(build_dir, config)
    cache_root = cache_dir / "pybuildpack"
    tools = Tools.from_environment(cache_root)
    layout = Layout(
        app_dir=build_dir,
        runtime_prefix=build_dir / PYTHON_DIR,
        env_prefix=build_dir / PYTHON_DIR,
        state_dir=build_dir / STATE_DIR,
        relocate_root=build_dir,
    )
    build = Build(plan, layout, tools, config, log)
    build.show_warnings()
    build.run_hook("bin/pre_compile")
    chosen = build.choose_python()

    cached_env = CachedDir(cache_root / "env")
    cached_env.clean_leftovers()
    wanted = {
        "stack": stack(),
        "arch": platform.machine(),
        "python_version": chosen.version,
        "installer": plan.installer,
        "installer_version": build.installer_version(),
        "buildpack_format": CACHE_FORMAT,
    }
    previous: dict = {}
    if cached_env.exists():
        stored = cached_env.metadata()
        reasons = (describe_changes(stored, wanted, ENV_FIELDS) if stored is not None
                   else ["its metadata is missing or unreadable"])
        if reasons:
            log.step(errors.cache_discarded("environment", reasons))
            cached_env.discard()
        else:
            if layout.runtime_prefix.exists():
                shutil.rmtree(layout.runtime_prefix)
            layout.runtime_prefix.parent.mkdir(parents=True, exist_ok=True)
            previous = cached_env.take(layout.runtime_prefix)
            log.detail("Restored the environment from the build cache")

    build.ensure_runtime(chosen)
    previous_lock = cache_root / "requirements.lock.txt"
    build.install_dependencies(previous, previous_lock if previous_lock.is_file() else None)
    build.install_launch_package()
    build.django()
    build.run_hook("bin/post_compile")

    write_runtime_files(build_dir, build)
    # Cache last, and only after a successful build. A copy of every file (as
    # hardlinks where the filesystem allows) is the floor for a slug that must
    # hold the environment too, so its cost is shown.
    with log.timed("Saving the environment to the build cache", threshold=0.0):
        cached_env.store(layout.runtime_prefix, {**wanted, "install_key": build.outcome.install_key})
    lock = layout.state_dir / "requirements.lock.txt"
    if lock.is_file():
        write_atomically(previous_lock, lock.read_text())
    build.summary()


def _export_defaults(defaults: dict) -> list:
    """`export NAME="${NAME:-value}"` lines: a value the user set wins."""
    return [f'export {name}="${{{name}:-{value}}}"' for name, value in defaults.items()]


def profile_script(build: "Build") -> str:
    from ..build import PROCESS_DEFAULTS, ROUTER_DEFAULTS
    from ..steps import django as django_step

    lines = [
        "# Written by pybuildpack: the app's runtime environment, sourced at dyno start.",
        f'export PATH="$HOME/{PYTHON_DIR}/bin:$PATH"',
        *_export_defaults({**PROCESS_DEFAULTS, **ROUTER_DEFAULTS}),
        f'. "$HOME/{STATE_DIR}/web_concurrency.sh"',
        'export WEB_CONCURRENCY="$(pybuildpack_web_concurrency)"',
    ]
    module = build.wrapped_settings_module()
    if module is not None:
        lines += [
            "# The app's settings lack STATIC_ROOT: a wrapper module supplies it.",
            f'if [ -z "${{DJANGO_SETTINGS_MODULE:-}}" ] || [ "$DJANGO_SETTINGS_MODULE" = "{module}" ]; then',
            f'  export PYBUILDPACK_DJANGO_SETTINGS_MODULE="{module}"',
            f'  export DJANGO_SETTINGS_MODULE="{django_step.WRAPPER}"',
            "fi",
        ]
    return "\n".join(lines) + "\n"


def export_script(build_dir: Path) -> str:
    from ..build import PROCESS_DEFAULTS

    lines = [f'export PATH="{build_dir / PYTHON_DIR / "bin"}:$PATH"', *_export_defaults(PROCESS_DEFAULTS)]
    return "\n".join(lines) + "\n"


def write_runtime_files(build_dir: Path, build: "Build") -> None:
    from ..build import LAUNCH_SOURCE

    state = build_dir / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    (state / "web_concurrency.sh").write_text((LAUNCH_SOURCE / "web_concurrency.sh").read_text())
    profile = build_dir / PROFILE
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text(profile_script(build))
    default = build.plan.processes.default_web
    processes = {}
    if default is not None and "web" not in build.plan.processes.procfile:
        processes["web"] = default.command
    (state / "release.json").write_text(json.dumps({"default_process_types": processes}, indent=2))
    buildpack_dir = Path(__file__).resolve().parents[3]
    try:
        (buildpack_dir / "export").write_text(export_script(build_dir))
    except OSError:
        pass  # a read-only buildpack checkout: later buildpacks read PATH from .profile.d instead


def release(build_dir: Path) -> str:
    """The YAML bin/release prints."""
    path = build_dir / STATE_DIR / "release.json"
    try:
        processes = json.loads(path.read_text()).get("default_process_types", {})
    except (OSError, ValueError):
        processes = {}
    if not processes:
        return "---\ndefault_process_types: {}\n"
    lines = ["---", "default_process_types:"]
    for name, command in processes.items():
        lines.append(f"  {name}: {json.dumps(command)}")
    return "\n".join(lines) + "\n"
