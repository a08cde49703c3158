"""Build-speed benchmarks: pybuildpack against the bare installers, in one run.

    python benchmarks/run.py [--apps small,medium,large] [--runs 5] [--output PATH]
    make bench

Each app (a lock in benchmarks/apps/<name>/requirements.txt, on the Flask test
fixture or the Django example) is built through the Heroku classic harness. Every package comes
from a local simple index that this script fills once (benchmarks/.cache/) and
serves on 127.0.0.1, so the network stays out of the figures. For each app, with
the commands alternating within every round, it measures:

- ours, cold: empty build cache, empty installer cache;
- ours, no-change rebuild on the warm cache;
- ours, after one package's version changes;
- `uv pip install -r` into a fresh virtualenv with an empty uv cache;
- `pip install --no-cache-dir -r` into a fresh virtualenv (Heroku classic's way);
- the slug's size against the installed packages plus the runtime;
- the time from starting the web process to its first HTTP 200.

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
PYTHON = "3.12"  # the apps pin it; wheels are fetched for it


@dataclass(frozen=True)
class App:
    name: str
    base: str            # the app the lock is installed for, relative to the repository
    bump: tuple          # (package, other version) for the one-change rebuild
    path: str            # the page whose first 200 is timed


APPS = {
    "small": App("small", "tests/fixtures/flask_wsgi", ("markupsafe", "3.0.2"), "/"),
    "medium": App("medium", "examples/django", ("requests", "2.34.1"), "/admin/login/"),
    "large": App("large", "examples/django", ("rich", "14.3.4"), "/admin/login/"),
}

TARGETS = {
    "cold ≤ 1.2× uv": lambda r: r["ours_cold"] <= 1.2 * r["uv_baseline"],
    "no-change < 2 s and < 0.15× cold": lambda r: r["ours_no_change"] < 2 and r["ours_no_change"] < 0.15 * r["ours_cold"],
    "cold ≥ 3× faster than pip (large)": lambda r: r["pip_baseline"] >= 3 * r["ours_cold"],
    "slug ≤ 1.1× packages + runtime": lambda r: r["slug_mb"] <= 1.1 * (r["packages_mb"] + r["runtime_mb"]),
}


# --- the local index -----------------------------------------------------------------

def pinned(lock: Path) -> list:
    """`name==version` lines of a lock, without markers."""
    lines = []
    for line in lock.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line and not line.startswith("-"):
            lines.append(line.split(";")[0].strip())
    return lines


def runtime_python(minor: str) -> Path:
    version, prefix = runtimes.pyenv_versions()[minor]
    return prefix / "bin" / "python3"


def fill_wheelhouse(apps: list) -> Path:
    """Download every wheel the apps, their bumps and pybuildpack's own tools need, once."""
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    locked, bumps = [], []
    for app in apps:
        locked += pinned(ROOT / "apps" / app.name / "requirements.txt")
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


