"""A Heroku classic platform for tests, following the buildpack API contract.

- The app is copied to a `/tmp/build_<hex>`-style directory, and the shipped
  `bin/detect BUILD_DIR`, `bin/compile BUILD_DIR CACHE_DIR ENV_DIR` and
  `bin/release BUILD_DIR` run with a clean environment (config vars only in
  ENV_DIR, as on Heroku).
- The slug is then moved to another directory that plays `/app` (HOME points
  there), `.profile.d/*.sh` is sourced, and the process command (Procfile
  entry, else the release's default_process_types) runs under `bash -c` with
  PORT set and the config vars in the environment, as a dyno does.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from pybuildpack.cache import copy_tree

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / "bin"
from .machine import SYSTEM_PATH


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_release(yaml_text: str) -> dict:
    """default_process_types from bin/release's YAML (our output is a small,
    fixed shape: `name: "json string"` lines under the key)."""
    processes, inside = {}, False
    for line in yaml_text.splitlines():
        if line.startswith("default_process_types:"):
            inside = line.split(":", 1)[1].strip() != "{}"
            continue
        if inside and line.startswith("  ") and ":" in line:
            name, value = line.strip().split(":", 1)
            value = value.strip()
            processes[name] = json.loads(value) if value.startswith('"') else value
    return processes


def parse_procfile(path: Path) -> dict:
    processes = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip() and not line.strip().startswith("#") and ":" in line:
                name, command = line.split(":", 1)
                processes[name.strip()] = command.strip()
    return processes


def slug_site_packages(slug_or_dir) -> Path:
    """site-packages of a slug's Python (a Slug, or a build or app directory)."""
    root = getattr(slug_or_dir, "app_dir", slug_or_dir)
    return next((root / ".heroku" / "python" / "lib").glob("python3*/site-packages"))


def slug_distributions(slug_or_dir) -> set:
    """The names of the distributions installed in a slug, normalized as PEP 503
    does (lower case, `_` as `-`): `python_dotenv-1.0.dist-info` is `python-dotenv`."""
    return {p.name.split("-")[0].lower().replace("_", "-") for p in slug_site_packages(slug_or_dir).glob("*.dist-info")}



def serve_root(heroku, result, text: str):
    """Deploy `result`, check its web process answers `/` with 200 and `text`
    and stops on SIGTERM; return the slug."""
    slug = heroku.deploy(result)
    dyno = slug.start()
    reply = dyno.wait_until_serving("/")
    assert (reply.status, reply.text) == (200, text)
    assert dyno.terminate() == 0
    return slug


