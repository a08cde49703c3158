"""gunicorn settings for the web process pybuildpack starts.

Binds 0.0.0.0:$PORT, logs to stdout, reads WEB_CONCURRENCY and
FORWARDED_ALLOW_IPS (gunicorn's own defaults), runs threaded workers, then
applies the app's own gunicorn.conf.py (or the file PYBUILDPACK_GUNICORN_CONFIG
names), so anything the app sets wins. Each
worker's application is wrapped to serve Django's static files.

Why threaded workers (gthread, THREADS threads each): a sync worker handles one
connection at a time and leaves the rest in the listen backlog, which gunicorn
closes on SIGTERM: under 200 connections it reset 188 of 200 in-flight requests,
and served fewer requests per second than gthread. A gthread worker accepts
connections as they come and finishes every one it accepted before it exits.
`make bench-serve` (benchmarks/serve.py) has the numbers behind THREADS.
"""

import os
import shlex
import sys
import tempfile

THREADS = 8

bind = ["0.0.0.0:" + os.environ.get("PORT", "8000")]
accesslog = "-"
errorlog = "-"
# Heroku's router closes idle connections after 55 s; keep-alive must be shorter
# than the router's timeout, and the app gets the router's 30 s request budget.
keepalive = 5
# Every accepted request gets this long to finish after SIGTERM, and the
# process is gone before the platforms' SIGKILL (Heroku: 30 s after SIGTERM).
graceful_timeout = 20
# gunicorn 25+ opens a control socket, by default in $HOME/.gunicorn/: that is
# inside the slug on Heroku, and shared by every server a developer runs. One
# per server, in the temporary directory, avoids both. (Older gunicorns ignore it.)
control_socket = os.path.join(tempfile.gettempdir(), f"gunicorn-{os.getpid()}.ctl")


def _named_by_user():
    """The settings GUNICORN_CMD_ARGS or the command line name (they win over
    this file anyway; this tells which defaults must step aside for them)."""
    try:
        from gunicorn.config import Config
        parser = Config().parser()
    except Exception:  # not running inside gunicorn (a syntax check, a test)
        return set()
    named = set()
    for words in (shlex.split(os.environ.get("GUNICORN_CMD_ARGS", "")), sys.argv[1:]):
        try:
            parsed = parser.parse_args(words)
        except SystemExit:
            continue  # gunicorn itself reports bad arguments
        named |= {key for key, value in vars(parsed).items() if value is not None and key != "args"}
    return named


_NAMED = _named_by_user()
# gunicorn turns a sync worker class into gthread when threads > 1, so a worker
# class the user names elsewhere must not get our thread count with it.
if "worker_class" not in _NAMED:
    worker_class = "gthread"
    threads = THREADS

_user_post_worker_init = None
# The app's own settings: PYBUILDPACK_GUNICORN_CONFIG names the file (OpenShift's
# APP_CONFIG becomes it on S2I), else gunicorn.conf.py when the app has one.
_user_config = os.environ.get("PYBUILDPACK_GUNICORN_CONFIG", "").strip() or "gunicorn.conf.py"
if _user_config != "gunicorn.conf.py" and not os.path.isfile(_user_config):
    raise RuntimeError(f"PYBUILDPACK_GUNICORN_CONFIG names {_user_config}, which is not a file")
if os.path.isfile(_user_config):
    with open(_user_config, encoding="utf-8") as _handle:
        _namespace = {"__file__": os.path.abspath(_user_config), "__name__": "gunicorn_conf"}
        exec(compile(_handle.read(), _user_config, "exec"), _namespace)
    if "worker_class" in _namespace and "threads" not in _namespace:
        globals().pop("threads", None)   # the app's worker class, with gunicorn's default of 1 thread
    for _key, _value in _namespace.items():
        if not _key.startswith("_") and _key != "post_worker_init":
            globals()[_key] = _value
    _user_post_worker_init = _namespace.get("post_worker_init")


def post_worker_init(worker):
    # An ASGI worker (uvicorn's) serves pybuildpack_launch.asgi_app, which serves
    # Django's static files itself: WhiteNoise is for WSGI applications only.
    if not type(worker).__module__.startswith("uvicorn"):
        from pybuildpack_launch.static import wrap

        worker.wsgi = wrap(worker.wsgi)
    if _user_post_worker_init is not None:
        _user_post_worker_init(worker)


def _preimport():
    """Import the app's framework (build.json's `preimport`: its own modules,
    which run none of the app's code) here, in gunicorn's master, before it
    forks the workers: each worker starts with them loaded, instead of every
    worker importing them at once on fewer cores than workers, and the first
    request is answered sooner (a small Flask app on 2 cores: about half the time).
    Only for workers that patch nothing: gevent's and eventlet's must patch the
    standard library before anything imports it. A module that fails to import
    is left to the worker, which reports it as it always has."""
    if "worker_class" in _NAMED or globals().get("worker_class", "sync") not in ("sync", "gthread"):
        return
    try:
        from pybuildpack_launch import build_info
        modules = build_info().get("preimport") or ()
    except Exception:
        return
    import importlib
    for _name in modules:
        try:
            importlib.import_module(_name)
        except Exception:
            pass


_preimport()
