"""A Source-to-Image build for tests, following the s2i contract with no container runtime.

- build: the app is copied to a fresh source directory (plays /tmp/src); the
  shipped `s2i/bin/assemble` runs in a fresh "image" (its app directory plays
  /opt/app-root/src, the WORKDIR and cwd) with the build's environment
  (`s2i build -e`) and the PYBUILDPACK_S2I_* variables pointing at those
  directories, as a builder image's ENV would. `.s2i/environment` is left for
  the scripts to read (the real s2i also passes it in the environment).
- incremental: `s2i/bin/save-artifacts` runs against the previous image; its
  stdout must be a tar and nothing else; it is unpacked into a fresh
  artifacts directory (plays /tmp/artifacts) before assemble.
- run: `s2i/bin/run` starts in a fresh, empty cwd, PORT unset, with the image's
  environment (the build's `-e` variables and .s2i/environment, which s2i
  bakes into the image). It runs in a private network namespace (`unshare -n`,
  `lo` up; as a user that is not root, inside a user namespace too), so every
  test's server can have port 8080; requests are made from inside that
  namespace with `nsenter`.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from .heroku import REPO, Response, copy_entry
from .machine import SYSTEM_PATH

S2I_BIN = REPO / "s2i" / "bin"
PORT = 8080
# A network namespace of its own needs root, or (on CI runners) a user namespace mapping us to root in it.
ROOT = os.geteuid() == 0
UNSHARE = ["unshare", "--net"] if ROOT else ["unshare", "--user", "--map-root-user", "--net"]

# Runs inside the server's network namespace: GET a URL, print the reply as JSON.
_CLIENT = """\
import base64, json, sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])) as reply:
        status, headers, body = reply.status, dict(reply.headers.items()), reply.read()
except urllib.error.HTTPError as error:
    status, headers, body = error.code, dict(error.headers.items()), error.read()
except Exception as error:
    print(repr(error))
    sys.exit(3)
print(json.dumps({"status": status, "headers": headers, "body": base64.b64encode(body).decode()}))
"""


def read_environment_file(app_dir: Path) -> dict:
    """.s2i/environment as s2i reads it (NAME=value, values as they are)."""
    path = app_dir / ".s2i" / "environment"
    values = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip() and not line.strip().startswith("#") and "=" in line:
                name, value = line.strip().split("=", 1)
                values[name.strip()] = value
    return values


@dataclass
class Image:
    """What one assemble left: the directories that play /opt/app-root."""

    root: Path
    env: dict                 # the build's -e variables and .s2i/environment: the image's ENV

    @property
    def app_dir(self) -> Path:
        return self.root / "src"

    @property
    def home(self) -> Path:
        return self.root / "pybuildpack"

    def paths_env(self, cache: Path) -> dict:
        return {"PYBUILDPACK_S2I_APP": str(self.app_dir), "PYBUILDPACK_S2I_HOME": str(self.home),
                "PYBUILDPACK_S2I_CACHE": str(cache)}


@dataclass
class S2iBuild:
    image: Image
    returncode: int
    output: str
    artifacts: Optional[bytes] = None     # the tar save-artifacts wrote, on an incremental build
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Container:
    """The run script's process, in its own network namespace."""

    process: subprocess.Popen
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def get(self, path: str = "/", timeout: float = 10.0) -> Response:
        """GET http://127.0.0.1:8080<path> from inside the container's network namespace."""
        pid = self.process.pid
        enter = ["nsenter", f"--net=/proc/{pid}/ns/net"] if ROOT else \
            ["nsenter", "--preserve-credentials", f"--user=/proc/{pid}/ns/user", f"--net=/proc/{pid}/ns/net"]
        result = subprocess.run([*enter, sys.executable, "-c", _CLIENT, f"http://127.0.0.1:{PORT}{path}", str(timeout)],
                                capture_output=True, text=True, timeout=timeout + 10)
        if result.returncode != 0:
            raise ConnectionError(result.stdout + result.stderr)
        reply = json.loads(result.stdout)
        return Response(reply["status"], {k.lower(): v for k, v in reply["headers"].items()},
                        base64.b64decode(reply["body"]))

    def wait_until_serving(self, path: str = "/", timeout: float = 60.0) -> Response:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"run exited with {self.process.returncode} before serving:\n{self.log}")
            try:
                return self.get(path, timeout=5)
            except (ConnectionError, subprocess.TimeoutExpired) as error:
                last = str(error)
                time.sleep(0.3)
        raise AssertionError(f"nothing served {path} on port {PORT} within {timeout}s ({last}):\n{self.log}")

    def command_line(self) -> list:
        """The argv of the process s2i started (the run script, unless it exec'd something else)."""
        return Path(f"/proc/{self.process.pid}/cmdline").read_bytes().decode(errors="replace").split("\0")

    def cwd(self) -> Path:
        return Path(os.readlink(f"/proc/{self.process.pid}/cwd"))

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()