def serve_index() -> tuple:
    server = IndexServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(CACHE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/simple/"


# --- measurements ----------------------------------------------------------------------

def du_mb(path: Path) -> float:
    """Disk usage in MB, counting hardlinked files once, as a slug tarball would."""
    result = subprocess.run(["du", "-s", "--block-size=1", str(path)], capture_output=True, text=True, check=True)
    return int(result.stdout.split()[0]) / 1e6


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
    lock = (ROOT / "apps" / app.name / "requirements.txt").read_text()
    if bumped:
        package, version = app.bump
        lock, count = re.subn(rf"(?m)^{re.escape(package)}==\S+", f"{package}=={version}", lock)
        assert count == 1, f"{package} is not pinned in the {app.name} lock"
    (source / "requirements.txt").write_text(lock)
    (source / ".python-version").write_text(PYTHON + "\n")
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


def first_200(heroku: HerokuPlatform, result, app: App) -> float:
    slug = heroku.deploy(result)
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
    config = {"PIP_INDEX_URL": index}
    source, bumped = prepare_app(app, work), prepare_app(app, work, bumped=True)
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
        figures["runtime_mb"] = du_mb(cold.build_dir / ".heroku" / "python") - du_mb(
            next((cold.build_dir / ".heroku" / "python").glob("lib/python3*/site-packages")))
        figures["first_200"] = first_200(heroku, cold, app)
        settle()
        warm = heroku.build(source, config=config, cache_dir=cache)
        assert warm.ok and "Dependencies unchanged" in warm.output, warm.output
        figures["ours_no_change"] = warm.duration
        figures["steps_no_change"] = step_timings(warm.output)
        shutil.rmtree(warm.build_dir, ignore_errors=True)
        settle()
        bump = heroku.build(bumped, config=config, cache_dir=cache)
        assert bump.ok, bump.output
        figures["ours_one_change"] = bump.duration
        figures["steps_one_change"] = step_timings(bump.output)
        shutil.rmtree(bump.build_dir, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def uv() -> None:
        figures["uv_baseline"], figures["packages_mb"] = uv_baseline(app, root, index, python)

    def pip() -> None:
        figures["pip_baseline"] = pip_baseline(app, root, index, python)

    order = [ours, uv, pip]
    rotation = round_number % len(order)
    for measure in order[rotation:] + order[:rotation]:
        measure()
    heroku.cleanup()
    shutil.rmtree(root, ignore_errors=True)
    return figures


# --- report --------------------------------------------------------------------------------

METRICS = [
    ("ours_cold", "pybuildpack cold build", "s"),
    ("ours_no_change", "pybuildpack no-change rebuild", "s"),
    ("ours_one_change", "pybuildpack one-package change", "s"),
    ("uv_baseline", "uv pip install -r (fresh venv, empty cache)", "s"),
    ("pip_baseline", "pip install --no-cache-dir -r (fresh venv)", "s"),
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
    for kind in ("steps_cold", "steps_no_change", "steps_one_change"):
        steps: dict = {}
        for r in rounds:
            for step, seconds in r.get(kind, {}).items():
                steps.setdefault(step, []).append(seconds)
        medians[kind] = {step: statistics.median(v) for step, v in steps.items()}
    return medians


def table(results: dict) -> str:
    lines = [f"{'app':<7} {'measure':<46} {'median':>9} {'÷ uv':>7} {'÷ pip':>7}", "-" * 80]
    for name, data in results["apps"].items():
        m = data["median"]
        for key, label, unit in METRICS:
            if key not in m:
                continue
            value = f"{m[key]:.2f} {unit}" if unit == "s" else f"{m[key]:.1f} {unit}"
            ratio_uv = ratio_pip = ""
            if key.startswith("ours_"):
                ratio_uv = f"{m[key] / m['uv_baseline']:.2f}×"
                ratio_pip = f"{m[key] / m['pip_baseline']:.2f}×"
            lines.append(f"{name:<7} {label:<46} {value:>9} {ratio_uv:>7} {ratio_pip:>7}")
            name = ""
        verdicts = []
        for target, check in TARGETS.items():
            if "(large)" in target and data["app"] != "large":
                continue
            verdicts.append(f"{target}: {'met' if check(m) else 'MISSED'}")
        lines.append(f"{'':<7} targets: " + "; ".join(verdicts))
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in m.get("steps_cold", {}).items())
        lines.append(f"{'':<7} cold steps: {steps}")
        lines.append("")
    return "\n".join(lines)


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
    parser.add_argument("--apps", default="small,medium,large")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "results" / "latest.json")
    args = parser.parse_args(argv)
    apps = [APPS[name] for name in args.apps.split(",")]
    downloads = runtimes.downloads_json()
    write_simple_index(fill_wheelhouse(apps))
    server, index = serve_index()
    results = {"machine": machine(), "runs": args.runs, "apps": {}}
    work = Path(tempfile.mkdtemp(prefix="pybuildpack-bench-"))
    try:
        for app in apps:
            rounds = []
            for number in range(args.runs):
                print(f"{app.name}: round {number + 1} of {args.runs}", flush=True)
                rounds.append(one_round(app, number, work, index, downloads))
            results["apps"][app.name] = {"app": app.name, "packages": len(pinned(ROOT / "apps" / app.name / "requirements.txt")),
                                         "median": summarize(rounds), "rounds": rounds}
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    for data in results["apps"].values():
        data["targets"] = {t: bool(check(data["median"])) for t, check in TARGETS.items()
                           if "(large)" not in t or data["app"] == "large"}
    print()
    print(table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
