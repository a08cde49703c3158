"""Versions of the packages pybuildpack adds to an app's install when it needs them.

Each is pinned, with an older pin for Pythons the newest release no longer
supports, so a build is repeatable and the log can say exactly what it added.
"""

from __future__ import annotations

from typing import NamedTuple


class Pin(NamedTuple):
    version: str
    marker: str  # a PEP 508 marker; "" for every Python


ADDED_PACKAGES: dict[str, tuple] = {
    "gunicorn": (
        Pin("27.0.1", 'python_version >= "3.10"'),
        Pin("23.0.0", 'python_version < "3.10"'),
    ),
    "whitenoise": (
        Pin("6.12.0", 'python_version >= "3.10"'),
        Pin("6.9.0", 'python_version == "3.9"'),
        Pin("6.7.0", 'python_version < "3.9"'),
    ),
}


def requirement_lines(name: str) -> list[str]:
    return [f"{name}=={pin.version}" + (f"; {pin.marker}" if pin.marker else "") for pin in ADDED_PACKAGES[name]]


def version_for(name: str, python_version: str) -> str:
    """The pinned version of `name` that a given Python gets."""
    from packaging.markers import Marker

    for pin in ADDED_PACKAGES[name]:
        if not pin.marker or Marker(pin.marker).evaluate({"python_version": ".".join(python_version.split(".")[:2]),
                                                          "python_full_version": python_version}):
            return pin.version
    raise LookupError(f"no pin of {name} for Python {python_version}")
