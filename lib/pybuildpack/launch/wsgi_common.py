"""What the waitress, uWSGI and mod_wsgi-express runners share (stdlib only).

Runs inside the built app. Reads the web process's environment (PORT,
WEB_CONCURRENCY, FORWARDED_ALLOW_IPS), finds Django's collected static files
for the servers that map them themselves, trusts the router's forwarded
headers for the servers that cannot, and supervises a server process so that
SIGTERM drains it: every connection the router already sent (those in the
listening socket's accept queue too) is answered before the server stops.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys
import time

from . import forwarded

THREADS_PER_WORKER = 4
# Heroku sends SIGKILL 30 s after SIGTERM: stop waiting for the accept queue
# to empty, and for the server to finish, in time to exit before that.
DRAIN_SECONDS = 20.0
STOP_SECONDS = 27.0
RESEND_SECONDS = 3.0
_LISTEN = "0A"   # TCP_LISTEN in /proc/net/tcp


def say(message):
    """A line of the runner's own on stderr, where the servers log too."""
    sys.stderr.write(f"pybuildpack: {message}\n")
    sys.stderr.flush()


def port():
    return os.environ.get("PORT") or "5000"


def workers():
    """WEB_CONCURRENCY as a worker count (at least 1)."""
    try:
        return max(1, int(os.environ.get("WEB_CONCURRENCY", "1")))
    except ValueError:
        return 1


def threads():
    """Request threads per worker process."""
    return THREADS_PER_WORKER


def trusted_proxies() -> "forwarded.TrustedPeers":
    """FORWARDED_ALLOW_IPS's peers (false when it is unset: locally, nothing to trust)."""
    return forwarded.from_environment()


