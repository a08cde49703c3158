"""The copy of the cached environment the bootstrap begins before its exec
(pybuildpack.platforms.heroku_restore) and the build adopts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pybuildpack.cache import _Child
from pybuildpack.platforms import heroku_restore

REPO = Path(__file__).resolve().parents[2]
LIB = REPO / "lib"
ENTRY = REPO / "bin" / "support" / "entry.py"


def cached_environment(cache_dir: Path, files: int = 3) -> Path:
    entry = cache_dir / "pybuildpack" / heroku_restore.CACHE_ENV
    (entry / "lib" / "site-packages").mkdir(parents=True)
    for number in range(files):
        (entry / "lib" / "site-packages" / f"mod{number}.py").write_text(f"x = {number}\n")
    (entry / "bin").mkdir()
    (entry / "bin" / "python").symlink_to("python3.12")
    return entry


def restore_copies(build_dir: Path) -> list:
    heroku = build_dir / ".heroku"
    return sorted(p.name for p in heroku.iterdir() if p.name.startswith(".python-restore-")) if heroku.is_dir() else []


# The bootstrap's part, then an exec into the part the build's own Python plays:
# the copy must stay a child of the process across the exec, and the build must
# find it by the variable, wait for it, and take the variable out of its environment.
ADOPT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {lib!r})
    from pathlib import Path
    if sys.argv[1] == "bootstrap":
        from pybuildpack.platforms import heroku_restore
        environ = dict(os.environ)
        begun = heroku_restore.begin("heroku-compile", [sys.argv[2], sys.argv[3]], environ)
        print("begun", begun is not None, flush=True)
        os.execve(sys.executable, [sys.executable, __file__, "build", *sys.argv[2:]], environ)
    from pybuildpack.platforms.heroku import Heroku
    platform = Heroku(Path(sys.argv[2]), Path(sys.argv[3]), None)
    platform.start_restore()
    print("adopted", platform._restoring.process.pid, "variable", os.environ.get("PYBUILDPACK_RESTORE_PID"))
    platform._restoring.wait()
    print("linked", platform._restoring.linked, "into", platform._restoring.destination.name)
""")


def test_the_copy_the_bootstrap_begins_is_adopted_by_the_build_after_its_exec(tmp_path):
    build_dir, cache_dir = tmp_path / "build", tmp_path / "cache"
    build_dir.mkdir()
    entry = cached_environment(cache_dir, files=200)
    script = tmp_path / "adopt.py"
    script.write_text(ADOPT.format(lib=str(LIB)))
    result = subprocess.run([sys.executable, str(script), "bootstrap", str(build_dir), str(cache_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "begun True"
    assert lines[1].startswith("adopted ") and lines[1].endswith(" variable None")
    assert lines[2].startswith("linked True into .python-restore-")
    [copy] = restore_copies(build_dir)
    copied = build_dir / ".heroku" / copy / "lib" / "site-packages" / "mod199.py"
    assert copied.stat().st_ino == (entry / "lib" / "site-packages" / "mod199.py").stat().st_ino
    assert (build_dir / ".heroku" / copy / "bin" / "python").readlink().name == "python3.12"


def test_no_copy_begins_without_a_cached_environment_or_with_a_pre_compile_hook(tmp_path):
    build_dir, cache_dir = tmp_path / "build", tmp_path / "cache"
    build_dir.mkdir()
    environ: dict = {}
    assert heroku_restore.begin("heroku-compile", [str(build_dir), str(cache_dir)], environ) is None
    cached_environment(cache_dir)
    (build_dir / "bin").mkdir()
    (build_dir / "bin" / "pre_compile").write_text("#!/bin/sh\n")
    assert heroku_restore.begin("heroku-compile", [str(build_dir), str(cache_dir)], environ) is None
    assert heroku_restore.begin("cnb-build", [str(build_dir), str(cache_dir)], environ) is None
    assert environ == {} and restore_copies(build_dir) == []


def test_a_bootstrap_that_fails_stops_its_copy_and_removes_it(tmp_path):
    # The tool environment cannot be made (uv is `false`): no build adopts the
    # copy, so the bootstrap must not leave it growing in the build directory.
    build_dir, cache_dir = tmp_path / "build", tmp_path / "cache"
    build_dir.mkdir()
    cached_environment(cache_dir, files=2000)
    env = {**os.environ, "PYBUILDPACK_UV_BIN": "/bin/false"}
    result = subprocess.run([sys.executable, str(ENTRY), "--bootstrap", str(cache_dir / "pybuildpack"),
                             "heroku-compile", str(build_dir), str(cache_dir)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Could not set up pybuildpack's own tools" in result.stdout
    assert restore_copies(build_dir) == []


def test_a_pid_that_is_not_a_child_of_the_build_is_never_signalled(tmp_path):
    # PYBUILDPACK_RESTORE_PID from somewhere else must not let the build kill a stranger.
    holder = subprocess.Popen(["bash", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE, text=True)
    try:
        stranger = int(holder.stdout.readline())
        child = _Child(stranger)
        child.kill()
        assert child.wait() == 1   # not ours: the copy would be made again
        time.sleep(0.1)
        os.kill(stranger, 0)       # still alive (raises ProcessLookupError otherwise)
    finally:
        os.kill(stranger, signal.SIGTERM)
        holder.wait(timeout=10)
