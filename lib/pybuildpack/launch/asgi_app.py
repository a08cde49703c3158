"""The ASGI app a server runs when the server cannot do everything itself.

Every ASGI server started by pybuildpack serves `pybuildpack_launch.asgi_app:application`
(or `:behind_router`) instead of the app's own target, because each must add
something to it. The real app is named by the command itself:

    PYBUILDPACK_APP=mysite.asgi:application hypercorn ... pybuildpack_launch.asgi_app:behind_router

- PYBUILDPACK_APP: `module:attribute` or `module:factory()` (`target.py` loads it);
- PYBUILDPACK_APP_DIR: the directory to import it from, relative to the app
  (a Django project whose manage.py is in a subdirectory); the process
  changes into it first, as gunicorn's --chdir does.

`application` is the app with Django's collected static files served
(`asgi_static.py`, a no-op for apps that are not Django); `behind_router` also
trusts the router's forwarded headers as FORWARDED_ALLOW_IPS says
(`asgi_proxy.py`), for servers that cannot. Loaded inside a uvicorn,
hypercorn or daphne process, it also makes that server's SIGTERM graceful
under load (`asgi_uvicorn.py`, `asgi_hypercorn.py`, `asgi_daphne.py`). Standard library only.
"""

import os
import sys

from pybuildpack_launch import asgi_proxy, asgi_static, target

DIRECTORY_VARIABLE = "PYBUILDPACK_APP_DIR"


def _load():
    directory = os.environ.get(DIRECTORY_VARIABLE, "")
    if directory and directory != ".":
        os.chdir(directory)
    return target.load()   # which imports from the working directory


def _adapt_server() -> None:
    """Graceful shutdown for the server this module was loaded by, where the
    server's own falls short (see those modules)."""
    if "uvicorn.server" in sys.modules:
        from pybuildpack_launch import asgi_uvicorn

        asgi_uvicorn.patch_server()
    if "hypercorn" in sys.modules:
        from pybuildpack_launch import asgi_hypercorn

        asgi_hypercorn.patch_worker()
    if "daphne.server" in sys.modules:
        from pybuildpack_launch import asgi_daphne

        asgi_daphne.patch_server()


_adapt_server()
application = asgi_static.wrap(_load())
behind_router = asgi_proxy.wrap(application)
