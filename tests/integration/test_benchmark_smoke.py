"""The benchmark command runs (on the small app, one round); its figures are not asserted."""

import json
import subprocess
import sys

import pytest

from harness.heroku import REPO

pytestmark = pytest.mark.slow


@pytest.mark.long
def test_benchmark_runs_on_the_small_app_and_writes_json(tmp_path):
    output = tmp_path / "latest.json"
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--apps", "small", "--runs", "1",
                             "--output", str(output)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pybuildpack cold build" in result.stdout and "÷ uv" in result.stdout
    data = json.loads(output.read_text())
    assert data["machine"]["cores"] >= 1 and data["machine"]["memory_gib"] > 0
    median = data["apps"]["small"]["median"]
    for key in ("ours_cold", "ours_no_change", "ours_one_change", "uv_baseline", "pip_baseline",
                "first_200", "slug_mb", "packages_mb", "runtime_mb"):
        assert median[key] > 0, key
    assert set(data["apps"]["small"]["targets"]) == {
        "cold ≤ 2 s", "no-change ≤ 0.6 s and ≤ 0.10× cold", "one-package change ≤ 0.25× cold",
        "slug ≤ 1.1× packages + runtime", "first 200 < 1 s"}
