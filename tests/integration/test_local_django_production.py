"""A Django app demanding runtime secrets, built and started locally: stand-ins
at build, the real values from .env at start, and localhost allowed for an empty
ALLOWED_HOSTS with DEBUG off (tests/fixtures/django_runtime_secrets)."""

import pytest

pytestmark = pytest.mark.slow


def test_built_without_secrets_and_served_on_localhost_with_them_in_dotenv(local, fixture_app, tmp_path):
    app = local.copy_app(fixture_app("django_runtime_secrets"))
    record = tmp_path / "seen.txt"
    built = local.pybuildpack("build", str(app), env={"RECORD_SECRET_KEY_TO": str(record)})
    assert built.returncode == 0, built.stdout + built.stderr
    assert "SECRET_KEY is not set at build time: collectstatic ran with a throwaway value" in built.stdout
    stand_in = set(record.read_text().split()).pop()
    assert [p for p in app.rglob("*") if p.is_file() and stand_in.encode() in p.read_bytes()] == []

    (app / ".env").write_text("SECRET_KEY=a-real-local-secret-key-0123456789-abcdefghijklmnopqrstuvw\n"
                              f"DATABASE_URL=sqlite:///{tmp_path / 'db.sqlite3'}\nAPI_TOKEN=local-token\n")
    server = local.serve(["start"], cwd=app)
    page = server.wait_until_serving("/admin/login/")
    assert page.status == 200, server.log      # Host: 127.0.0.1:PORT
    assert server.get("/admin/login/", headers={"Host": f"localhost:{server.port}"}).status == 200
    assert server.get("/admin/login/", headers={"Host": "evil.example"}).status == 400
    assert "pybuildpack: ALLOWED_HOSTS was empty; allowing localhost, 127.0.0.1, [::1] (from a local run)" \
        in server.log
