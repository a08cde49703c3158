"""The Cloud Native Buildpacks API (Buildpack API 0.10): bin/detect and bin/build.

Layers, under $CNB_LAYERS_DIR, at the same absolute paths at build and at launch:

    python/           CPython                                   build, launch, cache
    venv/             the app's packages, a virtualenv on it    build, launch, cache
    launch-env/       launch-only env files and exec.d program  launch
    installer-cache/  uv's and pip's download caches            cache
    tools/            uv and pybuildpack's tool environment     cache (bin/build bootstraps into it)

plus launch.toml (the processes) and python.sbom.cdx.json, venv.sbom.cdx.json.
Config vars are the files in $CNB_PLATFORM_DIR/env/: buildpack.toml sets
`clear-env`, so they reach build steps exactly as Heroku's config vars do.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

from .. import errors
from ..inspect.files import DETECT_FILES, detected_by, listing
from ..output import Log

if TYPE_CHECKING:  # detect runs on a bare python3: import the rest lazily
    from ..build import Build
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
VENV_FIELDS = {"python_version": "Python version", "installer": "installer",
               "installer_version": "installer version", **TARGET_FIELDS}
TOOLS_FIELDS = {"tools_lock": "pybuildpack's tool lock", "uv_version": "uv version"}
LAUNCH_FIELDS = {"digest": "launch configuration"}


def env_path(name: str) -> Path:
    """A path the lifecycle passes in the environment."""
    value = os.environ.get(name)
    if not value:
        raise errors.CnbVariableMissing(name)
    return Path(value)


# --- detect ---------------------------------------------------------------------------------

def detect(app_dir: Path, plan_path: Path) -> int:
    """Pass (0) and write the build plan for a Python app, else fail (100)."""
    if not detected_by(app_dir):
        print(errors.detect_failed(DETECT_FILES, listing(app_dir)), file=sys.stderr)
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


class Layers:
    """Our layers in one build's layers directory."""

    def __init__(self, layers_dir: Path) -> None:
        from .cnb_layers import Layer, Types

        both = Types(launch=True, build=True, cache=True)
        self.python = Layer(layers_dir, "python", both, RUNTIME_FIELDS)
        self.venv = Layer(layers_dir, "venv", both, VENV_FIELDS)
        self.launch_env = Layer(layers_dir, "launch-env", Types(launch=True), LAUNCH_FIELDS)
        self.installer_cache = Layer(layers_dir, "installer-cache", Types(cache=True), TARGET_FIELDS)
        self.tools = Layer(layers_dir, "tools", Types(cache=True), TOOLS_FIELDS)

    @property
    def all(self) -> list:
        return [self.tools, self.installer_cache, self.python, self.venv, self.launch_env]


def build(app_dir: Path, layers_dir: Path, platform_dir: Path, log: Log) -> None:
    import toml

    from ..build import Build, Layout
    from ..config import read_env_dir
    from ..plan import make_plan
    from ..steps import runtime
    from ..tools import Tools

    config = read_env_dir(platform_dir / "env")
    log.add_secrets(config.secrets())
    plan = make_plan(app_dir, config)
    layers = Layers(layers_dir)
    # The installer caches go in the installer-cache layer, unless the build
    # machine shares them between apps (PYBUILDPACK_INSTALLER_CACHE_DIR).
    tools = Tools.from_environment(layers_dir)
    layout = Layout(app_dir=app_dir, runtime_prefix=layers.python.path, env_prefix=layers.venv.path,
                    state_dir=layers.venv.path / STATE_DIR)
    build = Build(plan, layout, tools, config, log)
    build.show_warnings()
    build.run_hook("bin/pre_compile")
    chosen = build.choose_python()

    target = {"arch": runtime.machine_arch(), "distro": distro()}
    caches_in_layer = tools.uv_cache.parent == layers.installer_cache.path
    wanted = {
        "tools": {"tools_lock": tools_lock_digest(), "uv_version": tools.uv_version()},
        "installer-cache": target,
        "python": {"version": chosen.version, **target},
        "venv": {"python_version": chosen.version, "installer": plan.installer,
                 "installer_version": build.installer_version(), **target},
    }
    if any(layer.toml_path.exists() for layer in layers.all):
        log.step(errors.layers_checked())
    check_tools_layer(layers.tools, wanted["tools"], log)
    if caches_in_layer:
        reuse_or_clear(layers.installer_cache, wanted["installer-cache"], "uv's and pip's download caches", log)
    else:
        layers.installer_cache.clear()
        layers.installer_cache.toml_path.unlink(missing_ok=True)
    reuse_or_clear(layers.python, wanted["python"], f"Python {chosen.version} ({target['arch']}, {target['distro']})",
                   log)

    with tempfile.TemporaryDirectory(prefix="pybuildpack-cnb-") as scratch:
        # The lock outlives a discarded environment, as on Heroku, so unchanged pins stay put.
        previous_lock = rescue_lock(layout.state_dir, Path(scratch))
        previous = check_venv_layer(layers.venv, wanted["venv"], build, log)
        build.ensure_runtime(chosen)
        build.ensure_env()
        build.install_dependencies(previous, previous_lock)
    build.install_launch_package()
    build.django()
    build.run_hook("bin/post_compile")

    write_venv_env(layers.venv)
    processes = launch_processes(build)
    log.step(errors.launch_processes([p["type"] for p in processes],
                                     next((p["type"] for p in processes if p["default"]), None)))
    write_launch_env(layers.launch_env, build, log)
    write_sboms(layers, build)
    (layers_dir / "launch.toml").write_text(toml.dumps({"processes": processes}) if processes else "")
    # [types] and [metadata] of every layer, last, once the contents are complete.
    layers.tools.write_toml(wanted["tools"])
    if caches_in_layer:
        layers.installer_cache.path.mkdir(parents=True, exist_ok=True)
        layers.installer_cache.write_toml(wanted["installer-cache"])
    layers.python.write_toml(wanted["python"])
    layers.venv.write_toml({**wanted["venv"], "install_key": build.outcome.install_key})
    build.summary()


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


