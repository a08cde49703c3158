"""What uv said, remembered between builds per uv binary (pybuildpack.tools.Tools.remembered)."""

from __future__ import annotations

import json
import os

import pytest

from pybuildpack import errors
from pybuildpack.steps.runtime import available_versions
from pybuildpack.tools import Tools

from .helpers import write

LISTED = [{"implementation": "cpython", "os": "linux", "arch": "x86_64", "libc": "gnu", "version": version}
          for version in ("3.12.4", "3.13.1")]


def fake_uv(path, version="0.13.9", fails=False):
    """A uv that counts its runs in calls.txt beside it and answers --version and python list."""
    listing = json.dumps([dict(entry, arch=os.uname().machine) for entry in LISTED])
    write(path, "#!/bin/sh\n"
                f'echo "$@" >> "{path.parent / "calls.txt"}"\n'
                + ("echo 'error: the list is broken'; exit 2\n" if fails else "")
                + f'case "$1" in --version) echo "uv {version}";; python) echo \'{listing}\';; esac\n',
          executable=True)
    return path


def calls(uv) -> list:
    log = uv.parent / "calls.txt"
    return log.read_text().splitlines() if log.exists() else []


def tools_for(uv, cache) -> Tools:
    """A new Tools, as each build makes, over one installer cache."""
    return Tools(uv=uv, uv_cache=cache / "uv", pip_cache=cache / "pip")


def test_uvs_version_is_asked_once_per_binary(tmp_path):
    uv = fake_uv(tmp_path / "bin" / "uv")
    assert tools_for(uv, tmp_path / "cache").uv_version() == "0.13.9"
    assert tools_for(uv, tmp_path / "cache").uv_version() == "0.13.9"
    assert calls(uv) == ["--version"]
    fake_uv(uv, version="0.14.0 (another build)")   # another binary at the same path
    assert tools_for(uv, tmp_path / "cache").uv_version() == "0.14.0"
    assert calls(uv) == ["--version", "--version"]


def test_the_download_list_is_remembered_for_uvs_own_list_and_a_local_file(tmp_path):
    uv = fake_uv(tmp_path / "bin" / "uv")
    cache = tmp_path / "cache"
    for _ in range(2):
        assert available_versions(tools_for(uv, cache), {}, None) == ["3.13.1", "3.12.4"]
    assert len(calls(uv)) == 1
    listing = write(tmp_path / "downloads.json", "{}")
    available_versions(tools_for(uv, cache), {}, str(listing))
    available_versions(tools_for(uv, cache), {}, str(listing))
    assert len(calls(uv)) == 2
    write(listing, '{"changed": true}')
    available_versions(tools_for(uv, cache), {}, str(listing))
    assert len(calls(uv)) == 3


def test_a_download_list_at_a_url_is_read_on_every_build(tmp_path):
    uv = fake_uv(tmp_path / "bin" / "uv")
    for _ in range(2):
        available_versions(tools_for(uv, tmp_path / "cache"), {}, "https://example.com/downloads.json")
    assert len(calls(uv)) == 2


def test_a_failed_answer_is_not_remembered(tmp_path):
    uv = fake_uv(tmp_path / "bin" / "uv", fails=True)
    for _ in range(2):
        with pytest.raises(errors.PythonDownloadsUnreadable):
            available_versions(tools_for(uv, tmp_path / "cache"), {}, None)
        assert tools_for(uv, tmp_path / "cache").uv_version() == "unknown"
    assert len(calls(uv)) == 4
    assert not (tmp_path / "cache" / "uv-answers.json").exists()


def test_an_unwritable_cache_only_means_asking_again(tmp_path):
    uv = fake_uv(tmp_path / "bin" / "uv")
    cache = write(tmp_path / "cache", "a file where the cache directory would be")
    assert tools_for(uv, cache).uv_version() == "0.13.9"
    assert tools_for(uv, cache).uv_version() == "0.13.9"
    assert calls(uv) == ["--version", "--version"]
