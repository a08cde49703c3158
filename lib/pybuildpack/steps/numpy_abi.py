"""Packages built for numpy 1 installed beside numpy 2.

numpy 2.0 changed its binary interface: an extension compiled against numpy 1
fails to import beside numpy 2 ("numpy.dtype size changed, may indicate binary
incompatibility"; "A module that was compiled using NumPy 1.x cannot be run in
NumPy 2.x"). An old pin such as `pandas==1.3.5` declares `numpy>=1.17.3` with
no upper bound, so the install picks the newest numpy and the build would go
green while the app stops at its first import. The releases below are each
project's first built for numpy 2 (numpy/numpy#26191, the projects' notes);
anything older is refused after the install.

    >>> built_for_numpy_1([("numpy", "2.0.2"), ("pandas", "1.3.5")])
    ('2.0.2', [('pandas', '1.3.5', '2.2.2')])
"""

from __future__ import annotations

from typing import Iterable

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# Project -> its first release built for numpy 2.
NUMPY_2_READY = {
    "pandas": "2.2.2",
    "scipy": "1.13.0",
    "scikit-learn": "1.4.2",
    "matplotlib": "3.8.4",
    "contourpy": "1.2.1",
    "pyarrow": "16.0.0",
}


def _version(text: str):
    try:
        return Version(text)
    except InvalidVersion:
        return None


def built_for_numpy_1(installed: Iterable[tuple]) -> tuple:
    """(numpy's version, [(name, version, first release for numpy 2) of each
    installed package built for numpy 1]) when the numpy installed is 2 or
    later and such a package is installed; ("", []) otherwise."""
    versions = {canonicalize_name(name): version for name, version in installed}
    numpy = _version(versions.get("numpy", ""))
    if numpy is None or numpy.major < 2:
        return "", []
    found = []
    for name, ready in NUMPY_2_READY.items():
        version = _version(versions.get(name, ""))
        if version is not None and version < Version(ready):
            found.append((name, versions[name], ready))
    return (versions["numpy"], found) if found else ("", [])
