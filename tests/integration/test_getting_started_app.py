"""The benchmarks' getting-started app (a Django site in the shape of Heroku's
python-getting-started, with its own gunicorn.conf.py) deploys on Heroku: the
build collects its static files, the release process migrates, and the web
process from its Procfile serves the page and its CSS."""

import re

import pytest

from harness.heroku import REPO, HerokuPlatform

pytestmark = pytest.mark.slow

APP = REPO / "benchmarks" / "apps" / "getting-started"


def test_getting_started_builds_migrates_and_serves_its_page_and_css(tmp_path, build_env):
    heroku = HerokuPlatform(tmp_path, build_env)
    try:
        result = heroku.build(APP)
        assert result.ok, result.output
        assert "Traceback" not in result.output
        # Its requirements already name gunicorn and whitenoise: nothing is added.
        assert "Added gunicorn==" not in result.output and "Added whitenoise==" not in result.output
        assert re.search(r"1 static file copied to '.*staticfiles', 3 post-processed", result.output), result.output

        slug = heroku.deploy(result)
        assert slug.command("web") == "gunicorn --config gunicorn.conf.py gettingstarted.wsgi"
        release = slug.run(slug.command("release"))
        assert release.returncode == 0, release.stdout + release.stderr
        assert "Applying hello.0001_initial... OK" in release.stdout
        assert (slug.app_dir / "db.sqlite3").is_file()

        dyno = slug.start("web")
        page = dyno.wait_until_serving("/", timeout=60)
        assert page.status == 200, page.text
        assert "Your Django app is running" in page.text
        # WhiteNoise's manifest storage: the CSS under its content-hashed name, served compressed-ready.
        css_path = re.search(r'href="(/static/hello/style\.[0-9a-f]{12}\.css)"', page.text).group(1)
        css = dyno.get(css_path)
        assert css.status == 200
        assert css.headers["content-type"].startswith("text/css")
        assert b"#4b2a83" in css.body
        assert "max-age=315360000" in css.headers.get("cache-control", "")
        # The table the release created answers through the web process.
        visits = dyno.get("/visits/")
        assert visits.status == 200, visits.text
        assert "1 visit<" in visits.text
        # Its own gunicorn.conf.py, not pybuildpack's: gthread workers and the access log on stdout.
        assert dyno.get("/visits/").status == 200
        assert "Using worker: gthread" in dyno.log and '"GET /visits/ HTTP/1.1" 200' in dyno.log
        assert dyno.stops_on_sigterm()
    finally:
        heroku.cleanup()
