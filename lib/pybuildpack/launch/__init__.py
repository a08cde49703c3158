"""Code that runs inside the built app, installed as the `pybuildpack_launch` package.

It is copied next to the app's packages at build time and uses only the
standard library plus what the app's process already imports (gunicorn,
Django, WhiteNoise), so it adds nothing to the app's dependency tree.
"""

import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def build_info() -> dict:
    """What the build recorded for the launch code (build.json next to this file)."""
    try:
        with open(os.path.join(_HERE, "build.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}
