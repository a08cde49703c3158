"""Cloud Native Buildpack layers: their TOML, env files, and whether a restored one is still good.

A layer is `<layers>/<name>/` plus `<layers>/<name>.toml`, which holds `[types]`
(launch, build, cache) and our `[metadata]`. The lifecycle restores a layer's
TOML without `[types]`, so both tables are written again on every build. The
restored metadata is compared field by field with what this build wants; any
difference is a reason to rebuild, and the log lists each one. Metadata written
by another pybuildpack version may be missing, unreadable or shaped
differently: that only ever makes a layer be rebuilt, never fails the build.

    >>> layer = Layer(Path("/layers/pybuildpack_python"), "python", Types(launch=True, build=True, cache=True),
    ...               {"version": "Python version"})
    >>> layer.check({"version": "3.12.4"})   # Check(reusable=..., stored=..., reasons=[...])
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import toml

from .. import errors
from ..cache import write_atomically
from ..environment_key import describe_changes

# Bump when what a layer holds, or its metadata, changes shape: older layers are then rebuilt.
FORMAT = "1"
FORMAT_FIELD = {"format": "layer format"}
SBOM_SUFFIX = ".sbom.cdx.json"


@dataclass(frozen=True)
class Types:
    launch: bool = False
    build: bool = False
    cache: bool = False


@dataclass(frozen=True)
class Check:
    """What a restored layer's metadata says: `reusable` when every compared
    field matches and the contents are there; otherwise `reasons` says why not.
    `restored` is False when the lifecycle restored nothing (a first build)."""

    reusable: bool
    stored: dict = field(default_factory=dict)
    reasons: tuple = ()
    restored: bool = True


@dataclass
class Layer:
    """One of our layers. `fields` are the metadata keys compared on reuse,
    with the label a message uses for each."""

    layers_dir: Path
    name: str
    types: Types
    fields: Mapping[str, str]

    @property
    def path(self) -> Path:
        return self.layers_dir / self.name

    @property
    def toml_path(self) -> Path:
        return self.layers_dir / f"{self.name}.toml"

    @property
    def sbom_path(self) -> Path:
        return self.layers_dir / f"{self.name}{SBOM_SUFFIX}"

    def restored_metadata(self) -> tuple:
        """(metadata, None), or (None, why it cannot be used), or (None, None)
        when nothing was restored."""
        if not self.toml_path.is_file():
            return None, None
        try:
            data = toml.loads(self.toml_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, TypeError, IndexError):
            # toml raises TomlDecodeError (a ValueError) and, on some garbage, other errors.
            return None, errors.layer_metadata_unreadable()
        metadata = data.get("metadata", {})
        if not isinstance(metadata, dict):
            return None, errors.layer_metadata_unreadable()
        return metadata, None

    def check(self, wanted: Mapping[str, object], contents_needed: bool = True) -> Check:
        """Compare the restored metadata with `wanted` (format included)."""
        stored, problem = self.restored_metadata()
        if stored is None and problem is None:
            return Check(False, restored=False)
        if stored is None:
            return Check(False, reasons=(problem,))
        # Another format says it all: its other fields may mean something else.
        reasons = (describe_changes(stored, {"format": FORMAT}, FORMAT_FIELD)
                   or describe_changes(stored, wanted, self.fields))
        if not reasons and contents_needed and not self.path.is_dir():
            reasons = [errors.layer_contents_missing()]
        return Check(not reasons, dict(stored), tuple(reasons))

    def clear(self) -> None:
        """Remove the contents and the SBOM; the TOML is rewritten at the end."""
        if self.path.is_symlink() or self.path.is_file():
            self.path.unlink()
        elif self.path.exists():
            shutil.rmtree(self.path)
        self.sbom_path.unlink(missing_ok=True)

    def write_toml(self, metadata: Mapping[str, object]) -> None:
        """[types] and [metadata], written on every build."""
        types = {"launch": self.types.launch, "build": self.types.build, "cache": self.types.cache}
        text = toml.dumps({"types": types, "metadata": {"format": FORMAT, **metadata}})
        write_atomically(self.toml_path, text)

    def write_env(self, name: str, value: str, action: str = "override", scope: str = "env") -> None:
        """An env file: `<layer>/<scope>/<NAME>.<action>`, holding the literal value.
        `scope` is env (build and launch), env.build, env.launch or env.launch/<process>."""
        if action not in ("override", "default", "prepend", "append", "delim"):
            raise ValueError(f"unknown env file action {action}")
        directory = self.path / scope
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{name}.{action}").write_text(value, encoding="utf-8")

    def clear_env(self) -> None:
        """Remove env files from an earlier build, so only this build's remain."""
        for scope in ("env", "env.build", "env.launch"):
            shutil.rmtree(self.path / scope, ignore_errors=True)
