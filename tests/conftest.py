"""Shared fixtures: test runtimes, a shared wheel cache, and the platform harnesses."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness import runtimes, scratch
from harness.heroku import HerokuPlatform
from harness.machine import build_machine_env

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The README's Django example is exactly the unmodified startproject site the
# Django tests need, so they build it rather than a copy of it.
DJANGO_EXAMPLE = REPO / "examples" / "django"
ALIASES = {"django_startproject": DJANGO_EXAMPLE}
TEST_CACHE = runtimes.DEFAULT_CACHE
PERSISTENT_INSTALLER_CACHE = TEST_CACHE / "installer-cache"
ARTIFACTS = REPO / "tests" / "artifacts"
RAM_TMPDIR = pytest.StashKey[Path]()


def pytest_configure(config) -> None:
    """In the main process (xdist's workers inherit its environment): build on
    a RAM filesystem when there is one with room, unless TMPDIR or --basetemp
    says where (harness/scratch.py says why)."""
    if hasattr(config, "workerinput") or "TMPDIR" in os.environ or config.option.basetemp:
        return
    ram = scratch.ram_tmpdir()
    if ram is not None:
        os.environ["TMPDIR"] = str(ram)
        tempfile.tempdir = None
        config.stash[RAM_TMPDIR] = ram


def pytest_collection_modifyitems(items) -> None:
    """The tests marked `long` first: with xdist's work stealing, the run then
    ends on short tests that both workers share, not on one long test while
    the other worker waits."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_sessionfinish(session) -> None:
    ram = session.config.stash.get(RAM_TMPDIR, None)
    if ram is not None:
        scratch.keep_new_wheels(ram, PERSISTENT_INSTALLER_CACHE)


@pytest.fixture(scope="session")
def installer_cache(tmp_path_factory) -> Path:
    """One installer cache for every build of the run, on the builds' filesystem
    (a copy of the persistent one when that is elsewhere), so no wheel is
    downloaded twice and uv can link what it installs."""
    here, base = Path(tempfile.gettempdir()), tmp_path_factory.getbasetemp()
    where = here if scratch.same_filesystem(here, base) else base.parent
    return scratch.installer_cache(PERSISTENT_INSTALLER_CACHE, where)


@pytest.fixture(scope="session")
def downloads_json() -> Path:
    return runtimes.downloads_json(TEST_CACHE)


@pytest.fixture(scope="session")
def build_env(downloads_json, installer_cache, tmp_path_factory) -> dict:
    """The build machine's environment, with one installer cache shared by every
    build of the run so no wheel is downloaded twice."""
    return build_machine_env(tmp_path_factory.mktemp("home"), downloads_json, installer_cache)


@pytest.fixture
def heroku(tmp_path, build_env):
    platform = HerokuPlatform(tmp_path, build_env)
    yield platform
    platform.cleanup()


@pytest.fixture
def cnb(tmp_path, build_env):
    """A CNB platform and lifecycle (tests/harness/cnb.py) keeping its image and cache between builds."""
    from harness.cnb import CnbPlatform

    platform = CnbPlatform(tmp_path / "cnb", build_env)
    yield platform
    platform.cleanup()


@pytest.fixture(scope="session")
def local_env(build_env, tmp_path_factory) -> dict:
    """A developer's machine for bin/pybuildpack: the build machine's environment,
    a user cache of this worker's own, and pyenv's CPythons for the local fallback."""
    from harness.runtimes import pyenv_root

    return {**build_env, "PYBUILDPACK_CACHE_DIR": str(tmp_path_factory.mktemp("user-cache")),
            "PYENV_ROOT": str(pyenv_root())}


@pytest.fixture
def local(tmp_path, local_env):
    from harness.local import LocalPlatform

    platform = LocalPlatform(tmp_path, local_env)
    yield platform
    platform.cleanup()


@pytest.fixture
def django_app(fixture_app, tmp_path):
    """The startproject site, pinned to Python 3.12, in a copy the test may change."""
    app = tmp_path / "app"
    shutil.copytree(fixture_app("django_startproject"), app)
    (app / ".python-version").write_text("3.12\n")
    return app


@pytest.fixture
def app_with_hooks(fixture_app, tmp_path):
    """The Flask app plus the hooks fixture's bin/pre_compile and bin/post_compile."""
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    shutil.copytree(fixture_app("hooks") / "bin", app / "bin")
    return app


@pytest.fixture
def fixture_app():
    def find(name: str) -> Path:
        path = ALIASES.get(name, FIXTURES / name)
        assert path.is_dir(), f"no fixture app {name}"
        return path
    return find