class Forwarded:
    """Takes the client's address and scheme from X-Forwarded-For and
    X-Forwarded-Proto when the peer is a trusted proxy (the router), by
    `forwarded.py`'s rule, the same as the ASGI servers'."""

    def __init__(self, application, trusted):
        """`trusted`: a TrustedPeers, or FORWARDED_ALLOW_IPS's value."""
        self.application = application
        self.trusted = trusted if isinstance(trusted, forwarded.TrustedPeers) else forwarded.TrustedPeers(trusted)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            client = forwarded.client(environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
            if client:
                environ["REMOTE_ADDR"] = client
            scheme = forwarded.scheme(environ.get("HTTP_X_FORWARDED_PROTO"))
            if scheme:
                environ["wsgi.url_scheme"] = scheme
                if scheme == "https":
                    environ["HTTPS"] = "on"
        return self.application(environ, start_response)


def forwarded_app(application):
    """`application` trusting the peers FORWARDED_ALLOW_IPS names; itself when it names none."""
    trusted = trusted_proxies()
    return Forwarded(application, trusted) if trusted else application


def arguments(args, runner: str, options: str = "[OPTION ...]"):
    """A runner's command line, `[--chdir DIR] SPEC [OPTION ...]`: changes into
    DIR, names the app in PYBUILDPACK_APP (for target.py) and returns
    (SPEC, options); exits with the usage when there is no SPEC."""
    if len(args) >= 2 and args[0] == "--chdir":
        os.chdir(args[1])
        args = args[2:]
    if not args or (not options and len(args) != 1):
        sys.exit(f"usage: python -m pybuildpack_launch.{runner} [--chdir DIR] SPEC {options}".rstrip())
    os.environ["PYBUILDPACK_APP"] = args[0]
    return args[0], list(args[1:])


def django_static():
    """(URL prefix, directory) of Django's collected static files when the
    server should serve them: a Django app (DJANGO_SETTINGS_MODULE set) whose
    STATIC_ROOT exists, whose STATIC_URL is on this host and which does not
    use WhiteNoise's middleware already. None otherwise."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        # An app whose settings set STATIC_ROOT runs with the variable unset
        # (manage.py and wsgi.py set it themselves): the build recorded it.
        settings_module = _built_settings_module()
        if not settings_module:
            return None
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    from pybuildpack_launch.static import django_static_location

    return django_static_location()


def _built_settings_module():
    """The Django settings module the build found (build.json), if any."""
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "build.json"), encoding="utf-8") as handle:
            django = json.load(handle).get("django") or {}
    except (OSError, ValueError):
        return None
    return django.get("settings_module")


def accept_queue(port_number):
    """Connections waiting in the accept queue of the sockets listening on
    `port_number` (from /proc/net/tcp{,6}), or None where that is unknown."""
    total, seen = 0, False
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name, encoding="ascii") as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 5 or fields[3] != _LISTEN:
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) != int(port_number):
                continue
            seen = True
            total += int(fields[4].split(":")[1], 16)   # rx_queue: connections not accepted yet
    return total if seen else None


def wait_for_accept_queue(port_number, deadline):
    """Until every connection already queued on the port is accepted (or the deadline)."""
    while time.monotonic() < deadline:
        waiting = accept_queue(port_number)
        if not waiting:
            return
        time.sleep(0.05)


# sh: while the supervisor ($1) and the server's process group ($2) live, wait;
# then kill whatever is left of the group.
_WATCHDOG = 'while kill -0 "$1" 2>/dev/null && kill -0 "-$2" 2>/dev/null; do sleep 1; done; kill -9 "-$2" 2>/dev/null'


def _send(pid, signum):
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _die_with_parent():
    # The server runs in a session of its own (so the platform's SIGTERM to the
    # dyno's process group reaches only this supervisor); if the supervisor is
    # killed, the server must not outlive it.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:
        pass
    os.setsid()


def children(pid):
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def supervise(argv, graceful_signal, name, worker_signal=None):
    """Run the server `argv` and stop it gracefully: on SIGTERM, once the
    accept queue of $PORT is empty, send it `graceful_signal` (it then stops
    listening and finishes its requests); on SIGINT (Ctrl-C), at once. Exits
    with the server's status, 0 when it stopped because we asked it to.

    A server still starting can miss the signal (uWSGI's master and workers
    set their handlers late), so until it exits the signal is sent again
    every few seconds, and `worker_signal`, when given, to its children."""
    child = subprocess.Popen(argv, preexec_fn=_die_with_parent)
    # The server's own processes (Apache's children, uWSGI's workers) outlive
    # a killed supervisor despite _die_with_parent; a watchdog outside both
    # process groups kills the server's group once the supervisor is gone.
    subprocess.Popen(["sh", "-c", _WATCHDOG, "watchdog", str(os.getpid()), str(child.pid)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    stopping = []
    last_sent = []

    def stop(signum, frame):
        if stopping:
            return
        stopping.append(time.monotonic())
        say(f"{signal.Signals(signum).name} received: draining {name} "
            f"(finishing the requests already sent, then stopping)")
        if signum == signal.SIGTERM:
            wait_for_accept_queue(port(), stopping[0] + DRAIN_SECONDS)
        last_sent[:] = [time.monotonic()]
        try:
            child.send_signal(graceful_signal)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if last_sent and time.monotonic() > last_sent[0] + RESEND_SECONDS:
                last_sent[:] = [time.monotonic()]
                _send(child.pid, graceful_signal)
                for pid in children(child.pid) if worker_signal is not None else ():
                    _send(pid, worker_signal)
            if stopping and time.monotonic() > stopping[0] + STOP_SECONDS:
                say(f"{name} did not stop in {STOP_SECONDS:.0f} s: killing it")
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    if stopping:
        say(f"{name} stopped after {time.monotonic() - stopping[0]:.1f} s")
        if code in (0, -graceful_signal, -signal.SIGTERM):
            return 0
    # Killed by a signal: the shell's convention, 128 + the signal's number.
    return code if code >= 0 else 128 - code
