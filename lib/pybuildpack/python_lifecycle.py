"""CPython's release lifecycle: when each minor version stops getting fixes, and
what the build says about the version it uses.

The end-of-life dates are the Python developer guide's (devguide.python.org/versions):
a release line gets security fixes for five years after its first release,
and ends in October of its fifth year. Where the guide gives only a month, the
last day of that month stands for it. This table is the one place the dates live.

    >>> end_of_life("3.9.18")
    datetime.date(2025, 10, 31)
    >>> [title for title, _ in python_warnings(PythonRequests(PythonRequest("3.9", "exact", ".python-version"), None),
    ...                                        "3.9.18", ["3.9.18"], date(2026, 11, 22))]
    ['Python 3.9 has reached its end of life']
"""

from __future__ import annotations

import os
from datetime import date
from typing import Mapping, Optional, Sequence

from . import errors
from .inspect.python_version import PythonRequest, PythonRequests, stable_versions

END_OF_LIFE = {
    "3.6": date(2021, 12, 23),
    "3.7": date(2023, 6, 27),
    "3.8": date(2024, 10, 7),
    "3.9": date(2025, 10, 31),
    "3.10": date(2026, 10, 31),
    "3.11": date(2027, 10, 31),
    "3.12": date(2028, 10, 31),
    "3.13": date(2029, 10, 31),
    "3.14": date(2030, 10, 31),
}
# How far ahead an end of life is worth a warning: about a year, time to plan an upgrade.
SOON_DAYS = 365
# Set to YYYY-MM-DD to make the build believe it is that day (tests of the dates above).
TODAY_VAR = "PYBUILDPACK_TODAY"


def today(environ: Optional[Mapping[str, str]] = None) -> date:
    """The date the lifecycle checks use: PYBUILDPACK_TODAY when it is a valid
    date, else the build machine's."""
    value = (os.environ if environ is None else environ).get(TODAY_VAR, "").strip()
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return date.today()


def minor_of(version: str) -> str:
    return ".".join(version.split(".")[:2])


def end_of_life(version: str) -> Optional[date]:
    """The end-of-life date of `version`'s release line, when the table knows it."""
    return END_OF_LIFE.get(minor_of(version))


def _origin_file(requests: PythonRequests) -> str:
    """The file to edit to change the version: where the request came from, without a line number."""
    primary = requests.primary
    if primary is None:
        return ".python-version"
    return primary.origin.split(" line ")[0]


def python_warnings(requests: PythonRequests, version: str, available: Sequence[str], on: date) -> list:
    """The warnings about the Python a build uses, as (title, body) pairs, in
    the order the build shows them: not pinned, end of life, newer patch."""
    found = []
    if requests.primary is None:
        found.append(errors.python_version_not_pinned(version))
    ends = end_of_life(version)
    if ends is not None and requests.primary is not None:
        # An unpinned build gets the newest release, so only a request can choose an old one.
        upgrade_to = upgrade_target(version, available, on)
        if ends <= on:
            found.append(errors.python_end_of_life(minor_of(version), ends, _origin_file(requests), upgrade_to))
        elif (ends - on).days <= SOON_DAYS:
            found.append(errors.python_end_of_life_soon(minor_of(version), ends, _origin_file(requests), upgrade_to))
    newer_patch = newer_patch_release(requests.exact, version, available)
    if newer_patch is not None:
        found.append(errors.python_patch_outdated(requests.exact.value, newer_patch, _origin_file(requests)))
    return found


def upgrade_target(version: str, available: Sequence[str], on: date) -> Optional[str]:
    """The release line to suggest moving to: the oldest in the download list
    that is newer than `version`'s and supported for more than a year (a small
    step an app's pins are likely to take, unlike a jump to the newest), else
    the newest newer one still supported."""
    current = _minor_key(minor_of(version))
    newer = sorted({minor_of(v) for v in stable_versions(available) if _minor_key(minor_of(v)) > current},
                   key=_minor_key)

    def days_left(minor: str) -> int:
        ends = END_OF_LIFE.get(minor)
        return (ends - on).days if ends is not None else SOON_DAYS + 1   # newer than the table: supported

    lasting = [m for m in newer if days_left(m) > SOON_DAYS]
    if lasting:
        return lasting[0]
    supported = [m for m in newer if days_left(m) > 0]
    return supported[-1] if supported else None


def never_released(requested: str, available: Sequence[str]) -> bool:
    """Whether an exact request (`3.99`, `3.12.99`) is newer than every release
    of its kind in the download list, so no CPython of that number exists yet.
    A version older than the list (3.7 is no longer in uv's) is not: it exists,
    it is only not downloadable.

        >>> never_released("3.99", ["3.13.1"]), never_released("3.13.5", ["3.13.1"]), never_released("3.7", ["3.13.1"])
        (True, True, False)
    """
    parts = requested.split(".")
    versions = [_version_key(v) for v in stable_versions(available)]
    if len(parts) < 2 or not all(part.isdigit() for part in parts) or not versions:
        return False
    wanted = tuple(int(part) for part in parts)
    if len(wanted) == 2:
        return wanted > max(v[:2] for v in versions)
    same_line = [v for v in versions if v[:2] == wanted[:2]]
    if same_line:
        return wanted > max(same_line)
    return wanted[:2] > max(v[:2] for v in versions)


def newer_patch_release(exact: Optional[PythonRequest], version: str, available: Sequence[str]) -> Optional[str]:
    """The newest patch release of a pinned MAJOR.MINOR.PATCH's line, when it is
    newer than the version used; None when the request is not a patch pin."""
    if exact is None or exact.value.count(".") != 2:
        return None
    same_line = [v for v in stable_versions(available) if minor_of(v) == minor_of(version)]
    if same_line and same_line[0] != version and _version_key(same_line[0]) > _version_key(version):
        return same_line[0]
    return None


def _minor_key(minor: str) -> tuple:
    return tuple(int(part) for part in minor.split("."))


def _version_key(version: str) -> tuple:
    return tuple(int(part) for part in version.split(".")[:3])
