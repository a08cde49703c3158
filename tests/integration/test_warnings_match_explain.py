"""What we say matches what we do: the warning blocks a build prints and the
warnings `pybuildpack explain --json` lists for the same app are the same, one
to one and in order (both come from explain.build_warnings' sources: the plan,
python_lifecycle, collectstatic's plan warning). And a build of an app with no
web process does not advertise a URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


pytestmark = pytest.mark.slow

WARNING = " !     Warning: "


def build_warnings(output: str) -> list:
    """(title, body) of every warning block in a build log, in order."""
    found, lines = [], output.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith(WARNING):
            continue
        body = []
        for following in lines[index + 2:]:   # after the title and its ` !` separator
            if not following.startswith(" !"):
                break
            body.append(following[len(" !     "):])
        found.append((line[len(WARNING):], body))
    return found


def explained_warnings(local, app: Path) -> list:
    result = local.pybuildpack("explain", "--json", str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    return [(w["title"], [line.rstrip() for line in w["body"].rstrip("\n").splitlines()])
            for w in json.loads(result.stdout)["warnings"]]


def _app(source: Path, tmp_path: Path, files: dict) -> Path:
    app = tmp_path / "app"
    shutil.copytree(source, app)
    for name, text in files.items():
        if text is None and (app / name).is_dir():
            shutil.rmtree(app / name)
        elif text is None:
            (app / name).unlink()
        else:
            (app / name).write_text(text)
    return app


APPS = {
    # runtime.txt is deprecated, 3.9 is past its end of life, PYTHONHOME is not for the build.
    "old_runtime_txt": ("flask_wsgi", {".python-version": None, "runtime.txt": "python-3.9.18\n"},
                        {"PYTHONHOME": "/usr/lib/python3.8"}),
    # Not pinned, and no web process (a worker only).
    "unpinned_worker": ("flask_wsgi", {".python-version": None, "wsgi.py": None, "hello": None,
                                       "Procfile": "worker: python -c 'print(1)'\n"}, {}),
    # 3.11 ends within a year of the tests' day; the settings do not set STATIC_ROOT.
    "django_3_11": ("django_startproject", {".python-version": "3.11\n"}, {}),
}


@pytest.mark.parametrize("name", sorted(APPS))
def test_the_build_prints_exactly_the_warnings_explain_lists(name, heroku, local, fixture_app, tmp_path):
    base, files, config = APPS[name]
    app = _app(fixture_app(base), tmp_path, files)
    result = heroku.build(app, config=config)
    assert result.ok, result.output
    # Django's own deployment checks (check --deploy) run the app's code at build
    # time; explain reads the app without running it, so it cannot list them.
    printed = [w for w in build_warnings(result.output) if not w[0].startswith("Django's deployment checks")]
    assert len(printed) >= 2, result.output
    # explain reads config vars from the app's .env, as local builds do.
    (app / ".env").write_text("".join(f"{k}={v}\n" for k, v in config.items()))
    assert explained_warnings(local, app) == printed


def test_a_local_build_without_a_web_process_does_not_advertise_start_or_a_url(local, fixture_app, tmp_path):
    base, files, _ = APPS["unpinned_worker"]
    app = _app(fixture_app(base), tmp_path, files)
    result = local.pybuildpack("build", str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "http://" not in result.stdout
    assert "pybuildpack start (" not in result.stdout
    assert "       Start:     pybuildpack start worker\n" in result.stdout
