"""pyproject.toml-only and setup.py apps with PYBUILDPACK_INSTALLER=pip (Heroku classic):
pip-compile and pip-sync install what uv would, exactly. (pylock.toml under pip is converted
as Pipfile.lock is, whose pip path test_heroku_pipenv.py builds; its conversion: unit tests.)"""

import pytest

from harness.heroku import serve_root as serve
from harness.heroku import slug_distributions as distributions
from harness.heroku import slug_site_packages

pytestmark = pytest.mark.slow

PIP = {"PYBUILDPACK_INSTALLER": "pip"}


@pytest.mark.long
def test_pip_installs_a_pyproject_package_not_editable_which_works_after_the_move(heroku, fixture_app):
    result = heroku.build(fixture_app("pyproject_package"), config=PIP)
    assert result.ok, result.output
    assert "Installing the project (.) and its dependencies from pyproject.toml" in result.output
    assert "Resolved " in result.output and "packages from pyproject.toml:" in result.output
    assert {"greeting-site", "flask", "gunicorn"} <= distributions(result.build_dir)
    print(f"\nTIMING pip pyproject_package cold {result.duration:.1f}s")
    slug = serve(heroku, result, "Hello from an installed pyproject package")
    check = slug.run("cd / && python -c 'import greeting; print(greeting.__file__)'")
    assert "/site-packages/greeting/__init__.py" in check.stdout and str(result.build_dir) not in check.stdout, check


@pytest.mark.long
def test_pip_installs_the_chosen_group_and_extra_and_removes_them_once_unchosen(heroku, fixture_app):
    cache = heroku.new_cache()
    chosen = {**PIP, "PYBUILDPACK_EXTRAS": "compat", "PYBUILDPACK_GROUPS": "net"}
    first = heroku.build(fixture_app("pyproject_deps"), cache_dir=cache, config=chosen)
    assert first.ok, first.output
    assert "Installing the dependencies listed in pyproject.toml (with group net, extra compat)" in first.output
    installed = distributions(first.build_dir)
    assert {"flask", "six", "idna"} <= installed and "deps-only-site" not in installed
    second = heroku.build(fixture_app("pyproject_deps"), cache_dir=cache, config=PIP)
    assert second.ok, second.output
    installed = distributions(second.build_dir)
    assert "flask" in installed and not {"six", "idna"} & installed, second.output  # exact: pip-sync removed them
    print(f"\nTIMING pip pyproject_deps cold {first.duration:.1f}s changed {second.duration:.1f}s")
    serve(heroku, second, "Hello from a pyproject.toml without a build system")


@pytest.mark.long
def test_pip_installs_a_setup_py_app(heroku, fixture_app):
    result = heroku.build(fixture_app("setup_py_app"), config=PIP)
    assert result.ok, result.output
    assert "Installing the app itself (.) from setup.py" in result.output
    assert {"setup-py-site", "flask"} <= distributions(result.build_dir)
    print(f"\nTIMING pip setup_py_app cold {result.duration:.1f}s")
    # Built and installed as a copy, not a link to the build directory (the
    # pyproject test above serves its slug; a setup.py failing under pip: the unit
    # tests, with pip's own message).
    assert (slug_site_packages(result.build_dir) / "greeting.py").is_file()

