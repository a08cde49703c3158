"""Start uWSGI for the web process (stdlib only).

    python -m pybuildpack_launch.wsgi_uwsgi [--chdir DIR] SPEC [UWSGI OPTION ...]

SPEC is what target.py loads (`module:app`, `module:factory()`,
`paste:FILE`). uWSGI speaks HTTP on 0.0.0.0:$PORT itself, runs
WEB_CONCURRENCY worker processes of 4 threads each, forked from a master
that loaded the app, logs requests and errors on stderr, serves Django's collected static
files (`--static-map`, hashed names with a one-year Expires), and the options
after SPEC (the app's own `--ini uwsgi.ini`) come last, so they win.

SIGTERM makes uWSGI reload brutally, and even `--die-on-term` kills the
requests in progress; so uWSGI runs in a session of its own, under this
supervisor, with SIGTERM bound to its graceful shutdown. On SIGTERM the
supervisor waits until every connection already queued on the port has been
accepted, then asks uWSGI to stop: each worker finishes its requests and exits.
"""

import signal
import sys

from pybuildpack_launch import wsgi_common

HASHED_URI = r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$"
YEAR = 365 * 24 * 3600
GRACE = 25   # seconds a worker may take to finish its requests


def listen_queue():
    """The listen backlog: large enough for a burst, never above the kernel's
    limit (uWSGI refuses to start when it is)."""
    try:
        with open("/proc/sys/net/core/somaxconn", encoding="ascii") as handle:
            limit = int(handle.read().strip())
    except (OSError, ValueError):
        return 100
    return max(100, min(2048, limit))


def argv(port, workers, threads, static=None, trusted=False, listen=100, extra=()):
    """The uWSGI command line."""
    words = [
        "uwsgi", "--master", "--http-socket", f"0.0.0.0:{port}",
        "--processes", str(workers), "--threads", str(threads), "--enable-threads",
        # The app is loaded once, in the master, before the workers fork: every
        # worker is ready at once (a worker still loading its app when SIGTERM
        # comes misses the graceful stop), and an app that cannot load stops
        # uWSGI at start (--need-app).
        "--module", "pybuildpack_launch.wsgi_app:application", "--need-app",
        "--single-interpreter", "--listen", str(listen),
        # The router's headers and cookies can exceed uWSGI's 4 KiB default.
        "--buffer-size", "32768",
        # SIGTERM: until the master runs, stop (uWSGI's default would reload);
        # from then on, the graceful shutdown.
        "--die-on-term", "--hook-master-start", "unix_signal:15 gracefully_kill_them_all",
        "--worker-reload-mercy", str(GRACE), "--reload-mercy", str(GRACE),
        "--ignore-sigpipe", "--ignore-write-errors", "--disable-write-exception",
    ]
    if trusted:
        words.append("--log-x-forwarded-for")
    if static is not None:
        prefix, root = static
        words += ["--static-map", f"{prefix.rstrip('/')}={root}",
                  "--static-expires-uri", f"{HASHED_URI} {YEAR}"]
    return words + list(extra)


def main(args):
    spec, extra = wsgi_common.arguments(args, "wsgi_uwsgi", "[UWSGI OPTION ...]")
    words = argv(wsgi_common.port(), wsgi_common.workers(), wsgi_common.threads(), wsgi_common.django_static(),
                 bool(wsgi_common.trusted_proxies()), listen_queue(), extra)
    # A worker's SIGHUP is its graceful stop (finish the requests, exit).
    return wsgi_common.supervise(words, signal.SIGTERM, "uWSGI", worker_signal=signal.SIGHUP)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
