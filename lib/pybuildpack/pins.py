"""Versions of the packages pybuildpack adds to an app's install when it needs them.

Each is pinned, with an older pin for Pythons the newest release no longer
supports, so a build is repeatable and the log can say exactly what it added.
A web server's pins live in its module (`servers/`); WhiteNoise's live here.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence


class Pin(NamedTuple):
    version: str
    marker: str  # a PEP 508 marker; "" for every Python


WHITENOISE = (
    Pin("6.12.0", 'python_version >= "3.10"'),
    Pin("6.9.0", 'python_version == "3.9"'),
    Pin("6.7.0", 'python_version < "3.9"'),
)


def requirement_lines(name: str, pins: Sequence[Pin]) -> list[str]:
    return [f"{name}=={pin.version}" + (f"; {pin.marker}" if pin.marker else "") for pin in pins]


def version_for(name: str, pins: Sequence[Pin], python_version: str) -> str:
    """The pinned version of `name` that a given Python gets."""
    from packaging.markers import Marker

    for pin in pins:
        if not pin.marker or Marker(pin.marker).evaluate({"python_version": ".".join(python_version.split(".")[:2]),
                                                          "python_full_version": python_version}):
            return pin.version
    raise LookupError(f"no pin of {name} for Python {python_version}")
