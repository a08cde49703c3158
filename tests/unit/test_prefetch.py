"""Fetching the app's wheels while CPython is installed (steps/prefetch.py, Build.prefetching)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from harness.index import make_wheel
from harness.machine import uv_binary
from pybuildpack import package_managers
from pybuildpack.build import Build, Layout
from pybuildpack.config import ConfigVars
from pybuildpack.inspect import lock_wheels
from pybuildpack.plan import make_plan
from pybuildpack.steps import prefetch
from pybuildpack.steps.runtime import ChosenPython
from pybuildpack.tools import Tools

from .helpers import logged, string_log, write

VERSION = "3.12.1"


# -- when it runs -------------------------------------------------------------------------------

def test_a_prefetch_runs_only_for_a_uv_install_that_will_run_before_a_runtime_that_is_missing():
    assert prefetch.why_not("uv", True, False, False, {}) is None
    assert prefetch.why_not("pip", True, False, False, {}) == "the installer is pip"
    assert prefetch.why_not("uv", False, False, False, {}) == "the runtime is already in place"
    assert prefetch.why_not("uv", True, True, False, {}) == "the install is skipped"
    assert prefetch.why_not("uv", True, False, True, {}) == "the requirements name local paths or editables"
    assert prefetch.why_not("uv", True, False, False, {"PYBUILDPACK_NO_PREFETCH": "1"}) == \
        "PYBUILDPACK_NO_PREFETCH is set"
    assert prefetch.why_not("uv", True, False, False, {"PYBUILDPACK_NO_PREFETCH": ""}) is None


def test_the_platform_is_the_manylinux_tag_of_the_machines_glibc_within_what_uv_knows():
    assert prefetch.platform_tag("x86_64", (2, 36)) == "x86_64-manylinux_2_36"
    assert prefetch.platform_tag("aarch64", (2, 17)) == "aarch64-manylinux_2_17"
    assert prefetch.platform_tag("x86_64", (2, 45)) == "x86_64-manylinux_2_40"
    assert prefetch.platform_tag("x86_64", (2, 12)) is None      # older than manylinux2014
    assert prefetch.platform_tag("x86_64", None) is None         # musl, or unknown
    assert prefetch.platform_tag("riscv64", (2, 36)) is None
    glibc = lock_wheels.glibc_version()
    assert glibc is None or (glibc[0] == 2 and glibc[1] >= 17)


def test_the_command_fetches_wheels_only_for_the_chosen_version_and_platform(tmp_path):
    request = prefetch.Request(("requirements.txt",), ("--no-sources",))
    argv = prefetch.argv(Path("/bin/uv"), "/usr/bin/python3", tmp_path / "target", VERSION,
                         "x86_64-manylinux_2_36", request, tmp_path / "added.txt",
                         ["--index-url", "https://pkgs.example.com/simple"])
    assert argv == ["/bin/uv", "pip", "install", "--target", str(tmp_path / "target"), "--python", "/usr/bin/python3",
                    "--python-version", VERSION, "--python-platform", "x86_64-manylinux_2_36",
                    "--only-binary", ":all:", "--link-mode", "symlink", "--no-compile",
                    "-r", "requirements.txt", "--no-sources", "-r", str(tmp_path / "added.txt"),
                    "--index-url", "https://pkgs.example.com/simple"]


def test_generated_requirements_lose_the_lines_built_from_paths_with_their_hashes():
    text = ("# header\n--extra-index-url https://pkgs.example.com/simple\n"
            "flask==3.0.3 ; python_version >= \"3.8\" \\\n    --hash=sha256:aa\n"
            "greeting @ file:///app/libs/greeting\n-e /app\n./lib\n"
            "jinja2==3.1.4 \\\n    --hash=sha256:bb \\\n    --hash=sha256:cc\n")
    assert prefetch.without_local(text) == (
        "# header\n--extra-index-url https://pkgs.example.com/simple\n"
        "flask==3.0.3 ; python_version >= \"3.8\" \\\n    --hash=sha256:aa\n"
        "jinja2==3.1.4 \\\n    --hash=sha256:bb \\\n    --hash=sha256:cc\n")


def test_uvs_summary_says_how_many_packages_were_fetched():
    assert prefetch.counted("Resolved 8 packages in 3ms\nPrepared 7 packages in 1.1s\nInstalled 8 packages\n") == (7, 8)
    assert prefetch.counted("Resolved 1 package in 3ms\nInstalled 1 package in 2ms\n") == (0, 1)


# -- what each package manager asks for ----------------------------------------------------------

def test_requirements_files_are_prefetched_as_they_are_and_requirements_in_not_at_all(tmp_path):
    write(tmp_path / "requirements.txt", "flask==3.0.3\n")
    found = package_managers.find(tmp_path)
    assert found.prefetch_request(tmp_path, tmp_path, {}) == prefetch.Request(("requirements.txt",))
    (tmp_path / "requirements.txt").unlink()
    write(tmp_path / "requirements.in", "flask\n")
    # pip-compile resolves it on the runtime, which is not there yet.
    assert package_managers.find(tmp_path).prefetch_request(tmp_path, tmp_path, {}) is None


def test_a_poetry_lock_is_prefetched_without_its_path_dependency(fixture_app, tmp_path):
    app = fixture_app("poetry_path")
    request = package_managers.find(app).prefetch_request(app, tmp_path, {})
    text = Path(request.files[0]).read_text()
    assert Path(request.files[0]).parent == tmp_path
    assert "flask==3.0.3" in text and "--hash=sha256:" in text
    assert "greeting" not in text and "file:" not in text


# -- in the build -----------------------------------------------------------------------------------

def build_for(app: Path, tmp_path: Path, config=None) -> Build:
    plan = make_plan(app, ConfigVars(config or {}))
    runtime = tmp_path / "python"
    layout = Layout(app_dir=app, runtime_prefix=runtime, env_prefix=runtime, state_dir=tmp_path / "state")
    tools = Tools(uv=uv_binary(), uv_cache=tmp_path / "uv-cache", pip_cache=tmp_path / "pip-cache")
    build = Build(plan, layout, tools, ConfigVars(config or {}), string_log())
    build.outcome.python = ChosenPython(VERSION, "from .python-version", pinned=True)
    return build


@pytest.fixture
def offline_app(tmp_path):
    """An app whose one requirement is a wheel in a local directory (no index), with a Procfile
    so that nothing is added."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "greeting-lib", "1.0", "WORD = 'hi'\n")
    app = tmp_path / "app"
    write(app / "requirements.txt", "greeting-lib==1.0\n")
    write(app / "Procfile", "web: python -m http.server $PORT\n")
    return app, {"PIP_FIND_LINKS": str(wheels), "PIP_NO_INDEX": "1"}


