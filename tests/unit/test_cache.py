"""Cached directories and why they are discarded (pybuildpack.cache)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pybuildpack.cache import FORMAT, META, CachedDir, write_atomically
from pybuildpack.environment_key import describe_changes

from .helpers import write

LABELS = {"stack": "stack", "python_version": "Python version", "installer": "installer"}


def source_tree(root, marker="v1"):
    write(root / "bin" / "python3", "#!/bin/sh\n", executable=True)
    write(root / "lib" / "marker.txt", marker)
    (root / "bin" / "python").symlink_to("python3")
    return root


# -- describe_changes ---------------------------------------------------------------------

def test_equal_metadata_gives_no_reasons():
    same = {"stack": "heroku-24", "python_version": "3.12.4", "installer": "uv"}
    assert describe_changes(same, dict(same), LABELS) == []


def test_each_differing_field_is_listed_with_old_and_new_in_label_order():
    old = {"stack": "heroku-22", "python_version": "3.12.1", "installer": "uv"}
    new = {"stack": "heroku-24", "python_version": "3.12.4", "installer": "uv"}
    assert describe_changes(old, new, LABELS) == [
        "stack changed (heroku-22 -> heroku-24)",
        "Python version changed (3.12.1 -> 3.12.4)",
    ]


def test_a_field_missing_from_old_metadata_was_not_recorded():
    assert describe_changes({"stack": "heroku-24"}, {"stack": "heroku-24", "installer": "pip"},
                            {"stack": "stack", "installer": "installer"}) == ["installer was not recorded"]


def test_fields_without_a_label_are_not_compared():
    assert describe_changes({"install_key": "a"}, {"install_key": "b"}, LABELS) == []


# -- CachedDir -----------------------------------------------------------------------------

def test_store_then_metadata_round_trips_with_the_format(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "pybuildpack" / "env")
    cached.store(source_tree(tmp_path / "src"), {"python_version": "3.12.4", "install_key": "abc"})
    assert cached.exists()
    assert cached.metadata() == {"format": FORMAT, "python_version": "3.12.4", "install_key": "abc"}


def test_store_copies_files_symlinks_and_modes(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    cached.store(source_tree(tmp_path / "src"), {})
    assert (cached.path / "lib" / "marker.txt").read_text() == "v1"
    assert os.readlink(cached.path / "bin" / "python") == "python3"
    assert os.access(cached.path / "bin" / "python3", os.X_OK)
    assert (tmp_path / "src" / "lib" / "marker.txt").read_text() == "v1"


def test_a_linked_copy_keeps_directory_modes_the_umask_would_change(tmp_path):
    from pybuildpack.cache import copy_tree

    source = source_tree(tmp_path / "src")
    (source / "private").mkdir(mode=0o700)
    (source / "shared").mkdir()
    os.chmod(source / "shared", 0o777)
    copy_tree(source, tmp_path / "copy")
    assert (tmp_path / "copy" / "private").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "copy" / "shared").stat().st_mode & 0o777 == 0o777
    assert (tmp_path / "copy" / "lib" / "marker.txt").stat().st_ino == (source / "lib" / "marker.txt").stat().st_ino
    assert os.readlink(tmp_path / "copy" / "bin" / "python") == "python3"


def test_a_linked_copy_of_a_tree_wider_than_the_open_file_limit_holds_two_directories_open(tmp_path):
    import resource
    import subprocess
    import sys

    from pybuildpack.link_tree import SCRIPT

    source = source_tree(tmp_path / "src")
    for n in range(300):
        write(source / "site-packages" / f"package{n}" / "sub" / "__init__.py", str(n))

    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    done = subprocess.run([sys.executable, "-I", "-S", SCRIPT, str(source), str(tmp_path / "copy")],
                          preexec_fn=few_files, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "copy" / "site-packages" / "package299" / "sub" / "__init__.py").read_text() == "299"
    assert len(list((tmp_path / "copy" / "site-packages").iterdir())) == 300


def test_a_copy_where_links_fail_copies_each_file(tmp_path, monkeypatch):
    import errno

    from pybuildpack.cache import copy_tree

    def cross_device(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    source = source_tree(tmp_path / "src")
    monkeypatch.setattr(os, "link", cross_device)
    copy_tree(source, tmp_path / "copy")
    assert (tmp_path / "copy" / "lib" / "marker.txt").read_text() == "v1"
    assert (tmp_path / "copy" / "lib" / "marker.txt").stat().st_ino != (source / "lib" / "marker.txt").stat().st_ino
    assert os.readlink(tmp_path / "copy" / "bin" / "python") == "python3"


def test_a_background_copy_to_another_filesystem_copies_each_file(tmp_path):
    import tempfile

    from pybuildpack.cache import BackgroundCopy

    elsewhere = [path for path in ("/dev/shm", "/var/tmp", "/tmp", os.path.expanduser("~"))
                 if os.access(path, os.W_OK) and os.stat(path).st_dev != os.stat(tmp_path).st_dev]
    if not elsewhere:
        pytest.skip("needs a writable directory on another filesystem than the test's")
    source = source_tree(tmp_path / "src")
    with tempfile.TemporaryDirectory(dir=elsewhere[0]) as other:
        copy = BackgroundCopy(source, Path(other) / "restore")
        copy.wait()
        assert not copy.linked
        assert (Path(other) / "restore" / "lib" / "marker.txt").read_text() == "v1"
        assert os.readlink(Path(other) / "restore" / "bin" / "python") == "python3"


def test_store_replaces_an_existing_entry_whole(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    old = source_tree(tmp_path / "old", "old")
    write(old / "only-in-old.txt")
    cached.store(old, {"python_version": "3.11.9"})
    cached.store(source_tree(tmp_path / "new", "new"), {"python_version": "3.12.4"})
    assert (cached.path / "lib" / "marker.txt").read_text() == "new"
    assert not (cached.path / "only-in-old.txt").exists()
    assert cached.metadata()["python_version"] == "3.12.4"
    assert sorted(p.name for p in cached.path.parent.iterdir()) == ["env"]


def test_restore_copies_the_directory_keeps_the_entry_and_drops_the_copys_metadata_file(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    cached.store(source_tree(tmp_path / "src"), {"python_version": "3.12.4"})
    destination = tmp_path / "build" / ".heroku" / "python"
    destination.parent.mkdir(parents=True)
    assert cached.restore(destination) == {"format": FORMAT, "python_version": "3.12.4"}
    assert (destination / "lib" / "marker.txt").read_text() == "v1"
    assert os.readlink(destination / "bin" / "python") == "python3"
    assert not (destination / META).exists()
    assert cached.metadata() == {"format": FORMAT, "python_version": "3.12.4"}
    assert (cached.path / "lib" / "marker.txt").read_text() == "v1"


def test_restore_hardlinks_files_on_one_filesystem(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    cached.store(source_tree(tmp_path / "src"), {})
    destination = tmp_path / "python"
    cached.restore(destination)
    assert (destination / "lib" / "marker.txt").stat().st_ino == (cached.path / "lib" / "marker.txt").stat().st_ino


def test_a_file_replaced_in_the_restored_copy_leaves_the_entry_unchanged(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    cached.store(source_tree(tmp_path / "src"), {})
    destination = tmp_path / "python"
    cached.restore(destination)
    write_atomically(destination / "lib" / "marker.txt", "v2")
    assert (destination / "lib" / "marker.txt").read_text() == "v2"
    assert (cached.path / "lib" / "marker.txt").read_text() == "v1"


def test_missing_entry_has_no_metadata(tmp_path):
    cached = CachedDir(tmp_path / "env")
    assert not cached.exists()
    assert cached.metadata() is None


def test_directory_with_unreadable_metadata_gives_none(tmp_path):
    cached = CachedDir(tmp_path / "env")
    write(cached.path / META, "{not json")
    assert cached.metadata() is None


def test_directory_without_metadata_gives_none(tmp_path):
    cached = CachedDir(tmp_path / "env")
    cached.path.mkdir()
    assert cached.metadata() is None


def test_metadata_that_is_not_an_object_gives_none(tmp_path):
    cached = CachedDir(tmp_path / "env")
    write(cached.path / META, json.dumps(["format", 1]))
    assert cached.metadata() is None


def test_discard_removes_the_entry(tmp_path):
    cached = CachedDir(tmp_path / "env")
    cached.store(source_tree(tmp_path / "src"), {})
    cached.discard()
    assert list(tmp_path.glob("env*")) == []


def test_discard_of_a_missing_entry_does_nothing(tmp_path):
    CachedDir(tmp_path / "env").discard()


def test_clean_leftovers_removes_tmp_and_discard_siblings_only(tmp_path):
    write(tmp_path / "env.tmp-abc123" / "x")
    write(tmp_path / "env.discard-4242" / "x")
    write(tmp_path / "env" / "kept")
    write(tmp_path / "environment.tmp-1" / "kept")
    write(tmp_path / "requirements.lock.txt")
    CachedDir(tmp_path / "env").clean_leftovers()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env", "environment.tmp-1", "requirements.lock.txt"]


def test_clean_leftovers_without_a_parent_does_nothing(tmp_path):
    CachedDir(tmp_path / "missing" / "env").clean_leftovers()


def test_a_store_killed_between_its_renames_is_finished_by_the_next_build(tmp_path):
    """The old entry renamed aside, the complete new copy not yet in place."""
    write(tmp_path / "env.discard-4242" / "lib" / "marker.txt", "old")
    write(tmp_path / "env.discard-4242" / META, json.dumps({"format": FORMAT, "v": "old"}))
    write(tmp_path / "env.tmp-abc123" / "lib" / "marker.txt", "new")
    write(tmp_path / "env.tmp-abc123" / META, json.dumps({"format": FORMAT, "v": "new"}))
    cached = CachedDir(tmp_path / "env")
    cached.clean_leftovers()
    assert cached.metadata() == {"format": FORMAT, "v": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]


def test_a_copy_without_metadata_is_incomplete_and_never_becomes_the_entry(tmp_path):
    write(tmp_path / "env.tmp-abc123" / "lib" / "marker.txt", "half")
    cached = CachedDir(tmp_path / "env")
    cached.clean_leftovers()
    assert not cached.exists()
    assert list(tmp_path.iterdir()) == []


# -- write_atomically -------------------------------------------------------------------------

def test_write_atomically_creates_parents_and_writes(tmp_path):
    target = tmp_path / "a" / "b" / "lock.txt"
    write_atomically(target, "flask==3.0.0\n")
    assert target.read_text() == "flask==3.0.0\n"


def test_write_atomically_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "seed.txt"
    write(path, "old")
    path.chmod(0o640)
    write_atomically(path, "new")
    assert path.stat().st_mode & 0o777 == 0o640


def test_write_atomically_replaces_and_leaves_no_temporary_file(tmp_path):
    target = write(tmp_path / "lock.txt", "old\n")
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["lock.txt"]


def test_a_background_copy_is_the_tree_when_waited_for_and_nothing_when_cancelled(tmp_path):
    from pybuildpack.cache import BackgroundCopy

    source = tmp_path / "entry"
    (source / "lib" / "pkg").mkdir(parents=True)
    (source / "lib" / "pkg" / "mod.py").write_text("x = 1\n")
    (source / "bin").mkdir()
    (source / "bin" / "python").symlink_to("python3.12")
    copy = BackgroundCopy(source, tmp_path / "build" / ".heroku" / ".python-restore-1")
    copy.wait()
    done = tmp_path / "build" / ".heroku" / ".python-restore-1"
    assert (done / "lib" / "pkg" / "mod.py").read_text() == "x = 1\n"
    assert (done / "lib" / "pkg" / "mod.py").stat().st_ino == (source / "lib" / "pkg" / "mod.py").stat().st_ino
    assert (done / "bin" / "python").readlink().name == "python3.12"
    cancelled = BackgroundCopy(source, tmp_path / "other")
    cancelled.cancel()
    assert not (tmp_path / "other").exists() and (source / "lib" / "pkg" / "mod.py").is_file()


def _tree(root):
    """Relative path -> (kind, inode) of everything under root, the metadata file left out."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.name == META:
            continue
        kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
        found[str(path.relative_to(root))] = (kind, None if kind == "dir" else path.lstat().st_ino)
    return found


