"""Build-speed benchmarks: pybuildpack against the bare installers, in one run.

    python benchmarks/run.py [--apps small,medium,large,getting-started,medium-uv,medium-poetry,medium-pipenv]
                             [--runs 5] [--output PATH]
    make bench

Each app (a lock in benchmarks/apps/<name>/requirements.txt, on the Flask test
fixture or the Django example; or getting-started, a whole Django app with its
Procfile, gunicorn.conf.py and pinned requirements.txt in
benchmarks/apps/getting-started) is built through the Heroku classic harness. Every package comes
from a local simple index that this script fills once (benchmarks/.cache/) and
serves on 127.0.0.1, so the network stays out of the figures. For each app, with
the commands alternating within every round, it measures:

- ours, cold: empty build cache, empty installer cache;
- ours, cold without the prefetch (PYBUILDPACK_NO_PREFETCH=1: the app's wheels
  are then fetched only after CPython is installed), for the overlap's saving;
- ours, no-change rebuild on the warm cache;
- ours, after one package's version changes;
- `uv pip install -r` into a fresh virtualenv with an empty uv cache;
- `pip install --no-cache-dir -r` into a fresh virtualenv (Heroku classic's way);
- the slug's size against the installed packages plus the runtime;
- the time from starting the web process to its first HTTP 200 on the cold
  build's slug (the release process, if the Procfile has one, runs first,
  untimed, as on the platform).

The lock apps (medium-uv, medium-poetry, medium-pipenv: the medium app's
packages declared in a pyproject.toml or Pipfile and locked by uv, Poetry or
Pipenv) are measured instead against their own tool on the same lock, each
installing into a fresh virtualenv with an empty cache: `uv sync --locked`,
`poetry install --only main --no-root`, `pipenv install --deploy`. Poetry and
Pipenv are installed once, at the versions pinned in benchmarks/tools/, into
benchmarks/.cache/tools/. uv.lock and poetry.lock name the local index by its
URL (the one they were locked with), so for the lock apps it
listens on a fixed port, LOCK_INDEX_PORT; Pipfile.lock names it `${BENCH_INDEX_URL}`,
which Pipenv expands from the environment and pybuildpack from the config var
of that name, both set to the index's URL.

To regenerate a lock (after changing the medium app's packages, or the port):
run `python benchmarks/run.py --apps medium,medium-uv,medium-poetry,medium-pipenv --serve`
(it fills the index with the medium app's packages and what the locks name,
and serves it on the fixed port until interrupted), and in the app's
directory, with Python 3.12 first on PATH:

    uv lock                                             # benchmarks/apps/medium-uv
    benchmarks/.cache/tools/poetry/bin/poetry lock      # benchmarks/apps/medium-poetry
    BENCH_INDEX_URL=http://127.0.0.1:58641/simple/ PIPENV_VENV_IN_PROJECT=1 \
        benchmarks/.cache/tools/pipenv/bin/pipenv lock  # benchmarks/apps/medium-pipenv

(then delete the .venv pipenv leaves). The resolvers of uv and Poetry lock for
every platform, so their locks also name tzdata (Django's, on Windows): a new
package of that kind must be put in benchmarks/.cache/wheels by hand (`pip
download --no-deps`) before the first lock; the index is then filled from the locks.

It prints medians and ratios, and writes them with the machine's core count and
memory to benchmarks/results/latest.json. Nothing here is asserted: the numbers
are reported.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "lib")]

from harness import runtimes  # noqa: E402
from harness.heroku import HerokuPlatform  # noqa: E402
from harness.machine import build_machine_env, uv_binary  # noqa: E402

CACHE = ROOT / ".cache"
# Turns the prefetch of wheels during the CPython install off (lib/pybuildpack/steps/prefetch.py).
PREFETCH_OFF = "PYBUILDPACK_NO_PREFETCH"
PYTHON = "3.12"  # the apps pin it; wheels are fetched for it


@dataclass(frozen=True)
class App:
    name: str
    base: str            # the app the lock is installed for, relative to the repository
    bump: tuple          # (package, other version) for the one-change rebuild; () for none
    path: str            # the page whose first 200 is timed
    tool: str = ""       # a lock app's tool ("uv", "poetry", "pipenv"), measured instead of uv pip and pip


APPS = {
    "small": App("small", "tests/fixtures/flask_wsgi", ("markupsafe", "3.0.2"), "/"),
    "medium": App("medium", "examples/django", ("requests", "2.34.1"), "/admin/login/"),
    "large": App("large", "examples/django", ("rich", "14.3.4"), "/admin/login/"),
    # A whole app, not a lock on a base: a Django site in the shape of Heroku's
    # python-getting-started (Procfile with gunicorn.conf.py and a release
    # process, WhiteNoise, dj-database-url, psycopg), written for these benchmarks.
    "getting-started": App("getting-started", "benchmarks/apps/getting-started", ("dj-database-url", "3.1.1"), "/"),
    # The one-package change is not measured for these: it needs a second lock.
    "medium-uv": App("medium-uv", "examples/django", (), "/admin/login/", tool="uv"),
    "medium-poetry": App("medium-poetry", "examples/django", (), "/admin/login/", tool="poetry"),
    "medium-pipenv": App("medium-pipenv", "examples/django", (), "/admin/login/", tool="pipenv"),
}

# The lock apps' files, copied over the base app (whose requirements.txt is removed).
LOCK_FILES = {"uv": ("pyproject.toml", "uv.lock"), "poetry": ("pyproject.toml", "poetry.lock"),
              "pipenv": ("Pipfile", "Pipfile.lock")}
# uv.lock and poetry.lock name the index by URL, so it cannot move: a fixed loopback port.
LOCK_INDEX_PORT = 58641
# Pipfile.lock names it `${BENCH_INDEX_URL}`: Pipenv expands it from the environment,
# pybuildpack from the config var.
INDEX_VAR = "BENCH_INDEX_URL"
# The bare tool each lock app is measured against: its figure's key and label.
BASELINES = {
    "uv": ("uv_sync_baseline", "uv sync --locked (fresh venv, empty cache)", "÷ uv sync"),
    "poetry": ("poetry_baseline", "poetry install --only main --no-root (fresh)", "÷ poetry"),
    "pipenv": ("pipenv_baseline", "pipenv install --deploy (fresh venv, no cache)", "÷ pipenv"),
}

TARGETS = {
    # The build-speed targets (issue 14): against the bare install of the same
    # lock for medium and large; absolute for the small apps, whose bare install
    # takes a fraction of a second and installs no Python.
    "cold ≤ 1.15× uv": lambda r: r["ours_cold"] <= 1.15 * r["uv_baseline"],
    "cold ≤ 2 s": lambda r: r["ours_cold"] <= 2,
    "no-change ≤ 0.6 s and ≤ 0.10× cold": lambda r: r["ours_no_change"] <= min(0.6, 0.10 * r["ours_cold"]),
    "one-package change ≤ 0.25× cold": lambda r: r["ours_one_change"] <= 0.25 * r["ours_cold"],
    "cold ≥ 3× faster than pip (large)": lambda r: r["pip_baseline"] >= 3 * r["ours_cold"],
    "slug ≤ 1.1× packages + runtime": lambda r: r["slug_mb"] <= 1.1 * (r["packages_mb"] + r["runtime_mb"]),
    # The lock apps': against the bare tool on the same lock.
    "cold ≤ 1.2× uv sync": lambda r: r["ours_cold"] <= 1.2 * r["uv_sync_baseline"],
    "cold < poetry install": lambda r: r["ours_cold"] < r["poetry_baseline"],
    "cold < pipenv install": lambda r: r["ours_cold"] < r["pipenv_baseline"],
    "first 200 < 1 s": lambda r: r["first_200"] < 1,
}
# Which targets each kind of app is held to.
LOCK_TARGETS = {"uv": "cold ≤ 1.2× uv sync", "poetry": "cold < poetry install", "pipenv": "cold < pipenv install"}
NO_CHANGE = "no-change ≤ 0.6 s and ≤ 0.10× cold"
SLUG = "slug ≤ 1.1× packages + runtime"


# The apps held to an absolute cold-build time instead of a ratio to uv.
SMALL_APPS = ("small", "getting-started")
# The apps whose web process must answer its first request within a second.
QUICK_START = ("small", "medium", "getting-started")


def targets_for(app: App) -> list:
    if app.tool:
        return [LOCK_TARGETS[app.tool], NO_CHANGE, SLUG]
    targets = ["cold ≤ 2 s" if app.name in SMALL_APPS else "cold ≤ 1.15× uv", NO_CHANGE,
               "one-package change ≤ 0.25× cold", SLUG]
    if app.name == "large":
        targets.append("cold ≥ 3× faster than pip (large)")
    if app.name in QUICK_START:
        targets.append("first 200 < 1 s")
    return targets


# --- the local index -----------------------------------------------------------------

def pinned(lock: Path) -> list:
    """`name==version` lines of a lock, without markers."""
    lines = []
    for line in lock.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line and not line.startswith("-"):
            lines.append(line.split(";")[0].strip())
    return lines


def app_packages(app: App) -> list:
    """`name==version` of every package the app's lock names (for a lock app,
    on every platform: the resolvers read them all, the install skips some)."""
    folder = ROOT / "apps" / app.name
    if not app.tool:
        return pinned(folder / "requirements.txt")
    if app.tool == "pipenv":
        lock = json.loads((folder / "Pipfile.lock").read_text())
        return [f"{name}{entry['version']}" for name, entry in lock["default"].items()]
    import tomllib
    lock = tomllib.loads((folder / LOCK_FILES[app.tool][1]).read_text())
    return [f"{p['name']}=={p['version']}" for p in lock["package"]
            if "virtual" not in p.get("source", {}) and "editable" not in p.get("source", {})]


def production_packages(app: App) -> int:
    """How many packages a production install of the app has."""
    if app.tool in ("uv", "poetry"):
        # The Windows-only ones are in the lock too; the medium app's requirements.txt is not.
        return len(pinned(ROOT / "apps" / "medium" / "requirements.txt"))
    return len(app_packages(app))


def runtime_python(minor: str) -> Path:
    version, prefix = runtimes.pyenv_versions()[minor]
    return prefix / "bin" / "python3"


def fill_wheelhouse(apps: list) -> Path:
    """Download every wheel the apps, their bumps and pybuildpack's own tools need, once."""
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    locked, bumps = [], []
    for app in apps:
        locked += app_packages(app)
        if app.bump:
            bumps.append(f"{app.bump[0]}=={app.bump[1]}")
    stamp = hashlib.sha256("\n".join(sorted(set(locked + bumps))).encode()).hexdigest()[:16]
    done = CACHE / f"wheels.{stamp}.done"
    if done.is_file():
        return wheels
    print(f"Filling the local index with {len(set(locked + bumps))} packages (once)...", flush=True)
    quiet = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    download = ["-m", "pip", "download", "--quiet", "--only-binary=:all:", "--no-deps", "--dest", str(wheels)]
    # pip refuses two pins of one package in one call, so the bumps go separately.
    for batch in (sorted(set(locked)), sorted(set(bumps))):
        if not batch:
            continue
        subprocess.run([str(runtime_python(PYTHON)), *download, *batch], check=True, env=quiet)
    # pybuildpack's own tools, with their hashes checked, for the Python that runs them.
    subprocess.run([str(runtime_python("3.11")), *download, "--require-hashes", "-r",
                    str(REPO / "lib" / "pybuildpack" / "locks" / "tools.txt")], check=True, env=quiet)
    done.write_text("")
    return wheels


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def core_metadata(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return archive.read(name)


def write_simple_index(wheels: Path) -> Path:
    """A PEP 503 index over the wheelhouse: simple/<project>/index.html."""
    simple = CACHE / "simple"
    shutil.rmtree(simple, ignore_errors=True)
    projects: dict = {}
    for wheel in sorted(wheels.glob("*.whl")):
        projects.setdefault(normalize(wheel.name.split("-")[0]), []).append(wheel)
    for project, files in projects.items():
        (simple / project).mkdir(parents=True)
        links = []
        for wheel in files:
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            # PEP 658: the wheel's METADATA beside it, as PyPI serves it, so
            # resolvers need not download whole wheels to read dependencies.
            metadata = core_metadata(wheel)
            (wheels / (wheel.name + ".metadata")).write_bytes(metadata)
            meta_digest = hashlib.sha256(metadata).hexdigest()
            links.append(f'<a href="../../wheels/{html.escape(wheel.name)}#sha256={digest}" '
                         f'data-dist-info-metadata="sha256={meta_digest}" data-core-metadata="sha256={meta_digest}">'
                         f'{html.escape(wheel.name)}</a><br>')
        (simple / project / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    (simple / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(
        f'<a href="{p}/">{p}</a><br>' for p in sorted(projects)) + "\n</body></html>\n")
    return simple


class QuietHandler(SimpleHTTPRequestHandler):
    # Keep-alive, as PyPI does: with HTTP/1.0 every request opens a connection,
    # and uv spends more time waiting on that churn than installing (2.1 s
    # against 0.35 s for the tool environment).
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass


class IndexServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client closing a kept-alive connection is normal, not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def serve_index(port: int = 0) -> tuple:
    """Serve the index on 127.0.0.1: on `port`, or on any free port for 0."""
    try:
        server = IndexServer(("127.0.0.1", port), partial(QuietHandler, directory=str(CACHE)))
    except OSError as exc:
        raise SystemExit(f"Cannot serve the local index on 127.0.0.1:{port} ({exc.strerror}). The lock apps' "
                         f"locks name that port: stop what listens on it (`ss -ltnp 'sport = :{port}'`), "
                         "or change LOCK_INDEX_PORT in benchmarks/run.py and regenerate the locks.")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/simple/"


# --- measurements ----------------------------------------------------------------------

def du_mb(path: Path) -> float:
    """Disk usage in MB, counting hardlinked files once, as a slug tarball would."""
    result = subprocess.run(["du", "-s", "--block-size=1", str(path)], capture_output=True, text=True, check=True)
    return int(result.stdout.split()[0]) / 1e6


# What the runtime itself puts in site-packages (python-build-standalone ships
# pip, and setuptools up to 3.11): part of the runtime, not of the app's packages.
RUNTIME_SEEDS = {"pip", "setuptools", "pkg_resources", "_distutils_hack", "distutils"}


def runtime_mb(prefix: Path) -> float:
    """The slug's CPython: the prefix without the app's packages (the runtime's own pip kept)."""
    site = next(prefix.glob("lib/python3*/site-packages"))
    seeds = [entry for entry in site.iterdir() if entry.name.split("-")[0] in RUNTIME_SEEDS]
    return du_mb(prefix) - du_mb(site) + sum(du_mb(entry) for entry in seeds)


def step_timings(output: str) -> dict:
    """Seconds per `-----> step` from the `Done (Ns)` lines of a build log."""
    timings, step = {}, None
    for line in output.splitlines():
        if line.startswith("-----> "):
            step = line[7:].split(" (")[0]
        match = re.match(r"\s+Done \(([\d.]+)s\)", line)
        if match and step:
            timings[step] = float(match.group(1))
    return timings


def prepare_app(app: App, work: Path, bumped: bool = False) -> Path:
    source = work / f"src-{app.name}{'-bumped' if bumped else ''}"
    if source.exists():
        return source
    shutil.copytree(REPO / app.base, source)
    (source / ".python-version").write_text(PYTHON + "\n")
    if app.tool:
        (source / "requirements.txt").unlink()
        for name in LOCK_FILES[app.tool]:
            shutil.copy2(ROOT / "apps" / app.name / name, source / name)
        return source
    lock = (ROOT / "apps" / app.name / "requirements.txt").read_text()
    if bumped:
        package, version = app.bump
        lock, count = re.subn(rf"(?m)^{re.escape(package)}==\S+", f"{package}=={version}", lock)
        assert count == 1, f"{package} is not pinned in the {app.name} lock"
    (source / "requirements.txt").write_text(lock)
    return source


def settle() -> None:
    """Flush dirty pages, so a measurement does not pay for the writeback of
    the trees the previous one deleted (a fresh build machine would not)."""
    os.sync()


def timed(argv: list, env: dict) -> float:
    settle()
    started = time.monotonic()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.monotonic() - started


def run_quietly(argv: list, env: dict, cwd=None) -> float:
    """Like timed(), but a failure shows the tool's output."""
    settle()
    started = time.monotonic()
    result = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}")
    return seconds


def bare_tool(tool: str) -> Path:
    """The bin directory of Poetry or Pipenv, installed once at the versions
    pinned in benchmarks/tools/<tool>.txt (from PyPI, as a user would)."""
    pins = ROOT / "tools" / f"{tool}.txt"
    stamp = hashlib.sha256(pins.read_bytes()).hexdigest()[:16]
    venv = CACHE / "tools" / tool
    done = venv / f".installed.{stamp}"
    if not done.is_file():
        print(f"Installing {tool} for its baseline (once)...", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([str(runtime_python(PYTHON)), "-m", "venv", str(venv)], check=True)
        quiet = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(pins)], check=True, env=quiet)
        done.write_text("")
    return venv / "bin"


