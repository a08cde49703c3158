"""The pinned versions of the packages pybuildpack adds (pybuildpack.pins)."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from pybuildpack import pins, servers

# Everything a build may add: each server's pins, and WhiteNoise's.
ADDED_PACKAGES = {**{name: server.pins for name, server in servers.SERVERS.items()}, "whitenoise": pins.WHITENOISE}


def requirement_lines(name):
    return pins.requirement_lines(name, ADDED_PACKAGES[name])


def version_for(name, python):
    return pins.version_for(name, ADDED_PACKAGES[name], python)


def test_requirement_lines_carry_their_markers():
    assert requirement_lines("gunicorn") == [
        'gunicorn==27.0.1; python_version >= "3.10"',
        'gunicorn==23.0.0; python_version < "3.10"',
    ]
    assert requirement_lines("whitenoise") == [
        'whitenoise==6.12.0; python_version >= "3.10"',
        'whitenoise==6.9.0; python_version == "3.9"',
        'whitenoise==6.7.0; python_version < "3.9"',
    ]


@pytest.mark.parametrize("name", sorted(ADDED_PACKAGES))
def test_requirement_lines_are_valid_pep_508(name):
    for line in requirement_lines(name):
        assert Requirement(line).name == name


@pytest.mark.parametrize("name, python, version", [
    ("gunicorn", "3.8", "23.0.0"),
    ("gunicorn", "3.9.20", "23.0.0"),
    ("gunicorn", "3.10.0", "27.0.1"),
    ("gunicorn", "3.12", "27.0.1"),
    ("whitenoise", "3.8.18", "6.7.0"),
    ("whitenoise", "3.9", "6.9.0"),
    ("whitenoise", "3.12.4", "6.12.0"),
    ("whitenoise", "3.13", "6.12.0"),
])
def test_version_for_picks_the_pin_for_the_python_version(name, python, version):
    assert version_for(name, python) == version


@pytest.mark.parametrize("name", sorted(ADDED_PACKAGES))
@pytest.mark.parametrize("python", ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"])
def test_exactly_one_pin_applies_to_each_python(name, python):
    from packaging.markers import Marker

    # An empty marker is a pin for every Python (pyuwsgi's wheels cover them all).
    applying = [pin for pin in ADDED_PACKAGES[name]
                if not pin.marker or Marker(pin.marker).evaluate({"python_version": python})]
    assert len(applying) == 1


def test_version_for_a_python_no_pin_covers_is_a_lookup_error():
    with pytest.raises(LookupError):
        pins.version_for("gunicorn", (pins.Pin("27.0.1", 'python_version >= "3.10"'),), "3.9")