def test_a_store_begun_early_takes_in_what_changed_in_the_source_since(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    source = source_tree(tmp_path / "build")
    write(source / "lib" / "gone.txt", "removed after the copy began")
    write(source / "lib" / "old" / "mod.py", "a directory removed after the copy began")
    write(source / "lib" / "kept.py", "x = 1\n")
    begun = cached.begin_store(source)
    assert begun is not None
    begun.wait()
    # What the later steps do: bytecode written, a file replaced (never written in
    # place), files and a directory removed, a symlink pointed elsewhere.
    write(source / "lib" / "__pycache__" / "kept.cpython-312.pyc", "bytecode")
    write(source / "lib" / "marker.txt.new", "v2")
    os.replace(source / "lib" / "marker.txt.new", source / "lib" / "marker.txt")
    (source / "lib" / "gone.txt").unlink()
    (source / "lib" / "old" / "mod.py").unlink()
    (source / "lib" / "old").rmdir()
    (source / "bin" / "python").unlink()
    (source / "bin" / "python").symlink_to("python3.12")
    cached.store(source, {"python_version": "3.12.4"}, begun=begun)
    assert _tree(cached.path) == _tree(source)
    assert (cached.path / "lib" / "marker.txt").read_text() == "v2"
    assert os.readlink(cached.path / "bin" / "python") == "python3.12"
    assert cached.metadata()["python_version"] == "3.12.4"
    assert sorted(p.name for p in cached.path.parent.iterdir()) == ["env"]


def test_a_store_begun_from_the_entry_before_the_install_takes_in_the_installed_environment(tmp_path):
    """Heroku begins the copy from the cache entry itself once it knows an install
    will run: the restored tree shares the entry's inodes, so the install's changes
    are what differs."""
    cached = CachedDir(tmp_path / "cache" / "env")
    old = source_tree(tmp_path / "old", "v1")
    write(old / "lib" / "requests" / "__init__.py", "version = 1\n")
    cached.store(old, {"python_version": "3.12.4", "install_key": "a"})
    build = tmp_path / "build" / "python"
    cached.restore(build)
    begun = cached.begin_store(cached.path)
    # The install: a package replaced (new files, new directory), one added, bytecode written.
    shutil.rmtree(build / "lib" / "requests")
    write(build / "lib" / "requests" / "__init__.py", "version = 2\n")
    write(build / "lib" / "idna" / "__init__.py", "")
    write(build / "lib" / "__pycache__" / "x.cpython-312.pyc", "bytecode")
    cached.store(build, {"python_version": "3.12.4", "install_key": "b"}, begun=begun, keep_previous=True)
    assert _tree(cached.path) == _tree(build)
    assert (cached.path / "lib" / "requests" / "__init__.py").read_text() == "version = 2\n"
    assert cached.metadata()["install_key"] == "b"
    (previous,) = [p for p in cached.path.parent.iterdir() if p.name.startswith("env.previous-")]
    assert (previous / "lib" / "requests" / "__init__.py").read_text() == "version = 1\n"


@pytest.mark.parametrize("ending", ["failed", "killed"])
def test_a_store_begun_by_a_build_that_never_stored_leaves_the_entry_as_it_was(tmp_path, ending):
    """A failed build cancels the copy; a killed one leaves it without metadata,
    and the next build's clean_leftovers removes it."""
    cached = CachedDir(tmp_path / "cache" / "env")
    cached.store(source_tree(tmp_path / "old", "v1"), {"python_version": "3.11.9"})
    begun = cached.begin_store(source_tree(tmp_path / "new", "v2"))
    if ending == "failed":
        begun.cancel()
    else:
        begun.wait()
        cached.clean_leftovers()
    assert (cached.path / "lib" / "marker.txt").read_text() == "v1"
    assert cached.metadata()["python_version"] == "3.11.9"
    assert sorted(p.name for p in cached.path.parent.iterdir()) == ["env"]


def test_a_store_that_keeps_the_previous_entry_leaves_its_removal_to_the_next_build(tmp_path):
    cached = CachedDir(tmp_path / "cache" / "env")
    cached.store(source_tree(tmp_path / "old", "v1"), {"python_version": "3.11.9"})
    cached.store(source_tree(tmp_path / "new", "v2"), {"python_version": "3.12.4"}, keep_previous=True)
    assert (cached.path / "lib" / "marker.txt").read_text() == "v2"
    (previous,) = [p for p in cached.path.parent.iterdir() if p.name != "env"]
    assert previous.name.startswith("env.previous-")
    assert (previous / "lib" / "marker.txt").read_text() == "v1"
    # The next build: the removal runs in the background; a second look meanwhile leaves it be.
    later = CachedDir(cached.path)
    later.clean_leftovers(wait=False)
    assert not (previous / META).exists()   # never a complete-looking copy while half removed
    later.clean_leftovers()
    later.finish_removals()
    assert sorted(p.name for p in cached.path.parent.iterdir()) == ["env"]
    assert cached.metadata()["python_version"] == "3.12.4"


def test_a_store_killed_after_keeping_the_previous_entry_aside_is_finished_with_the_new_one(tmp_path):
    """The previous entry renamed aside (complete, with metadata), the new copy
    complete but not yet in place: the new copy becomes the entry, never the previous."""
    write(tmp_path / "env.previous-abc" / "lib" / "marker.txt", "old")
    write(tmp_path / "env.previous-abc" / META, json.dumps({"format": FORMAT, "v": "old"}))
    write(tmp_path / "env.tmp-def" / "lib" / "marker.txt", "new")
    write(tmp_path / "env.tmp-def" / META, json.dumps({"format": FORMAT, "v": "new"}))
    cached = CachedDir(tmp_path / "env")
    cached.clean_leftovers(wait=False)
    cached.finish_removals()
    assert cached.metadata() == {"format": FORMAT, "v": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]
