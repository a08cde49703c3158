"""gunicorn's master imports the app's framework before it forks the workers (launch/gunicorn_config.py)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pybuildpack.build import PREIMPORT, preimported_modules
from pybuildpack.launch_config import LAUNCH_SOURCE

# Reads the config as gunicorn does (a Python file), then says whether the framework was imported.
_LOAD = """
import runpy, sys
sys.argv = ["gunicorn", "wsgi:app"]
runpy.run_path({config!r})
print(sorted(name for name in ("fakefw", "brokenfw") if name in sys.modules))
"""


@pytest.fixture
def app(tmp_path):
    """An app directory, with the launch package (its build.json naming a framework that
    records its import) and the framework itself on the path."""
    site = tmp_path / "site"
    shutil.copytree(LAUNCH_SOURCE, site / "pybuildpack_launch", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "pybuildpack_launch" / "build.json").write_text(json.dumps({"preimport": ["brokenfw", "fakefw"]}))
    (site / "fakefw.py").write_text("")
    (site / "brokenfw.py").write_text("raise ImportError('not here')\n")
    app = tmp_path / "app"
    app.mkdir()
    return app


def imported(app: Path) -> list:
    config = str(LAUNCH_SOURCE / "gunicorn_config.py")
    env = {"PYTHONPATH": str(app.parent / "site"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", _LOAD.format(config=config)], cwd=app, env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().replace("'", '"'))


def test_the_framework_is_imported_in_the_master_and_a_failing_one_is_left_to_the_worker(app):
    assert imported(app) == ["fakefw"]


def test_nothing_is_imported_for_a_worker_that_patches_the_standard_library(app):
    (app / "gunicorn.conf.py").write_text('worker_class = "gevent"\n')
    assert imported(app) == []
    (app / "gunicorn.conf.py").write_text('worker_class = "sync"\n')
    assert imported(app) == ["fakefw"]


def test_the_plan_names_its_frameworks_modules(tmp_path):
    class Manager:
        names, file = frozenset({"flask", "gunicorn"}), "requirements.txt"

    class Plan:
        django, package_manager = None, Manager()

    assert preimported_modules(Plan()) == PREIMPORT["Flask"] == ("flask",)
    Manager.names = frozenset({"gunicorn"})
    assert preimported_modules(Plan()) == ()


def test_djangos_preimported_modules_never_read_the_settings():
    """Reading them in the master would import the app's own code before the fork."""
    pytest.importorskip("django")
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    env = {"DJANGO_SETTINGS_MODULE": "no_such_settings_module", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code, *PREIMPORT["Django"]], env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
