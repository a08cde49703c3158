"""A Cloud Native Buildpacks lifecycle for tests: Buildpack API 0.10 and the
launcher of the Platform API, played on one machine with no Docker daemon.

- detect: `bin/detect` with no arguments, in the app directory, with
  CNB_PLATFORM_DIR (user vars in env/), CNB_BUILD_PLAN_PATH, CNB_BUILDPACK_DIR
  and CNB_TARGET_*; exit 0 passes, 100 fails, anything else is an error. The
  build plan is checked against the spec's fields and resolved as a
  one-buildpack group (every require provided, every provide required); the
  buildpack's [[targets]] must match the target.
- analysis and restore: a fresh layers directory gets, from the previous
  image, the TOML (without [types]) and SBOM of launch-only layers, and, from
  the cache, cache=true layers whole (TOML without [types], contents, SBOM).
  Nothing else survives between builds.
- build: `bin/build` with no arguments, in the app directory, with
  CNB_LAYERS_DIR, CNB_PLATFORM_DIR, CNB_BP_PLAN_PATH, CNB_BUILDPACK_DIR. User
  vars reach its environment only when buildpack.toml does not set clear-env.
  Every TOML file it writes is checked against the spec's field names.
- export: launch=true layers go into the image (a launch layer left without a
  directory reuses the previous image's), cache=true layers into the cache,
  launch.toml's processes into the image metadata. A failed build changes neither.
- launch: the image is laid out at the same absolute paths, the environment is
  composed as the launcher does (layer bin/ and lib/ first, then env/,
  env.launch/, env.launch/<process>/ with .default, .override, .append,
  .prepend and .delim), exec.d programs run with fd 3 and their TOML is
  applied, and the process is exec'd directly in its working directory.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

try:
    import tomllib as _toml_reader

    def parse_toml(text: str) -> dict:
        return _toml_reader.loads(text)
except ImportError:  # Python < 3.11
    import toml as _toml_reader  # type: ignore[no-redef]

    def parse_toml(text: str) -> dict:
        return _toml_reader.loads(text)

from harness.heroku import REPO, Dyno, free_port
from harness.machine import SYSTEM_PATH

BIN = REPO / "bin"
BUILDPACK_TOML = REPO / "buildpack.toml"
DETECT_PASS, DETECT_FAIL = 0, 100
SBOM_EXTENSIONS = {
    "application/vnd.cyclonedx+json": "cdx.json",
    "application/spdx+json": "spdx.json",
    "application/vnd.syft+json": "syft.json",
}
RESERVED_LAYER_NAMES = {"build", "launch", "store"}
ENV_ACTIONS = ("override", "default", "prepend", "append", "delim")
_PROCESS_TYPE = re.compile(r"^[A-Za-z0-9._-]+$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BUILDPACK_ID = re.compile(r"^[A-Za-z0-9./-]+$")
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
OCI_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class SpecViolation(AssertionError):
    """The buildpack wrote something the spec does not allow."""


def load_toml(path: Path) -> dict:
    try:
        return parse_toml(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise SpecViolation(f"{path.name} is not valid TOML: {error}")


# --- the spec's field names ----------------------------------------------------------------------

def _keys(where: str, table: object, allowed: Sequence[str]) -> dict:
    if not isinstance(table, dict):
        raise SpecViolation(f"{where} must be a table, not {table!r}")
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise SpecViolation(f"{where} has fields the spec does not define: {unknown} (allowed: {list(allowed)})")
    return table


def _strings(where: str, value: object, non_empty: bool = False) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or (non_empty and not value):
        raise SpecViolation(f"{where} must be a{' non-empty' if non_empty else 'n'} array of strings, not {value!r}")


def validate_buildpack_toml(data: dict) -> None:
    """buildpack.toml for Buildpack API 0.10 (a component buildpack)."""
    _keys("buildpack.toml", data, ("api", "buildpack", "order", "targets", "stacks", "metadata"))
    if data.get("api") != "0.10":
        raise SpecViolation(f"api must be \"0.10\", not {data.get('api')!r}")
    if "stacks" in data:
        raise SpecViolation("[[stacks]] is deprecated in Buildpack API 0.10: use [[targets]]")
    if "order" in data:
        raise SpecViolation("a component buildpack has bin/detect and bin/build, and no [[order]]")
    bp = _keys("[buildpack]", data.get("buildpack"), ("id", "name", "version", "homepage", "clear-env",
                                                      "description", "keywords", "sbom-formats", "licenses"))
    if not _BUILDPACK_ID.match(str(bp.get("id", ""))) or bp["id"] in ("app", "config", "generated", "sbom"):
        raise SpecViolation(f"invalid buildpack id {bp.get('id')!r}")
    if not _VERSION.match(str(bp.get("version", ""))):
        raise SpecViolation(f"buildpack version must be X.Y.Z without leading zeros, not {bp.get('version')!r}")
    for name in ("name", "homepage", "description"):
        if name in bp and not isinstance(bp[name], str):
            raise SpecViolation(f"[buildpack] {name} must be a string")
    if "clear-env" in bp and not isinstance(bp["clear-env"], bool):
        raise SpecViolation("[buildpack] clear-env must be a boolean")
    if "keywords" in bp:
        _strings("[buildpack] keywords", bp["keywords"])
    _strings("[buildpack] sbom-formats", bp.get("sbom-formats", []))
    for media_type in bp.get("sbom-formats", []):
        if media_type not in SBOM_EXTENSIONS:
            raise SpecViolation(f"unsupported SBOM media type {media_type}")
    for license_ in bp.get("licenses", []):
        _keys("[[buildpack.licenses]]", license_, ("type", "uri"))
    for target in data.get("targets", []):
        _keys("[[targets]]", target, ("os", "arch", "variant", "distros"))
        for distro in target.get("distros", []):
            _keys("[[targets.distros]]", distro, ("name", "version"))


def validate_build_plan(data: dict) -> None:
    _keys("build plan", data, ("provides", "requires", "or"))
    alternatives = [data] + list(data.get("or", []))
    for index, plan in enumerate(alternatives):
        where = "build plan" if index == 0 else f"build plan [[or]] #{index}"
        _keys(where, plan, ("provides", "requires") + (("or",) if index == 0 else ()))
        for entry in plan.get("provides", []):
            _keys(f"{where} [[provides]]", entry, ("name",))
            if not isinstance(entry.get("name"), str):
                raise SpecViolation(f"{where} [[provides]] needs a name")
        for entry in plan.get("requires", []):
            # requires.version was deprecated in Buildpack API 0.3: it belongs in metadata.
            _keys(f"{where} [[requires]]", entry, ("name", "metadata"))
            if not isinstance(entry.get("name"), str):
                raise SpecViolation(f"{where} [[requires]] needs a name")


def validate_layer_toml(name: str, data: dict) -> None:
    _keys(f"{name}.toml", data, ("types", "metadata"))
    types = _keys(f"{name}.toml [types]", data.get("types", {}), ("launch", "build", "cache"))
    for key, value in types.items():
        if not isinstance(value, bool):
            raise SpecViolation(f"{name}.toml [types] {key} must be a boolean, not {value!r}")
    _keys(f"{name}.toml [metadata]", data.get("metadata", {}), tuple(data.get("metadata", {})))


def validate_launch_toml(data: dict) -> None:
    _keys("launch.toml", data, ("labels", "processes", "slices"))
    for label in data.get("labels", []):
        _keys("launch.toml [[labels]]", label, ("key", "value"))
    types, defaults = set(), 0
    for process in data.get("processes", []):
        _keys("launch.toml [[processes]]", process, ("type", "command", "args", "default", "working-dir"))
        kind = process.get("type")
        if not isinstance(kind, str) or not _PROCESS_TYPE.match(kind):
            raise SpecViolation(f"process type {kind!r}: only letters, digits, '.', '_' and '-'")
        if kind in types:
            raise SpecViolation(f"process type {kind} is defined twice")
        types.add(kind)
        # In API 0.9+ command is an array (the `direct` field and shell strings are gone).
        _strings(f"process {kind} command", process.get("command"), non_empty=True)
        if "args" in process:
            _strings(f"process {kind} args", process["args"])
        if not isinstance(process.get("default", False), bool):
            raise SpecViolation(f"process {kind} default must be a boolean")
        defaults += bool(process.get("default", False))
        if "working-dir" in process and not isinstance(process["working-dir"], str):
            raise SpecViolation(f"process {kind} working-dir must be a string")
    if defaults > 1:
        raise SpecViolation("a buildpack may mark only one process type default")
    for slice_ in data.get("slices", []):
        _keys("launch.toml [[slices]]", slice_, ("paths",))
        _strings("launch.toml slice paths", slice_.get("paths"))


def validate_build_toml(data: dict) -> None:
    _keys("build.toml", data, ("unmet",))
    for entry in data.get("unmet", []):
        _keys("build.toml [[unmet]]", entry, ("name",))


def validate_store_toml(data: dict) -> None:
    _keys("store.toml", data, ("metadata",))


def parse_exec_d_output(text: str) -> dict:
    """Exec.d output: top-level `NAME = "value"` pairs, names bare keys and
    valid variable names, values strings."""
    data = parse_toml(text)
    for name, value in data.items():
        if not _BARE_KEY.match(name) or not _ENV_NAME.match(name):
            raise SpecViolation(f"exec.d output name {name!r} is not a bare key and variable name")
        if not isinstance(value, str):
            raise SpecViolation(f"exec.d output {name} must be a string, not {value!r}")
    return data


def run_exec_d(program: Path, env: Mapping[str, str], cwd: Path) -> dict:
    """Run an exec.d program as the launcher does (in the app directory, with
    fd 3 open for its output) and return the variables it set."""
    read_end, write_end = os.pipe()
    with tempfile.TemporaryFile("w+") as log:
        actions = [(os.POSIX_SPAWN_DUP2, write_end, 3), (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, log.fileno(), 2)]
        previous = os.getcwd()
        os.chdir(cwd)   # posix_spawn has no cwd argument
        try:
            pid = os.posix_spawn(str(program), [str(program)], dict(env), file_actions=actions)
        finally:
            os.chdir(previous)
        os.close(write_end)
        with os.fdopen(read_end) as reader:
            produced = reader.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise AssertionError(f"exec.d program {program} failed ({status}): {log.read()}")
    return parse_exec_d_output(produced)


# --- env files -----------------------------------------------------------------------------------

def _prefix(value: str, delim: str) -> str:
    return delim + value if value else ""


def apply_env_dir(env: dict, directory: Path) -> None:
    """Apply one env directory's files, in name order, as the lifecycle does
    for Buildpack API 0.5+ (a file without a suffix overrides)."""
    if not directory.is_dir():
        return
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        name, _, action = path.name.partition(".")
        if action and action not in ENV_ACTIONS:
            raise SpecViolation(f"env file {path} has an unknown suffix .{action}")
        if not _ENV_NAME.match(name):
            raise SpecViolation(f"env file {path} does not name a variable")
        value = path.read_text(encoding="utf-8")
        delim_file = directory / f"{name}.delim"
        delim = delim_file.read_text(encoding="utf-8") if delim_file.is_file() else ""
        current = env.get(name, "")
        if action == "delim":
            continue
        if action == "prepend":
            env[name] = value + _prefix(current, delim)
        elif action == "append":
            env[name] = (current + delim if current else "") + value
        elif action == "default":
            if not current:
                env[name] = value
        else:
            env[name] = value


def launch_environment(layer_dirs: Sequence[Path], process_type: Optional[str], base: Mapping[str, str]) -> dict:
    """The launcher's environment for one buildpack's launch layers (in name order)."""
    env = dict(base)
    layer_dirs = sorted(layer_dirs, key=lambda p: p.name)
    for layer in layer_dirs:
        for sub, name in (("bin", "PATH"), ("lib", "LD_LIBRARY_PATH")):
            if (layer / sub).is_dir():
                env[name] = str(layer / sub) + _prefix(env.get(name, ""), os.pathsep)
    for layer in layer_dirs:
        apply_env_dir(env, layer / "env")
        apply_env_dir(env, layer / "env.launch")
        if process_type:
            apply_env_dir(env, layer / "env.launch" / process_type)
    return env


# --- files and stores ----------------------------------------------------------------------------

def _copy(source: Path, destination: Path, link: bool = False) -> None:
    """cp -a (hardlinked with `link`): absolute symlinks and modes kept."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    flags = ["-a", "--link"] if link else ["-a"]
    subprocess.run(["cp", *flags, str(source), str(destination)], check=True)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def strip_types(text: str) -> str:
    """A layer TOML as the lifecycle restores it: without [types]."""
    data = parse_toml(text)
    data.pop("types", None)
    lines = []
    if "metadata" in data:
        import toml
        lines.append(toml.dumps({"metadata": data["metadata"]}))
    return "".join(lines)