class S2iPlatform:
    """Builds fixture apps as `s2i build [--incremental]` does, and runs their images."""

    def __init__(self, root: Path, base_env: Mapping[str, str]) -> None:
        self.root = root
        self.base_env = dict(base_env)
        # uv and pybuildpack's tools: a builder image has them in it, so every build shares them.
        self.cache = root / "builder-cache"
        self.containers: list = []

    def _fresh(self, name: str) -> Path:
        path = self.root / f"{name}_{secrets.token_hex(6)}"
        path.mkdir(parents=True)
        return path

    def save_artifacts(self, image: Image) -> subprocess.CompletedProcess:
        env = {**self.base_env, **image.env, **image.paths_env(self.cache), "HOME": str(image.app_dir)}
        return subprocess.run([str(S2I_BIN / "save-artifacts")], env=env, cwd=image.app_dir, capture_output=True,
                              timeout=300)

    def build(self, source: Path, env: Optional[Mapping[str, str]] = None, incremental: Optional[Image] = None,
              timeout: float = 600) -> S2iBuild:
        image = Image(self._fresh("image"), {**read_environment_file(source), **(env or {})})
        image.app_dir.mkdir()
        src = self.root / f"src_{secrets.token_hex(6)}"
        shutil.copytree(source, src, symlinks=True, copy_function=copy_entry)
        artifacts_dir = self.root / f"artifacts_{secrets.token_hex(6)}"    # absent: not incremental
        tar_bytes = None
        if incremental is not None:
            saved = self.save_artifacts(incremental)
            assert saved.returncode == 0, saved.stderr.decode(errors="replace")
            tar_bytes = saved.stdout
            artifacts_dir.mkdir()
            with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
                tar.extractall(artifacts_dir)
        child_env = {**self.base_env, **(env or {}), **image.paths_env(self.cache),
                     "PYBUILDPACK_S2I_SOURCE": str(src), "PYBUILDPACK_S2I_ARTIFACTS": str(artifacts_dir),
                     "HOME": str(image.app_dir)}
        started = time.monotonic()
        result = subprocess.run([str(S2I_BIN / "assemble")], env=child_env, cwd=image.app_dir,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        shutil.rmtree(artifacts_dir, ignore_errors=True)
        return S2iBuild(image, result.returncode, result.stdout, tar_bytes, time.monotonic() - started)

    def start(self, image: Image, extra_env: Optional[Mapping[str, str]] = None) -> Container:
        """`docker run IMAGE`: the run script in a fresh cwd, PORT unset, its own network namespace."""
        cwd = self._fresh("cwd")
        env = {"PATH": SYSTEM_PATH, "HOME": str(image.app_dir), "LANG": "C.UTF-8", **image.env,
               **image.paths_env(self.cache), **(extra_env or {})}
        env.pop("PORT", None)
        log_path = self.root / f"run_{secrets.token_hex(4)}.log"
        with log_path.open("w") as handle:
            # unshare and bash exec in turn: the process s2i started is the run script, then what it execs.
            process = subprocess.Popen(
                [*UNSHARE, "bash", "-c", 'ip link set lo up && exec "$0"', str(S2I_BIN / "run")],
                env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        container = Container(process, log_path)
        self.containers.append(container)
        return container

    def cleanup(self) -> None:
        for container in self.containers:
            container.stop()
