"""gunicorn's worker class for ASGI apps: uvicorn-worker's, with uvicorn's own proxy headers off.

With FORWARDED_ALLOW_IPS=`*` uvicorn takes the client from the first entry
of X-Forwarded-For, which the client itself can write; the app these workers
serve (`asgi_app:behind_router`) applies the header by `forwarded.py`'s rule
instead, as every other server's web process does.
"""

from uvicorn_worker import UvicornWorker as _UvicornWorker


class UvicornWorker(_UvicornWorker):
    CONFIG_KWARGS = {**_UvicornWorker.CONFIG_KWARGS, "proxy_headers": False}
