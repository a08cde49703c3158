"""Run the app under waitress for the web process (stdlib plus waitress).

    python -m pybuildpack_launch.wsgi_waitress [--chdir DIR] SPEC

SPEC is what target.py loads (`module:app`, `module:factory()`,
`paste:FILE`). waitress-serve cannot do what a web process needs, so this
runner calls waitress itself: it listens on 0.0.0.0:$PORT with
4 × WEB_CONCURRENCY threads (waitress is one process), logs each request on
stdout (waitress has no access log), trusts the router's forwarded headers
when FORWARDED_ALLOW_IPS is set, serves Django's static files with WhiteNoise,
and applies a PasteDeploy app's own `[server:main]` options last (all but
where to listen: that is $PORT).

waitress has no graceful shutdown: SIGTERM kills it with its requests. Here
SIGTERM (and Ctrl-C) stops it gracefully: it accepts the connections already
queued, then stops listening, answers every request it has, closes idle
keep-alive connections and exits, within 25 s.
"""

import configparser
import logging
import os
import select
import signal
import sys
import threading
import time

from pybuildpack_launch import static, target, wsgi_common

GRACE = 25.0
CONNECTION_LIMIT = 1000
# Options of [server:main] that say where to listen: the platform decides that.
_WHERE = {"use", "host", "port", "listen", "unix_socket", "unix_socket_perms", "sockets"}


def paste_server_options(path):
    """The waitress options of a PasteDeploy file's [server:main], but where to listen."""
    parser = configparser.ConfigParser(defaults={"here": os.path.dirname(os.path.abspath(path)),
                                                 "__file__": os.path.abspath(path)})
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return {}
    if not parser.has_section("server:main"):
        return {}
    options = {}
    for key in parser.options("server:main"):
        if key in _WHERE or key in ("here", "__file__") or key.startswith("set "):
            continue
        options[key] = parser.get("server:main", key)
    return options


def options(spec, port, workers, threads):
    """waitress's settings for the web process; a paste app's own come last."""
    chosen = {
        "listen": f"0.0.0.0:{port}",
        "threads": workers * threads,
        # Accept every connection the router sends (waitress stops at 100 by
        # default and leaves the rest queued in the kernel), so that a
        # shutdown can answer them all.
        "connection_limit": CONNECTION_LIMIT,
        "backlog": 2048,
        "clear_untrusted_proxy_headers": False,
    }
    kind, _, rest = spec.partition(":")
    if kind == "paste":
        chosen.update(paste_server_options(rest))
    return chosen


class AccessLog:
    """Logs each request on stdout when its response ends, like gunicorn's
    access log: address, time, request line, status, bytes, referrer, agent,
    duration."""

    _lock = threading.Lock()

    def __init__(self, application, stream=None):
        self.application = application
        self.stream = stream or sys.stdout

    def __call__(self, environ, start_response):
        started = time.time()
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next((v for k, v in headers if k.lower() == "content-length"), "-")
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.application(environ, start)
        return _Logged(result, lambda: self.write(environ, seen, started))

    def write(self, environ, seen, started):
        request = (f"{environ.get('REQUEST_METHOD', '-')} {environ.get('PATH_INFO', '')}"
                   + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
                   + f" {environ.get('SERVER_PROTOCOL', '-')}")
        when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(started))
        line = (f"{environ.get('REMOTE_ADDR', '-')} - - [{when}] "
                f"\"{request}\" {seen.get('status', '-')} {seen.get('length', '-')} "
                f"\"{environ.get('HTTP_REFERER', '-')}\" \"{environ.get('HTTP_USER_AGENT', '-')}\" "
                f"{(time.time() - started) * 1000:.0f}ms\n")
        with self._lock:
            self.stream.write(line)
            self.stream.flush()


class _Logged:
    """The response iterable, logging when the server closes it."""

    def __init__(self, result, done):
        self.result = result
        self.done = done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.done()


def application(spec):
    app = static.wrap(target.load(spec))
    return wsgi_common.forwarded_app(AccessLog(app))


class Runner:
    """waitress's event loop, with a graceful stop."""

    def __init__(self, app, settings):
        from waitress.server import create_server

        self.map = {}
        self.server = create_server(app, map=self.map, **settings)
        self.stopping = None

    def stop(self, signum, frame):
        if self.stopping is None:
            self.stopping = time.monotonic()
            wsgi_common.say(f"{signal.Signals(signum).name} received: stopping waitress "
                            f"(finishing the requests already sent)")

    def run(self):
        from waitress import wasyncore

        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.server.print_listen("Serving on http://{}:{}")
        while True:
            wasyncore.loop(timeout=0.05 if self.stopping else 1.0, map=self.map, use_poll=True, count=1)
            if self.stopping is not None and self.drained():
                break
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        wsgi_common.say(f"waitress stopped after {time.monotonic() - self.stopping:.1f} s")

    def drained(self):
        """One step of the stop; True when nothing is left to answer."""
        from waitress.channel import HTTPChannel
        from waitress.server import BaseWSGIServer
        from waitress import wasyncore

        listeners = [d for d in list(self.map.values()) if isinstance(d, BaseWSGIServer)]
        channels = [d for d in list(self.map.values()) if isinstance(d, HTTPChannel)]
        if time.monotonic() > self.stopping + GRACE:
            wsgi_common.say(f"waitress: {len(channels)} connections still open after {GRACE:.0f} s; stopping")
            return True
        for listener in listeners:
            # Accept what is already queued (the router sent it before SIGTERM), then stop listening.
            if not _has_data(listener.socket):
                wasyncore.dispatcher.close(listener)
        for channel in channels:
            if (not channel.requests and channel.request is None and not channel.total_outbufs_len
                    and not channel.will_close and not channel.close_when_flushed
                    and not _has_data(channel.socket)):
                channel.will_close = True   # an idle keep-alive connection
        return not listeners and not channels


def _has_data(sock):
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def main(args):
    spec, _ = wsgi_common.arguments(args, "wsgi_waitress", "")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s:%(name)s:%(message)s")
    settings = options(spec, wsgi_common.port(), wsgi_common.workers(), wsgi_common.threads())
    Runner(application(spec), settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
