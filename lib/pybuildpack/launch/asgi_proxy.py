"""Trust the router's X-Forwarded-For and X-Forwarded-Proto, for ASGI servers that cannot.

uvicorn reads FORWARDED_ALLOW_IPS itself; hypercorn, granian and daphne have
no such setting (or trust every peer), so their web process wraps the app with
`ForwardedHeaders`, which follows uvicorn's rules: FORWARDED_ALLOW_IPS is a
comma-separated list of addresses or networks (`*` for any) whose forwarded
headers are believed. Behind a platform's router pybuildpack sets it to `*`
(only the router reaches the app there); locally it is unset and nothing is
trusted. A trusted request gets the client address and scheme the router saw.
Standard library only.
"""

import ipaddress
import os

VARIABLE = "FORWARDED_ALLOW_IPS"


class TrustedPeers:
    def __init__(self, value: str) -> None:
        self.any = False
        self.addresses = set()
        self.networks = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            if item == "*":
                self.any = True
                continue
            try:
                if "/" in item:
                    self.networks.append(ipaddress.ip_network(item, strict=False))
                else:
                    self.addresses.add(str(ipaddress.ip_address(item)))
            except ValueError:
                self.addresses.add(item)   # a literal such as a unix socket path

    def __contains__(self, host) -> bool:
        if self.any:
            return True
        if host is None:
            return False
        if host in self.addresses:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return str(address) in self.addresses or any(address in network for network in self.networks)

    def __bool__(self) -> bool:
        return self.any or bool(self.addresses) or bool(self.networks)


def _header(scope, name: bytes):
    values = [value.decode("latin-1") for key, value in scope.get("headers", []) if key.lower() == name]
    return ",".join(values) if values else None


class ForwardedHeaders:
    """ASGI middleware: when the peer is trusted, the client is the nearest
    untrusted address of X-Forwarded-For and the scheme X-Forwarded-Proto's."""

    def __init__(self, app, trusted: str) -> None:
        self.app = app
        self.trusted = TrustedPeers(trusted)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if client and client[0] in self.trusted:
                scope = dict(scope)
                proto = _header(scope, b"x-forwarded-proto")
                if proto:
                    proto = proto.split(",")[-1].strip().lower()
                    if scope["type"] == "websocket":
                        proto = {"https": "wss", "http": "ws"}.get(proto, proto)
                    if proto in ("http", "https", "ws", "wss"):
                        scope["scheme"] = proto
                forwarded_for = _header(scope, b"x-forwarded-for")
                if forwarded_for:
                    hosts = [host.strip() for host in forwarded_for.split(",") if host.strip()]
                    chosen = next((host for host in reversed(hosts) if host not in self.trusted), hosts[0] if hosts else None)
                    if chosen:
                        scope["client"] = (chosen, 0)
        await self.app(scope, receive, send)


def wrap(application):
    """`application` trusting the peers FORWARDED_ALLOW_IPS names; itself when it names none."""
    trusted = os.environ.get(VARIABLE, "")
    if not TrustedPeers(trusted):
        return application
    return ForwardedHeaders(application, trusted)
