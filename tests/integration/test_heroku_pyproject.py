"""Apps whose only dependency file is pyproject.toml, setup.py or pylock.toml (Heroku classic)."""

import pytest

from harness.apps import copy_app
from harness.heroku import serve_root as serve
from harness.heroku import slug_distributions as distributions

pytestmark = pytest.mark.slow


def test_pyproject_with_a_build_system_installs_the_project_which_works_after_the_move(heroku, fixture_app):
    result = heroku.build(fixture_app("pyproject_package"))
    assert result.ok, result.output
    assert "Installing the project (.) and its dependencies from pyproject.toml" in result.output
    assert {"greeting-site", "flask", "gunicorn"} <= distributions(result.build_dir)
    slug = serve(heroku, result, "Hello from an installed pyproject package")
    # Not editable: the package is a copy in site-packages, not a path into the build dir.
    check = slug.run("cd / && python -c 'import greeting; print(greeting.__file__)'")
    assert "/site-packages/greeting/__init__.py" in check.stdout and str(result.build_dir) not in check.stdout, check
    assert check.stdout.startswith(str(slug.app_dir)), check


def test_pyproject_without_a_build_system_installs_only_its_dependencies_and_rebuilds_without_installing(
        heroku, fixture_app):
    cache = heroku.new_cache()
    first = heroku.build(fixture_app("pyproject_deps"), cache_dir=cache)
    assert first.ok, first.output
    assert "Installing the dependencies listed in pyproject.toml" in first.output
    installed = distributions(first.build_dir)
    assert "flask" in installed and "deps-only-site" not in installed
    assert not {"six", "idna"} & installed  # an extra and a group nobody asked for
    second = heroku.build(fixture_app("pyproject_deps"), cache_dir=cache)
    assert second.ok, second.output
    assert "Dependencies unchanged since the last build (pyproject.toml)" in second.output
    assert "Skipping the install: the cached environment matches." in second.output
    print(f"\nTIMING pyproject_deps cold {first.duration:.1f}s no-change {second.duration:.1f}s")
    serve(heroku, second, "Hello from a pyproject.toml without a build system")


def test_an_extra_and_a_group_chosen_by_config_var_are_installed(heroku, fixture_app):
    result = heroku.build(fixture_app("pyproject_deps"),
                          config={"PYBUILDPACK_EXTRAS": "compat", "PYBUILDPACK_GROUPS": "net"})
    assert result.ok, result.output
    assert "Installing the dependencies listed in pyproject.toml (with group net, extra compat)" in result.output
    assert {"flask", "six", "idna"} <= distributions(result.build_dir)


def test_a_group_the_pyproject_does_not_define_fails_naming_it(heroku, fixture_app):
    result = heroku.build(fixture_app("pyproject_deps"), config={"PYBUILDPACK_GROUPS": "nett"})
    assert result.returncode == 1
    assert " !     Error: PYBUILDPACK_GROUPS names dependency groups that pyproject.toml does not declare" in result.output
    assert "asks for nett" in result.output and "It declares: net." in result.output
    assert "Traceback" not in result.output


def test_setup_py_app_is_installed_and_says_so(heroku, fixture_app):
    result = heroku.build(fixture_app("setup_py_app"))
    assert result.ok, result.output
    assert "Installing the app itself (.) from setup.py" in result.output
    assert "Heroku's buildpack no longer does this" in result.output
    assert {"setup-py-site", "flask"} <= distributions(result.build_dir)
    serve(heroku, result, "Hello from a setup.py app")


def test_a_setup_py_that_raises_fails_the_build_with_its_message(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("setup_py_app"), tmp_path,
                   {"setup.py": "raise RuntimeError('setup.py exploded on purpose')\n"})
    result = heroku.build(app)
    assert result.returncode == 1, result.output
    assert " !     Error: Could not build the app from setup.py" in result.output
    assert "setup.py exploded on purpose" in result.output
    assert "Internal error" not in result.output


def test_pylock_toml_is_installed_exactly_with_what_pybuildpack_adds(heroku, fixture_app):
    result = heroku.build(fixture_app("pylock_app"))
    assert result.ok, result.output
    assert "Installing the 7 packages locked in pylock.toml" in result.output
    installed = distributions(result.build_dir)
    assert {"flask", "werkzeug", "gunicorn"} <= installed
    slug = serve(heroku, result, "Hello from a pylock.toml app")
    assert slug.run("python -c 'import flask; print(flask.__version__)'").stdout.strip() == "3.0.3"


def test_a_package_that_does_not_exist_in_pyproject_fails_naming_the_file(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pyproject_deps"), tmp_path)
    text = (app / "pyproject.toml").read_text().replace('"flask>=3"', '"flask>=3", "this-package-does-not-exist-pybuildpack"')
    (app / "pyproject.toml").write_text(text)
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Could not install the packages in pyproject.toml" in result.output
    assert "this-package-does-not-exist-pybuildpack" in result.output and "Traceback" not in result.output


def test_invalid_toml_fails_naming_the_file_and_line(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pyproject_deps"), tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"\nversion = "1"\n'})
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Could not read pyproject.toml" in result.output
    assert "(at line 4, column 1)" in result.output and "Traceback" not in result.output


def test_a_project_that_does_not_build_fails_saying_how_to_install_only_its_dependencies(heroku, fixture_app,
                                                                                          tmp_path):
    pyproject = (fixture_app("pyproject_package") / "pyproject.toml").read_text()
    app = copy_app(fixture_app("pyproject_deps"), tmp_path, {
        "pyproject.toml": pyproject.split("[tool.setuptools")[0],
        "mysite/__init__.py": "", "polls/__init__.py": ""})
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Could not build the project from pyproject.toml" in result.output
    assert "Multiple top-level packages discovered in a flat-layout" in result.output
    assert "remove the [build-system] table" in result.output
