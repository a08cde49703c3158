"""A full disk during the build is one clear error naming the directory (issue 13 item 2).

Each build runs the real bin/compile inside a private mount namespace
(`unshare -m`) with a small tmpfs mounted over the cache or the build
directory, so the disk really fills: while pybuildpack sets up its own tools,
while uv unpacks CPython, and while the environment is saved to the cache.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.blocks import error_block, expected_block, normalized_lines
from harness.heroku import BIN

pytestmark = pytest.mark.slow


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs root to mount a tmpfs in a private namespace")


def compile_on_tmpfs(fixture_app, tmp_path: Path, build_env: dict, over: str, size: str) -> tuple:
    """bin/compile of the Flask fixture with a `size` tmpfs over the cache or the build directory."""
    build, cache, env = tmp_path / "build", tmp_path / "cache", tmp_path / "env"
    for path in (build, cache, env):
        path.mkdir()
    target = cache if over == "cache" else build
    script = (f"mount -t tmpfs -o size={size} tmpfs {target} && cp -a {fixture_app('flask_wsgi')}/. {build}/ "
              f"&& exec {BIN / 'compile'} {build} {cache} {env}")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], env=build_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=240)
    return result, build, cache


@needs_mount
def test_a_cache_too_small_for_pybuildpacks_tools(fixture_app, tmp_path, build_env):
    result, build, cache = compile_on_tmpfs(fixture_app, tmp_path, build_env, "cache", "1m")
    assert result.returncode == 1 and "Traceback" not in result.stdout, result.stdout
    block = error_block(normalized_lines(result.stdout, {"cache_dir": cache}))
    lines = block.splitlines()
    assert lines[0] == " !     Error: No space left on the disk of the build cache", block
    assert lines[3].startswith(" !         <cache_dir>/pybuildpack/"), block
    assert "\n".join(lines[4:]) + "\n" == expected_block("""\
         !     in the build cache (<cache_dir>/pybuildpack), on a 1.0 MB filesystem mounted at
         !     <cache_dir>, which is full.
         !     pybuildpack's own tools could not be set up there.
         !
         !     Free space there (or give the build a larger disk) and build again. Large
         !     packages and a full installer cache are the usual causes; clearing the build
         !     cache (on Heroku: `heroku builds:cache:purge`) makes room for the next build.
    """)


@needs_mount
def test_a_cache_too_small_for_the_environment(fixture_app, tmp_path, build_env):
    result, build, cache = compile_on_tmpfs(fixture_app, tmp_path, build_env, "cache", "12m")
    assert result.returncode == 1 and "Traceback" not in result.stdout, result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) < 300
    block = error_block(normalized_lines(result.stdout, {"cache_dir": cache}))
    lines = block.splitlines()
    assert lines[0] == " !     Error: No space left on the disk of the build cache", block
    assert lines[3].startswith(" !         <cache_dir>/pybuildpack/"), block
    assert "\n".join(lines[4:8]) + "\n" == expected_block("""\
         !     in the build cache (<cache_dir>/pybuildpack), on a 12.0 MB filesystem mounted at
         !     <cache_dir>, which is full.
         !     The environment could not be saved to the build cache, so the next build installs the
         !     dependencies again.
    """)


@needs_mount
def test_a_build_directory_too_small_for_python(fixture_app, tmp_path, build_env):
    result, build, cache = compile_on_tmpfs(fixture_app, tmp_path, build_env, "build", "30m")
    assert result.returncode == 1 and "Traceback" not in result.stdout, result.stdout
    block = error_block(normalized_lines(result.stdout, {"build_dir": build}))
    lines = block.splitlines()
    assert lines[0] == " !     Error: No space left on the disk of the build directory", block
    assert lines[3].startswith(" !         <build_dir>/.heroku/pybuildpack-python-"), block
    assert "\n".join(lines[4:7]) + "\n" == expected_block("""\
         !     in the build directory (<build_dir>/.heroku), on a 30.0 MB filesystem mounted at
         !     <build_dir>, which is full.
         !     The build stopped before writing its environment to the build cache.
    """)
