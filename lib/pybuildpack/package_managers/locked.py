"""What the lock-file package managers share: a locked package as a requirement
line, written into a requirements file that the exact uv install reads.

Poetry's and Pipenv's locks both name, for each package, one version and the
sha256 of every file it may be installed from, or a git commit, a local path
or a URL. `Pinned` is that, plus the markers under which the package is needed;
`requirements_text()` turns a list of them into a hash-pinned requirements
file:

    >>> Pinned("flask", "3.0.3", ("sha256:ab",), 'python_version >= "3.8"').line()
    'flask==3.0.3 ; python_version >= "3.8" \\\\\\n    --hash=sha256:ab'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from .. import errors
from ..app_root import repository_top
from ..steps.prefetch import Request, without_local
from .base import InstallContext
from .requirements_txt import sync

PYPI_SIMPLE = ("https://pypi.org/simple", "https://pypi.python.org/simple")


@dataclass(frozen=True)
class Pinned:
    """One locked package: `name==version`, or `name @ url` when `url` is set."""

    name: str
    version: str
    hashes: tuple = ()
    marker: str = ""
    url: str = ""          # a direct reference: git+https://...@<commit>, file:///..., https://...
    extras: tuple = ()

    def line(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        text = f"{self.name}{extras} @ {self.url}" if self.url else f"{self.name}{extras}=={self.version}"
        if self.marker:
            text += f" ; {self.marker}"
        for digest in self.hashes:
            text += f" \\\n    --hash={digest}"
        return text


def is_pypi(url: str) -> bool:
    return url.rstrip("/").lower() in PYPI_SIMPLE


def requirements_text(header: str, index_lines: Sequence[str], pinned: Iterable[Pinned]) -> str:
    lines = [f"# {header}"] + list(index_lines) + [p.line() for p in pinned]
    return "\n".join(lines) + "\n"


def local_file_url(app_dir: Path, path: str, source: str, name: str) -> str:
    """A file:// URL for a path dependency, which must be inside the app's
    repository (the slug holds nothing else). Installed as a copy, never
    editable: the slug moves from the build directory to /app."""
    target = (app_dir / path).resolve() if not Path(path).is_absolute() else Path(path).resolve()
    root = repository_top(app_dir)
    if target != root and root not in target.parents:
        raise errors.PathDependencyOutsideApp(source, None, f"{name} @ {path}", str(target))
    return target.as_uri()


def converted_request(scratch: Path, file_name: str, text: str) -> Request:
    """A prefetch of a converted lock: its requirements, without those built from paths."""
    path = scratch / file_name
    path.write_text(without_local(text))
    return Request((str(path),))


def install_converted(context: InstallContext, file_name: str, text: str, label: str,
                      failed: Optional[Callable[[str, str], Exception]] = None) -> None:
    """Write the converted requirements into the state directory and install
    them exactly, as requirements.txt is (`sync`): with uv as they are (hashes
    checked), with pip through pip-compile and pip-sync. Errors name `label`
    (`failed`: the error of a failed uv install, as `sync` takes it)."""
    c = context
    c.state_dir.mkdir(parents=True, exist_ok=True)
    converted = c.state_dir / file_name
    converted.write_text(text)
    count = sum(1 for line in text.splitlines() if line and not line.startswith(("#", "-", " ")))
    c.log.detail(f"{label}: {count} packages for production, each installed where its markers hold")
    sync(c, [str(converted)], label, failed)
