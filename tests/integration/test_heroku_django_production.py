"""Django settings that demand runtime secrets at import, and an empty ALLOWED_HOSTS, on Heroku.

The fixture (tests/fixtures/django_runtime_secrets) reads SECRET_KEY and
DATABASE_URL with os.environ[...] and leaves ALLOWED_HOSTS empty with DEBUG
off; its AppConfig.ready() reads API_TOKEN, which only collectstatic (Django
started) needs. It appends each SECRET_KEY its settings saw to
RECORD_SECRET_KEY_TO, so the tests can look for the build's throwaway value in
the slug and the log.
"""

import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RUNTIME = {"SECRET_KEY": "the-real-secret-key-set-on-the-app-0123456789-abcdefghijklmnop",
           "DATABASE_URL": "sqlite:////tmp/pybuildpack-test-runtime-secrets.sqlite3",
           "API_TOKEN": "the-real-api-token"}
APP_DOMAIN = "myapp-1a2b3c4d5e6f.herokuapp.com"


@pytest.fixture(scope="module")
def secrets_build(tmp_path_factory, build_env, request):
    from conftest import FIXTURES
    from harness.heroku import HerokuPlatform

    root = tmp_path_factory.mktemp("heroku-django-secrets")
    platform = HerokuPlatform(root, build_env)
    request.addfinalizer(platform.cleanup)
    record = root / "seen-at-build.txt"
    result = platform.build(FIXTURES / "django_runtime_secrets", env={"RECORD_SECRET_KEY_TO": str(record)})
    seen = record.read_text().split() if record.exists() else []
    return platform, result, seen


def slug_of(platform, result):
    """The build's slug, deployed once for all the tests of the module."""
    return platform.slugs[0] if platform.slugs else platform.deploy(result)


def files_containing(root: Path, needle: bytes) -> list:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                pass
    return found


def test_collectstatic_runs_with_throwaway_values_and_says_so(secrets_build):
    _, result, seen = secrets_build
    assert result.ok, result.output
    assert re.search(r"\d+ static files copied", result.output)
    assert ("       SECRET_KEY is not set at build time: collectstatic ran with a throwaway value "
            "(set it as a config var for runtime)") in result.output
    assert ("       DATABASE_URL is not set at build time: collectstatic ran with a throwaway value "
            "(set it as a config var for runtime)") in result.output
    # API_TOKEN was found missing by collectstatic itself, which ran again; its KeyError is not shown.
    assert "       API_TOKEN is not set at build time: collectstatic ran with a throwaway value" in result.output
    assert "KeyError" not in result.output
    # The probe, collectstatic (twice) and check --deploy (twice: it began without API_TOKEN)
    # each imported the settings with the same stand-in.
    assert len(seen) >= 5 and len(set(seen)) == 1, seen
    assert len(seen[0]) >= 50
    assert seen[0] not in result.output
    assert "Traceback" not in result.output


def test_the_throwaway_values_are_nowhere_in_the_slug(secrets_build):
    platform, result, seen = secrets_build
    slug = slug_of(platform, result)
    assert files_containing(slug.app_dir, seen[0].encode()) == []
    profile = "".join(p.read_text() for p in (slug.app_dir / ".profile.d").glob("*.sh"))
    assert not any(name in profile for name in ("SECRET_KEY", "DATABASE_URL", "API_TOKEN", "sqlite"))
    env = slug.run("env").stdout
    assert "SECRET_KEY=" not in env and "DATABASE_URL=" not in env and "API_TOKEN=" not in env


def test_check_deploy_findings_are_one_warning_block(secrets_build):
    _, result, _ = secrets_build
    lines = result.output.splitlines()
    start = lines.index("-----> Checking the deployment settings (python manage.py check --deploy)")
    assert lines[start + 1].startswith("       ALLOWED_HOSTS is empty in mysite/settings.py: at boot")
    assert "Django's deployment checks could not run" not in result.output
    block = result.output.split(" !     Warning: Django's deployment checks found ")[1].split("\n\n")[0]
    assert re.match(r"\d+ issues\n", block)
    assert " !     security.W004  You have not set a value for the SECURE_HSTS_SECONDS setting." in block
    # DEBUG is off and the stand-in is a good key: no W018, no W009; W020 is the wrapper's to solve.
    assert "security.W018" not in block and "security.W009" not in block and "security.W020" not in block