needs_glibc = pytest.mark.skipif(prefetch.platform_tag("x86_64", lock_wheels.glibc_version()) is None
                                 and prefetch.platform_tag("aarch64", lock_wheels.glibc_version()) is None,
                                 reason="no manylinux platform on this machine")


@needs_glibc
def test_a_cold_build_fetches_the_wheels_into_uvs_cache_and_says_so(offline_app, tmp_path):
    app, config = offline_app
    build = build_for(app, tmp_path, config)
    with build.prefetching({}):
        time.sleep(0.05)   # the runtime's install
    fetch = build.outcome.prefetch
    assert fetch.failure is None and (fetch.fetched, fetch.resolved) == (1, 1)
    assert list((tmp_path / "uv-cache").glob("archive-v*/*/greeting_lib/__init__.py"))
    assert logged(build.log).startswith("       Fetched 1 package while Python was installed (")
    # With the wheel in the cache already, it runs and says nothing.
    again = build_for(app, tmp_path, config)
    with again.prefetching({}):
        pass
    assert again.outcome.prefetch.fetched == 0 and logged(again.log) == ""


@needs_glibc
def test_no_prefetch_when_the_runtime_is_there_the_install_is_skipped_or_it_is_turned_off(offline_app, tmp_path):
    app, config = offline_app
    build = build_for(app, tmp_path, config)
    started = build.start_prefetch({"install_key": build.install_inputs().key})  # no environment yet
    assert started is not None and started.finish()
    write(tmp_path / "python" / "bin" / "python", "")
    assert build.start_prefetch({"install_key": build.install_inputs().key}) is None
    write(tmp_path / "python" / "include" / "python3.12" / "patchlevel.h", f'#define PY_VERSION "{VERSION}"\n')
    write(tmp_path / "python" / "lib" / "python3.12" / "os.py", "")
    assert build.start_prefetch({}) is None
    off = build_for(app, tmp_path / "off", {**config, "PYBUILDPACK_NO_PREFETCH": "1"})
    assert off.start_prefetch({}) is None
    pip = build_for(app, tmp_path / "pip", {**config, "PYBUILDPACK_INSTALLER": "pip"})
    assert pip.start_prefetch({}) is None


@needs_glibc
def test_a_failing_prefetch_says_nothing_and_a_failing_runtime_install_stops_it(offline_app, tmp_path):
    app, config = offline_app
    write(app / "requirements.txt", "greeting-lib==2.0\n")   # not in the directory
    build = build_for(app, tmp_path, config)
    with build.prefetching({}):
        pass
    assert "greeting-lib" in build.outcome.prefetch.failure and logged(build.log) == ""
    slow = prefetch.Prefetch(lambda scratch: [sys.executable, "-c", "import time; time.sleep(60)"], {}).start()
    started = time.monotonic()
    assert slow.finish(wait=0.5) is False
    assert time.monotonic() - started < 10 and slow.failure.startswith("uv exited with -9")
    broken = prefetch.Prefetch(lambda scratch: 1 / 0, {}).start()
    assert broken.finish() is False and broken.failure == "ZeroDivisionError: division by zero"


@needs_glibc
def test_a_prefetch_is_stopped_when_the_runtime_install_fails(offline_app, tmp_path, monkeypatch):
    app, config = offline_app
    build = build_for(app, tmp_path, config)
    started = []
    real_start = build.start_prefetch

    def start(previous):
        fetch = real_start(previous)
        started.append(fetch)
        return fetch
    monkeypatch.setattr(build, "start_prefetch", start)
    with pytest.raises(RuntimeError):
        with build.prefetching({}):
            raise RuntimeError("the runtime failed to install")
    assert started and started[0]._done.is_set() and build.outcome.prefetch is None and logged(build.log) == ""


def test_a_uv_lock_is_prefetched_from_its_frozen_export_without_the_workspace_members(fixture_app, tmp_path):
    """`uv export --frozen` needs no interpreter of the project's version (--locked does).
    The app is a member of the workspace: its own dependencies, not the members it uses."""
    app = fixture_app("uv_workspace") / "packages" / "web"
    tools = Tools(uv=uv_binary(), uv_cache=tmp_path / "uv-cache", pip_cache=tmp_path / "pip-cache")
    env = {"PATH": "/nonexistent", "HOME": str(tmp_path)}   # no Python to find at all
    request = package_managers.find(app).prefetch_request(app, tmp_path, {}, (), (), tools, env)
    assert request.args[0] == "--no-sources"
    text = Path(request.files[0]).read_text()
    assert "flask==" in text and "--hash=sha256:" in text
    assert not [line for line in text.splitlines() if line.startswith((".", "-e", "/")) or "file:" in line], text
