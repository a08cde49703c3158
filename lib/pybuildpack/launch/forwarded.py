"""Which peers' X-Forwarded-For / X-Forwarded-Proto to believe, and what they say: one rule for every server.

FORWARDED_ALLOW_IPS is a comma-separated list of addresses or networks
(`10.0.0.0/8`) whose forwarded headers are believed, or `*` for any peer.
pybuildpack sets it to `*` behind a platform's router, where only the router
reaches the app; locally it is unset and nothing is trusted.

Each proxy appends the address it saw to X-Forwarded-For, so only the entries
the trusted proxies appended can be believed; anything to their left may be
the client's own invention. The client is therefore the nearest entry, from
the right, that is not a trusted proxy; with `*` (a router whose address is
not known in advance), the last entry, which the router appended. uvicorn's
own rule would take the first entry with `*`, which a client can forge, so
pybuildpack turns uvicorn's proxy headers off and applies this one instead.
Standard library only.
"""

import ipaddress
import os

VARIABLE = "FORWARDED_ALLOW_IPS"
SCHEMES = ("http", "https")


class TrustedPeers:
    """The peers FORWARDED_ALLOW_IPS names; false when it names none."""

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
        return self.listed(host)

    def listed(self, host) -> bool:
        """Whether `host` is named by address or network (`*` aside)."""
        if not host:
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


def from_environment() -> TrustedPeers:
    return TrustedPeers(os.environ.get(VARIABLE, ""))


def client(forwarded_for, trusted: TrustedPeers):
    """The client's address from an X-Forwarded-For value a trusted peer sent
    (None when it has no entries)."""
    hosts = [host.strip() for host in (forwarded_for or "").split(",") if host.strip()]
    if not hosts:
        return None
    for host in reversed(hosts):
        if not trusted.listed(host):
            return host
    return hosts[0]   # every entry a trusted proxy: the farthest is the client


def scheme(forwarded_proto):
    """The scheme from an X-Forwarded-Proto value (the nearest proxy's), or None."""
    value = (forwarded_proto or "").split(",")[-1].strip().lower()
    return value if value in SCHEMES else None
