"""Layer SBOMs in CycloneDX JSON: the runtime and every installed package, valid against the schema."""

import json

import pytest

pytestmark = pytest.mark.slow


def components(path):
    # Imported here: building the validator's grammars takes 4 s, which every
    # worker would pay while collecting, whether or not it runs these tests.
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    document = json.loads(path.read_text())
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(path.read_text()) is None
    return {c["name"].lower(): (c["version"], c["purl"]) for c in document["components"]}


def test_runtime_and_dependency_sboms_list_every_component_with_its_version(cnb, fixture_app):
    result = cnb.build(fixture_app("flask_wsgi"))
    assert result.ok, result.output
    runtime = components(cnb.layers_dir / "python.sbom.cdx.json")
    assert runtime["cpython"] == ("3.12.1", "pkg:generic/cpython@3.12.1")
    packages = components(cnb.layers_dir / "venv.sbom.cdx.json")
    installed = cnb.run(["python", "-c", "import importlib.metadata as m; "
                         "print('\\n'.join(f'{d.metadata[\"Name\"].lower()} {d.version}' for d in m.distributions()))"])
    expected = dict(line.split() for line in installed.stdout.splitlines())
    assert {name: version for name, (version, _) in packages.items()} == expected
    assert packages["flask"][1] == f"pkg:pypi/flask@{expected['flask']}"
    assert "gunicorn" in packages
    # The SBOMs go into the image with their layers.
    assert "python.sbom.cdx.json" in cnb.image.layers["python"].sboms
