"""The CNB build log, pinned whole: which layers are reused, updated or rebuilt, and why.

Same fixture apps and normalizer (tests/harness/blocks.py) as the Heroku
output tests. The python layer names the build machine (architecture and
distribution), so that text is replaced by <target>.
"""

from textwrap import dedent

import pytest

from harness.apps import copy_app
from harness.blocks import error_block, expected_block, normalized, normalized_lines

pytestmark = pytest.mark.slow

ARCH_NAMES = {"amd64": "x86_64", "arm64": "aarch64"}


@pytest.fixture
def flask_app(fixture_app, tmp_path):
    return copy_app(fixture_app("pinned_flask"), tmp_path)


def normalizing(cnb, build_env):
    """The arguments of normalized(): this lifecycle's directories and target."""
    target = cnb.target
    machine = (f"{ARCH_NAMES.get(target['CNB_TARGET_ARCH'], target['CNB_TARGET_ARCH'])}, "
               f"{target.get('CNB_TARGET_DISTRO_NAME', '')} {target.get('CNB_TARGET_DISTRO_VERSION', '')}".strip())
    paths = {"app_dir": cnb.app_dir, "layers_dir": cnb.layers_dir, "platform_dir": cnb.platform_dir,
             "cnb_root": cnb.root, "home": build_env["HOME"]}
    return paths, {"target": machine}


def build_log(cnb, app, build_env, config=None):
    result = cnb.build(app, config=config)
    return result, normalized(result.output, *normalizing(cnb, build_env))


def failed_build(cnb, app, build_env, config=None):
    result = cnb.build(app, config=config)
    assert result.detect_returncode == 0, result.detect_output
    assert result.returncode == 1, result.output
    return normalized_lines(result.output, *normalizing(cnb, build_env))


# --- full builds --------------------------------------------------------------------------

def test_cold_build_output(cnb, flask_app, build_env):
    result, log = build_log(cnb, flask_app, build_env)
    assert result.ok, result.output
    # Nothing was restored, so there are no layers to check.
    assert log == dedent("""\
        -----> Preparing pybuildpack's tools
               Done (<time>)
        -----> Using Python 3.12.1 (from .python-version)
        -----> Installing Python 3.12.1
               Done (<time>)
        -----> Installing dependencies with uv 0.13.9
               Added gunicorn==27.0.1 to the install: the web process (wsgi.py line 3) runs under gunicorn
                + blinker==1.8.2
                + click==8.1.7
                + flask==3.0.3
                + gunicorn==27.0.1
                + itsdangerous==2.2.0
                + jinja2==3.1.4
                + markupsafe==2.1.5
                + werkzeug==3.0.3
               8 packages in the environment
               Done (<time>)
        -----> Processes: web (default)
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  8
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


def test_no_change_rebuild_reuses_every_layer_output(cnb, flask_app, build_env):
    assert cnb.build(flask_app).ok
    result, log = build_log(cnb, flask_app, build_env)
    assert result.ok, result.output
    # The installer-cache layer is not mentioned: the tests share one installer
    # cache between builds (PYBUILDPACK_INSTALLER_CACHE_DIR), so it is not used.
    assert log == dedent("""\
        -----> Using Python 3.12.1 (from .python-version)
        -----> Checking the cached layers
               Reusing layer tools: pybuildpack's tools (uv 0.13.9)
               Reusing layer python: Python 3.12.1 (<target>)
               Reusing layer venv: the app's packages for Python 3.12.1
        -----> Dependencies unchanged since the last build (requirements.txt)
               Skipping the install: the cached environment matches.
        -----> Processes: web (default)
               Reusing layer launch-env: the launch environment is unchanged
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  8
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


def test_requirements_change_updates_the_venv_layer_output(cnb, flask_app, build_env):
    assert cnb.build(flask_app).ok
    requirements = flask_app / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("itsdangerous==2.2.0", "itsdangerous==2.1.2"))
    result, log = build_log(cnb, flask_app, build_env)
    assert result.ok, result.output
    assert log == dedent("""\
        -----> Using Python 3.12.1 (from .python-version)
        -----> Checking the cached layers
               Reusing layer tools: pybuildpack's tools (uv 0.13.9)
               Reusing layer python: Python 3.12.1 (<target>)
               Updating layer venv: the requirements changed (requirements.txt)
        -----> Installing dependencies with uv 0.13.9
               Added gunicorn==27.0.1 to the install: the web process (wsgi.py line 3) runs under gunicorn
                - itsdangerous==2.2.0
                + itsdangerous==2.1.2
               8 packages in the environment
               Done (<time>)
        -----> Processes: web (default)
               Reusing layer launch-env: the launch environment is unchanged
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  8
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


# --- user errors ----------------------------------------------------------------------------

def test_unavailable_python_version_error_block(cnb, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {".python-version": "3.99\n"})
    assert error_block(failed_build(cnb, app, build_env)) == expected_block("""\
         !     Error: Python 3.99 is not available
         !
         !     .python-version asks for Python 3.99, but no CPython release in the
         !     download list matches it (list: <test_cache>/runtimes/downloads.json).
         !     Versions available: 3.13.0, 3.12.1, 3.11.7, 3.9.18
         !
         !     Change the requested version to one of those, or point
         !     PYBUILDPACK_PYTHON_DOWNLOADS_JSON at a list that has it.
    """)


def test_invalid_installer_config_var_error_block(cnb, flask_app, build_env):
    lines = failed_build(cnb, flask_app, build_env, config={"PYBUILDPACK_INSTALLER": "poetry"})
    assert error_block(lines) == expected_block("""\
         !     Error: Invalid value for PYBUILDPACK_INSTALLER
         !
         !     The config var PYBUILDPACK_INSTALLER is set to 'poetry', but it must be `uv` or `pip`.
         !
         !     Change it with `heroku config:set PYBUILDPACK_INSTALLER=...` (or in your platform's env),
         !     or unset it to use the default.
    """)


def test_package_that_does_not_exist_error_block(cnb, flask_app, build_env):
    with (flask_app / "requirements.txt").open("a") as requirements:
        requirements.write("this-package-does-not-exist-pybuildpack==1.0\n")
    assert error_block(failed_build(cnb, flask_app, build_env)) == expected_block("""\
         !     Error: Could not install the packages in requirements.txt
         !
         !     uv failed while installing requirements.txt:
         !     error: No solution found when resolving dependencies
         !       cause: Because this-package-does-not-exist-pybuildpack was not found in the package registry and you require this-package-does-not-exist-pybuildpack==1.0, we can conclude that your requirements are unsatisfiable.
         !
         !     Command: <uv> pip install --exact --python <layers_dir>/venv/bin/python --break-system-packages -r requirements.txt -r <layers_dir>/venv/pybuildpack/added-requirements.txt
         !
         !     Check requirements.txt for a misspelled name, a version that does not exist,
         !     or a package that does not support this Python version. To reproduce it
         !     locally, run the command above in a fresh virtualenv.
    """)
