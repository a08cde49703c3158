"""What the ASGI server modules share: serving the app through `launch/asgi_app.py`.

A server that cannot do something the web process needs (load a factory, change
into the app's directory, trust the router's forwarded headers, serve Django's
static files, stop gracefully) serves `pybuildpack_launch.asgi_app` instead of
the app's target, and the command names the real target in PYBUILDPACK_APP
(and its directory in PYBUILDPACK_APP_DIR), so the log and `explain` still say
which app is served:

    >>> from pathlib import Path
    >>> environment(AppTarget("asgi", "main:create_app", "src", "main.py", kind="factory"))
    ['PYBUILDPACK_APP=main:create_app()', 'PYBUILDPACK_APP_DIR=src']
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget

RUNNER = "pybuildpack_launch.asgi_app"
# The app with Django's static files served; the same, trusting the router's headers too.
APPLICATION = RUNNER + ":application"
BEHIND_ROUTER = RUNNER + ":behind_router"


def environment(target: AppTarget) -> list:
    """The assignments that name the real app for `asgi_app`."""
    words = [f"PYBUILDPACK_APP={target.target}" + ("()" if target.kind == "factory" else "")]
    if target.chdir and target.chdir != ".":
        words.append(f"PYBUILDPACK_APP_DIR={target.chdir}")
    return words


def is_django(target: AppTarget, app_dir: Path) -> bool:
    """Whether the target is a Django project's ASGI app, whose static files
    the web process serves: the finder says so, or manage.py sits where the
    target is imported from."""
    if (target.framework or "").lower() == "django":
        return True
    return (Path(app_dir) / (target.chdir or ".") / "manage.py").is_file()
