"""The Heroku classic build log, pinned whole: a reworded or reordered line is a visible change.

Full builds pin the whole normalized log (tests/harness/blocks.py); user errors
pin their whole ` !     ` block, and the step the build stopped in where that
step prints something of its own. The fixture apps pin every package exactly,
so uv's `+ name==version` lines are the same on every run.
"""

from textwrap import dedent

import pytest

from harness.apps import break_collectstatic, copy_app
from harness.blocks import error_block, expected_block, normalized, normalized_lines, step

pytestmark = pytest.mark.slow


@pytest.fixture
def flask_app(fixture_app, tmp_path):
    return copy_app(fixture_app("pinned_flask"), tmp_path)


@pytest.fixture
def django_app(fixture_app, tmp_path):
    """A tiny Django site, pinned exactly (unlike conftest's django_app, the unpinned example)."""
    return copy_app(fixture_app("pinned_django"), tmp_path)


def paths(result, cache_dir, build_env):
    return {"build_dir": result.build_dir, "cache_dir": cache_dir, "home": build_env["HOME"]}


def build_log(heroku, app, build_env, cache_dir=None):
    """Build `app` and return (result, its normalized log)."""
    cache_dir = cache_dir or heroku.new_cache(tools=False)
    result = heroku.build(app, cache_dir=cache_dir)
    return result, normalized(result.output, paths(result, cache_dir, build_env))


def failed_build(heroku, app, build_env, config=None):
    """Build `app`, which must fail, and return its normalized log lines."""
    cache_dir = heroku.new_cache()
    result = heroku.build(app, cache_dir=cache_dir, config=config)
    assert result.returncode == 1, result.output
    return normalized_lines(result.output, paths(result, cache_dir, build_env))


# --- full builds --------------------------------------------------------------------------

def test_cold_build_output(heroku, flask_app, build_env):
    result, log = build_log(heroku, flask_app, build_env)
    assert result.ok, result.output
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
               9 packages in the environment
               Done (<time>)
        -----> Saving the environment to the build cache
               Done (<time>)
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  9
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