@dataclass
class BuildResult:
    build_dir: Path
    detect_returncode: int
    detect_output: str
    returncode: int
    output: str
    release: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def default_processes(self) -> dict:
        return parse_release(self.release)


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Dyno:
    """A running process of a slug."""

    process: subprocess.Popen
    port: int
    log_path: Path

    def get(self, path: str, timeout: float = 10.0, headers: Optional[Mapping[str, str]] = None) -> Response:
        """GET `path`; `headers` may name the Host the request is for (as a router passes it on)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until_serving(self, path: str = "/", timeout: float = 45.0) -> Response:
        deadline = time.monotonic() + timeout
        last_error: Optional[Exception] = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"process exited with {self.process.returncode} before serving:\n{self.log}")
            try:
                return self.get(path, timeout=5)
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as error:
                last_error = error
                time.sleep(0.2)
        raise AssertionError(f"nothing served {path} within {timeout}s ({last_error}):\n{self.log}")

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM the process group, as the dyno manager does; SIGKILL after `timeout`."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                raise AssertionError(f"process ignored SIGTERM for {timeout}s:\n{self.log}")
        return self.process.returncode

    def stops_on_sigterm(self) -> bool:
        """True when SIGTERM ended the process without a SIGKILL: it exited 0
        (it handled the signal) or died of SIGTERM itself (no handler)."""
        return self.terminate() in (0, -signal.SIGTERM)


@dataclass
class Slug:
    """A compiled app moved to the directory that plays /app."""

    app_dir: Path
    config: dict
    default_processes: dict
    dynos: list = field(default_factory=list)

    def command(self, process_type: str) -> str:
        procfile = parse_procfile(self.app_dir / "Procfile")
        if process_type in procfile:
            return procfile[process_type]
        if process_type in self.default_processes:
            return self.default_processes[process_type]
        raise KeyError(f"no {process_type} process (Procfile: {procfile}, defaults: {self.default_processes})")

    def environment(self, port: Optional[int] = None, extra: Optional[Mapping[str, str]] = None) -> dict:
        env = {"HOME": str(self.app_dir), "PATH": SYSTEM_PATH, "DYNO": "web.1", **self.config}
        if port is not None:
            env["PORT"] = str(port)
        env.update(extra or {})
        return env

    def run(self, command: str, extra_env: Optional[Mapping[str, str]] = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """A one-off command, as `heroku run` runs it (profile sourced, in /app)."""
        script = 'cd "$HOME"; for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; ' + command
        return subprocess.run(["bash", "-c", script], env=self.environment(extra=extra_env), cwd=self.app_dir,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, process_type: str = "web", extra_env: Optional[Mapping[str, str]] = None) -> Dyno:
        port = free_port()
        command = self.command(process_type)
        script = 'cd "$HOME"; for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; ' + command
        log_path = self.app_dir.parent / f"{self.app_dir.name}.{process_type}.{port}.log"
        handle = log_path.open("w")
        process = subprocess.Popen(["bash", "-c", script], env=self.environment(port, extra_env), cwd=self.app_dir,
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        dyno = Dyno(process, port, log_path)
        self.dynos.append(dyno)
        return dyno

    def stop_all(self) -> None:
        for dyno in self.dynos:
            if dyno.process.poll() is None:
                try:
                    os.killpg(dyno.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                dyno.process.wait()


def copy_entry(source: str, target: str) -> None:
    """copytree's copy, which also copies a named pipe (as a new, empty one):
    the bad-input corpus builds apps whose dependency file is a FIFO."""
    if stat.S_ISFIFO(os.lstat(source).st_mode):
        os.mkfifo(target)
        return
    shutil.copy2(source, target)


_TOOLS: dict = {}


def seeded_tools(env: Mapping[str, str]) -> Optional[Path]:
    """The `tools` directory of a cache in which the real bootstrap prepared
    pybuildpack's tool environment (`bin/pybuildpack --version`), once per test
    process and build machine, byte-compiled as a build leaves it; None when
    the build machine downloads uv itself (its path is part of the
    environment's key). Setting the tools up takes a cold build 0.3 to 1 s of
    uv runs and some 300 files; most test builds are not about that."""
    key = (env.get("PATH"), env.get("PYBUILDPACK_UV"), env.get("PYBUILDPACK_INSTALLER_CACHE_DIR"))
    if not key[1]:
        return None
    if key not in _TOOLS:
        root = Path(tempfile.mkdtemp(prefix="pybuildpack-tools-"))
        atexit.register(shutil.rmtree, root, True)
        made = subprocess.run([str(BIN / "pybuildpack"), "--version"], env={**env, "PYBUILDPACK_CACHE_DIR": str(root)},
                              capture_output=True, text=True)
        assert made.returncode == 0, made.stdout + made.stderr
        for python in (root / "tools").glob("*/bin/python"):
            subprocess.run([str(python), "-m", "compileall", "-q", str(python.parent.parent / "lib")], check=True)
        _TOOLS[key] = root / "tools"
    return _TOOLS[key]


class HerokuPlatform:
    """Builds fixture apps the way Heroku's build system does."""

    def __init__(self, root: Path, base_env: Mapping[str, str]) -> None:
        self.root = root
        self.base_env = dict(base_env)
        self.slugs: list = []

    def new_cache(self, tools: bool = True) -> Path:
        """A new, empty build cache; with `tools`, holding pybuildpack's tool
        environment as the cache of any app built before does (see
        seeded_tools): tests about preparing the tools pass False."""
        path = self.root / f"cache_{secrets.token_hex(4)}"
        path.mkdir(parents=True)
        template = seeded_tools(self.base_env) if tools else None
        if template is not None:
            (path / "pybuildpack").mkdir()
            copy_tree(template, path / "pybuildpack" / "tools")   # hardlinked, as a build caches environments
        return path

    def _prepare(self, source: Path, config: Optional[Mapping[str, str]], cache_dir: Optional[Path],
                 env: Optional[Mapping[str, str]]) -> tuple:
        """(build_dir, cache_dir, env_dir, environment) for one bin/compile: the app
        copied to a new build directory, the config vars one file each in ENV_DIR."""
        build_dir = self.root / f"build_{secrets.token_hex(8)}"
        shutil.copytree(source, build_dir, symlinks=True, copy_function=copy_entry)
        env_dir = self.root / f"env_{secrets.token_hex(4)}"
        env_dir.mkdir()
        for name, value in (config or {}).items():
            (env_dir / name).write_text(value)
        return build_dir, cache_dir or self.new_cache(), env_dir, {**self.base_env, **(env or {})}

    def build(self, source: Path, config: Optional[Mapping[str, str]] = None, cache_dir: Optional[Path] = None,
              env: Optional[Mapping[str, str]] = None, timeout: float = 600) -> BuildResult:
        build_dir, cache_dir, env_dir, child_env = self._prepare(source, config, cache_dir, env)
        detect = subprocess.run([str(BIN / "detect"), str(build_dir)], env=child_env, capture_output=True, text=True)
        if detect.returncode != 0:
            return BuildResult(build_dir, detect.returncode, detect.stdout + detect.stderr, detect.returncode, "")
        started = time.monotonic()
        compile_ = subprocess.run([str(BIN / "compile"), str(build_dir), str(cache_dir), str(env_dir)],
                                  env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=timeout)
        duration = time.monotonic() - started
        result = BuildResult(build_dir, 0, detect.stdout, compile_.returncode, compile_.stdout, duration=duration)
        if compile_.returncode == 0:
            release = subprocess.run([str(BIN / "release"), str(build_dir)], env=child_env, capture_output=True,
                                     text=True, check=True)
            result.release = release.stdout
        return result

    def test_compile(self, source: Path, config: Optional[Mapping[str, str]] = None,
                     cache_dir: Optional[Path] = None, env: Optional[Mapping[str, str]] = None,
                     timeout: float = 600) -> BuildResult:
        """Heroku CI's build: `bin/test-compile BUILD_DIR CACHE_DIR ENV_DIR` where
        bin/compile would run (then CI runs the app's test script in the result)."""
        build_dir, cache_dir, env_dir, child_env = self._prepare(source, config, cache_dir, env)
        started = time.monotonic()
        compile_ = subprocess.run([str(BIN / "test-compile"), str(build_dir), str(cache_dir), str(env_dir)],
                                  env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=timeout)
        return BuildResult(build_dir, 0, "", compile_.returncode, compile_.stdout,
                           duration=time.monotonic() - started)

    def build_killed_at(self, source: Path, step: str, config: Optional[Mapping[str, str]] = None,
                        cache_dir: Optional[Path] = None, env: Optional[Mapping[str, str]] = None,
                        timeout: float = 600) -> BuildResult:
        """Run bin/compile as `build` does, reading its output as it streams, and
        SIGKILL its whole process group (compile, uv, Python, collectstatic) as
        soon as a `-----> ` header starting with `step` appears: a deploy
        cancelled, or a build machine lost, at that moment. The result's
        returncode is -SIGKILL then; if the step never came, the build ran to
        its end and the result is that of an ordinary build (the caller asserts)."""
        build_dir, cache_dir, env_dir, child_env = self._prepare(source, config, cache_dir, env)
        started = time.monotonic()
        process = subprocess.Popen([str(BIN / "compile"), str(build_dir), str(cache_dir), str(env_dir)],
                                   env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        seen = []
        timer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGKILL))
        timer.start()
        try:
            for line in process.stdout:
                seen.append(line)
                if line.startswith("-----> " + step):
                    os.killpg(process.pid, signal.SIGKILL)
                    break
            process.stdout.close()
            process.wait()
        finally:
            timer.cancel()
        return BuildResult(build_dir, 0, "", process.returncode, "".join(seen),
                           duration=time.monotonic() - started)

    def deploy(self, result: BuildResult, config: Optional[Mapping[str, str]] = None) -> Slug:
        """Move the slug to the directory that plays /app, as the slug compiler
        and dyno manager do (the build directory no longer exists)."""
        assert result.ok, result.output
        app_dir = self.root / f"app_{secrets.token_hex(8)}"
        shutil.move(str(result.build_dir), app_dir)
        slug = Slug(app_dir, dict(config or {}), result.default_processes)
        self.slugs.append(slug)
        return slug

    def cleanup(self) -> None:
        for slug in self.slugs:
            slug.stop_all()
