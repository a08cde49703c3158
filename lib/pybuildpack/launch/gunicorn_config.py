"""gunicorn settings for the web process pybuildpack starts.

Binds 0.0.0.0:$PORT, logs to stdout, reads WEB_CONCURRENCY and
FORWARDED_ALLOW_IPS (gunicorn's own defaults), then applies the app's own
gunicorn.conf.py, so anything the app sets wins. Each worker's application is
wrapped to serve Django's static files.
"""

import os
import tempfile

bind = ["0.0.0.0:" + os.environ.get("PORT", "8000")]
accesslog = "-"
errorlog = "-"
# Heroku's router closes idle connections after 55 s; keep-alive must be shorter
# than the router's timeout, and the app gets the router's 30 s request budget.
keepalive = 5
graceful_timeout = 20
# gunicorn 25+ opens a control socket, by default in $HOME/.gunicorn/: that is
# inside the slug on Heroku, and shared by every server a developer runs. One
# per server, in the temporary directory, avoids both. (Older gunicorns ignore it.)
control_socket = os.path.join(tempfile.gettempdir(), f"gunicorn-{os.getpid()}.ctl")

_user_post_worker_init = None
if os.path.isfile("gunicorn.conf.py"):
    with open("gunicorn.conf.py", encoding="utf-8") as _handle:
        _namespace = {"__file__": os.path.abspath("gunicorn.conf.py"), "__name__": "gunicorn_conf"}
        exec(compile(_handle.read(), "gunicorn.conf.py", "exec"), _namespace)
    for _key, _value in _namespace.items():
        if not _key.startswith("_") and _key != "post_worker_init":
            globals()[_key] = _value
    _user_post_worker_init = _namespace.get("post_worker_init")


def post_worker_init(worker):
    from pybuildpack_launch.static import wrap

    worker.wsgi = wrap(worker.wsgi)
    if _user_post_worker_init is not None:
        _user_post_worker_init(worker)
