"""gunicorn's settings for the web process (`gunicorn --config gunicorn.conf.py ...`)."""

import os
import socket


def any_address() -> str:
    """`[::]`, which takes IPv6 and (unless the host forbids it) IPv4 too; `0.0.0.0`
    where the machine has IPv6 turned off."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::", 0))
        return "[::]"
    except OSError:
        return "0.0.0.0"


# The platform says which port to listen on.
bind = [f"{any_address()}:{os.environ.get('PORT', '8000')}"]

# Threads suit a site that waits on its database more than it computes.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = 4

# A worker that stops answering its heartbeat for this long is replaced; on
# SIGTERM, requests in flight get this long (under the platform's 30 s).
timeout = 20
graceful_timeout = 20

# Idle keep-alive connections outlive the router's own (90 s), so the router
# is always the side that closes them.
keepalive = 95

# One line per request on stdout.
accesslog = "-"

if os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on"):
    reload = True    # restart on code changes while developing
else:
    preload_app = True           # import the app once, before forking: less memory, faster boots
    reuse_port = True
    forwarded_allow_ips = "*"    # trust the router's X-Forwarded-* headers
