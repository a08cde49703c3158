"""CycloneDX SBOMs for the CNB layers (sbom)."""

from __future__ import annotations

import json

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pybuildpack import __version__, sbom


def test_document_is_valid_cyclonedx_listing_each_package_with_a_purl():
    text = sbom.document([sbom.cpython("3.12.4"), sbom.Package("Flask", "3.0.3"),
                          sbom.Package("typing_extensions", "4.12.2")])
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    data = json.loads(text)
    assert data["specVersion"] == sbom.SCHEMA_VERSION
    found = {c["name"]: (c["version"], c["purl"], c["type"]) for c in data["components"]}
    assert found == {
        "cpython": ("3.12.4", "pkg:generic/cpython@3.12.4", "platform"),
        "Flask": ("3.0.3", "pkg:pypi/flask@3.0.3", "library"),
        "typing_extensions": ("4.12.2", "pkg:pypi/typing-extensions@4.12.2", "library"),
    }
    assert data["metadata"]["tools"]["components"][0] == {"name": "pybuildpack", "type": "application",
                                                          "version": __version__}


def test_duplicates_are_listed_once_and_an_empty_list_is_valid():
    text = sbom.document([sbom.Package("six", "1.17.0"), sbom.Package("Six", "1.17.0")])
    assert len(json.loads(text)["components"]) == 1
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(sbom.document([])) is None
