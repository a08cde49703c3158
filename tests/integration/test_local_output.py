"""The log of `pybuildpack build`, pinned whole: steps on stdout, a user error alone on stderr.

Each test gets a user cache of its own (PYBUILDPACK_CACHE_DIR), so whether
pybuildpack's tools are prepared does not depend on which tests ran before it
in the same worker. Same fixture apps and normalizer (tests/harness/blocks.py)
as the Heroku output tests.
"""

from textwrap import dedent

import pytest

from harness.apps import copy_app
from harness.blocks import as_text, error_block, expected_block, normalized, normalized_lines

pytestmark = pytest.mark.slow


@pytest.fixture
def user_cache(tmp_path):
    path = tmp_path / "user-cache"
    path.mkdir()
    return path


def build(local, app, user_cache):
    return local.pybuildpack("build", str(app), env={"PYBUILDPACK_CACHE_DIR": str(user_cache)})


def paths(app, user_cache, local_env):
    return {"app_dir": app, "user_cache": user_cache, "home": local_env["HOME"]}


def stderr_error_block(local, app, user_cache, local_env):
    """Build `app`, which must fail, and return its error block: on stderr, after
    nothing but the bootstrap's progress (each test's user cache starts cold)."""
    result = build(local, app, user_cache)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = normalized_lines(result.stderr, paths(app, user_cache, local_env))
    assert lines[:2] == ["-----> Preparing pybuildpack's tools", "       Done (<time>)"], result.stderr
    lines = lines[2:]
    block = error_block(lines)
    assert as_text(lines) == "\n" + block + "\n", result.stderr
    assert " !" not in result.stdout, result.stdout
    return block


# --- full builds --------------------------------------------------------------------------

def test_cold_build_output(local, fixture_app, user_cache, local_env):
    app = local.copy_app(fixture_app("pinned_flask"))
    result = build(local, app, user_cache)
    assert result.returncode == 0, result.stdout + result.stderr
    # Bootstrap progress is commentary: on stderr, so that stdout stays the command's own output.
    assert normalized(result.stderr, paths(app, user_cache, local_env)) == dedent("""\
        -----> Preparing pybuildpack's tools
               Done (<time>)
        """)
    assert normalized(result.stdout, paths(app, user_cache, local_env)) == dedent("""\
        -----> Installing Python 3.12.1
               Done (<time>)
        -----> Using Python 3.12.1 (from .python-version)
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
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  8
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
               Start:     pybuildpack start (http://localhost:5000)

         !     Warning: Keep pybuildpack's files out of your repository
         !
         !     pybuildpack keeps this app's Python, packages and build records in .pybuildpack/
         !     (which tells git to ignore it). Add these lines to your .gitignore, so that other
         !     tools that copy the app skip them as well:
         !         .pybuildpack/

    """)


def test_no_change_rebuild_reuses_everything_output(local, fixture_app, user_cache, local_env):
    app = local.copy_app(fixture_app("pinned_flask"))
    assert build(local, app, user_cache).returncode == 0
    result = build(local, app, user_cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert normalized(result.stdout, paths(app, user_cache, local_env)) == dedent("""\
        -----> Using Python 3.12.1 (from .python-version)
               Reusing the environment of the last build (.pybuildpack/venv)
        -----> Dependencies unchanged since the last build (requirements.txt)
               Skipping the install: the cached environment matches.
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  8
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
               Start:     pybuildpack start (http://localhost:5000)
    """)


# --- user errors ----------------------------------------------------------------------------

def test_invalid_python_version_error_block(local, fixture_app, tmp_path, user_cache, local_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {".python-version": "banana\n"})
    assert stderr_error_block(local, app, user_cache, local_env) == expected_block("""\
         !     Error: Invalid Python version in .python-version
         !
         !     .python-version asks for Python 'banana', which pybuildpack cannot read:
         !     It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH.
         !
         !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
         !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
    """)


def test_invalid_procfile_line_error_block(local, fixture_app, tmp_path, user_cache, local_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path,
                   {"Procfile": "web: gunicorn wsgi:application\nthis line has no colon\n"})
    assert stderr_error_block(local, app, user_cache, local_env) == expected_block("""\
         !     Error: Invalid line in Procfile
         !
         !     Procfile line 2 is not of the form `name: command`:
         !         this line has no colon
         !
         !     Each line names a process type (letters, digits, - and _) and its command,
         !     for example:
         !         web: gunicorn myapp.wsgi
    """)


def test_invalid_installer_in_dotenv_error_block(local, fixture_app, tmp_path, user_cache, local_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {".env": "PYBUILDPACK_INSTALLER=poetry\n"})
    assert stderr_error_block(local, app, user_cache, local_env) == expected_block("""\
         !     Error: Invalid value for PYBUILDPACK_INSTALLER
         !
         !     The config var PYBUILDPACK_INSTALLER is set to 'poetry', but it must be `uv` or `pip`.
         !
         !     Change it with `heroku config:set PYBUILDPACK_INSTALLER=...` (or in your platform's env),
         !     or unset it to use the default.
    """)


def test_invalid_pyproject_toml_error_block(local, fixture_app, tmp_path, user_cache, local_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {"pyproject.toml": '[project\nname = "app"\n'})
    assert stderr_error_block(local, app, user_cache, local_env) == expected_block("""\
         !     Error: Could not read pyproject.toml
         !
         !     pyproject.toml could not be read:
         !     It is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)
         !
         !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
    """)


def test_package_that_does_not_exist_error_block(local, fixture_app, tmp_path, user_cache, local_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path)
    with (app / "requirements.txt").open("a") as requirements:
        requirements.write("this-package-does-not-exist-pybuildpack==1.0\n")
    assert stderr_error_block(local, app, user_cache, local_env) == expected_block("""\
         !     Error: Could not install the packages in requirements.txt
         !
         !     uv failed while installing requirements.txt:
         !     error: No solution found when resolving dependencies
         !       cause: Because this-package-does-not-exist-pybuildpack was not found in the package registry and you require this-package-does-not-exist-pybuildpack==1.0, we can conclude that your requirements are unsatisfiable.
         !
         !     Command: <uv> pip install --exact --python .pybuildpack/venv/bin/python --break-system-packages -r requirements.txt -r .pybuildpack/state/added-requirements.txt
         !
         !     Check requirements.txt for a misspelled name, a version that does not exist,
         !     or a package that does not support this Python version. To reproduce it
         !     locally, run the command above in a fresh virtualenv.
    """)
