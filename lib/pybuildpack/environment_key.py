"""What the cached environment depends on, and why a cached one is discarded.

One definition for every platform: Heroku keeps the environment in its build
cache, CNB in the `venv` layer, the local command in `.pybuildpack/`. Each
stores `EnvironmentKey.metadata()` beside it and, on the next build, asks
`changes()` whether the stored key still matches; every field that differs is
one reason, named in the log:

    >>> old = EnvironmentKey("3.12.4", "uv", "0.13.9", "x86_64", "heroku-24").metadata()
    >>> EnvironmentKey("3.13.1", "uv", "0.13.9", "x86_64", "heroku-24").changes(old)
    ['Python version changed (3.12.4 -> 3.13.1)']

What the packages themselves depend on (the requirement files, the added
packages, index settings) is the install key (`steps.dependencies.Inputs`):
when only that changes, the environment is kept and synced, not discarded.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping, Optional

# Field name -> how a message names it. The order is the order of the reasons.
LABELS = {
    "python_version": "Python version",
    "interpreter": "Python interpreter",
    "installer": "installer",
    "installer_version": "installer version",
    "arch": "architecture",
    "distro": "distribution",
}
# The value of `purpose` for a build with the test dependencies (bin/test-compile).
TEST = "test"


@dataclass(frozen=True)
class EnvironmentKey:
    """`distro` is the build image (Heroku's $STACK, the CNB target distribution);
    `interpreter` is set only where the environment is built on a Python that
    pybuildpack did not install (the local command's fallback); `purpose` is
    TEST for a build with the test dependencies (Heroku CI's bin/test-compile),
    so a later production build never reuses that environment."""

    python_version: str
    installer: str
    installer_version: str
    arch: str
    distro: Optional[str] = None
    interpreter: Optional[str] = None
    purpose: Optional[str] = None

    def metadata(self) -> dict:
        """The fields to store with the environment (unset ones left out)."""
        order = ("python_version", "interpreter", "installer", "installer_version", "arch", "distro", "purpose")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: values[name] for name in order if values[name] is not None}

    def changes(self, stored: Mapping[str, object]) -> list:
        """One reason per field whose stored value differs from this key's."""
        wanted = self.metadata()
        reasons = describe_changes(stored, wanted, {k: v for k, v in LABELS.items()
                                                    if k in wanted or stored.get(k) is not None})
        if stored.get("purpose") != self.purpose:
            reasons.append("the last build installed the test dependencies (bin/test-compile)"
                           if stored.get("purpose") == TEST else "this build installs the test dependencies")
        return reasons


def describe_changes(old: Mapping[str, object], new: Mapping[str, object], labels: Mapping[str, str]) -> list:
    """One reason per field that differs, e.g. 'Python version changed (3.12.1 -> 3.12.4)'."""
    reasons = []
    for field, label in labels.items():
        before, after = old.get(field), new.get(field)
        if before != after:
            if before is None:
                reasons.append(f"{label} was not recorded")
            else:
                reasons.append(f"{label} changed ({before} -> {after})")
    return reasons
