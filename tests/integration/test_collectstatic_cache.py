"""collectstatic is skipped when nothing it reads changed, and runs again, saying why, when something did."""

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SKIPPED = "-----> collectstatic: unchanged since the last build, skipped ("
RUNNING = "-----> Running collectstatic (python manage.py collectstatic --noinput)"


def collected(build_dir: Path) -> dict:
    """STATIC_ROOT (supplied: staticfiles/ beside manage.py): relative path -> content."""
    root = build_dir / "staticfiles"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def why(output: str) -> str:
    lines = output.splitlines()
    return lines[lines.index(RUNNING) + 1]


@pytest.fixture
def static_app(fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("django_static"), app)
    return app


@pytest.mark.long
def test_unchanged_static_files_are_restored_and_a_changed_css_file_is_collected_again(heroku, static_app):
    cache = heroku.new_cache()
    first = heroku.build(static_app, cache_dir=cache)
    assert first.ok, first.output
    assert why(first.output) == "       Not skipped: first build"
    assert SKIPPED not in first.output
    before = collected(first.build_dir)
    assert before["pages/site.css"] == b"body { color: #123456; }\n"
    assert "admin/css/base.css" in before

    second = heroku.build(static_app, cache_dir=cache)
    assert second.ok, second.output
    assert f"{SKIPPED}{len(before)} files from the build cache)" in second.output
    assert RUNNING not in second.output
    # Every file, with the same contents, as collectstatic wrote them the first time.
    assert collected(second.build_dir) == before
    slug = heroku.deploy(second)
    dyno = slug.start()
    assert dyno.wait_until_serving("/admin/login/").status == 200
    css = dyno.get("/static/admin/css/base.css")
    assert css.status == 200 and css.body == before["admin/css/base.css"]
    assert dyno.get("/static/pages/site.css").body == b"body { color: #123456; }\n"
    assert dyno.terminate() == 0

    (static_app / "pages" / "static" / "pages" / "site.css").write_text("body { color: #abcdef; }\n")
    third = heroku.build(static_app, cache_dir=cache)
    assert third.ok, third.output
    assert why(third.output) == "       Not skipped: static files changed: pages/static/pages/site.css"
    assert SKIPPED not in third.output
    slug = heroku.deploy(third)
    dyno = slug.start()
    dyno.wait_until_serving("/admin/login/")
    assert dyno.get("/static/pages/site.css").body == b"body { color: #abcdef; }\n"
    assert dyno.terminate() == 0

    # A new package that neither collectstatic nor the settings and the check import:
    # nothing they read changed, so all three are skipped.
    (static_app / "requirements.txt").write_text("Django\nidna==3.7\n")
    fourth = heroku.build(static_app, cache_dir=cache)
    assert fourth.ok, fourth.output
    assert "+ idna==3.7" in fourth.output
    assert f"{SKIPPED}{len(before)} files from the build cache)" in fourth.output
    assert "Unchanged since the last build, skipped: these are its findings" in fourth.output
    assert collected(fourth.build_dir)["pages/site.css"] == b"body { color: #abcdef; }\n"

    # Another version of a package Django imports: collected again.
    asgiref = next(fourth.build_dir.glob(".heroku/python/lib/python3*/site-packages/asgiref-*.dist-info"))
    version = asgiref.name[len("asgiref-"):-len(".dist-info")]
    (static_app / "requirements.txt").write_text(f"Django\nidna==3.7\nasgiref!={version}\n")
    fifth = heroku.build(static_app, cache_dir=cache)
    assert fifth.ok, fifth.output
    assert f"- asgiref=={version}" in fifth.output
    assert why(fifth.output) == "       Not skipped: packages changed"
    assert "Unchanged since the last build" not in fifth.output
    # And the output of that run is what the next build restores.
    sixth = heroku.build(static_app, cache_dir=cache)
    assert sixth.ok, sixth.output
    assert SKIPPED in sixth.output
    assert collected(sixth.build_dir)["pages/site.css"] == b"body { color: #abcdef; }\n"


def test_a_changed_setting_or_a_stand_in_secret_runs_it_and_disabling_it_restores_nothing(heroku, static_app):
    cache = heroku.new_cache()
    assert heroku.build(static_app, cache_dir=cache).ok
    settings = static_app / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace("STATIC_URL = 'static/'", "STATIC_URL = '/assets/'"))
    changed = heroku.build(static_app, cache_dir=cache)
    assert changed.ok, changed.output
    assert why(changed.output) == "       Not skipped: settings changed"
    disabled = heroku.build(static_app, cache_dir=cache, config={"DISABLE_COLLECTSTATIC": "1"})
    assert disabled.ok, disabled.output
    assert "Skipping collectstatic: DISABLE_COLLECTSTATIC is set" in disabled.output
    assert SKIPPED not in disabled.output and not (disabled.build_dir / "staticfiles").exists()
    # A secret the settings need at build time gets a throwaway value: never cached, never skipped.
    settings.write_text("import os\n" + settings.read_text().replace(
        "SECRET_KEY = 'django", "SECRET_KEY = os.environ['SECRET_KEY'] or 'django"))
    for _ in range(2):
        stood_in = heroku.build(static_app, cache_dir=cache)
        assert stood_in.ok, stood_in.output
        assert why(stood_in.output) == ("       Not skipped: a throwaway value stood in for SECRET_KEY, "
                                        "so nothing is cached")


def test_s2i_hands_the_collected_files_to_the_next_incremental_build(tmp_path, build_env, static_app):
    from harness.s2i import S2iPlatform

    s2i = S2iPlatform(tmp_path / "s2i", build_env)
    try:
        first = s2i.build(static_app)
        assert first.ok, first.output
        assert why(first.output) == "       Not skipped: first build"
        second = s2i.build(static_app, incremental=first.image)
        assert second.ok, second.output
        assert SKIPPED in second.output and RUNNING not in second.output
        assert collected(second.image.app_dir) == collected(first.image.app_dir)
        container = s2i.start(second.image)
        assert container.wait_until_serving("/static/pages/site.css").body == b"body { color: #123456; }\n"
    finally:
        s2i.cleanup()
