"""The tests' RAM scratch directory (tests/harness/scratch.py): where a run's
installer cache lives, what goes back to the persistent one, what is cleared."""

import os
import time

from harness import scratch

MOUNTS = """/dev/vda / ext4 rw,relatime,discard 0 0
tmpfs /dev/shm tmpfs rw,relatime,size=24683656k 0 0
proc /proc proc rw 0 0
"""


def test_only_a_tmpfs_mount_point_counts():
    assert scratch.is_tmpfs(scratch.SHM, MOUNTS)
    assert not scratch.is_tmpfs(scratch.SHM, MOUNTS.replace("tmpfs /dev/shm tmpfs", "shm /dev/shm ext4"))
    assert not scratch.is_tmpfs(scratch.SHM / "sub", MOUNTS)


def test_the_persistent_cache_is_used_in_place_on_the_builds_filesystem(tmp_path):
    persistent = tmp_path / "persistent"
    assert scratch.installer_cache(persistent, tmp_path) == persistent and persistent.is_dir()


def test_elsewhere_it_is_copied_once_and_new_wheels_go_back_without_overwriting(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch, "same_filesystem", lambda one, other: False)
    persistent, ram = tmp_path / "persistent", tmp_path / "ram"
    ram.mkdir()
    (persistent / "uv" / "wheels-v5").mkdir(parents=True)
    (persistent / "uv" / "wheels-v5" / "flask.whl").write_text("old")
    local = scratch.installer_cache(persistent, ram)
    assert local == ram / "installer-cache"
    assert (local / "uv" / "wheels-v5" / "flask.whl").read_text() == "old"
    assert not list(ram.glob("installer-cache.tmp-*"))
    # A second process finds the copy made: nothing is copied again.
    (local / "uv" / "wheels-v5" / "flask.whl").write_text("the run's")
    assert scratch.installer_cache(persistent, ram) == local
    assert (local / "uv" / "wheels-v5" / "flask.whl").read_text() == "the run's"
    (local / "uv" / "wheels-v5" / "django.whl").write_text("new")
    scratch.keep_new_wheels(ram, persistent)
    assert (persistent / "uv" / "wheels-v5" / "django.whl").read_text() == "new"
    assert (persistent / "uv" / "wheels-v5" / "flask.whl").read_text() == "old"


def test_leftovers_an_hour_old_are_cleared_but_not_the_cache_nor_pytests_directories(tmp_path):
    old = time.time() - 7200
    for name in ("uv-1234.lock", "pybuildpack-prefetch-x", "installer-cache", "pytest-of-root", "fresh.lock"):
        (tmp_path / name).mkdir() if "." not in name else (tmp_path / name).write_text("")
        if name != "fresh.lock":
            os.utime(tmp_path / name, (old, old))
    scratch.clear_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.lock", "installer-cache", "pytest-of-root"]
