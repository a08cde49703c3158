"""Software bills of materials in CycloneDX JSON, written with cyclonedx-python-lib.

One document per layer: the Python runtime (CPython and the distributions it
ships with) and the app's environment (every installed distribution).

    >>> document([Package("flask", "3.0.3")])  # a CycloneDX 1.6 JSON string
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from . import __version__

SCHEMA_VERSION = "1.6"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    # "pypi" for distributions; "generic" for CPython itself, which has no purl type of its own.
    purl_type: str = "pypi"
    kind: str = "library"


def cpython(version: str) -> Package:
    return Package("cpython", version, purl_type="generic", kind="platform")


def _component(package: Package) -> Component:
    name = package.name.lower().replace("_", "-") if package.purl_type == "pypi" else package.name
    purl = PackageURL(type=package.purl_type, name=name, version=package.version)
    kind = ComponentType.PLATFORM if package.kind == "platform" else ComponentType.LIBRARY
    return Component(name=package.name, version=package.version, type=kind, purl=purl, bom_ref=purl.to_string())


def document(packages: Iterable[Package]) -> str:
    """A CycloneDX JSON document listing `packages` (duplicates dropped),
    made by pybuildpack."""
    bom = Bom()
    tool = Component(name="pybuildpack", version=__version__, type=ComponentType.APPLICATION)
    bom.metadata.tools.components.add(tool)
    seen = set()
    for package in packages:
        key = (package.purl_type, package.name.lower(), package.version)
        if key in seen:
            continue
        seen.add(key)
        bom.components.add(_component(package))
    return JsonV1Dot6(bom).output_as_string(indent=2)
