"""A graceful SIGTERM for daphne, and a keep-alive shorter than the router's.

daphne stops on SIGTERM by cancelling every application instance still
running, so each in-flight request is dropped. `patch_server()`, called by
`asgi_app` inside a daphne process before its server starts, replaces that
step: serve as usual for DRAIN_SECONDS (connections already queued are
accepted, requests already sent start), stop listening, let the running
requests finish (up to GRACE_SECONDS; 21 s in all, less than the platforms'
30 s before SIGKILL), then cancel what is left as daphne would. It also closes a kept-alive connection idle for
KEEP_ALIVE_SECONDS (Twisted's default is 12 hours; daphne has no flag for it).
Standard library plus daphne's own Twisted.
"""

import asyncio
import time

GRACE_SECONDS = 20.0
DRAIN_SECONDS = 1.0
KEEP_ALIVE_SECONDS = 5
POLL_SECONDS = 0.1


def _running(server) -> int:
    count = 0
    for details in list(server.connections.values()):
        instance = details.get("application_instance")
        if instance is not None and not instance.done() and "disconnected" not in details:
            count += 1
    return count


def patch_server() -> None:
    try:
        from daphne.http_protocol import HTTPFactory
        from daphne.server import Server
        from twisted.internet import defer, reactor
    except ImportError:
        return
    if getattr(Server.kill_all_applications, "pybuildpack", False):
        return
    listen_success = Server.listen_success
    factory_init = HTTPFactory.__init__

    def init_with_keep_alive(self, *args, **kwargs):
        factory_init(self, *args, **kwargs)
        # Twisted's idle timeout (12 h by default); paused while a request runs.
        self.timeOut = KEEP_ALIVE_SECONDS

    def remember_port(self, port):
        self.__dict__.setdefault("pybuildpack_ports", []).append(port)
        return listen_success(self, port)

    def finish_then_kill(self):
        finished = defer.Deferred()
        deadline = time.monotonic() + DRAIN_SECONDS + GRACE_SECONDS

        def check():
            if _running(self) and time.monotonic() < deadline:
                reactor.callLater(POLL_SECONDS, check)
                return
            # What is left (requests past the deadline) is cancelled, as daphne does.
            pending = [details["application_instance"] for details in self.connections.values()
                       if details.get("application_instance") is not None
                       and not details["application_instance"].done()]
            for instance in pending:
                instance.cancel()
            if not pending:
                finished.callback(None)
                return
            killed = defer.Deferred.fromFuture(asyncio.gather(*pending))
            killed.addErrback(lambda _: None)
            killed.chainDeferred(finished)

        # DRAIN_SECONDS of business as usual first: connections queued in the
        # listening socket are accepted (closing it would reset them) and the
        # requests already sent start.
        def drained():
            for port in self.__dict__.get("pybuildpack_ports", []):
                port.stopListening()
            check()   # then wait until no request is running

        reactor.callLater(DRAIN_SECONDS, drained)
        return finished

    finish_then_kill.pybuildpack = True
    HTTPFactory.__init__ = init_with_keep_alive
    Server.listen_success = remember_port
    Server.kill_all_applications = finish_then_kill

