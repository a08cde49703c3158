"""uv projects: what a production install of uv.lock holds, and where it downloads from
(pybuildpack.package_managers.uv_lock)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from pybuildpack import errors
from pybuildpack.inspect.pyproject import parse_toml
from pybuildpack.package_managers import uv_lock
from pybuildpack.package_managers.uv_lock import (
    Index, IndexSettings, UvLock, index_flags, index_settings, local_packages, lock_roots, member_projects,
    pip_index_env, production_groups, production_names, read_index_settings,
)

from .helpers import write

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "uv_project"


def package(name, *dependencies, source=None, dev=None, optional=None):
    table = {"name": name, "dependencies": [d if isinstance(d, dict) else {"name": d} for d in dependencies]}
    if source is not None:
        table["source"] = source
    if dev is not None:
        table["dev-dependencies"] = {g: [{"name": n} for n in names] for g, names in dev.items()}
    if optional is not None:
        table["optional-dependencies"] = {e: [{"name": n} for n in names] for e, names in optional.items()}
    return table


def test_the_module_examples_hold():
    result = doctest.testmod(uv_lock)
    assert result.attempted >= 8 and result.failed == 0


# -- names: what a production install holds ---------------------------------------------

def test_names_follow_the_projects_dependencies_through_the_lock_and_leave_out_dev():
    lock = {"package": [
        package("app", "flask", source={"virtual": "."}, dev={"dev": ["pytest"]}),
        package("flask", "werkzeug", "click"),
        package("werkzeug", "markupsafe"),
        package("click", {"name": "colorama", "marker": "sys_platform == 'win32'"}),
        package("markupsafe"), package("colorama"), package("pytest", "pluggy"), package("pluggy"),
    ]}
    assert production_names(lock, ["app"]) == {"flask", "werkzeug", "click", "markupsafe", "colorama"}


def test_names_of_the_fixture_lock_are_its_seven_production_packages():
    lock = parse_toml((FIXTURE / "uv.lock").read_text())
    pyproject = parse_toml((FIXTURE / "pyproject.toml").read_text())
    assert production_names(lock, lock_roots(pyproject, lock)) == {
        "blinker", "click", "flask", "itsdangerous", "jinja2", "markupsafe", "werkzeug"}


def test_names_include_the_optional_dependencies_of_requested_extras():
    lock = {"package": [
        package("app", {"name": "uvicorn", "extra": ["standard"]}),
        package("uvicorn", "h11", optional={"standard": ["uvloop"], "other": ["nope"]}),
        package("h11"), package("uvloop"), package("nope"),
    ]}
    assert production_names(lock, ["app"]) == {"uvicorn", "h11", "uvloop"}


def test_names_include_default_groups_other_than_dev():
    lock = {"package": [package("app", "flask", dev={"dev": ["pytest"], "web": ["gunicorn"]}),
                        package("flask"), package("gunicorn"), package("pytest")]}
    assert production_names(lock, ["app"], ("web",)) == {"flask", "gunicorn"}


def test_names_follow_workspace_members_the_project_depends_on():
    lock = {"package": [package("app", "greeting", source={"editable": "."}),
                        package("greeting", "six", source={"editable": "packages/greeting"}),
                        package("six"), package("unrelated-member", "requests", source={"editable": "tools"}),
                        package("requests")]}
    assert production_names(lock, ["app"]) == {"greeting", "six"}


def test_names_count_each_package_once_when_the_lock_holds_several_versions():
    lock = {"package": [package("app", "numpy"),
                        {"name": "numpy", "version": "1.26.4", "dependencies": []},
                        {"name": "numpy", "version": "2.1.0", "dependencies": [{"name": "extra-thing"}]},
                        package("extra-thing")]}
    assert production_names(lock, ["App"]) == {"numpy", "extra-thing"}


@pytest.mark.parametrize("pyproject, groups", [
    ({}, ()),
    ({"tool": {"uv": {"default-groups": ["dev", "web"]}}}, ("web",)),
    ({"tool": {"uv": {"default-groups": []}}}, ()),
    ({"tool": {"uv": {"default-groups": "all"}}}, ("lint", "web")),
])
def test_production_groups_are_the_default_groups_without_dev(pyproject, groups):
    assert production_groups(pyproject, ["dev", "web", "lint"]) == groups


def test_the_roots_are_the_project_or_every_member_of_a_virtual_workspace_root():
    lock = {"manifest": {"members": ["api", "Worker_Lib"]}}
    assert lock_roots({"project": {"name": "My_App"}}, lock) == ("my-app",)
    assert lock_roots({"tool": {"uv": {"workspace": {"members": ["packages/*"]}}}}, lock) == ("api", "worker-lib")


def test_local_packages_are_the_ones_built_from_the_apps_own_code():
    lock = {"package": [package("app", source={"editable": "."}), package("lib", source={"directory": "libs/lib"}),
                        package("vendored", source={"path": "wheels/vendored-1.0-py3-none-any.whl"}),
                        package("tools", source={"virtual": "tools"}),
                        package("six", source={"registry": "https://pypi.org/simple"}),
                        package("dep", source={"git": "https://github.com/o/dep?rev=v1#abc"})]}
    assert local_packages(lock) == {"app", "lib", "vendored"}
    assert member_projects(lock) == ("libs/lib/pyproject.toml", "tools/pyproject.toml")


# -- the package manager, on a real lock -----------------------------------------------------

def test_detect_reads_the_fixture_lock(tmp_path):
    manager = UvLock.detect(FIXTURE)
    assert (manager.file, manager.local, manager.groups, manager.local_sources) == ("uv.lock", frozenset(), (), False)
    assert "flask" in manager.names and not manager.declares("gunicorn", "pytest")
    assert manager.install_files() == ["pyproject.toml", "uv.lock"]
    assert manager.describe() == ("uv.lock (uv export --locked: the project's dependencies, "
                                  "without the dev group)")


def test_a_packaged_project_with_members_is_synced_every_build_and_checked_against_their_pyprojects(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["lib"]\n'
                                       '[tool.uv]\ndefault-groups = ["dev", "web"]\n')
    write(tmp_path / "packages" / "lib" / "pyproject.toml", '[project]\nname = "lib"\n')
    write(tmp_path / "uv.toml", "")
    write(tmp_path / "uv.lock", 'version = 1\n'
          '[[package]]\nname = "app"\nsource = { editable = "." }\ndependencies = [{ name = "lib" }]\n'
          '[package.dev-dependencies]\nweb = [{ name = "gunicorn" }]\ndev = [{ name = "pytest" }]\n'
          '[[package]]\nname = "lib"\nsource = { editable = "packages/lib" }\n'
          '[[package]]\nname = "gunicorn"\n[[package]]\nname = "pytest"\n')
    manager = UvLock.detect(tmp_path)
    assert manager.names == {"lib", "gunicorn"} and manager.declares("gunicorn")
    assert manager.groups == ("web",) and manager.local == {"app", "lib"} and manager.local_sources is True
    assert manager.install_files() == ["pyproject.toml", "uv.lock", "uv.toml", "packages/lib/pyproject.toml"]
    assert "the default groups web" in manager.describe()


def test_an_unreadable_lock_names_the_file(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\n')
    write(tmp_path / "uv.lock", "version = \n")
    with pytest.raises(errors.FileUnreadable) as caught:
        UvLock.detect(tmp_path)
    assert caught.value.title == "Could not read uv.lock"


def test_uvs_stale_lock_failure_becomes_the_uv_lock_advice():
    output = ("error: The lockfile at `uv.lock` needs to be updated, but `--check` was provided.\n"
              "hint: To update the lockfile, run `uv lock`.\n")
    assert isinstance(uv_lock.lock_error(["/x/uv", "lock", "--check"], Path("/app"), output), errors.UvLockOutdated)
    other = uv_lock.lock_error(["/x/uv", "export", "--locked"], Path("/app"), "error: Failed to parse `uv.lock`")
    assert isinstance(other, errors.UvLockFailed)
    assert "Command: uv export --locked" in other.body and "Failed to parse" in other.body


# -- package indexes ---------------------------------------------------------------------------

def test_named_indexes_keep_their_names_so_uv_finds_their_credentials():
    settings = index_settings({"index": [
        {"name": "private", "url": "https://pkgs.example.com/simple"},
        {"name": "mirror", "url": "https://mirror.example.com/simple", "default": True},
        {"name": "wheels", "url": "https://example.com/wheels/", "format": "flat"},
    ]})
    assert index_flags(settings) == [
        "--index", "private=https://pkgs.example.com/simple",
        "--default-index", "mirror=https://mirror.example.com/simple",
        "--find-links", "https://example.com/wheels/",
    ]


def test_an_explicit_index_is_searched_for_locked_versions_on_every_index():
    settings = index_settings({"index": [{"name": "torch", "url": "https://download.pytorch.org/whl/cpu",
                                          "explicit": True}]})
    assert index_flags(settings) == ["--index", "torch=https://download.pytorch.org/whl/cpu",
                                     "--index-strategy", "unsafe-best-match"]
    chosen = index_settings({"index": [{"url": "https://x.example.com/simple", "explicit": True}],
                             "index-strategy": "first-index"})
    assert index_flags(chosen) == ["--index", "https://x.example.com/simple", "--index-strategy", "first-index"]


def test_the_older_index_settings_are_honoured():
    settings = index_settings({"index-url": "https://mirror.example.com/simple",
                               "extra-index-url": ["https://extra.example.com/simple"],
                               "find-links": ["./wheels"], "no-index": True})
    assert index_flags(settings) == ["--default-index", "https://mirror.example.com/simple",
                                     "--index", "https://extra.example.com/simple",
                                     "--find-links", "./wheels", "--no-index"]


def test_credential_variables_follow_uvs_naming():
    assert Index("https://x", "my-private.index").credential_vars() == (
        "UV_INDEX_MY_PRIVATE_INDEX_USERNAME", "UV_INDEX_MY_PRIVATE_INDEX_PASSWORD")
    assert Index("https://x").credential_vars() == ()


def test_pip_gets_the_indexes_with_the_credentials_in_their_urls():
    settings = IndexSettings((Index("https://pkgs.example.com/simple/", "private", explicit=True),
                              Index("https://mirror.example.com/simple", "mirror", default=True)))
    env = {"UV_INDEX_PRIVATE_USERNAME": "deploy", "UV_INDEX_PRIVATE_PASSWORD": "p@ss:word",
           "PIP_EXTRA_INDEX_URL": "https://other.example.com/simple"}
    assert pip_index_env(settings, env) == {
        "PIP_INDEX_URL": "https://mirror.example.com/simple",
        "PIP_EXTRA_INDEX_URL": "https://other.example.com/simple https://deploy:p%40ss%3Aword@pkgs.example.com/simple/",
    }
    assert "PIP_INDEX_URL" not in pip_index_env(settings, {"PIP_INDEX_URL": "https://mine.example.com/simple"})


def test_index_settings_come_from_uv_toml_when_the_app_has_one(tmp_path):
    pyproject = {"tool": {"uv": {"index": [{"name": "project", "url": "https://p.example.com/simple"}],
                                 "index-url": "https://ignored.example.com/simple"}}}
    assert [i.name for i in read_index_settings(tmp_path, pyproject).indexes] == ["project", None]
    write(tmp_path / "uv.toml", '[[index]]\nname = "settings"\nurl = "https://s.example.com/simple"\n')
    assert [i.name for i in read_index_settings(tmp_path, pyproject).indexes] == ["settings", "project"]


# -- groups and extras chosen by config var ----------------------------------------------------

def context_with(groups=(), extras=()):
    from types import SimpleNamespace

    return SimpleNamespace(groups=tuple(groups), extras=tuple(extras))


def test_production_export_leaves_out_the_dev_group():
    from pybuildpack.package_managers.uv_lock import selection_flags

    assert selection_flags(context_with()) == ["--no-dev"]


def test_chosen_groups_and_extras_are_exported_too():
    from pybuildpack.package_managers.uv_lock import selection_flags

    assert selection_flags(context_with(["prod", "docs"], ["postgres"])) == [
        "--no-dev", "--group", "prod", "--group", "docs", "--extra", "postgres"]


def test_asking_for_the_dev_group_drops_no_dev_which_uv_would_let_win():
    from pybuildpack.package_managers.uv_lock import selection_flags

    assert selection_flags(context_with(["dev"])) == ["--group", "dev"]


def test_a_uv_project_can_be_asked_for_groups_and_extras():
    from pybuildpack.package_managers.uv_lock import UvLock

    assert UvLock.has_groups and UvLock.has_extras


def test_a_chosen_group_or_extra_counts_towards_what_the_app_declares(tmp_path):
    """A server declared only in a group the build installs is the app's own
    choice: the build must not add its pinned copy beside it."""
    from pybuildpack.package_managers.uv_lock import UvLock

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    (tmp_path / "uv.lock").write_text(
        'version = 1\n'
        '[[package]]\nname = "app"\nversion = "1"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "flask" }]\n'
        '[package.optional-dependencies]\npostgres = [{ name = "psycopg" }]\n'
        '[package.dev-dependencies]\nprod = [{ name = "gunicorn" }]\n'
        '[[package]]\nname = "flask"\nversion = "3"\n'
        '[[package]]\nname = "gunicorn"\nversion = "23"\n'
        '[[package]]\nname = "psycopg"\nversion = "3"\n')
    manager = UvLock.detect(tmp_path)
    assert not manager.declares("gunicorn")
    chosen = manager.select(("prod",), ("postgres",))
    assert chosen.declares("gunicorn") and chosen.declares("psycopg") and chosen.declares("flask")
    with pytest.raises(errors.SelectionUnknown) as raised:
        manager.select(("web",), ())
    assert "It declares: prod" in raised.value.body