@dataclass
class StoredLayer:
    """A layer in the image or the cache: its contents (None for a TOML-only
    entry), its TOML as written, and its SBOM files."""

    directory: Optional[Path]
    toml_text: str
    sboms: dict = field(default_factory=dict)   # file name -> text

    @property
    def types(self) -> dict:
        return parse_toml(self.toml_text).get("types", {})


@dataclass
class Image:
    app_dir: Path
    layers: dict                # name -> StoredLayer (launch layers)
    processes: list             # launch.toml [[processes]]
    store_toml: Optional[str] = None

    @property
    def default_process(self) -> Optional[str]:
        defaults = [p["type"] for p in self.processes if p.get("default")]
        return defaults[-1] if defaults else None

    def process(self, kind: str) -> dict:
        for process in self.processes:
            if process["type"] == kind:
                return process
        raise KeyError(f"no process type {kind} in {[p['type'] for p in self.processes]}")


@dataclass
class CnbBuild:
    detect_returncode: int
    detect_output: str
    returncode: int
    output: str
    duration: float = 0.0
    plan: dict = field(default_factory=dict)
    written: dict = field(default_factory=dict)   # <layer>.toml and launch.toml, as parsed after the build
    image: Optional[Image] = None

    @property
    def ok(self) -> bool:
        return self.detect_returncode == DETECT_PASS and self.returncode == 0

    @property
    def processes(self) -> dict:
        return {p["type"]: p["command"] + p.get("args", []) for p in (self.image.processes if self.image else [])}

    def layer_toml(self, name: str) -> dict:
        return self.written[f"{name}.toml"]


