"""The Cloud Native Buildpacks API (Buildpack API 0.10): bin/detect and bin/build.

Layers, under $CNB_LAYERS_DIR, at the same absolute paths at build and at launch:

    python/           CPython                                   build, launch, cache
    venv/             the app's packages, a virtualenv on it    build, launch, cache
    launch-env/       launch-only env files and exec.d program  launch
    installer-cache/  uv's and pip's download caches            cache
    tools/            uv and pybuildpack's tool environment     cache (bin/build bootstraps into it)
    django-static/    collectstatic's last output and its key   cache (steps/static_cache.py)

plus launch.toml (the processes) and python.sbom.cdx.json, venv.sbom.cdx.json.
Config vars are the files in $CNB_PLATFORM_DIR/env/: buildpack.toml sets
`clear-env`, so they reach build steps exactly as Heroku's config vars do.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

from .. import errors
from ..inspect.files import detect_failure, detected_by
from ..output import Log
from .base import Platform

if TYPE_CHECKING:  # detect runs on a bare python3: import the rest lazily
    from ..build import Build, Layout
    from ..config import ConfigVars
    from ..environment_key import EnvironmentKey
    from ..launch_config import LaunchConfig
    from ..tools import Tools
    from .cnb_layers import Layer

DETECT_PASS = 0
DETECT_FAIL = 100
# Provides and requires `python`: later buildpacks that require it run after this one.
BUILD_PLAN = '[[provides]]\nname = "python"\n\n[[requires]]\nname = "python"\n'
STATE_DIR = "pybuildpack"          # inside the venv layer: the lock and added requirements
EXEC_D_PROGRAM = "pybuildpack"     # <launch-env>/exec.d/pybuildpack
DEFAULT_PORT = "8080"
OS_RELEASE = Path("/etc/os-release")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

TARGET_FIELDS = {"arch": "architecture", "distro": "distribution"}
RUNTIME_FIELDS = {"version": "Python version", **TARGET_FIELDS}
TOOLS_FIELDS = {"tools_lock": "pybuildpack's tool lock", "uv_version": "uv version"}
LAUNCH_FIELDS = {"digest": "launch configuration"}
STATIC_FIELDS = {"static_key": "collectstatic's inputs"}


def env_path(name: str) -> Path:
    """A path the lifecycle passes in the environment."""
    value = os.environ.get(name)
    if not value:
        raise errors.CnbVariableMissing(name)
    return Path(value)


# --- detect ---------------------------------------------------------------------------------

def detect(app_dir: Path, plan_path: Path) -> int:
    """Pass (0) and write the build plan for a Python app, else fail (100). An
    app in a subdirectory (PYBUILDPACK_APP_ROOT in the platform's env) is looked
    for there."""
    from ..app_root import VAR, resolve

    platform_dir = os.environ.get("CNB_PLATFORM_DIR")
    root = Path(platform_dir, "env", VAR) if platform_dir else None
    if root is not None and root.is_file():
        try:
            app_dir = resolve(app_dir, root.read_text(encoding="utf-8", errors="replace"))
        except errors.UserError as error:
            print(f"{error.title}\n{error.body}", file=sys.stderr)
            return DETECT_FAIL
    if not detected_by(app_dir):
        print(detect_failure(app_dir), file=sys.stderr)
        return DETECT_FAIL
    plan_path.write_text(BUILD_PLAN)
    return DETECT_PASS


# --- build ------------------------------------------------------------------------------------

def distro() -> str:
    """The target distribution, as the lifecycle names it, else from /etc/os-release."""
    name = os.environ.get("CNB_TARGET_DISTRO_NAME", "")
    version = os.environ.get("CNB_TARGET_DISTRO_VERSION", "")
    if not name:
        try:
            release = dict(line.split("=", 1) for line in OS_RELEASE.read_text().splitlines()
                           if "=" in line)
        except OSError:
            release = {}
        name = release.get("ID", "unknown").strip('"')
        version = release.get("VERSION_ID", "").strip('"')
    return f"{name} {version}".strip()


# The layer the app's hooks get as CACHE_DIR (only when the app has hooks).
HOOKS_CACHE = "hooks-cache"


class Layers:
    """Our layers in one build's layers directory."""

    def __init__(self, layers_dir: Path) -> None:
        from .cnb_layers import Layer, Types

        from ..environment_key import LABELS

        both = Types(launch=True, build=True, cache=True)
        self.python = Layer(layers_dir, "python", both, RUNTIME_FIELDS)
        self.venv = Layer(layers_dir, "venv", both, LABELS)
        self.launch_env = Layer(layers_dir, "launch-env", Types(launch=True), LAUNCH_FIELDS)
        self.installer_cache = Layer(layers_dir, "installer-cache", Types(cache=True), TARGET_FIELDS)
        self.tools = Layer(layers_dir, "tools", Types(cache=True), TOOLS_FIELDS)
        self.django_static = Layer(layers_dir, "django-static", Types(cache=True), STATIC_FIELDS)

    @property
    def all(self) -> list:
        return [self.tools, self.installer_cache, self.python, self.venv, self.launch_env]


class Cnb(Platform):
    """bin/build: the app in place, everything else in layers under $CNB_LAYERS_DIR."""

    def __init__(self, app_dir: Path, layers_dir: Path, platform_dir: Path) -> None:
        from ..steps import runtime

        self.source_dir = self.app_dir = app_dir
        self.layers_dir = layers_dir
        self.platform_dir = platform_dir
        self.layers = Layers(layers_dir)
        self.target = {"arch": runtime.machine_arch(), "distro": distro()}

    def read_config(self) -> "ConfigVars":
        from ..config import read_env_dir

        return read_env_dir(self.platform_dir / "env")

    def tools(self) -> "Tools":
        from ..tools import Tools

        # The installer caches go in the installer-cache layer, unless the build
        # machine shares them between apps (PYBUILDPACK_INSTALLER_CACHE_DIR).
        return Tools.from_environment(self.layers_dir)

    def layout(self) -> "Layout":
        from ..build import Layout

        venv = self.layers.venv.path
        return Layout(app_dir=self.app_dir, runtime_prefix=self.layers.python.path, env_prefix=venv,
                      state_dir=venv / STATE_DIR)

    # `pack build` sends ignored files too: a .venv/ may be the developer's own, so it is a warning.
    committed_environment = "warning"

    def environment_key(self, build: "Build") -> "EnvironmentKey":
        return build.environment_key(distro=self.target["distro"])

    def static_cache(self, build: "Build"):
        return LayerStaticCache(self.source_dir, self.layers.django_static)

    def hook_environment(self, build: "Build") -> dict:
        """The app (the workspace), a cache-only layer of the hooks' own, and the
        platform's env directory, which has the format of Heroku's ENV_DIR."""
        cache = self.layers_dir / HOOKS_CACHE
        cache.mkdir(parents=True, exist_ok=True)
        # Written now, not at the end: a hook's cache is worth keeping whatever the hook's
        # build does next, and the lifecycle keeps nothing of a failed build anyway.
        (self.layers_dir / f"{HOOKS_CACHE}.toml").write_text("[types]\ncache = true\n")
        return {"BUILD_DIR": str(self.source_dir), "CACHE_DIR": str(cache), "ENV_DIR": str(self.platform_dir / "env")}

    def previous_lock(self) -> Path:
        from ..package_managers.base import LOCK_FILE

        return self.layers.venv.path / STATE_DIR / LOCK_FILE

    def wanted(self, build: "Build", key: "EnvironmentKey") -> dict:
        """Each layer's metadata for this build."""
        tools = build.tools
        return {
            "tools": {"tools_lock": tools_lock_digest(), "uv_version": tools.uv_version()},
            "installer-cache": self.target,
            "python": {"version": key.python_version, **self.target},
            "venv": key.metadata(),
        }

    def caches_in_layer(self, build: "Build") -> bool:
        return build.tools.uv_cache.parent == self.layers.installer_cache.path

    def restore_environment(self, build: "Build", key: "EnvironmentKey") -> dict:
        layers, log, wanted = self.layers, build.log, self.wanted(build, key)
        if any(layer.toml_path.exists() for layer in layers.all):
            log.step(errors.layers_checked())
        check_tools_layer(layers.tools, wanted["tools"], log)
        if self.caches_in_layer(build):
            reuse_or_clear(layers.installer_cache, wanted["installer-cache"], "uv's and pip's download caches", log)
        else:
            layers.installer_cache.clear()
            layers.installer_cache.toml_path.unlink(missing_ok=True)
        reuse_or_clear(layers.python, wanted["python"],
                       f"Python {key.python_version} ({self.target['arch']}, {self.target['distro']})", log)
        return check_venv_layer(layers.venv, key, build, log)

    def write_launch(self, build: "Build", launch: "LaunchConfig") -> None:
        import toml

        layers, log = self.layers, build.log
        write_venv_env(layers.venv, launch)
        # An app in a subdirectory runs from there (the image's working directory is the workspace).
        processes = launch_processes(launch, self.app_dir if self.app_dir != self.source_dir else None)
        log.step(errors.launch_processes([p["type"] for p in processes], launch.default_process))
        write_launch_env(layers.launch_env, launch, log)
        write_sboms(layers, build)
        (self.layers_dir / "launch.toml").write_text(toml.dumps({"processes": processes}) if processes else "")

    def save_environment(self, build: "Build", key: "EnvironmentKey") -> None:
        """[types] and [metadata] of every layer, last, once the contents are complete."""
        layers, wanted = self.layers, self.wanted(build, key)
        layers.tools.write_toml(wanted["tools"])
        if self.caches_in_layer(build):
            layers.installer_cache.path.mkdir(parents=True, exist_ok=True)
            layers.installer_cache.write_toml(wanted["installer-cache"])
        layers.python.write_toml(wanted["python"])
        layers.venv.write_toml({**wanted["venv"], "install_key": build.outcome.install_key})


class LayerStaticCache:
    """collectstatic's output in a cache-only layer: the files, their metadata
    in a file beside them (cache.META; the layer's TOML holds the key). The
    lifecycle keeps nothing of a failed build, so the layer is written in place."""

    fresh = True

    def __init__(self, ships: Path, layer: "Layer") -> None:
        self.ships, self.layer = ships, layer

    def stored(self) -> Optional[dict]:
        from ..cache import META, read_json_object

        metadata, _ = self.layer.restored_metadata()
        if metadata is None or not self.layer.path.is_dir():
            return None
        data = read_json_object(self.layer.path / META)
        return data if data is not None and data.get("static_key") == metadata.get("static_key") else None

    def restore(self, static_root: Path) -> None:
        from ..cache import META, copy_tree

        static_root.parent.mkdir(parents=True, exist_ok=True)
        copy_tree(self.layer.path, static_root)
        (static_root / META).unlink(missing_ok=True)

    def store(self, static_root: Path, metadata: Mapping[str, object]) -> None:
        import json

        from ..cache import META, copy_tree, write_atomically

        self.layer.clear()
        copy_tree(static_root, self.layer.path)
        write_atomically(self.layer.path / META, json.dumps(dict(metadata), indent=2, sort_keys=True))
        self.layer.write_toml({"static_key": metadata["static_key"]})

    def keep(self) -> None:
        """The restored TOML has no [types]: written again, or the layer is dropped."""
        metadata, _ = self.layer.restored_metadata()
        if metadata and self.layer.path.is_dir():
            self.layer.write_toml({k: v for k, v in metadata.items() if k != "format"})


def build(app_dir: Path, layers_dir: Path, platform_dir: Path, log: Log) -> None:
    from ..orchestrator import build

    build(Cnb(app_dir, layers_dir, platform_dir), log)


def tools_lock_digest() -> str:
    from ..steps.dependencies import TOOLS_LOCK

    return hashlib.sha256(TOOLS_LOCK.read_bytes()).hexdigest()[:16]


def reuse_or_clear(layer: "Layer", wanted: Mapping[str, object], what: str, log: Log) -> Optional[dict]:
    """The restored metadata when the layer can be reused (and the log says
    so); otherwise the layer is emptied, the log says why, and None."""
    check = layer.check(wanted)
    if check.reusable:
        log.detail(errors.layer_reused(layer.name, what))
        return check.stored
    if check.restored:
        log.detail(errors.layer_rebuilt(layer.name, check.reasons))
    layer.clear()
    return None


def check_tools_layer(layer: "Layer", wanted: Mapping[str, object], log: Log) -> None:
    """bin/build has already bootstrapped into this layer (its tool environment
    is keyed on the lock, Python and uv, so a stale one is never used): only
    say what happened."""
    check = layer.check(wanted)
    if check.reusable:
        log.detail(errors.layer_reused(layer.name, f"pybuildpack's tools (uv {wanted['uv_version']})"))
    elif check.restored:
        log.detail(errors.layer_updated(layer.name, check.reasons))


def check_venv_layer(layer: "Layer", key: "EnvironmentKey", build: "Build", log: Log) -> dict:
    """The metadata install_dependencies compares its key with: the restored
    one when the environment can be kept, else empty (a fresh environment)."""
    check = layer.check(key.metadata())
    if not check.reusable:
        if check.restored:
            log.detail(errors.layer_rebuilt(layer.name, check.reasons))
        layer.clear()
        return {}
    inputs = build.install_inputs()
    if inputs.local_sources:
        log.detail(errors.layer_updated(layer.name, [errors.local_requirements()]))
    elif check.stored.get("install_key") != inputs.key:
        log.detail(errors.layer_updated(layer.name, [errors.requirements_changed(inputs.files)]))
    else:
        log.detail(errors.layer_reused(layer.name, f"the app's packages for Python {key.python_version}"))
    return check.stored


# --- environment, launch.toml, exec.d, SBOM -------------------------------------------------------

def write_venv_env(layer: "Layer", launch: "LaunchConfig") -> None:
    """Env files for later buildpacks and for launch: VIRTUAL_ENV, and PATH. The layer's bin/ joins
    PATH by itself; prepending it again puts the virtualenv before the
    runtime's own bin/, whichever way a lifecycle orders one buildpack's layers."""
    layer.clear_env()
    layer.write_env("PATH", str(layer.path / "bin"), "prepend")
    layer.write_env("PATH", os.pathsep, "delim")
    # The app's packages are in this virtualenv: say so, as activating it would
    # (some server configs and tools, uv among them, read VIRTUAL_ENV).
    layer.write_env("VIRTUAL_ENV", str(layer.path), "override")
    for name, value in launch.defaults(behind_router=False).items():
        layer.write_env(name, value, "default")


def launch_files(launch: "LaunchConfig") -> dict:
    """The launch-env layer's files: relative path -> (text, executable)."""
    from ..launch_config import DJANGO_WRAPPER, ROUTER_DEFAULTS

    files = {f"env.launch/{name}.default": (value, False) for name, value in ROUTER_DEFAULTS.items()}
    files.update({
        # Images run outside Heroku get no PORT; 8080 is the container convention (Knative, Cloud Run).
        "env.launch/PORT.default": (DEFAULT_PORT, False),
        "web_concurrency.sh": (launch.web_concurrency_script(), False),
    })
    # The wrapper rule: unset is covered by the env files, the app's own module by exec.d.
    for name, value in launch.django_settings(None).items():
        files[f"env.launch/{name}.default"] = (value, False)
    files[f"exec.d/{EXEC_D_PROGRAM}"] = (exec_d_program(launch.wrapped_settings_module, DJANGO_WRAPPER), True)
    return files


def exec_d_program(settings_module: Optional[str], wrapper: str) -> str:
    """The exec.d program: values only known at launch, as TOML on fd 3.

    WEB_CONCURRENCY comes from the container's cgroup limits, computed by the
    same web_concurrency.sh Heroku's .profile.d sources. When the build
    supplied STATIC_ROOT, a DJANGO_SETTINGS_MODULE naming the app's own module
    is pointed at the wrapper, exactly as on Heroku (the env files cover unset)."""
    lines = [
        "#!/bin/sh",
        "# Written by pybuildpack. Run by the CNB launcher before every process;",
        "# writes environment variables as TOML to file descriptor 3.",
        '. "$(dirname "$0")/../web_concurrency.sh"',
        'if [ -z "${WEB_CONCURRENCY:-}" ]; then',
        "    workers=$(pybuildpack_web_concurrency)",
        '    case "$workers" in',
        "        ''|*[!0-9]*) ;;  # no usable number: gunicorn keeps its own default",
        '        *) printf \'WEB_CONCURRENCY = "%s"\\n\' "$workers" >&3 ;;',
        "    esac",
        "fi",
    ]
    if settings_module and _MODULE.match(settings_module) and _MODULE.match(wrapper):
        lines += [
            f'if [ "${{DJANGO_SETTINGS_MODULE:-}}" = "{settings_module}" ]; then',
            f"    printf '%s\\n' 'DJANGO_SETTINGS_MODULE = \"{wrapper}\"' "
            f"'PYBUILDPACK_DJANGO_SETTINGS_MODULE = \"{settings_module}\"' >&3",
            "fi",
        ]
    return "\n".join(lines) + "\n"


def files_digest(files: Mapping[str, tuple]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        text, executable = files[name]
        digest.update(f"{name}\0{int(executable)}\0{len(text)}\0".encode() + text.encode())
    return digest.hexdigest()[:16]


def write_launch_env(layer: "Layer", launch: "LaunchConfig", log: Log) -> None:
    """A launch-only layer. When its metadata still matches, no directory is
    written and the lifecycle keeps the previous image's layer."""
    files = launch_files(launch)
    wanted = {"digest": files_digest(files)}
    check = layer.check(wanted, contents_needed=False)
    layer.clear()
    if check.reusable:
        log.detail(errors.layer_reused(layer.name, "the launch environment is unchanged"))
    else:
        if check.restored:
            log.detail(errors.layer_rebuilt(layer.name, check.reasons))
        for name, (text, executable) in files.items():
            path = layer.path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            if executable:
                path.chmod(0o755)
    layer.write_toml(wanted)


def launch_processes(launch: "LaunchConfig", working_dir: Optional[Path] = None) -> list:
    """launch.toml's [[processes]]: the ones the Heroku path would run, the
    Procfile's plus the detected web when the Procfile has none; web is the
    default. Generated processes are exec'd directly; Procfile commands are
    shell text, so they say so with bash -c. `working_dir`: where they run,
    when not the workspace."""
    processes = []
    for name, process in launch.processes.items():
        command = list(process.argv) if process.argv else ["bash", "-c", process.command]
        entry = {"type": name, "command": command, "default": name == launch.default_process}
        if working_dir is not None:
            entry["working-dir"] = str(working_dir)
        processes.append(entry)
    return processes


def write_sboms(layers: Layers, build: "Build") -> None:
    from .. import sbom
    from ..steps import dependencies as deps
    from ..steps import runtime

    chosen = build.outcome.python
    shipped = deps.installed_packages(runtime.runtime_python(layers.python.path))
    runtime_packages = [sbom.cpython(chosen.version)] + [sbom.Package(n, v) for n, v in shipped]
    layers.python.sbom_path.write_text(sbom.document(runtime_packages))
    packages = [sbom.Package(n, v) for n, v in build.outcome.packages]
    layers.venv.sbom_path.write_text(sbom.document(packages))
