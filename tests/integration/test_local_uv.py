"""`pybuildpack up` and `explain` on a uv project: the packages come from uv.lock."""

import json

import pytest

pytestmark = pytest.mark.slow


def test_up_builds_a_uv_project_from_its_lock_and_explain_says_so(local, fixture_app):
    app = local.copy_app(fixture_app("uv_project"))
    server = local.serve(["up", str(app)])
    page = server.wait_until_serving("/", timeout=300)
    assert (page.status, page.text) == (200, "Hello from a uv project"), server.log
    assert "uv.lock locks 7 packages for production" in server.log
    assert server.stops_on_sigterm(), server.log
    venv = next((app / ".pybuildpack" / "venv").glob("lib/python3*/site-packages"))
    assert list(venv.glob("flask-*.dist-info")) and not list(venv.glob("pytest-*.dist-info"))

    explained = local.pybuildpack("explain", "--json", str(app))
    assert explained.returncode == 0, explained.stderr
    packages = json.loads(explained.stdout)["package_manager"]
    assert (packages["kind"], packages["file"], packages["origin"]) == ("uv", "uv.lock", "uv.lock")
    assert packages["summary"] == ("uv (default), from uv.lock (uv export --locked: the project's dependencies, "
                                   "without the dev group)")
    assert "flask" in packages["names"] and "pytest" not in packages["names"]
    assert [added["name"] for added in packages["added"]] == ["gunicorn"]