class CnbPlatform:
    """Builds and runs apps the way a CNB platform (pack, kpack) and its
    lifecycle do, keeping the previous image and the cache between builds."""

    def __init__(self, root: Path, base_env: Mapping[str, str], buildpack_id: str = "pybuildpack/python") -> None:
        self.root = root
        self.base_env = dict(base_env)
        self.descriptor = load_toml(BUILDPACK_TOML)
        validate_buildpack_toml(self.descriptor)
        self.buildpack_id = self.descriptor["buildpack"]["id"]
        self.app_dir = root / "workspace"
        # The lifecycle's layout: one directory per buildpack, its id with / escaped.
        self.layers_dir = root / "layers" / self.buildpack_id.replace("/", "_")
        self.platform_dir = root / "platform"
        self.store = root / "store"
        self.image: Optional[Image] = None
        self.cache: dict = {}          # name -> StoredLayer
        self.containers: list = []
        self.target = {
            "CNB_TARGET_OS": "linux",
            "CNB_TARGET_ARCH": OCI_ARCH.get(os.uname().machine, os.uname().machine),
            **self._distro(),
        }
        self._generation = 0

    @staticmethod
    def _distro() -> dict:
        try:
            release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines()
                           if "=" in line)
        except OSError:
            return {}
        return {"CNB_TARGET_DISTRO_NAME": release.get("ID", "").strip('"'),
                "CNB_TARGET_DISTRO_VERSION": release.get("VERSION_ID", "").strip('"')}

    @property
    def clear_env(self) -> bool:
        return bool(self.descriptor["buildpack"].get("clear-env", False))

    # -- build ---------------------------------------------------------------------------------
    def _phase_env(self, config: Mapping[str, str], extra: Mapping[str, str]) -> dict:
        env = {**self.base_env, **self.target, "CNB_PLATFORM_DIR": str(self.platform_dir),
               "CNB_BUILDPACK_DIR": str(REPO), **extra}
        if not self.clear_env:
            env.update(config)
        return env

    def build(self, source: Path, config: Optional[Mapping[str, str]] = None,
              env: Optional[Mapping[str, str]] = None, timeout: float = 600) -> CnbBuild:
        self.stop_all()
        config = dict(config or {})
        _remove(self.app_dir)
        _copy(source, self.app_dir)
        _remove(self.platform_dir)
        (self.platform_dir / "env").mkdir(parents=True)
        for name, value in config.items():
            (self.platform_dir / "env" / name).write_text(value)
        env = dict(env or {})

        detected = self.detect(config, env)
        if detected.detect_returncode != DETECT_PASS:
            return detected
        self.restore()
        plan_path = self.root / "buildpack-plan.toml"
        plan_path.write_text(self._buildpack_plan(detected.plan))
        started = time.monotonic()
        result = subprocess.run(
            [str(BIN / "build")], cwd=self.app_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=timeout,
            env=self._phase_env(config, {**env, "CNB_LAYERS_DIR": str(self.layers_dir),
                                         "CNB_BP_PLAN_PATH": str(plan_path)}))
        detected.duration = time.monotonic() - started
        detected.returncode, detected.output = result.returncode, result.stdout
        if result.returncode == 0:
            detected.written = self.check_outputs()
            detected.image = self.export(detected.written)
        return detected

    def detect(self, config: Mapping[str, str], env: Mapping[str, str]) -> CnbBuild:
        plan_path = self.root / "plan.toml"
        _remove(plan_path)
        result = subprocess.run([str(BIN / "detect")], cwd=self.app_dir, capture_output=True, text=True,
                                env=self._phase_env(config, {**env, "CNB_BUILD_PLAN_PATH": str(plan_path)}))
        output = result.stdout + result.stderr
        if result.returncode not in (DETECT_PASS, DETECT_FAIL):
            return CnbBuild(result.returncode, output, result.returncode, "")
        if result.returncode == DETECT_FAIL:
            return CnbBuild(DETECT_FAIL, output, DETECT_FAIL, "")
        arch = self.target["CNB_TARGET_ARCH"]
        targets = self.descriptor.get("targets", [])
        if targets and not any(t.get("os", "linux") == "linux" and t.get("arch", arch) == arch for t in targets):
            return CnbBuild(DETECT_FAIL, output + f"\nno [[targets]] entry matches linux/{arch}", DETECT_FAIL, "")
        plan = load_toml(plan_path) if plan_path.is_file() and plan_path.read_text().strip() else {}
        validate_build_plan(plan)
        chosen = self._resolve(plan)
        if chosen is None:
            return CnbBuild(DETECT_FAIL, output + "\nthe build plan does not resolve", DETECT_FAIL, "")
        return CnbBuild(DETECT_PASS, output, 0, "", plan=chosen)

    @staticmethod
    def _resolve(plan: dict) -> Optional[dict]:
        """The first alternative in which this buildpack, alone in its group,
        provides everything it requires and requires everything it provides."""
        for option in [plan] + list(plan.get("or", [])):
            provides = {e["name"] for e in option.get("provides", [])}
            requires = {e["name"] for e in option.get("requires", [])}
            if provides == requires or (not provides and not requires and option is plan):
                return option
        return None

    @staticmethod
    def _buildpack_plan(chosen: dict) -> str:
        import toml
        entries = [{"name": e["name"], "metadata": e.get("metadata", {})} for e in chosen.get("requires", [])]
        return toml.dumps({"entries": entries})

    def restore(self) -> None:
        """Analysis and restore: only what the spec's layer-type table allows."""
        _remove(self.layers_dir)
        self.layers_dir.mkdir(parents=True)
        image_layers = self.image.layers if self.image else {}
        for name, stored in image_layers.items():
            types = stored.types
            if types.get("launch") and not types.get("cache") and not types.get("build"):
                self._restore_metadata(name, stored)
        for name, stored in self.cache.items():
            types = stored.types
            if types.get("launch"):
                # Metadata from the image, contents from the cache: both or neither.
                if name not in image_layers:
                    continue
                self._restore_metadata(name, image_layers[name])
            else:
                self._restore_metadata(name, stored)
            _copy(stored.directory, self.layers_dir / name)
        if self.image and self.image.store_toml:
            (self.layers_dir / "store.toml").write_text(self.image.store_toml)

    def _restore_metadata(self, name: str, stored: StoredLayer) -> None:
        (self.layers_dir / f"{name}.toml").write_text(strip_types(stored.toml_text))
        for file_name, text in stored.sboms.items():
            (self.layers_dir / file_name).write_text(text)

    def check_outputs(self) -> dict:
        """Every TOML file the build wrote, checked against the spec."""
        written = {}
        formats = self.descriptor["buildpack"].get("sbom-formats", [])
        allowed_sbom = tuple(f".sbom.{SBOM_EXTENSIONS[f]}" for f in formats)
        for path in sorted(self.layers_dir.iterdir()):
            if path.is_dir():
                if path.name in RESERVED_LAYER_NAMES:
                    raise SpecViolation(f"a layer may not be named {path.name}")
                if list(path.glob("profile.d")) or list(path.glob("profile.d/*")):
                    raise SpecViolation(f"layer {path.name} has profile.d: environment must come from env files")
                continue
            if ".sbom." in path.name:
                if not path.name.endswith(allowed_sbom):
                    raise SpecViolation(f"{path.name}: SBOM format not declared in buildpack.toml sbom-formats")
                continue
            if not path.name.endswith(".toml"):
                raise SpecViolation(f"unexpected file in the layers directory: {path.name}")
            data = load_toml(path)
            if path.name == "launch.toml":
                validate_launch_toml(data)
            elif path.name == "build.toml":
                validate_build_toml(data)
            elif path.name == "store.toml":
                validate_store_toml(data)
            else:
                validate_layer_toml(path.stem, data)
            written[path.name] = data
        return written

    def export(self, written: Mapping[str, dict]) -> Image:
        """The new image and cache; the previous ones are replaced only now."""
        self._generation += 1
        store = self.store / f"gen{self._generation}"
        image_layers, cache = {}, {}
        for file_name, data in written.items():
            if file_name in ("launch.toml", "build.toml", "store.toml"):
                continue
            name = file_name[:-len(".toml")]
            types = data.get("types", {})
            directory = self.layers_dir / name
            toml_text = (self.layers_dir / file_name).read_text()
            sboms = {p.name: p.read_text() for p in self.layers_dir.glob(f"{name}.sbom.*")}
            if types.get("launch"):
                if directory.is_dir():
                    _copy(directory, store / "image" / name)
                    image_dir = store / "image" / name
                elif self.image and name in self.image.layers and self.image.layers[name].directory:
                    image_dir = self.image.layers[name].directory   # reused from the previous image
                else:
                    raise SpecViolation(f"launch layer {name} has no directory and no previous image layer to reuse")
                image_layers[name] = StoredLayer(image_dir, toml_text, sboms)
            if types.get("cache"):
                if not directory.is_dir():
                    raise SpecViolation(f"cache layer {name} has no contents")
                _copy(directory, store / "cache" / name)
                cache[name] = StoredLayer(store / "cache" / name, toml_text, sboms)
        _copy(self.app_dir, store / "app")
        launch = written.get("launch.toml", {})
        store_toml = (self.layers_dir / "store.toml").read_text() if "store.toml" in written else None
        self.image = Image(store / "app", image_layers, list(launch.get("processes", [])), store_toml)
        self.cache = cache
        return self.image

    # -- stored metadata, for tests that play an older buildpack ----------------------------------------
    def rewrite_stored_toml(self, name: str, text: str) -> None:
        """Replace a layer's stored TOML wherever the next build restores it from."""
        for stored in ([self.image.layers.get(name)] if self.image else []) + [self.cache.get(name)]:
            if stored is not None:
                stored.toml_text = text

    # -- launch ----------------------------------------------------------------------------------
    def lay_out(self) -> Image:
        """The image at its absolute paths, as a container sees it."""
        assert self.image is not None, "no image: the last build failed"
        self.stop_all()
        _remove(self.app_dir)
        _copy(self.image.app_dir, self.app_dir, link=True)
        _remove(self.layers_dir)
        self.layers_dir.mkdir(parents=True)
        for name, stored in self.image.layers.items():
            _copy(stored.directory, self.layers_dir / name, link=True)
        return self.image

    def environment(self, process_type: Optional[str], extra: Optional[Mapping[str, str]] = None) -> dict:
        """The process environment: the container's own, then the buildpack's
        env files, then exec.d output."""
        base = {"PATH": SYSTEM_PATH, "HOME": str(self.root / "home"), **(extra or {})}
        (self.root / "home").mkdir(exist_ok=True)
        layers = [self.layers_dir / name for name in self.image.layers]
        env = launch_environment(layers, process_type, base)
        for layer in sorted(layers, key=lambda p: p.name):
            self._exec_d(layer / "exec.d", env)
        if process_type:
            for layer in sorted(layers, key=lambda p: p.name):
                self._exec_d(layer / "exec.d" / process_type, env)
        return env

    def _exec_d(self, directory: Path, env: dict) -> None:
        if not directory.is_dir():
            return
        for program in sorted(p for p in directory.iterdir() if p.is_file()):
            env.update(run_exec_d(program, env, self.app_dir))

    def _command(self, process: dict) -> tuple:
        command = process["command"] + process.get("args", [])
        working_dir = Path(process.get("working-dir") or self.app_dir)
        return command, working_dir

    def _lookup(self, name: str, env: Mapping[str, str]) -> str:
        if "/" in name:
            return str(self.app_dir / name)   # the launcher resolves it from the app directory
        found = shutil.which(name, path=env.get("PATH", ""))
        if not found:
            raise AssertionError(f"{name} is not on the launch PATH: {env.get('PATH')}")
        return found

    def start(self, process_type: Optional[str] = None, extra_env: Optional[Mapping[str, str]] = None) -> Dyno:
        """Run a process type (the default one unless named) as a container does,
        with PORT set by the platform to a free port."""
        image = self.lay_out()
        kind = process_type or image.default_process
        assert kind, f"no default process in {image.processes}"
        port = free_port()
        env = self.environment(kind, {"PORT": str(port), **(extra_env or {})})
        command, working_dir = self._command(image.process(kind))
        log_path = self.root / f"{kind}.{port}.log"
        with log_path.open("w") as handle:
            process = subprocess.Popen(command, executable=self._lookup(command[0], env), cwd=working_dir,
                                       env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        dyno = Dyno(process, port, log_path)
        self.containers.append(dyno)
        return dyno

    def run(self, argv: Sequence[str], extra_env: Optional[Mapping[str, str]] = None, process_type: Optional[str] = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
        """A one-off command through the launcher (`docker run --entrypoint launcher IMAGE argv`)."""
        self.lay_out()
        env = self.environment(process_type, extra_env)
        return subprocess.run(list(argv), executable=self._lookup(argv[0], env), cwd=self.app_dir, env=env,
                              capture_output=True, text=True, timeout=timeout)

    def stop_all(self) -> None:
        for dyno in self.containers:
            if dyno.process.poll() is None:
                try:
                    os.killpg(dyno.process.pid, 9)
                except ProcessLookupError:
                    pass
                dyno.process.wait()
        self.containers = []

    def cleanup(self) -> None:
        self.stop_all()

