"""`.env`: the app's config vars locally, in foreman's format, for start, run and build."""

import json

import pytest

pytestmark = pytest.mark.slow

DOTENV = """\
# Config for local development
GREETING=hello there
export QUOTED="two\\nlines and \\"quotes\\""
LITERAL='$HOME stays as written'
FROM_SHELL=dotenv wins
"""


def test_start_loads_dotenv_over_the_shells_variables(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    (app / ".env").write_text(DOTENV)
    assert local.pybuildpack("build", str(app)).returncode == 0
    server = local.serve(["start"], cwd=app, env={"FROM_SHELL": "from the shell"})
    env = json.loads(server.wait_until_serving("/").text)["env"]
    assert env["GREETING"] == "hello there"
    assert env["QUOTED"] == 'two\nlines and "quotes"'
    assert env["LITERAL"] == "$HOME stays as written"
    assert env["FROM_SHELL"] == "dotenv wins"
    # The rest of production's runtime environment.
    assert env["PORT"] == str(server.port)
    assert env["PYTHONUNBUFFERED"] == "1"
    assert int(env["WEB_CONCURRENCY"]) >= 1
    assert "With 4 variables from .env" in server.log
    assert server.stops_on_sigterm(), server.log


def test_run_sees_dotenv_and_the_build_masks_its_values(local, fixture_app):
    app = local.copy_app(fixture_app("local_app_py"))
    (app / ".env").write_text("API_TOKEN=s3cr3t-value\n")
    (app / "bin").mkdir()
    (app / "bin" / "post_compile").write_text('echo "token is $API_TOKEN"\n')
    build = local.pybuildpack("build", str(app))
    assert build.returncode == 0, build.stdout
    assert "token is ****" in build.stdout and "s3cr3t-value" not in build.stdout
    result = local.pybuildpack("run", "printenv", "API_TOKEN", cwd=app)
    assert (result.returncode, result.stdout) == (0, "s3cr3t-value\n")