def rescue_lock(state_dir: Path, scratch: Path) -> Optional[Path]:
    lock = state_dir / "requirements.lock.txt"
    if not lock.is_file():
        return None
    copy = scratch / lock.name
    shutil.copyfile(lock, copy)
    return copy


def check_venv_layer(layer: "Layer", wanted: Mapping[str, object], build: "Build", log: Log) -> dict:
    """The metadata install_dependencies compares its key with: the restored
    one when the environment can be kept, else empty (a fresh environment)."""
    check = layer.check(wanted)
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
        log.detail(errors.layer_reused(layer.name, f"the app's packages for Python {wanted['python_version']}"))
    return check.stored


# --- environment, launch.toml, exec.d, SBOM -------------------------------------------------------

def write_venv_env(layer: "Layer") -> None:
    """Env files for later buildpacks and for launch. The layer's bin/ joins
    PATH by itself; prepending it again puts the virtualenv before the
    runtime's own bin/, whichever way a lifecycle orders one buildpack's layers."""
    from ..build import PROCESS_DEFAULTS

    layer.clear_env()
    layer.write_env("PATH", str(layer.path / "bin"), "prepend")
    layer.write_env("PATH", os.pathsep, "delim")
    for name, value in PROCESS_DEFAULTS.items():
        layer.write_env(name, value, "default")


def launch_files(build: "Build") -> dict:
    """The launch-env layer's files: relative path -> (text, executable)."""
    from ..build import LAUNCH_SOURCE, ROUTER_DEFAULTS
    from ..steps import django as django_step

    files = {f"env.launch/{name}.default": (value, False) for name, value in ROUTER_DEFAULTS.items()}
    files.update({
        # Images run outside Heroku get no PORT; 8080 is the container convention (Knative, Cloud Run).
        "env.launch/PORT.default": (DEFAULT_PORT, False),
        "web_concurrency.sh": ((LAUNCH_SOURCE / "web_concurrency.sh").read_text(), False),
    })
    module = build.wrapped_settings_module()
    if module is not None:
        files["env.launch/DJANGO_SETTINGS_MODULE.default"] = (django_step.WRAPPER, False)
        files["env.launch/PYBUILDPACK_DJANGO_SETTINGS_MODULE.default"] = (module, False)
    files[f"exec.d/{EXEC_D_PROGRAM}"] = (exec_d_program(module, django_step.WRAPPER), True)
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


def write_launch_env(layer: "Layer", build: "Build", log: Log) -> None:
    """A launch-only layer. When its metadata still matches, no directory is
    written and the lifecycle keeps the previous image's layer."""
    files = launch_files(build)
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


def launch_processes(build: "Build") -> list:
    """launch.toml's [[processes]]: the ones the Heroku path would run, the
    Procfile's plus the detected web when the Procfile has none; web is the
    default. Generated processes are exec'd directly; Procfile commands are
    shell text, so they say so with bash -c."""
    processes = []
    for name, process in build.plan.processes.all.items():
        command = list(process.argv) if process.argv else ["bash", "-c", process.command]
        processes.append({"type": name, "command": command, "default": name == "web"})
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
