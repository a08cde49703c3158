"""Layers between builds: reused when their metadata matches, rebuilt saying why."""

import shutil

import pytest

pytestmark = pytest.mark.slow

# Any network access through these fails at once: a rebuild that passes with
# them set touched no network.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "ALL_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}
ALL_TYPES = {"launch": True, "build": True, "cache": True}


@pytest.fixture
def flask_app(fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    return app


@pytest.mark.long
def test_no_change_rebuild_reuses_every_layer_and_touches_no_network(cnb, fixture_app):
    cold = cnb.build(fixture_app("django_startproject"))
    assert cold.ok, cold.output
    assert "Checking the cached layers" not in cold.output
    warm = cnb.build(fixture_app("django_startproject"), env=OFFLINE)
    assert warm.ok, warm.output
    for line in ("Reusing layer tools: pybuildpack's tools (uv 0.13.9)",
                 "Reusing layer python: Python 3.13.",
                 "Reusing layer venv: the app's packages for Python 3.13.",
                 "Reusing layer launch-env: the launch environment is unchanged",
                 "Dependencies unchanged since the last build (requirements.txt)"):
        assert line in warm.output
    assert "Preparing pybuildpack's tools" not in warm.output and "Installing" not in warm.output
    # Nothing collectstatic reads changed: its output comes back from the cache.
    assert "-----> collectstatic: unchanged since the last build, skipped (" in warm.output
    assert "static files copied" in cold.output and "static files copied" not in warm.output
    assert warm.duration < cold.duration
    # The launch-only layer was left without a directory: the image keeps the previous one.
    assert not (cnb.layers_dir / "launch-env").exists()
    assert warm.layer_toml("launch-env")["types"] == {"launch": True, "build": False, "cache": False}
    # collectstatic's output is kept in a cache-only layer, and the image serves what it restored.
    assert warm.layer_toml("django-static")["types"] == {"launch": False, "build": False, "cache": True}
    container = cnb.start()
    assert container.wait_until_serving("/admin/login/").status == 200
    css = container.get("/static/admin/css/base.css")
    assert css.status == 200 and b"--body-fg" in css.body
    assert container.terminate() == 0


def test_types_and_metadata_are_written_on_every_build(cnb, flask_app):
    for _ in range(2):
        result = cnb.build(flask_app)
        assert result.ok, result.output
        python, venv = result.layer_toml("python"), result.layer_toml("venv")
        assert python["types"] == ALL_TYPES and venv["types"] == ALL_TYPES
        assert result.layer_toml("tools")["types"] == {"launch": False, "build": False, "cache": True}
        assert set(python["metadata"]) == {"format", "version", "arch", "distro"}
        assert python["metadata"]["version"] == "3.12.1"
        assert set(venv["metadata"]) == {"format", "install_key", "python_version", "installer",
                                         "installer_version", "arch", "distro"}
        assert venv["metadata"]["installer_version"] == "0.13.9"


def test_a_requirements_change_rebuilds_only_the_dependencies_layer(cnb, flask_app):
    (flask_app / "requirements.txt").write_text("Flask\nidna==3.6\n")
    assert cnb.build(flask_app).ok
    (flask_app / "requirements.txt").write_text("Flask\nidna==3.7\n")
    second = cnb.build(flask_app)
    assert second.ok, second.output
    assert "Reusing layer python: Python 3.12.1" in second.output
    assert "Updating layer venv: the requirements changed (requirements.txt)" in second.output
    assert "Installing Python" not in second.output
    assert "- idna==3.6" in second.output and "+ idna==3.7" in second.output
    assert "+ flask" not in second.output
    assert cnb.run(["python", "-c", "import idna; print(idna.__version__)"]).stdout.strip() == "3.7"


def test_a_python_version_change_rebuilds_the_runtime_layer(cnb, flask_app):
    assert cnb.build(flask_app).ok
    (flask_app / ".python-version").write_text("3.11\n")
    second = cnb.build(flask_app)
    assert second.ok, second.output
    assert "Rebuilding layer python: Python version changed (3.12.1 -> 3.11.7)" in second.output
    assert "Rebuilding layer venv: Python version changed (3.12.1 -> 3.11.7)" in second.output
    assert "Installing Python 3.11.7" in second.output
    assert cnb.run(["python", "--version"]).stdout.strip() == "Python 3.11.7"


def test_malformed_metadata_from_an_older_buildpack_is_discarded_with_a_message(cnb, flask_app):
    assert cnb.build(flask_app).ok
    # Metadata of shapes this version never writes (the lifecycle only keeps parseable TOML).
    cnb.rewrite_stored_toml("python", 'metadata = "python 3.12.1"\n')
    cnb.rewrite_stored_toml("venv", '[metadata]\npython = "3.12.1"\ninstall_key = 7\n')
    cnb.rewrite_stored_toml("tools", "metadata = [1, 2]\n")
    second = cnb.build(flask_app)
    assert second.ok, second.output
    assert ("Rebuilding layer python: its metadata is unreadable (written by another pybuildpack version?)"
            in second.output)
    assert "Rebuilding layer venv: layer format was not recorded\n" in second.output
    assert "Updating layer tools: its metadata is unreadable" in second.output
    assert "Installing Python 3.12.1" in second.output and "Traceback" not in second.output
    container = cnb.start()
    assert container.wait_until_serving("/").status == 200
    assert container.terminate() == 0
    third = cnb.build(flask_app)
    assert "Reusing layer python" in third.output and "Reusing layer venv" in third.output


def test_installer_caches_live_in_a_cache_only_layer(cnb, fixture_app):
    cnb.base_env.pop("PYBUILDPACK_INSTALLER_CACHE_DIR")
    first = cnb.build(fixture_app("app_py"))
    assert first.ok, first.output
    assert first.layer_toml("installer-cache")["types"] == {"launch": False, "build": False, "cache": True}
    assert (cnb.layers_dir / "installer-cache" / "uv").is_dir()
    assert "installer-cache" in cnb.cache and "installer-cache" not in cnb.image.layers
    second = cnb.build(fixture_app("app_py"))
    assert "Reusing layer installer-cache: uv's and pip's download caches" in second.output
