"""Serve benchmarks: the default web process against hand-tuned servers, on the same built app.

    python benchmarks/serve.py [--cases flask-page,flask-json,django-static,asgi-json,asgi-page]
                               [--rounds 5] [--duration 10] [--connections 200]
                               [--sweep 4,16,32] [--server NAME=COMMAND] [--no-sigterm] [--output PATH]
    make bench-serve

Each app (benchmarks/apps/serve-flask, the README's Django example, and
benchmarks/apps/serve-asgi, a Starlette app) is built once through the shipped
bin/detect, bin/compile and bin/release (the Heroku classic harness) and moved
to the directory that plays /app. Every server then runs on that same slug the
way a dyno runs a process: `.profile.d` sourced (PATH, WEB_CONCURRENCY from the
machine's CPUs and memory, the Django settings wrapper), PORT set, under bash.

Per case, every server is started once, warmed up, and driven by `wrk` at
`--connections` connections for `--duration` seconds per round, the servers'
order rotating from round to round so that a busy machine weighs on all of them
alike. Reported: the median requests/s and p99 latency over the rounds, the
spread of requests/s between rounds (max/min - 1: on a shared machine, the
noise to judge a ratio by), wrk's socket errors and non-2xx answers, and each
server's ratio to the baseline: the median over rounds of the ratio within one round.

The servers, all with the same worker count ($WEB_CONCURRENCY) and all logging
requests to stdout (the duty our default process has):

- WSGI: `ours` (the build's default web process), `hand-tuned` (gunicorn,
  gthread workers, 8 threads, flags only), `sync` (our config with sync
  workers: the previous default), and with `--sweep` gthread at other thread
  counts, to choose the default's;
- ASGI: `ours` (gunicorn with uvicorn workers, the default since it measured
  about twice uvicorn's own --workers), `gunicorn+UvicornWorker` (the same
  server by hand, flags only: the baseline), and `uvicorn --workers N`.

Unless `--no-sigterm`, it then counts, per server, the requests dropped when
SIGTERM arrives with 200 requests in flight to /slow (tests/harness/load.py).

It prints a table and writes everything to benchmarks/results/serve.json.
Nothing is asserted: the numbers are reported.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "lib")]

from harness import runtimes  # noqa: E402
from harness.heroku import HerokuPlatform  # noqa: E402
from harness.load import sigterm_under_load  # noqa: E402
from harness.machine import build_machine_env  # noqa: E402
from run import machine  # noqa: E402  (benchmarks/run.py: the machine's description)

WRK = "wrk"
HAND_THREADS = 8

# The hand-tuned servers: what an expert would write in a Procfile, flags only.
GTHREAD = ("gunicorn --worker-class gthread --threads {threads} --workers $WEB_CONCURRENCY "
           "--bind 0.0.0.0:$PORT --access-logfile - {target}")
SYNC = "gunicorn --config python:pybuildpack_launch.gunicorn_config --worker-class sync {target}"
UVICORN = "uvicorn --host 0.0.0.0 --port $PORT --workers $WEB_CONCURRENCY {target}"
GUNICORN_UVICORN = ("gunicorn --worker-class uvicorn_worker.UvicornWorker --workers $WEB_CONCURRENCY "
                    "--bind 0.0.0.0:$PORT --access-logfile - {target}")

# The Django example, wrapped with WhiteNoise by hand, as its docs show for WSGI.
DJANGO_HAND_MODULE = '''"""The hand-tuned server's WSGI app: the project's, serving static files with WhiteNoise."""
from django.conf import settings
from whitenoise import WhiteNoise

from mysite.wsgi import application

application = WhiteNoise(application, root=settings.STATIC_ROOT, prefix=settings.STATIC_URL)
'''


@dataclass(frozen=True)
class App:
    name: str
    source: Path
    interface: str             # "wsgi" or "asgi"
    hand_target: str           # the module:attribute the hand-written commands serve


@dataclass(frozen=True)
class Case:
    name: str
    app: str
    path: str
    what: str


APPS = {
    "flask": App("flask", ROOT / "apps" / "serve-flask", "wsgi", "wsgi:application"),
    "django": App("django", REPO / "examples" / "django", "wsgi", "bench_wsgi:application"),
    "asgi": App("asgi", ROOT / "apps" / "serve-asgi", "asgi", "asgi:application"),
}
CASES = {
    "flask-page": Case("flask-page", "flask", "/?customer=bench", "Flask, dynamic page"),
    "flask-json": Case("flask-json", "flask", "/json", "Flask, tiny JSON"),
    "django-static": Case("django-static", "django", "/static/admin/css/base.css", "Django static file"),
    "asgi-json": Case("asgi-json", "asgi", "/json", "Starlette, tiny JSON"),
    "asgi-page": Case("asgi-page", "asgi", "/?customer=bench", "Starlette, dynamic page"),
}


def servers_for(app: App, sweep: list) -> dict:
    """name -> command (None: the build's default web process)."""
    if app.interface == "asgi":
        return {"ours": None, "uvicorn --workers": UVICORN.format(target=app.hand_target),
                "gunicorn+UvicornWorker": GUNICORN_UVICORN.format(target=app.hand_target)}
    servers = {"ours": None, "hand-tuned": GTHREAD.format(threads=HAND_THREADS, target=app.hand_target),
               "sync": None}
    for threads in sweep:
        if threads != HAND_THREADS:
            servers[f"gthread-{threads}"] = GTHREAD.format(threads=threads, target=app.hand_target)
    return servers


def baseline_of(app: App) -> str:
    return "gunicorn+UvicornWorker" if app.interface == "asgi" else "hand-tuned"


# --- building and starting ---------------------------------------------------------------------

def prepare(app: App, work: Path) -> Path:
    source = work / f"src-{app.name}"
    shutil.copytree(app.source, source, ignore=shutil.ignore_patterns("__pycache__", ".pybuildpack"))
    if app.name == "django":
        (source / ".python-version").write_text("3.12\n")
        (source / "bench_wsgi.py").write_text(DJANGO_HAND_MODULE)
    return source


def build(heroku: HerokuPlatform, app: App, work: Path):
    result = heroku.build(prepare(app, work))
    if not result.ok:
        raise SystemExit(f"The {app.name} app did not build:\n{result.output}")
    slug = heroku.deploy(result)
    default = slug.command("web")
    print(f"{app.name}: built; default web process: {default}", flush=True)
    return slug, default


def start(slug, name: str, command: str):
    """Run `command` on the slug as a dyno runs its web process."""
    kind = "bench-" + re.sub(r"[^a-z0-9]+", "-", name.lower())
    slug.default_processes[kind] = command
    dyno = slug.start(kind)
    dyno.wait_until_serving("/", timeout=60)
    return dyno


def command_for(name: str, command, default: str, app: App) -> str:
    if name == "ours":
        return default
    if name == "sync":
        target = default.split()[-1]
        return SYNC.format(target=target)
    return command


# --- wrk ---------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> dict:
    """requests/s, p99 latency (ms), socket errors and non-2xx/3xx answers from wrk --latency."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    if not rps or not p99:
        raise RuntimeError(f"wrk's output has no Requests/sec or 99% line:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": float(rps.group(1)), "p99_ms": float(p99.group(1)) * _UNITS[p99.group(2)],
            "socket_errors": errors, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0}


def drive(port: int, path: str, connections: int, duration: float, threads: int = 2) -> dict:
    """One wrk run against 127.0.0.1:port (loopback only)."""
    argv = [WRK, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
            "--timeout", "10s", "--latency", f"http://127.0.0.1:{port}{path}"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return parse_wrk(result.stdout)


# --- one case ----------------------------------------------------------------------------------

def measure_case(case: Case, dynos: dict, rounds: int, duration: float, connections: int) -> dict:
    names = list(dynos)
    for name in names:   # warm up: imports, caches, every worker forked and serving
        drive(dynos[name].port, case.path, connections, 1)
    per_server: dict = {name: [] for name in names}
    for number in range(rounds):
        order = names[number % len(names):] + names[:number % len(names)]
        for name in order:
            per_server[name].append(drive(dynos[name].port, case.path, connections, duration))
        print(f"  {case.name}: round {number + 1} of {rounds}: " + ", ".join(
            f"{n} {per_server[n][-1]['rps']:.0f}/s" for n in names), flush=True)
    medians = {}
    for name, runs in per_server.items():
        medians[name] = {"rps": statistics.median(r["rps"] for r in runs),
                         "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                         "socket_errors": sum(r["socket_errors"] for r in runs),
                         "non_2xx": sum(r["non_2xx"] for r in runs)}
    return {"case": case.name, "what": case.what, "path": case.path, "median": medians, "rounds": per_server}


def add_ratios(result: dict, baseline: str) -> None:
    """Each server's ratios to the baseline: the median over rounds of the ratio
    within a round (paired, so a load that came and went weighs on both), and
    the spread of its requests/s over the rounds (max/min - 1), to judge noise."""
    base_runs = result["rounds"][baseline]
    for name, figures in result["median"].items():
        runs = result["rounds"][name]
        figures["rps_ratio"] = statistics.median(r["rps"] / b["rps"] for r, b in zip(runs, base_runs) if b["rps"])
        figures["p99_ratio"] = statistics.median(r["p99_ms"] / b["p99_ms"] for r, b in zip(runs, base_runs)
                                                 if b["p99_ms"])
        rates = [r["rps"] for r in runs]
        figures["rps_spread"] = max(rates) / min(rates) - 1 if min(rates) else 0.0
    result["baseline"] = baseline


def sigterm(slug, name: str, command: str) -> dict:
    dyno = start(slug, name, command)
    outcome = sigterm_under_load(dyno)
    return {"sent": outcome.sent, "answered": outcome.ok, "dropped": len(outcome.dropped),
            "exit_code": outcome.exit_code, "stop_seconds": round(outcome.stop_seconds, 2)}


# --- report ------------------------------------------------------------------------------------

def table(results: dict) -> str:
    lines = [f"{'case':<14} {'server':<24} {'req/s':>9} {'spread':>7} {'p99 ms':>9} {'errors':>7} "
             f"{'÷ base req/s':>13} {'÷ base p99':>11}", "-" * 101]
    for data in results["cases"].values():
        case = data["case"]
        for name, m in data["median"].items():
            errors = m["socket_errors"] + m["non_2xx"]
            label = name + (" (base)" if name == data["baseline"] else "")
            lines.append(f"{case:<14} {label:<24} {m['rps']:>9.0f} {m['rps_spread']:>6.0%} {m['p99_ms']:>9.1f} {errors:>7} "
                         f"{m['rps_ratio']:>12.2f}× {m['p99_ratio']:>10.2f}×")
            case = ""
        lines.append("")
    if results.get("sigterm"):
        lines.append(f"SIGTERM with {results['connections_sigterm']} requests in flight to /slow:")
        for key, s in results["sigterm"].items():
            lines.append(f"  {key:<38} answered {s['answered']:>3}/{s['sent']:<3} dropped {s['dropped']:>3}  "
                         f"exit {s['exit_code']} after {s['stop_seconds']:.1f} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per server per round")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--sweep", default="", help="gthread thread counts to measure too, e.g. 4,16,32")
    parser.add_argument("--server", action="append", default=[], metavar="NAME=COMMAND",
                        help="one more server to measure, on every app of the cases ({target}: its module:attribute)")
    parser.add_argument("--no-sigterm", action="store_true", help="skip the SIGTERM-under-load counts")
    parser.add_argument("--output", type=Path, default=ROOT / "results" / "serve.json")
    args = parser.parse_args(argv)
    if shutil.which(WRK) is None:
        raise SystemExit("wrk is not installed: run scripts/install-test-deps (Debian's wrk package).")
    cases = [CASES[name] for name in args.cases.split(",")]
    sweep = [int(n) for n in args.sweep.split(",") if n]
    work = Path(tempfile.mkdtemp(prefix="pybuildpack-bench-serve-"))
    env = build_machine_env(work / "home", runtimes.downloads_json(),
                            runtimes.DEFAULT_CACHE / "installer-cache")
    heroku = HerokuPlatform(work, env)
    results: dict = {"machine": machine(), "rounds": args.rounds, "duration": args.duration,
                     "connections": args.connections, "cases": {}, "sigterm": {}, "defaults": {}}
    try:
        for app_name in dict.fromkeys(case.app for case in cases):
            app = APPS[app_name]
            slug, default = build(heroku, app, work)
            results["defaults"][app.name] = default
            results["machine"]["web_concurrency"] = slug.run("echo $WEB_CONCURRENCY").stdout.strip()
            servers = servers_for(app, sweep)
            for extra in args.server:
                name, _, command = extra.partition("=")
                servers[name] = command.format(target=app.hand_target)
            dynos = {name: start(slug, name, command_for(name, command, default, app))
                     for name, command in servers.items()}
            for case in (c for c in cases if c.app == app_name):
                print(f"{case.name}: {len(dynos)} servers, {args.rounds} rounds of {args.duration:g} s "
                      f"at {args.connections} connections", flush=True)
                data = measure_case(case, dynos, args.rounds, args.duration, args.connections)
                add_ratios(data, baseline_of(app))
                results["cases"][case.name] = data
            for dyno in dynos.values():
                dyno.terminate()
            if not args.no_sigterm and app.name != "django":   # the django app has no /slow
                results["connections_sigterm"] = 200
                for name, command in servers.items():
                    if name.startswith("gthread-"):
                        continue
                    key = f"{app.name}: {name}"
                    results["sigterm"][key] = sigterm(slug, name, command_for(name, command, default, app))
                    print(f"  SIGTERM {key}: {results['sigterm'][key]}", flush=True)
            slug.stop_all()
    finally:
        heroku.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