def lock_baseline(app: App, work: Path, source: Path, python: Path, index: str) -> tuple:
    """The app's own tool installing its lock into a fresh virtualenv, with an
    empty cache and a fresh home (no user configuration): seconds, and the
    installed packages' size."""
    project, home = work / f"{app.tool}-project", work / f"{app.tool}-home"
    for path in (project, home):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(source, project)
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k in ("SSL_CERT_FILE", "SSL_CERT_DIR", "LANG")}
    env.update({"HOME": str(home), "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin",
                "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
                "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if app.tool == "uv":
        env.update({"UV_CACHE_DIR": str(home / "uv-cache"), "UV_PROJECT_ENVIRONMENT": str(project / ".venv"),
                    "UV_PYTHON": str(python), "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"})
        argv = [str(uv_binary()), "sync", "--locked"]
    elif app.tool == "poetry":
        env.update({"POETRY_CACHE_DIR": str(home / "poetry-cache"), "POETRY_CONFIG_DIR": str(home / "poetry-config"),
                    "POETRY_VIRTUALENVS_IN_PROJECT": "true", "POETRY_NO_INTERACTION": "1"})
        argv = [str(bare_tool("poetry") / "poetry"), "install", "--only", "main", "--no-root"]
    else:
        env.update({"PIPENV_CACHE_DIR": str(home / "pipenv-cache"), "PIP_CACHE_DIR": str(home / "pip-cache"),
                    "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_IGNORE_VIRTUALENVS": "1", "PIPENV_YES": "1",
                    "PIPENV_NOSPIN": "1", "PIPENV_PYTHON": str(python), INDEX_VAR: index})
        argv = [str(bare_tool("pipenv") / "pipenv"), "install", "--deploy"]
    seconds = run_quietly(argv, env, cwd=project)
    packages = du_mb(next((project / ".venv").glob("lib/python3*/site-packages")))
    for path in (project, home):
        shutil.rmtree(path, ignore_errors=True)
    return seconds, packages


def uv_baseline(app: App, work: Path, index: str, python: Path) -> tuple:
    venv, cache = work / "uv-venv", work / "uv-cache"
    for path in (venv, cache):
        shutil.rmtree(path, ignore_errors=True)
    uv = str(uv_binary())
    env = {**os.environ, "UV_CACHE_DIR": str(cache), "UV_NO_CONFIG": "1", "UV_NO_PROGRESS": "1"}
    subprocess.run([uv, "venv", "--quiet", "--python", str(python), str(venv)], check=True, env=env)
    seconds = timed([uv, "pip", "install", "--python", str(venv / "bin" / "python"), "--index-url", index,
                     "-r", str(ROOT / "apps" / app.name / "requirements.txt")], env)
    packages = du_mb(next(venv.glob("lib/python3*/site-packages")))
    shutil.rmtree(cache, ignore_errors=True)
    return seconds, packages


def pip_baseline(app: App, work: Path, index: str, python: Path) -> float:
    venv = work / "pip-venv"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return timed([str(venv / "bin" / "pip"), "install", "--quiet", "--no-cache-dir", "--index-url", index,
                  "-r", str(ROOT / "apps" / app.name / "requirements.txt")], env)


def release_phase(slug, app: App) -> None:
    """The Procfile's release process, if any (migrations), before the web process starts."""
    try:
        command = slug.command("release")
    except KeyError:
        return
    done = slug.run(command)
    if done.returncode != 0:
        raise RuntimeError(f"{app.name}: the release process `{command}` failed:\n{done.stdout}{done.stderr}")


def first_200(heroku: HerokuPlatform, result, app: App) -> float:
    slug = heroku.deploy(result)
    release_phase(slug, app)
    settle()
    started = time.monotonic()
    dyno = slug.start("web")
    try:
        while True:
            if time.monotonic() - started > 60:
                raise RuntimeError(f"{app.name}: no HTTP 200 within 60 s:\n{dyno.log}")
            try:
                if dyno.get(app.path, timeout=5).status == 200:
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.02)
    finally:
        dyno.terminate()
        shutil.rmtree(slug.app_dir, ignore_errors=True)


def one_round(app: App, round_number: int, work: Path, index: str, downloads: Path) -> dict:
    """Every measurement once, in an order that rotates with the round."""
    root = work / f"round-{round_number}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    env = build_machine_env(root, downloads, installer_cache=None)
    # pybuildpack's own tools come from the local index as well.
    env["UV_DEFAULT_INDEX"] = index
    heroku = HerokuPlatform(root, env)
    # A lock app's lock says where its packages come from (Pipfile.lock: through a config var).
    config = {INDEX_VAR: index} if app.tool == "pipenv" else {} if app.tool else {"PIP_INDEX_URL": index}
    source = prepare_app(app, work)
    bumped = prepare_app(app, work, bumped=True) if app.bump else None
    python = runtime_python(PYTHON)
    figures: dict = {}

    def ours() -> None:
        cache = heroku.new_cache()
        settle()
        cold = heroku.build(source, config=config, cache_dir=cache)
        assert cold.ok, cold.output
        figures["ours_cold"] = cold.duration
        figures["steps_cold"] = step_timings(cold.output)
        figures["slug_mb"] = du_mb(cold.build_dir)
        figures["runtime_mb"] = runtime_mb(cold.build_dir / ".heroku" / "python")
        figures["first_200"] = first_200(heroku, cold, app)
        settle()
        warm = heroku.build(source, config=config, cache_dir=cache)
        assert warm.ok and "Dependencies unchanged" in warm.output, warm.output
        figures["ours_no_change"] = warm.duration
        figures["steps_no_change"] = step_timings(warm.output)
        shutil.rmtree(warm.build_dir, ignore_errors=True)
        if bumped is None:
            shutil.rmtree(cache, ignore_errors=True)
            return
        settle()
        bump = heroku.build(bumped, config=config, cache_dir=cache)
        assert bump.ok, bump.output
        figures["ours_one_change"] = bump.duration
        figures["steps_one_change"] = step_timings(bump.output)
        shutil.rmtree(bump.build_dir, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def no_prefetch() -> None:
        # The same cold build, with the wheels fetched only once CPython is installed.
        cache = heroku.new_cache()
        settle()
        cold = heroku.build(source, config=config, cache_dir=cache, env={PREFETCH_OFF: "1"})
        assert cold.ok, cold.output
        figures["ours_cold_no_prefetch"] = cold.duration
        shutil.rmtree(cold.build_dir, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def uv() -> None:
        figures["uv_baseline"], figures["packages_mb"] = uv_baseline(app, root, index, python)

    def pip() -> None:
        figures["pip_baseline"] = pip_baseline(app, root, index, python)

    def tool() -> None:
        key = BASELINES[app.tool][0]
        figures[key], figures["packages_mb"] = lock_baseline(app, root, source, python, index)

    order = [ours, no_prefetch, tool] if app.tool else [ours, no_prefetch, uv, pip]
    rotation = round_number % len(order)
    for measure in order[rotation:] + order[:rotation]:
        measure()
    if "ours_cold_no_prefetch" in figures:
        # Paired within the round, so the machine's mood at the time cancels out.
        figures["prefetch_saving"] = figures["ours_cold_no_prefetch"] - figures["ours_cold"]
    heroku.cleanup()
    shutil.rmtree(root, ignore_errors=True)
    return figures


# --- report --------------------------------------------------------------------------------

METRICS = [
    ("ours_cold", "pybuildpack cold build", "s"),
    ("ours_cold_no_prefetch", "pybuildpack cold build without the prefetch", "s"),
    ("ours_no_change", "pybuildpack no-change rebuild", "s"),
    ("ours_one_change", "pybuildpack one-package change", "s"),
    ("uv_baseline", "uv pip install -r (fresh venv, empty cache)", "s"),
    ("pip_baseline", "pip install --no-cache-dir -r (fresh venv)", "s"),
    *((key, label, "s") for key, label, _ in BASELINES.values()),
    ("first_200", "web process start to first HTTP 200", "s"),
    ("slug_mb", "slug size", "MB"),
    ("packages_mb", "installed packages alone", "MB"),
    ("runtime_mb", "Python runtime", "MB"),
]


def summarize(rounds: list) -> dict:
    medians = {}
    for key, _, _ in METRICS:
        values = [r[key] for r in rounds if key in r]
        if values:
            medians[key] = statistics.median(values)
    savings = [r["prefetch_saving"] for r in rounds if "prefetch_saving" in r]
    if savings:
        medians["prefetch_saving"] = statistics.median(savings)
    for kind in ("steps_cold", "steps_no_change", "steps_one_change"):
        steps: dict = {}
        for r in rounds:
            for step, seconds in r.get(kind, {}).items():
                steps.setdefault(step, []).append(seconds)
        medians[kind] = {step: statistics.median(v) for step, v in steps.items()}
    return medians


def table(results: dict) -> str:
    # Ratio columns: ours ÷ each baseline measured (uv and pip for the
    # requirements.txt apps, the app's own tool for the lock apps).
    columns = [(key, title) for key, title in [("uv_baseline", "÷ uv"), ("pip_baseline", "÷ pip"),
                                               *((k, t) for k, _, t in BASELINES.values())]
               if any(key in data["median"] for data in results["apps"].values())]
    width = max([7, *(len(name) for name in results["apps"])])
    header = f"{'app':<{width}} {'measure':<46} {'median':>9}" + "".join(f" {t:>{max(7, len(t))}}" for _, t in columns)
    header += f" {SAVING_TITLE:>{SAVING_WIDTH}}"
    lines = [header, "-" * max(80, len(header))]
    for name, data in results["apps"].items():
        m = data["median"]
        for key, label, unit in METRICS:
            if key not in m:
                continue
            value = f"{m[key]:.2f} {unit}" if unit == "s" else f"{m[key]:.1f} {unit}"
            ratios = ""
            for baseline, title in columns:
                ratio = f"{m[key] / m[baseline]:.2f}×" if key.startswith("ours_") and baseline in m else ""
                ratios += f" {ratio:>{max(7, len(title))}}"
            ratios += f" {saving(m) if key == 'ours_cold' else '':>{SAVING_WIDTH}}"
            lines.append(f"{name:<{width}} {label:<46} {value:>9}{ratios}")
            name = ""
        verdicts = [f"{target}: {'met' if met else 'MISSED'}" for target, met in data["targets"].items()]
        lines.append(f"{'':<{width}} targets: " + "; ".join(verdicts))
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in m.get("steps_cold", {}).items())
        lines.append(f"{'':<{width}} cold steps: {steps}")
        lines.append("")
    return "\n".join(lines)


SAVING_TITLE = "prefetch saved"
SAVING_WIDTH = 18


def saving(medians: dict) -> str:
    """The overlap's saving on the cold build: the median of each round's
    (without − with) in seconds, and without ÷ with of the medians."""
    if "prefetch_saving" not in medians or "ours_cold_no_prefetch" not in medians:
        return ""
    ratio = medians["ours_cold_no_prefetch"] / medians["ours_cold"]
    return f"{medians['prefetch_saving']:+.2f} s ({ratio:.2f}×)"


def machine() -> dict:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "machine": platform.machine(), "python_for_apps": PYTHON}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "results" / "latest.json")
    parser.add_argument("--serve", action="store_true",
                        help="fill the index for the apps and serve it on the lock apps' port until interrupted "
                             "(to regenerate their locks)")
    args = parser.parse_args(argv)
    apps = [APPS[name] for name in args.apps.split(",")]
    write_simple_index(fill_wheelhouse(apps))
    if args.serve:
        server, index = serve_index(LOCK_INDEX_PORT)
        print(f"Serving {index} (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            return 0
    downloads = runtimes.downloads_json()
    # The lock apps' locks name the index's URL; the others get any free port.
    server, index = serve_index(LOCK_INDEX_PORT if any(app.tool for app in apps) else 0)
    results = {"machine": machine(), "runs": args.runs, "apps": {}}
    work = Path(tempfile.mkdtemp(prefix="pybuildpack-bench-"))
    try:
        for app in apps:
            rounds = []
            for number in range(args.runs):
                print(f"{app.name}: round {number + 1} of {args.runs}", flush=True)
                rounds.append(one_round(app, number, work, index, downloads))
            results["apps"][app.name] = {"app": app.name, "packages": production_packages(app),
                                         "median": summarize(rounds), "rounds": rounds}
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    for data in results["apps"].values():
        data["targets"] = {t: bool(TARGETS[t](data["median"])) for t in targets_for(APPS[data["app"]])}
    print()
    print(table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
