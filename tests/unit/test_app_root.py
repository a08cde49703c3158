"""app_root: which directory PYBUILDPACK_APP_ROOT names, how far the app's paths may reach,
and which workspace a uv member belongs to."""

import pytest

from pybuildpack import app_root, errors
from pybuildpack.package_managers.uv_lock import workspace_top


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "apps" / "web").mkdir(parents=True)
    (tmp_path / "README").write_text("x")
    return tmp_path


@pytest.mark.parametrize("value", [None, "", ".", "./"])
def test_no_value_is_the_repository_itself(repo, value):
    assert app_root.resolve(repo, value) == repo


def test_a_relative_directory_is_the_app(repo):
    assert app_root.resolve(repo, " apps/web\n") == repo / "apps" / "web"
    assert app_root.relative(repo / "apps" / "web", repo) == "apps/web"
    assert app_root.relative(repo, repo) == ""


@pytest.mark.parametrize("value, why", [
    ("/apps/web", "absolute path"),
    ("~/web", "absolute path"),
    ("apps/../../x", "leaves the repository"),
    ("apps/nope", "there is no such directory in the repository; it holds: apps/"),
    ("README", "it is a file, not a directory"),
])
def test_bad_values_name_the_origin_and_why(repo, value, why):
    with pytest.raises(errors.AppRootInvalid) as raised:
        app_root.resolve(repo, value, "config var PYBUILDPACK_APP_ROOT")
    assert "config var PYBUILDPACK_APP_ROOT names" in raised.value.body and why in raised.value.body


def test_a_symlink_out_of_the_repository_is_refused(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (repo / "link").symlink_to(outside)
    with pytest.raises(errors.AppRootInvalid, match="directory is not in the repository"):
        app_root.resolve(repo, "link")


def test_paths_reach_the_repository_inside_a_build_and_the_git_checkout_outside_one(repo):
    app = repo / "apps" / "web"
    assert app_root.repository_top(app) == app.resolve()   # no .git above: the app alone
    (repo / ".git").mkdir()
    assert app_root.repository_top(app) == repo.resolve()
    with app_root.within(app):
        assert app_root.repository_top(app) == app.resolve()
        assert app_root.repository_top(repo) == repo.resolve()   # not inside the given top: itself


def _project(path, name, extra=""):
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "1"\n{extra}')


def test_a_workspace_member_finds_the_workspace_that_lists_it(tmp_path):
    _project(tmp_path, "root", '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/old"]\n')
    (tmp_path / "uv.lock").write_text("version = 1\n")
    for name in ("web", "old"):
        _project(tmp_path / "packages" / name, name)
    _project(tmp_path / "tools" / "cli", "cli")
    with app_root.within(tmp_path):
        assert workspace_top(tmp_path / "packages" / "web") == tmp_path.resolve()
        assert workspace_top(tmp_path / "packages" / "old") is None     # excluded
        assert workspace_top(tmp_path / "tools" / "cli") is None        # not a member
        assert workspace_top(tmp_path) is None                          # the root has its own lock
    with app_root.within(tmp_path / "packages"):
        assert workspace_top(tmp_path / "packages" / "web") is None     # the lock is outside the repository
