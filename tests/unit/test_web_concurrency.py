"""WEB_CONCURRENCY from the container's cgroup limits (launch/web_concurrency.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import pybuildpack

from .helpers import write

SCRIPT = Path(pybuildpack.__file__).resolve().parent / "launch" / "web_concurrency.sh"
MIB = 1024 * 1024
V1_UNLIMITED = "9223372036854771712"
SHELLS = [shell for shell in ("bash", "dash") if shutil.which(shell)]


def web_concurrency(cgroup_root, shell="bash", **env):
    environment = {"PATH": os.environ["PATH"], "PYBUILDPACK_CGROUP_ROOT": str(cgroup_root), **env}
    result = subprocess.run([shell, "-c", f'. "{SCRIPT}" && pybuildpack_web_concurrency'],
                            env=environment, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def cgroup_v2(root, memory, cpu):
    write(root / "memory.max", f"{memory}\n")
    write(root / "cpu.max", f"{cpu}\n")
    return root


def cgroup_v1(root, memory, quota, period="100000"):
    write(root / "memory" / "memory.limit_in_bytes", f"{memory}\n")
    write(root / "cpu" / "cpu.cfs_quota_us", f"{quota}\n")
    write(root / "cpu" / "cpu.cfs_period_us", f"{period}\n")
    return root


def nproc_workers():
    return str(int(subprocess.run(["nproc"], capture_output=True, text=True).stdout) * 2 + 1)


@pytest.mark.parametrize("shell", SHELLS)
def test_v2_memory_limit_caps_the_workers(tmp_path, shell):
    root = cgroup_v2(tmp_path, 512 * MIB, "200000 100000")
    assert web_concurrency(root, shell) == "2\n"


def test_v2_cpu_quota_gives_two_workers_per_cpu_plus_one(tmp_path):
    root = cgroup_v2(tmp_path, 8192 * MIB, "200000 100000")
    assert web_concurrency(root) == "5\n"


def test_v2_fractional_cpu_quota_rounds_up(tmp_path):
    root = cgroup_v2(tmp_path, 8192 * MIB, "150000 100000")
    assert web_concurrency(root) == "5\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_v2_without_limits_uses_nproc(tmp_path, shell):
    root = cgroup_v2(tmp_path, "max", "max 100000")
    assert web_concurrency(root, shell) == f"{nproc_workers()}\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_v1_limits_are_read(tmp_path, shell):
    root = cgroup_v1(tmp_path, 4096 * MIB, "200000", "100000")
    assert web_concurrency(root, shell) == "5\n"


def test_v1_memory_limit_caps_the_workers(tmp_path):
    root = cgroup_v1(tmp_path, 768 * MIB, "400000", "100000")
    assert web_concurrency(root) == "3\n"


def test_v1_unlimited_memory_is_no_limit(tmp_path):
    root = cgroup_v1(tmp_path, V1_UNLIMITED, "100000", "100000")
    assert web_concurrency(root) == "3\n"


def test_v1_without_cpu_quota_uses_nproc(tmp_path):
    root = cgroup_v1(tmp_path, V1_UNLIMITED, "-1", "100000")
    assert web_concurrency(root) == f"{nproc_workers()}\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_preset_web_concurrency_is_kept(tmp_path, shell):
    root = cgroup_v2(tmp_path, 512 * MIB, "200000 100000")
    assert web_concurrency(root, shell, WEB_CONCURRENCY="7") == "7\n"


def test_tiny_memory_still_gives_one_worker(tmp_path):
    root = cgroup_v2(tmp_path, 64 * MIB, "400000 100000")
    assert web_concurrency(root) == "1\n"


def test_no_cgroup_files_use_nproc(tmp_path):
    assert web_concurrency(tmp_path) == f"{nproc_workers()}\n"


def test_sourcing_the_script_prints_nothing(tmp_path):
    result = subprocess.run(["bash", "-c", f'. "{SCRIPT}"'], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
