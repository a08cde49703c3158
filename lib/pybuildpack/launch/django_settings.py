"""The app's own Django settings, plus what they leave out that a platform needs.

DJANGO_SETTINGS_MODULE points here when the build found no STATIC_ROOT, or an
empty ALLOWED_HOSTS. The user's module is PYBUILDPACK_DJANGO_SETTINGS_MODULE,
else the one the build found. STATIC_ROOT is computed from that module's
location, so the same slug works in the build directory and at /app. An empty
ALLOWED_HOSTS gets the app's host names from the platform, decided at boot
(allowed_hosts.py), with one line on stderr saying so; settings that name
hosts themselves are never touched.
"""

import importlib
import os
import sys

from pybuildpack_launch import allowed_hosts as _allowed_hosts
from pybuildpack_launch import build_info

_info = build_info().get("django", {})
_module_name = os.environ.get("PYBUILDPACK_DJANGO_SETTINGS_MODULE") or _info.get("settings_module")
if not _module_name:
    raise ImportError("pybuildpack_launch.django_settings: no Django settings module was recorded; "
                      "set PYBUILDPACK_DJANGO_SETTINGS_MODULE to your settings module")
_user = importlib.import_module(_module_name)

for _name in dir(_user):
    if _name.isupper():
        globals()[_name] = getattr(_user, _name)

if not globals().get("STATIC_ROOT"):
    STATIC_ROOT = os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(_user.__file__)), _info.get("static_root_from_settings", "staticfiles"))
    )

_decision = _allowed_hosts.decide(globals().get("ALLOWED_HOSTS"), bool(globals().get("DEBUG")), os.environ)
if _decision.hosts is not None:
    ALLOWED_HOSTS = _decision.hosts
if _decision.message:
    sys.stderr.write(f"pybuildpack: {_decision.message}\n")
    sys.stderr.flush()
