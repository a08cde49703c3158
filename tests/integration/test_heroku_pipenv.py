"""Pipenv apps: Pipfile.lock's default packages converted to hash-pinned requirements."""

import pytest

from harness.apps import copy_app
from harness.heroku import slug_distributions as distributions

pytestmark = pytest.mark.slow


def test_the_default_packages_are_installed_and_served_and_a_rebuild_skips_the_install(heroku, fixture_app):
    cache = heroku.new_cache()
    first = heroku.build(fixture_app("pipenv_flask"), cache_dir=cache)
    assert first.ok, first.output
    assert "Using Python 3.12.1 (from Pipfile.lock)" in first.output
    assert "Pipfile.lock: 7 packages for production, each installed where its markers hold" in first.output
    installed = distributions(first.build_dir)
    assert {"flask", "werkzeug", "gunicorn"} <= installed
    assert "six" not in installed  # a dev package
    print(f"pipenv cold build: {first.duration:.1f}s")

    second = heroku.build(fixture_app("pipenv_flask"), cache_dir=cache)
    assert second.ok, second.output
    assert "Dependencies unchanged since the last build (Pipfile.lock, Pipfile)" in second.output
    print(f"pipenv no-change rebuild: {second.duration:.1f}s")
    slug = heroku.deploy(second)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from a Pipenv app"
    assert dyno.terminate() == 0


def test_a_stale_lock_fails_naming_pipenv_lock(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pipenv_flask"), tmp_path)
    pipfile = app / "Pipfile"
    pipfile.write_text(pipfile.read_text().replace('flask = "==3.0.3"', 'flask = "==3.0.3"\nrequests = "*"'))
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Pipfile.lock is out of date" in result.output
    assert "Run `pipenv lock`" in result.output


def test_a_pipfile_without_a_lock_fails_naming_pipenv_lock(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pipenv_flask"), tmp_path)
    (app / "Pipfile.lock").unlink()
    result = heroku.build(app)
    assert result.returncode == 1
    assert " !     Error: Pipfile without Pipfile.lock" in result.output
    assert "Run `pipenv lock`" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_plain_http_source_with_verify_ssl_false_installs_with_its_credentials(heroku, fixture_app, tmp_path,
                                                                                 installer):
    import hashlib
    import json

    import toml

    from harness.index import PASSWORD, USERNAME, PrivateIndex
    from pybuildpack.package_managers.pipfile_lock import pipfile_hashes

    app = copy_app(fixture_app("pipenv_flask"), tmp_path)
    with PrivateIndex({"greeting-lib": "WORD = 'Hello over plain HTTP'\n"}) as index:
        url = index.url.replace("http://", "http://${INDEX_USER}:${INDEX_PASSWORD}@")
        pipfile = toml.loads((app / "Pipfile").read_text())
        pipfile["source"].append({"url": url, "verify_ssl": False, "name": "internal"})
        pipfile["packages"]["greeting-lib"] = {"version": "==1.0.0", "index": "internal"}
        (app / "Pipfile").write_text(toml.dumps(pipfile))
        lock = json.loads((app / "Pipfile.lock").read_text())
        lock["_meta"]["sources"] = pipfile["source"]
        lock["_meta"]["hash"]["sha256"] = pipfile_hashes(pipfile)[0]
        wheel = next((index.root / "files").iterdir())
        lock["default"]["greeting-lib"] = {"hashes": [f"sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}"],
                                           "index": "internal", "version": "==1.0.0"}
        (app / "Pipfile.lock").write_text(json.dumps(lock, indent=4))
        result = heroku.build(app, config={"INDEX_USER": USERNAME, "INDEX_PASSWORD": PASSWORD,
                                           "PYBUILDPACK_INSTALLER": installer})
        assert result.ok, result.output
        assert any(path.endswith(".whl") and ok for path, ok in index.requests), index.requests
    assert PASSWORD not in result.output
    assert "greeting-lib" in distributions(result.build_dir)
