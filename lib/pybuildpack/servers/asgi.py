"""What the ASGI server modules share: serving the app through `launch/asgi_app.py`.

No ASGI server does everything the web process needs with flags alone (load a
factory, change into the app's directory, trust the router's forwarded headers,
serve Django's static files, stop without dropping requests), so each serves
`pybuildpack_launch.asgi_app` instead of the app's target. The command names
the real target in PYBUILDPACK_APP (and its directory in PYBUILDPACK_APP_DIR),
so the log and `explain` still say which app is served:

    >>> environment(AppTarget("asgi", "main:create_app", "src", "main.py", kind="factory"))
    ['PYBUILDPACK_APP=main:create_app()', 'PYBUILDPACK_APP_DIR=src']
"""

from __future__ import annotations

from ..inspect.processes import AppTarget
from .base import launch_spec

RUNNER = "pybuildpack_launch.asgi_app"
# The app with Django's static files served; the same, trusting the router's headers too.
APPLICATION = RUNNER + ":application"
BEHIND_ROUTER = RUNNER + ":behind_router"


def environment(target: AppTarget) -> list:
    """The assignments that name the real app for `asgi_app`."""
    words = [f"PYBUILDPACK_APP={launch_spec(target)}"]
    if target.chdir and target.chdir != ".":
        words.append(f"PYBUILDPACK_APP_DIR={target.chdir}")
    return words

