"""Trust the router's X-Forwarded-For and X-Forwarded-Proto in an ASGI web process.

No ASGI server applies FORWARDED_ALLOW_IPS the way the web process needs
(hypercorn, granian and daphne have no such setting; uvicorn believes a
forgeable entry with `*`), so the web process wraps the app with
`ForwardedHeaders`, which follows `forwarded.py`'s rule, and uvicorn's own
proxy headers are turned off. A trusted request gets the client address and
scheme the router saw, set in the scope itself, so the server's access log
shows them too. Standard library only.
"""

from . import forwarded


def _header(scope, name: bytes):
    values = [value.decode("latin-1") for key, value in scope.get("headers", []) if key.lower() == name]
    return ",".join(values) if values else None


class ForwardedHeaders:
    """ASGI middleware: when the peer is trusted, the client and scheme are the
    ones X-Forwarded-For and X-Forwarded-Proto give (`forwarded.py`)."""

    def __init__(self, app, trusted) -> None:
        """`trusted`: FORWARDED_ALLOW_IPS's value, or the TrustedPeers it gives."""
        self.app = app
        self.trusted = trusted if isinstance(trusted, forwarded.TrustedPeers) else forwarded.TrustedPeers(trusted)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            if peer and peer[0] in self.trusted:
                scheme = forwarded.scheme(_header(scope, b"x-forwarded-proto"))
                if scheme:
                    scope["scheme"] = {"https": "wss", "http": "ws"}[scheme] if scope["type"] == "websocket" \
                        else scheme
                address = forwarded.client(_header(scope, b"x-forwarded-for"), self.trusted)
                if address:
                    scope["client"] = (address, 0)
        await self.app(scope, receive, send)


def wrap(application):
    """`application` trusting the peers FORWARDED_ALLOW_IPS names; itself when it names none."""
    trusted = forwarded.from_environment()
    return ForwardedHeaders(application, trusted) if trusted else application
