"""The serve benchmark command runs (one case, one short round, few connections); its figures are not asserted."""

import json
import subprocess
import sys

import pytest

from harness.heroku import REPO

pytestmark = pytest.mark.slow


@pytest.mark.long
def test_serve_benchmark_runs_on_the_flask_app_and_writes_json(tmp_path):
    output = tmp_path / "serve.json"
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "serve.py"), "--cases", "flask-json",
                             "--rounds", "1", "--duration", "1", "--connections", "4", "--no-sigterm",
                             "--output", str(output)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hand-tuned (base)" in result.stdout and "÷ base req/s" in result.stdout
    data = json.loads(output.read_text())
    assert data["machine"]["cores"] >= 1 and int(data["machine"]["web_concurrency"]) >= 1
    case = data["cases"]["flask-json"]
    assert case["baseline"] == "hand-tuned"
    assert set(case["median"]) == {"ours", "hand-tuned", "sync"}
    for figures in case["median"].values():
        assert figures["rps"] > 0 and figures["p99_ms"] > 0
    assert data["defaults"]["flask"].startswith("gunicorn --config python:pybuildpack_launch.gunicorn_config")
