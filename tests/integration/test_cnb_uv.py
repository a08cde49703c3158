"""A uv project (pyproject.toml + uv.lock) through the CNB API."""

import pytest

pytestmark = pytest.mark.slow


def test_uv_project_builds_from_its_lock_without_the_dev_group_and_serves(cnb, fixture_app):
    result = cnb.build(fixture_app("uv_project"))
    assert result.ok, result.output
    assert "uv.lock locks 7 packages for production (its dependencies, without the dev group)" in result.output
    packages = next((cnb.layers_dir / "venv").glob("lib/python3*/site-packages"))
    installed = {p.name.split("-")[0].lower() for p in packages.glob("*.dist-info")}
    assert {"flask", "gunicorn"} <= installed and "pytest" not in installed
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from a uv project"
    assert container.terminate() == 0
