"""`pybuildpack build` and `up` on the Django example: the same build as production, in place, incrementally."""

import json
import re

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "django"
WEB = "gunicorn --config python:pybuildpack_launch.gunicorn_config mysite.wsgi:application"


@pytest.fixture(scope="module")
def built(tmp_path_factory, local_env):
    """The Django example, built twice: a first build and an unchanged rebuild."""
    from harness.local import LocalPlatform

    platform = LocalPlatform(tmp_path_factory.mktemp("local-build"), local_env)
    app = platform.copy_app(EXAMPLE)
    first = platform.pybuildpack("build", str(app))
    second = platform.pybuildpack("build", str(app))
    return platform, app, first, second


def test_up_serves_the_django_example_admin_with_its_stylesheet(local):
    app = local.copy_app(EXAMPLE)
    server = local.serve(["up", str(app)])
    page = server.wait_until_serving("/admin/login/", timeout=300)
    assert page.status == 200, server.log
    assert "Django administration" in page.text
    css_path = re.search(r'href="(/static/admin/css/base\.css)"', page.text).group(1)
    css = server.get(css_path)
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert b"--body-fg" in css.body
    assert "-----> Build finished in" in server.log
    assert f"-----> Starting web: {WEB}" in server.log
    assert f"Serving on http://localhost:{server.port}" in server.log
    assert server.stops_on_sigterm(), server.log
    assert "Traceback" not in server.log


def test_build_ends_with_a_summary_of_time_python_packages_and_web(built):
    _, _, first, _ = built
    assert first.returncode == 0, first.stdout + first.stderr
    summary = first.stdout[first.stdout.index("-----> Build finished in"):]
    assert re.match(r"-----> Build finished in \d+\.\ds\n", summary)
    assert re.search(r"\n       Python:    3\.13\.\d+ \(newest available, not pinned\)\n", summary)
    assert "\n       Packages:  5\n" in summary
    assert f"\n       Web:       {WEB}\n" in summary
    assert "Start:     pybuildpack start (http://localhost:" in summary


def test_build_supplies_static_root_and_collects_static_files_into_the_app(built):
    _, app, first, _ = built
    assert "Warning: STATIC_ROOT is not set in your Django settings" in first.stdout
    assert re.search(r"\d+ static files copied", first.stdout)
    assert (app / "staticfiles" / "admin" / "css" / "base.css").is_file()
    assert "STATIC_ROOT" not in (app / "mysite" / "settings.py").read_text()


def test_state_stays_in_dot_pybuildpack_which_git_ignores(built):
    _, app, first, second = built
    state = app / ".pybuildpack"
    assert (state / "venv" / "bin" / "python").exists()
    assert (state / ".gitignore").read_text().splitlines()[-1] == "*"
    record = json.loads((state / "build.json").read_text())
    assert record["packages"] == 5 and record["install_key"]
    # The hint is printed once, and the user's own .gitignore is never written.
    assert "Warning: Keep pybuildpack's files out of your repository" in first.stdout
    assert "    .pybuildpack/\n" in first.stdout and "    /staticfiles/\n" in first.stdout
    assert "Keep pybuildpack's files out" not in second.stdout
    assert not (app / ".gitignore").exists()


def test_an_unchanged_rebuild_reuses_the_environment_and_skips_the_install(built):
    _, _, _, second = built
    assert second.returncode == 0, second.stdout + second.stderr
    assert "       Reusing the environment of the last build (.pybuildpack/venv)\n" in second.stdout
    assert "-----> Dependencies unchanged since the last build (requirements.txt)\n" in second.stdout
    assert "Installing dependencies" not in second.stdout
    # STATIC_ROOT stayed in the app, as collected: collectstatic is not run again.
    assert re.search(r"-----> collectstatic: unchanged since the last build, skipped \(\d+ files already in "
                     r"STATIC_ROOT\)\n", second.stdout)


def test_a_python_version_change_discards_the_environment_and_says_why(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    assert local.pybuildpack("build", str(app)).returncode == 0
    (app / ".python-version").write_text("3.11\n")
    rebuild = local.pybuildpack("build", str(app))
    assert rebuild.returncode == 0, rebuild.stdout
    assert re.search(r"-----> Discarding cached environment: Python version changed \(3\.12\.\d+ -> 3\.11\.\d+\)",
                     rebuild.stdout), rebuild.stdout
    probe = local.pybuildpack("run", "python", "-c", "import sys; print(sys.version_info[:2])", cwd=app)
    assert probe.stdout.strip() == "(3, 11)", probe.stderr


def test_a_pylock_app_builds_and_serves_locally(local, fixture_app):
    app = local.copy_app(fixture_app("pylock_app"))
    server = local.serve(["up", str(app)])
    page = server.wait_until_serving("/", timeout=300)
    assert (page.status, page.text) == (200, "Hello from a pylock.toml app"), server.log
    assert "Installing the 7 packages locked in pylock.toml" in server.log
    assert server.stops_on_sigterm(), server.log
