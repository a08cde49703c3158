"""An app in a subdirectory of its repository (PYBUILDPACK_APP_ROOT): a monorepo
with two apps and a library they share, and a uv workspace member, on every platform."""

import shutil

import pytest

from harness.heroku import slug_distributions
from harness.s2i import S2iPlatform

pytestmark = pytest.mark.slow

SHARED = "hello from the shared library"


@pytest.fixture
def monorepo(fixture_app, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(fixture_app("monorepo"), repo)
    return repo


def test_heroku_builds_each_app_of_a_monorepo_from_its_subdirectory(heroku, monorepo):
    web = heroku.build(monorepo)   # the top's pyproject.toml names apps/web
    assert web.ok, web.output
    assert "-----> Building the app in apps/web/ (pyproject.toml [tool.pybuildpack] app-root)" in web.output
    # Python goes where the dyno looks for it, at the top of the slug.
    assert {"flask", "gunicorn", "greeting"} <= slug_distributions(web.build_dir)
    dyno = heroku.deploy(web).start()
    assert dyno.wait_until_serving("/").text == f"web: {SHARED} (cwd web)"
    assert dyno.terminate() == 0

    # The other app has a Procfile of its own, which Heroku (reading only the
    # top of the slug) learns from bin/release.
    api = heroku.build(monorepo, config={"PYBUILDPACK_APP_ROOT": "apps/api"})
    assert api.ok, api.output
    assert 'web: "python serve.py"' in api.release
    dyno = heroku.deploy(api).start()
    assert dyno.wait_until_serving("/").text == f"api: {SHARED} (cwd api)"
    assert dyno.terminate() == 0


def test_bad_app_roots_and_two_procfiles_are_errors_naming_the_variable(heroku, monorepo):
    for value, words in (("apps/nope", "there is no such directory in the repository; it holds: apps/, libs/"),
                         ("../elsewhere", "it leaves the repository"),
                         ("/apps/web", "it is an absolute path")):
        result = heroku.build(monorepo, config={"PYBUILDPACK_APP_ROOT": value})
        assert result.returncode == 1, result.output
        assert "The app's directory is not in the repository" in result.output
        assert f"config var PYBUILDPACK_APP_ROOT names {value!r}" in result.output and words in result.output, result.output
        assert "Traceback" not in result.output
    (monorepo / "Procfile").write_text("web: python serve.py\n")
    both = heroku.build(monorepo, config={"PYBUILDPACK_APP_ROOT": "apps/api"})
    assert both.returncode == 1 and "Two Procfiles" in both.output and "apps/api/Procfile" in both.output


def test_cnb_runs_the_app_from_its_subdirectory(cnb, monorepo):
    result = cnb.build(monorepo, config={"PYBUILDPACK_APP_ROOT": "apps/api"})
    assert result.ok, result.output
    container = cnb.start()
    assert container.wait_until_serving("/").text == f"api: {SHARED} (cwd api)"
    assert container.terminate() == 0
    # Detection looks in the app's directory: the top of this repository has no Python files.
    missing = cnb.build(monorepo, config={"PYBUILDPACK_APP_ROOT": "libs/nothing"})
    assert not missing.ok and "there is no such directory" in missing.detect_output


def test_s2i_builds_the_app_openshifts_app_home_names_beside_its_library(tmp_path, build_env, monorepo):
    s2i = S2iPlatform(tmp_path / "s2i", build_env)
    try:
        result = s2i.build(monorepo, env={"APP_HOME": "apps/api"})
        assert result.ok, result.output
        assert "-----> Building the app in apps/api/ (PYBUILDPACK_APP_ROOT)" in result.output
        container = s2i.start(result.image)
        assert container.wait_until_serving("/").text == f"api: {SHARED} (cwd api)"
    finally:
        s2i.cleanup()


def test_local_build_of_an_app_in_a_checkout_reaches_its_sibling_library(local, monorepo):
    (monorepo / ".git").mkdir()   # a checkout: the repository bounds what paths may reach
    web = monorepo / "apps" / "web"
    built = local.pybuildpack("build", str(web))
    assert built.returncode == 0, built.stdout + built.stderr
    server = local.serve(["start"], cwd=web)
    assert server.wait_until_serving("/").text == f"web: {SHARED} (cwd web)"
    assert server.terminate() == 0
    # Or from the top, naming the app's directory.
    api = local.pybuildpack("build", str(monorepo), env={"PYBUILDPACK_APP_ROOT": "apps/api"})
    assert api.returncode == 0, api.stdout + api.stderr
    assert (monorepo / "apps" / "api" / ".pybuildpack" / "build.json").is_file()
    server = local.serve(["start", "-C", str(monorepo)], env={"PYBUILDPACK_APP_ROOT": "apps/api"})
    assert server.wait_until_serving("/").text == f"api: {SHARED} (cwd api)"
    assert server.terminate() == 0


def test_a_uv_workspace_member_gets_its_own_dependencies_from_the_workspace_lock(heroku, fixture_app):
    result = heroku.build(fixture_app("uv_workspace"), config={"PYBUILDPACK_APP_ROOT": "packages/web"})
    assert result.ok, result.output
    installed = slug_distributions(result.build_dir)
    assert {"flask", "gunicorn", "shared", "web"} <= installed
    assert "six" not in installed and "worker" not in installed   # another member's dependency
    dyno = heroku.deploy(result).start()
    assert dyno.wait_until_serving("/").text == "web member: shared member"
    assert dyno.terminate() == 0
