"""The content digests the build's caches are keyed on (static_cache.py,
django_cache.py, used_packages.py).

    >>> parts_digest("django", "5.2")      # sha256 of the parts, each ended by NUL
    >>> file_digest(Path("manage.py"))     # sha256 of the file, read in 1 MiB blocks
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parts_digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()
