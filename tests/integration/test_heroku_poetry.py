"""Poetry apps: poetry.lock converted to hash-pinned requirements and installed by uv."""

import pytest

from harness.apps import copy_app
from harness.heroku import slug_distributions as distributions

pytestmark = pytest.mark.slow


def test_the_main_group_is_installed_and_served_and_a_rebuild_skips_the_install(heroku, fixture_app):
    cache = heroku.new_cache()
    first = heroku.build(fixture_app("poetry_flask"), cache_dir=cache)
    assert first.ok, first.output
    assert "Using Python 3.13" in first.output and "(from python in [tool.poetry.dependencies])" in first.output
    assert "poetry.lock: 7 packages for production, each installed where its markers hold" in first.output
    installed = distributions(first.build_dir)
    assert {"flask", "werkzeug", "jinja2", "markupsafe", "gunicorn"} <= installed
    # The dev group, an optional extra and a dependency only for Python < 3.11 are not installed.
    assert not {"six", "python-dotenv", "tomli"} & installed
    print(f"poetry cold build: {first.duration:.1f}s")

    second = heroku.build(fixture_app("poetry_flask"), cache_dir=cache)
    assert second.ok, second.output
    assert "Dependencies unchanged since the last build (pyproject.toml, poetry.lock)" in second.output
    print(f"poetry no-change rebuild: {second.duration:.1f}s")
    slug = heroku.deploy(second)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from a Poetry app"
    assert dyno.terminate() == 0


def test_groups_extras_and_a_path_dependency(heroku, fixture_app):
    result = heroku.build(fixture_app("poetry_path"),
                          config={"PYBUILDPACK_GROUPS": "dev", "PYBUILDPACK_EXTRAS": "dotenv"})
    assert result.ok, result.output
    assert {"flask", "six", "python-dotenv", "greeting"} <= distributions(result.build_dir)
    slug = heroku.deploy(result)
    # A copy, not an editable install: it works from /app, where the build directory is gone.
    check = slug.run("python -c 'import greeting, six, dotenv; print(greeting.WORD, greeting.__file__)'")
    assert check.returncode == 0, check
    word, path = check.stdout.split()
    assert word == "hi" and "site-packages" in path


def test_a_stale_lock_fails_naming_poetry_lock(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("poetry_flask"), tmp_path)
    pyproject = app / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('flask = "3.0.3"', 'flask = "3.0.3"\nrequests = "*"'))
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: poetry.lock is out of date" in result.output
    assert "Run `poetry lock`" in result.output
    assert "Traceback" not in result.output


def test_a_project_in_package_mode_is_installed_itself_with_its_scripts(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("poetry_flask"), tmp_path)
    pyproject = app / "pyproject.toml"
    # Neither the package mode nor the scripts are in Poetry's content-hash: the lock stays current.
    pyproject.write_text(pyproject.read_text().replace(
        "package-mode = false\n", 'packages = [{include = "hello"}]\n') + (
        '\n[tool.poetry.scripts]\nhello-greet = "hello:greet"\n\n'
        '[build-system]\nrequires = ["poetry-core>=2"]\nbuild-backend = "poetry.core.masonry.api"\n'))
    result = heroku.build(app)
    assert result.ok, result.output
    slug = heroku.deploy(result)
    check = slug.run("hello-greet")
    assert check.stdout == "Hello from a Poetry script\n", check


@pytest.mark.parametrize("backend", ["poetry.core.masonry.api", "poetry.masonry.api"])
def test_a_project_that_cannot_be_installed_itself_says_package_mode_false(heroku, fixture_app, tmp_path, backend):
    # nsidnev/fastapi-realworld-example-app: package mode (Poetry's default), no package named like the
    # project, and the backend of the whole `poetry` package, which cannot build editable at all.
    app = copy_app(fixture_app("poetry_flask"), tmp_path)
    pyproject = app / "pyproject.toml"
    requires = "poetry-core>=2" if backend.startswith("poetry.core") else "poetry>=1.0"
    pyproject.write_text(pyproject.read_text().replace("package-mode = false\n", "") + (
        f'\n[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{backend}"\n'))
    result = heroku.build(app)
    assert result.returncode == 1, result.output
    assert " !     Error: Could not install the project itself from pyproject.toml\n" in result.output
    assert f"pyproject.toml's [build-system] names ({backend}), and that failed:" in result.output
    assert " !         package-mode = false\n" in result.output
    assert ("cannot install a project\n !     editable" in result.output) is (backend == "poetry.masonry.api")
    assert "misspelled" not in result.output and "Traceback (most recent call last)" not in result.output