def test_the_web_process_needs_the_real_secret_at_runtime(secrets_build):
    platform, result, _ = secrets_build
    slug = slug_of(platform, result)
    dyno = slug.start("web")
    deadline = time.monotonic() + 60
    while dyno.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert dyno.process.poll() is not None, dyno.log
    assert dyno.process.returncode != 0
    assert "KeyError: 'SECRET_KEY'" in dyno.log


def serve(slug, extra: dict):
    dyno = slug.start("web", extra_env={**RUNTIME, **extra})
    dyno.wait_until_serving("/admin/login/")
    return dyno


def test_empty_allowed_hosts_gets_the_heroku_domain_at_boot(secrets_build):
    platform, result, _ = secrets_build
    slug = slug_of(platform, result)
    dyno = serve(slug, {"HEROKU_APP_DEFAULT_DOMAIN_NAME": APP_DOMAIN, "HEROKU_APP_NAME": "myapp"})
    page = dyno.get("/admin/login/", headers={"Host": APP_DOMAIN})
    assert page.status == 200 and "Django administration" in page.text
    assert dyno.get("/admin/login/", headers={"Host": "evil.example"}).status == 400
    assert dyno.get("/admin/login/", headers={"Host": "myapp.herokuapp.com"}).status == 400
    assert (f"pybuildpack: ALLOWED_HOSTS was empty; allowing {APP_DOMAIN} "
            "(from HEROKU_APP_DEFAULT_DOMAIN_NAME)") in dyno.log
    assert dyno.terminate() == 0


def test_pybuildpack_allowed_hosts_names_the_hosts(secrets_build):
    platform, result, _ = secrets_build
    slug = slug_of(platform, result)
    dyno = serve(slug, {"PYBUILDPACK_ALLOWED_HOSTS": "www.example.com,example.com",
                        "HEROKU_APP_DEFAULT_DOMAIN_NAME": APP_DOMAIN})
    assert dyno.get("/admin/login/", headers={"Host": "www.example.com"}).status == 200
    assert dyno.get("/admin/login/", headers={"Host": "example.com"}).status == 200
    assert dyno.get("/admin/login/", headers={"Host": APP_DOMAIN}).status == 400
    assert "allowing www.example.com, example.com (from PYBUILDPACK_ALLOWED_HOSTS)" in dyno.log
    assert dyno.terminate() == 0


def test_hosts_the_settings_name_at_runtime_are_untouched(secrets_build):
    platform, result, _ = secrets_build
    slug = slug_of(platform, result)
    dyno = serve(slug, {"APP_HOSTS": "mine.example", "HEROKU_APP_DEFAULT_DOMAIN_NAME": APP_DOMAIN,
                        "PYBUILDPACK_ALLOWED_HOSTS": "other.example"})
    assert dyno.get("/admin/login/", headers={"Host": "mine.example"}).status == 200
    assert dyno.get("/admin/login/", headers={"Host": APP_DOMAIN}).status == 400
    assert dyno.get("/admin/login/", headers={"Host": "other.example"}).status == 400
    assert "ALLOWED_HOSTS" not in dyno.log
    assert dyno.terminate() == 0


def test_nothing_naming_the_host_is_said_at_boot(secrets_build):
    platform, result, _ = secrets_build
    slug = slug_of(platform, result)
    dyno = serve(slug, {})
    assert dyno.get("/admin/login/", headers={"Host": APP_DOMAIN}).status == 400
    assert "pybuildpack: ALLOWED_HOSTS is empty and nothing names this app's host" in dyno.log
    assert "heroku labs:enable runtime-dyno-metadata" in dyno.log
    assert dyno.terminate() == 0


def test_a_secret_key_config_var_is_used_at_build_not_replaced(heroku, fixture_app, tmp_path):
    record = tmp_path / "seen.txt"
    config = {"SECRET_KEY": RUNTIME["SECRET_KEY"]}
    result = heroku.build(fixture_app("django_runtime_secrets"), config=config,
                          env={"RECORD_SECRET_KEY_TO": str(record)})
    assert result.ok, result.output
    assert set(record.read_text().split()) == {RUNTIME["SECRET_KEY"]}
    assert "SECRET_KEY is not set at build time" not in result.output
    assert "DATABASE_URL is not set at build time: collectstatic ran with a throwaway value" in result.output
    assert RUNTIME["SECRET_KEY"] not in result.output
