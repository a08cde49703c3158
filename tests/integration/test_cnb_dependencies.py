"""Installing requirements through the CNB API: requirements.in and its lock, and bad input."""

import shutil

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.long
def test_requirements_in_is_compiled_and_its_lock_kept_across_a_discarded_environment(cnb, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("requirements_in"), app)
    result = cnb.build(app)
    assert result.ok, result.output
    assert "packages from requirements.in:" in result.output and "  flask==" in result.output
    lock = cnb.layers_dir / "venv" / "pybuildpack" / "requirements.lock.txt"
    pins = lock.read_text()
    assert "flask==" in pins
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from a requirements.in app"
    assert container.terminate() == 0

    (app / ".python-version").write_text("3.11\n")
    second = cnb.build(app)
    assert second.ok, second.output
    assert "Rebuilding layer venv: Python version changed" in second.output
    assert lock.read_text() == pins


def test_a_package_that_does_not_exist_fails_with_the_installers_message(cnb, fixture_app):
    result = cnb.build(fixture_app("bad_requirements"))
    assert result.returncode == 1
    assert " !     Error: Could not install the packages in requirements.txt" in result.output
    assert "this-package-does-not-exist-pybuildpack" in result.output
    assert "Traceback" not in result.output


def _venv_distributions(cnb):
    site = next((cnb.layers_dir / "venv").glob("lib/python3*/site-packages"))
    return {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}


@pytest.mark.parametrize("fixture, greeting", [
    ("poetry_pep621", "Hello from a Poetry app"),
    ("pipenv_flask", "Hello from a Pipenv app"),
])
def test_poetry_and_pipenv_locks_install_their_production_packages(cnb, fixture_app, fixture, greeting):
    result = cnb.build(fixture_app(fixture))
    assert result.ok, result.output
    installed = _venv_distributions(cnb)
    assert {"flask", "werkzeug", "gunicorn"} <= installed and "six" not in installed
    container = cnb.start()
    assert container.wait_until_serving("/").text == greeting


def test_a_pyproject_project_is_installed_into_the_venv_layer_and_served(cnb, fixture_app):
    result = cnb.build(fixture_app("pyproject_package"))
    assert result.ok, result.output
    assert "Installing the project (.) and its dependencies from pyproject.toml" in result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from an installed pyproject package"
    assert container.terminate() == 0
