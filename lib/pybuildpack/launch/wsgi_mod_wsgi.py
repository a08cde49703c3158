"""Start mod_wsgi-express (Apache httpd with mod_wsgi) for the web process (stdlib only).

    python -m pybuildpack_launch.wsgi_mod_wsgi [--chdir DIR] SPEC [MOD_WSGI-EXPRESS OPTION ...]

SPEC is what target.py loads (`module:app`, `module:factory()`,
`paste:FILE`); mod_wsgi-express runs wsgi_app.py as its script file, which
loads it. Apache listens on 0.0.0.0:$PORT with WEB_CONCURRENCY mod_wsgi
daemon processes of 4 threads each, logs requests and errors on the
terminal, keeps its server root (generated config, sockets) in a temporary
directory rather than the app, serves Django's collected static files
itself (`--url-alias`), and the options after SPEC (the app's own
`mod_wsgi-express.conf`) come last, so they win. wsgi_app.py trusts the
router's forwarded headers.

Apache stops at once on SIGTERM; its graceful stop is SIGWINCH. Apache runs
in a session of its own, under this supervisor: on SIGTERM it waits until
every connection already queued on the port has been accepted, then sends
SIGWINCH, and Apache finishes its requests before exiting. Apache refuses
to run as root, so as root (a container's default) its processes run as
`nobody`. The app is imported once before Apache starts, so that one that
cannot be loaded stops the web process rather than answering 500s.
"""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile

from pybuildpack_launch import wsgi_common

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wsgi_app.py")
GRACE = 25   # seconds Apache gives its processes to finish their requests


def unprivileged_user():
    """(user, group) for Apache's processes when running as root."""
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return "daemon", "daemon"
    import grp

    try:
        return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name
    except KeyError:
        return entry.pw_name, "nogroup"


def argv(port, workers, threads, server_root, static=None, user=None, extra=()):
    """The mod_wsgi-express command line."""
    words = [
        "mod_wsgi-express", "start-server", SCRIPT, "--application-type", "script",
        "--host", "0.0.0.0", "--port", str(port),
        "--processes", str(workers), "--threads", str(threads),
        "--server-root", server_root, "--working-directory", os.getcwd(),
        "--log-to-terminal", "--access-log", "--startup-log",
        # The router gives a request 30 s; Heroku kills the dyno 30 s after SIGTERM.
        "--request-timeout", "30", "--shutdown-timeout", str(GRACE), "--graceful-timeout", str(GRACE),
        # Enough connections queued in Apache for a burst of requests.
        "--max-clients", str(max(150, workers * threads * 4)),
    ]
    if user is not None:
        words += ["--user", user[0], "--group", user[1]]
    if static is not None:
        prefix, root = static
        words += ["--url-alias", prefix.rstrip("/"), root]
    return words + list(extra)


def main(args):
    spec, extra = wsgi_common.arguments(args, "wsgi_mod_wsgi", "[OPTION ...]")
    if os.getcwd() not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (os.getcwd(), os.environ.get("PYTHONPATH")) if p)
    # mod_wsgi logs an app that fails to import and answers 500 for ever; a
    # web process that cannot load its app should rather fail at start.
    loaded = subprocess.run([sys.executable, "-c", "from pybuildpack_launch import target; target.load()"])
    if loaded.returncode != 0:
        wsgi_common.say(f"the app ({spec}) could not be loaded: not starting Apache")
        return 1
    server_root = tempfile.mkdtemp(prefix="mod_wsgi-")
    user = unprivileged_user() if os.getuid() == 0 else None
    if user is not None:
        os.chmod(server_root, 0o755)
    words = argv(wsgi_common.port(), wsgi_common.workers(), wsgi_common.threads(), server_root,
                 wsgi_common.django_static(), user, extra)
    try:
        return wsgi_common.supervise(words, signal.SIGWINCH, "Apache (mod_wsgi-express)")
    finally:
        shutil.rmtree(server_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
