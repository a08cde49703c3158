"""A graceful SIGTERM for uvicorn: answer the requests already sent before stopping.

On SIGTERM uvicorn closes its listening socket, which resets the connections
queued in it but not accepted yet, and at once closes every connection with no
request in progress, including those accepted but not read yet, though their
request is already on the wire. Under load that drops in-flight requests.
`patch_server()`, called by `asgi_app` inside each uvicorn process before its
server starts, makes the stop begin with DRAIN_SECONDS of business as usual,
in which the queued connections are accepted and the received requests start;
uvicorn's own shutdown follows: stop accepting, close idle connections, wait
for running requests (--timeout-graceful-shutdown). Standard library only.
"""

import asyncio

DRAIN_SECONDS = 1.0


def patch_server() -> None:
    try:
        from uvicorn.server import Server
    except ImportError:
        return
    shutdown = Server.shutdown
    if getattr(shutdown, "pybuildpack", False):
        return

    async def drain_then_shutdown(self, *args, **kwargs):
        await asyncio.sleep(DRAIN_SECONDS)
        await shutdown(self, *args, **kwargs)

    drain_then_shutdown.pybuildpack = True
    Server.shutdown = drain_then_shutdown
