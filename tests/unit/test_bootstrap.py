"""Pruning of cached tool environments."""

import os
import time

from pybuildpack import bootstrap


def make_env(tools, name, age_seconds, complete=True):
    path = tools / name
    path.mkdir(parents=True)
    marker = path / ".complete" if complete else path
    if complete:
        marker.write_text("")
    stamp = time.time() - age_seconds
    os.utime(marker, (stamp, stamp))
    return path


def test_recently_used_environments_for_other_pythons_are_kept(tmp_path):
    keep = make_env(tmp_path, "current", 0)
    other = make_env(tmp_path, "other-python", 3600)
    bootstrap.prune(tmp_path, keep)
    assert keep.exists() and other.exists()


def test_environments_unused_for_30_days_are_removed(tmp_path):
    keep = make_env(tmp_path, "current", 0)
    old = make_env(tmp_path, "old-lock", bootstrap.STALE_AFTER + 60)
    bootstrap.prune(tmp_path, keep)
    assert keep.exists() and not old.exists()


def test_a_temporary_directory_of_a_running_build_is_left_alone(tmp_path):
    keep = make_env(tmp_path, "current", 0)
    running = make_env(tmp_path, "abc.tmp-4242", 10, complete=False)
    abandoned = make_env(tmp_path, "abc.tmp-4243", 7200, complete=False)
    bootstrap.prune(tmp_path, keep)
    assert running.exists() and not abandoned.exists()


def test_the_tools_are_downloaded_into_the_shared_installer_cache_when_there_is_one(tmp_path, monkeypatch):
    # Several apps on one host (Dokku) share downloads: pybuildpack's own tools too.
    monkeypatch.delenv("PYBUILDPACK_INSTALLER_CACHE_DIR", raising=False)
    assert bootstrap.installer_cache(tmp_path / "cache") == tmp_path / "cache" / "installer-cache"
    monkeypatch.setenv("PYBUILDPACK_INSTALLER_CACHE_DIR", str(tmp_path / "shared"))
    assert bootstrap.installer_cache(tmp_path / "cache") == tmp_path / "shared"
