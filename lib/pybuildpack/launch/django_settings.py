"""The app's own Django settings, plus STATIC_ROOT when they do not set one.

DJANGO_SETTINGS_MODULE points here only when the build found no STATIC_ROOT.
The user's module is PYBUILDPACK_DJANGO_SETTINGS_MODULE, else the one the build
found. STATIC_ROOT is computed from that module's location, so the same slug
works in the build directory and at /app.
"""

import importlib
import os

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