def test_no_change_rebuild_reuses_everything_output(heroku, flask_app, build_env):
    cache = heroku.new_cache()
    assert heroku.build(flask_app, cache_dir=cache).ok
    result, log = build_log(heroku, flask_app, build_env, cache_dir=cache)
    assert result.ok, result.output
    assert log == dedent("""\
        -----> Using Python 3.12.1 (from .python-version)
               Restored the environment from the build cache
        -----> Dependencies unchanged since the last build (requirements.txt)
               Skipping the install: the cached environment matches.
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  9
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


def test_requirements_change_reinstalls_only_the_changed_pin_output(heroku, flask_app, build_env):
    cache = heroku.new_cache()
    assert heroku.build(flask_app, cache_dir=cache).ok
    requirements = flask_app / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("itsdangerous==2.2.0", "itsdangerous==2.1.2"))
    result, log = build_log(heroku, flask_app, build_env, cache_dir=cache)
    assert result.ok, result.output
    assert log == dedent("""\
        -----> Using Python 3.12.1 (from .python-version)
               Restored the environment from the build cache
        -----> Installing dependencies with uv 0.13.9
               Added gunicorn==27.0.1 to the install: the web process (wsgi.py line 3) runs under gunicorn
                - itsdangerous==2.2.0
                + itsdangerous==2.1.2
               9 packages in the environment
               Done (<time>)
        -----> Saving the environment to the build cache
               Done (<time>)
        -----> Build finished in <time>
               Python:    3.12.1 (from .python-version)
               Packages:  9
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


def test_python_version_change_discards_the_environment_output(heroku, flask_app, build_env):
    cache = heroku.new_cache()
    assert heroku.build(flask_app, cache_dir=cache).ok
    (flask_app / ".python-version").write_text("3.11\n")
    result, log = build_log(heroku, flask_app, build_env, cache_dir=cache)
    assert result.ok, result.output
    assert log == dedent("""\
        -----> Using Python 3.11.7 (from .python-version)

         !     Warning: Python 3.11 reaches its end of life in October 2027
         !
         !     After October 2027, Python 3.11 gets no more security fixes: plan the
         !     upgrade now.
         !     The version comes from .python-version.
         !     Upgrade to Python 3.12 (the oldest release that is supported for more
         !     than a year), or newer, and check that the app's packages support it:
         !         echo 3.12 > .python-version

        -----> Discarding cached environment: Python version changed (3.12.1 -> 3.11.7)
        -----> Installing Python 3.11.7
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
               10 packages in the environment
               Done (<time>)
        -----> Saving the environment to the build cache
               Done (<time>)
        -----> Build finished in <time>
               Python:    3.11.7 (from .python-version)
               Packages:  10
               Web:       gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:application
               From:      wsgi.py line 3
               App:       Flask app `application` (WSGI)
               Server:    gunicorn (the default WSGI server)
    """)


# --- user errors ----------------------------------------------------------------------------

def test_invalid_procfile_line_error_block(heroku, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path,
                   {"Procfile": "web: gunicorn wsgi:application\nthis line has no colon\n"})
    assert error_block(failed_build(heroku, app, build_env)) == expected_block("""\
         !     Error: Invalid line in Procfile
         !
         !     Procfile line 2 is not of the form `name: command`:
         !         this line has no colon
         !
         !     Each line names a process type (letters, digits, - and _) and its command,
         !     for example:
         !         web: gunicorn myapp.wsgi
    """)


def test_invalid_python_version_error_block(heroku, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {".python-version": "banana\n"})
    assert error_block(failed_build(heroku, app, build_env)) == expected_block("""\
         !     Error: Invalid Python version in .python-version
         !
         !     .python-version asks for Python 'banana', which pybuildpack cannot read:
         !     It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH.
         !
         !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
         !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
    """)


def test_conflicting_python_version_files_error_block(heroku, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {"runtime.txt": "python-3.11.7\n"})
    assert error_block(failed_build(heroku, app, build_env)) == expected_block("""\
         !     Error: Conflicting Python versions
         !
         !     .python-version asks for Python 3.12, but
         !     runtime.txt asks for Python 3.11.7.
         !
         !     pybuildpack will not guess which one you meant. Make them agree, or
         !     keep the version in one file only (.python-version is the usual place).
    """)


def test_unavailable_python_version_error_block(heroku, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {".python-version": "3.99\n"})
    assert error_block(failed_build(heroku, app, build_env)) == expected_block("""\
         !     Error: Python 3.99 is not available
         !
         !     .python-version asks for Python 3.99, but no CPython release in the
         !     download list matches it (list: <test_cache>/runtimes/downloads.json).
         !     Versions available: 3.13.0, 3.12.1, 3.11.7, 3.9.18
         !
         !     Change the requested version to one of those, or point
         !     PYBUILDPACK_PYTHON_DOWNLOADS_JSON at a list that has it.
    """)


def test_invalid_installer_config_var_error_block(heroku, flask_app, build_env):
    lines = failed_build(heroku, flask_app, build_env, config={"PYBUILDPACK_INSTALLER": "poetry"})
    assert error_block(lines) == expected_block("""\
         !     Error: Invalid value for PYBUILDPACK_INSTALLER
         !
         !     The config var PYBUILDPACK_INSTALLER is set to 'poetry', but it must be `uv` or `pip`.
         !
         !     Change it with `heroku config:set PYBUILDPACK_INSTALLER=...` (or in your platform's env),
         !     or unset it to use the default.
    """)


def test_invalid_pyproject_toml_error_block(heroku, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path, {"pyproject.toml": '[project\nname = "app"\n'})
    assert error_block(failed_build(heroku, app, build_env)) == expected_block("""\
         !     Error: Could not read pyproject.toml
         !
         !     pyproject.toml could not be read:
         !     It is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)
         !
         !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
    """)


def test_failing_pre_compile_hook_error_block(heroku, fixture_app, tmp_path, build_env):
    app = copy_app(fixture_app("pinned_flask"), tmp_path,
                   {"bin/pre_compile": "#!/usr/bin/env bash\necho 'pre_compile: the assets are missing'\nexit 4\n"})
    (app / "bin" / "pre_compile").chmod(0o755)
    lines = failed_build(heroku, app, build_env)
    assert step(lines, "Running bin/pre_compile") == dedent("""\
        -----> Running bin/pre_compile
               pre_compile: the assets are missing
    """)
    assert error_block(lines) == expected_block("""\
         !     Error: bin/pre_compile failed
         !
         !     The hook bin/pre_compile exited with status 4, so the build stops here.
         !
         !     Its output is above. Fix the script, or remove bin/pre_compile to skip it.
    """)


def test_package_that_does_not_exist_error_block(heroku, flask_app, build_env):
    with (flask_app / "requirements.txt").open("a") as requirements:
        requirements.write("this-package-does-not-exist-pybuildpack==1.0\n")
    lines = failed_build(heroku, flask_app, build_env)
    # uv's error is shown as it happens, and again in the block.
    assert step(lines, "Installing dependencies") == dedent("""\
        -----> Installing dependencies with uv 0.13.9
               Added gunicorn==27.0.1 to the install: the web process (wsgi.py line 3) runs under gunicorn
               error: No solution found when resolving dependencies
                 cause: Because this-package-does-not-exist-pybuildpack was not found in the package registry and you require this-package-does-not-exist-pybuildpack==1.0, we can conclude that your requirements are unsatisfiable.
    """)
    assert error_block(lines) == expected_block("""\
         !     Error: Could not install the packages in requirements.txt
         !
         !     uv failed while installing requirements.txt:
         !     error: No solution found when resolving dependencies
         !       cause: Because this-package-does-not-exist-pybuildpack was not found in the package registry and you require this-package-does-not-exist-pybuildpack==1.0, we can conclude that your requirements are unsatisfiable.
         !
         !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
         !
         !     Check requirements.txt for a misspelled name, a version that does not exist,
         !     or a package that does not support this Python version. To reproduce it
         !     locally, run the command above in a fresh virtualenv.
    """)


def test_failing_collectstatic_error_block(heroku, django_app, build_env):
    break_collectstatic(django_app)
    lines = failed_build(heroku, django_app, build_env)
    # Why it was not skipped (steps/static_cache.py); then only collectstatic's lines
    # with "static file" or "Error" in them are shown as it runs.
    assert step(lines, "Running collectstatic") == dedent("""\
        -----> Running collectstatic (python manage.py collectstatic --noinput)
               Not skipped: first build
                   raise ValueError(
               ValueError: The file 'missing.png' could not be found with <django.contrib.staticfiles.storage.ManifestStaticFilesStorage object at 0x<address>>.
    """)
    assert error_block(lines) == expected_block("""\
         !     Error: collectstatic failed
         !
         !     Django's collectstatic command failed while collecting static files:
         !     Post-processing 'site.css' failed!
         !
         !     Traceback (most recent call last):
         !       File "manage.py", line 9, in <module>
         !         execute_from_command_line(sys.argv)
         !       ... 11 frames of Django and other packages
         !     ValueError: The file 'missing.png' could not be found with <django.contrib.staticfiles.storage.ManifestStaticFilesStorage object at 0x<address>>.
         !
         !     Command: python manage.py collectstatic --noinput
         !
         !     Fix the error above (run the same command locally to see it in full), or
         !     skip the step by setting the config var DISABLE_COLLECTSTATIC=1.
    """)


def test_django_settings_that_fail_to_import_error_block(heroku, django_app, build_env):
    settings = django_app / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace(
        'ALLOWED_HOSTS = ["*"]', 'import os\nALLOWED_HOSTS = [os.environ["SITE_DOMAIN"]]'))
    lines = failed_build(heroku, django_app, build_env)
    assert error_block(lines) == expected_block("""\
         !     Error: Could not import the Django settings (mysite/settings.py line 8)
         !
         !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
         !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
         !     mysite/settings.py line 8 raised:
         !         KeyError: 'SITE_DOMAIN'
         !
         !     The app's part of the traceback (most recent call last):
         !       File "mysite/settings.py", line 8, in <module>
         !         ALLOWED_HOSTS = [os.environ["SITE_DOMAIN"]]
         !
         !     The settings read os.environ['SITE_DOMAIN'], and no config var SITE_DOMAIN is set, so the
         !     build cannot import them. Set it (`heroku config:set SITE_DOMAIN=...`, or your
         !     platform's env), or read it with os.environ.get('SITE_DOMAIN', default).
    """)


def test_wsgi_application_naming_a_missing_module_error_block(heroku, django_app, build_env):
    (django_app / "mysite" / "wsgi.py").unlink()
    lines = failed_build(heroku, django_app, build_env)
    assert error_block(lines) == expected_block("""\
         !     Error: WSGI_APPLICATION names a module that does not exist
         !
         !     WSGI_APPLICATION in mysite/settings.py line 10 is 'mysite.wsgi.application',
         !     but there is no module mysite.wsgi:
         !     no mysite/wsgi.py and no mysite/wsgi/__init__.py.
         !     The web server would fail to start, so the build stops here.
         !
         !     Create mysite/wsgi.py with the application in it (startproject writes one),
         !     point WSGI_APPLICATION at the module that has it, or add a Procfile with a
         !     `web:` line to choose the web process yourself.
    """)
