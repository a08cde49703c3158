"""Builds of bad (or unusual) input that the corpus's one-block check does not
cover: settings that read sys.argv build green, and a native build failure
under the pip installer (issue 13 item 2)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from harness.apps import copy_app
from harness.blocks import error_block, normalized_lines

pytestmark = pytest.mark.slow


def test_settings_that_read_sys_argv_import_as_under_manage_py(heroku, fixture_app, tmp_path):
    # DigitalOcean's sample app: `DEVELOPMENT_MODE = ... sys.argv[1] == "runserver"` in its settings.
    app = tmp_path / "app"
    shutil.copytree(fixture_app("pinned_django"), app)
    settings = app / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "import sys\nDEVELOPMENT_MODE = sys.argv[1] == 'runserver'\n"
                        "assert sys.argv[0] == 'manage.py', sys.argv\n")
    result = heroku.build(app)
    assert result.ok, result.output
    assert "Running collectstatic" in result.output


def test_a_native_build_failure_under_pip_names_the_library(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements.txt").write_text("flask\nmysqlclient==2.2.7\n")
    result = heroku.build(app, config={"PYBUILDPACK_INSTALLER": "pip"})
    assert result.returncode == 1
    block = error_block(normalized_lines(result.output, {"build_dir": result.build_dir}))
    assert block.splitlines()[0] == " !     Error: mysqlclient could not be built: the MySQL client library is missing"
    assert "pip-compile could not build mysqlclient (from requirements.txt)" in block
    assert "Aptfile at the top of the app listing: default-libmysqlclient-dev pkg-config" in block
    assert "misspelled" not in result.output and "Traceback (most recent call last)" not in result.output


def test_an_old_pin_without_a_wheel_for_the_python_names_the_package_that_did_not_build(heroku, fixture_app,
                                                                                          tmp_path):
    # microblog's pins on the newest Python: greenlet 3.0.1 has no wheel for 3.13 and does not compile for it.
    app = copy_app(fixture_app("flask_wsgi"), tmp_path,
                   {".python-version": "3.13\n", "requirements.txt": "flask\ngreenlet==3.0.1\n"})
    result = heroku.build(app)
    assert result.returncode == 1
    block = error_block(normalized_lines(result.output, {"build_dir": result.build_dir}))
    assert block.splitlines()[:5] == [
        " !     Error: Could not install the packages in requirements.txt",
        " !",
        " !     uv failed while installing requirements.txt. It found no wheel of",
        " !     `greenlet==3.0.1` for this Python and machine, so it built it from source,",
        " !     and that failed. The end of the output:"]
    assert "pin a\n !     release of greenlet that has a wheel for this Python version" in block
    assert "misspelled" not in block and "Traceback (most recent call last)" not in result.output


def test_an_old_pandas_beside_numpy_2_fails_the_build_instead_of_the_boot(heroku, fixture_app, tmp_path):
    # danny-baker/dash-heroku pins pandas 1.3.5 and leaves numpy to the resolver, which picks numpy 2.
    app = copy_app(fixture_app("flask_wsgi"), tmp_path,
                   {".python-version": "3.11\n", "requirements.txt": "flask\npandas==1.5.3\nnumpy==2.0.2\n"})
    result = heroku.build(app)
    assert result.returncode == 1, result.output
    block = error_block(normalized_lines(result.output, {"build_dir": result.build_dir}))
    assert block.splitlines()[0] == " !     Error: pandas 1.5.3 cannot run with numpy 2.0.2"
    assert "  - pandas 1.5.3 (the first release built for numpy 2 is 2.2.2)" in block
    # What the app would have met at its first import.
    slug_python = result.build_dir / ".heroku" / "python" / "bin" / "python"
    imported = subprocess.run([str(slug_python), "-c", "import pandas"], capture_output=True, text=True)
    assert imported.returncode != 0 and "numpy" in imported.stderr
