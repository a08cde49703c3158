"""Corpus cases for issue 13 item 2: files that cannot be read (FIFOs, symlink
loops, bytes that are not UTF-8, missing includes), absurd lines, Django
settings that fail to import, packages that cannot be compiled for lack of a
system library, and a setup.py that raises.

A full disk needs a private mount namespace around the build, which a case's
`prepare` cannot give: tests/integration/test_disk_full.py covers it.
"""

from __future__ import annotations

import os
from pathlib import Path

from corpus import Case

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SETTINGS = (FIXTURES / "pinned_django" / "mysite" / "settings.py").read_text()
MANAGE = (FIXTURES / "pinned_django" / "manage.py").read_text()
# The fixture's settings end at line 12; a case's added lines start at 13.
assert len(SETTINGS.splitlines()) == 12


def _replace_with(name: str, make) -> callable:
    def prepare(app: Path) -> None:
        path = app / name
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        elif os.path.lexists(path):
            path.unlink()
        make(path)
    return prepare


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _self_link(path: Path) -> None:
    os.symlink(path.name, path)


def _loop_through(other: str):
    def make(path: Path) -> None:
        os.symlink(other, path)
        os.symlink(path.name, path.parent / other)
    return make


def _include_fifo(app: Path) -> None:
    (app / "requirements.txt").write_text("flask\n-r more.txt\n")
    os.mkfifo(app / "more.txt")


def _settings(extra: str) -> dict:
    return {"mysite/settings.py": SETTINGS + extra}


CASES = [
    # --- dependency and version files that cannot be read -----------------------------------------
    Case("errors-requirements-not-utf8", "requirements",
         files={"requirements.txt": b"flask\n# caf\xe9 au lait\n"},
         expected="""\
             !     Error: requirements.txt is not UTF-8
             !
             !     requirements.txt line 2, column 6, has the byte 0xe9, which is not valid UTF-8,
             !     the encoding pybuildpack (and pip and uv) read it in.
             !
             !     Save requirements.txt as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`), or remove
             !     the character from that line, and push again.
         """),
    Case("errors-requirements-symlink-to-itself", "filesystem",
         prepare=_replace_with("requirements.txt", _self_link),
         expected="""\
             !     Error: requirements.txt is not a file
             !
             !     The app has a requirements.txt, but it is a symlink loop, so nothing could be installed
             !     from it and the app would ship without its packages.
             !
             !     Make requirements.txt a regular file (commit the file itself, not a link to one
             !     outside the app), or remove it.
         """),
    Case("errors-requirements-symlink-loop-of-two", "filesystem",
         prepare=_replace_with("requirements.txt", _loop_through("deps.txt")),
         expected="""\
             !     Error: requirements.txt is not a file
             !
             !     The app has a requirements.txt, but it is a symlink loop, so nothing could be installed
             !     from it and the app would ship without its packages.
             !
             !     Make requirements.txt a regular file (commit the file itself, not a link to one
             !     outside the app), or remove it.
         """),
    Case("errors-requirements-fifo", "filesystem",
         prepare=_replace_with("requirements.txt", _fifo),
         expected="""\
             !     Error: requirements.txt is not a file
             !
             !     The app has a requirements.txt, but it is a named pipe (FIFO), so nothing could be installed
             !     from it and the app would ship without its packages.
             !
             !     Make requirements.txt a regular file (commit the file itself, not a link to one
             !     outside the app), or remove it.
         """),
    Case("errors-requirements-include-missing", "requirements",
         files={"requirements.txt": "flask\n-r requirements/prod.txt\n"},
         expected="""\
             !     Error: requirements.txt line 2 includes a file that cannot be read
             !
             !     requirements.txt line 2 is `-r requirements/prod.txt`, but there is no such file.
             !
             !     Commit requirements/prod.txt (paths are relative to requirements.txt's directory), or remove the line.
         """),
    Case("errors-requirements-constraint-missing", "requirements",
         files={"requirements.txt": "-c constraints.txt\nflask\n"},
         expected="""\
             !     Error: requirements.txt line 1 includes a file that cannot be read
             !
             !     requirements.txt line 1 is `-c constraints.txt`, but there is no such file.
             !
             !     Commit constraints.txt (paths are relative to requirements.txt's directory), or remove the line.
         """),
    Case("errors-requirements-include-fifo", "filesystem", prepare=_include_fifo,
         expected="""\
             !     Error: requirements.txt line 2 includes a file that cannot be read
             !
             !     requirements.txt line 2 is `-r more.txt`, but it is a named pipe (FIFO).
             !
             !     Commit more.txt (paths are relative to requirements.txt's directory), or remove the line.
         """),
    Case("errors-requirements-include-not-utf8", "requirements",
         files={"requirements.txt": "--requirement=base.txt\n", "base.txt": b"flask\ngunicorn  # \xff\n"},
         expected="""\
             !     Error: base.txt is not UTF-8
             !
             !     base.txt line 2, column 13, has the byte 0xff, which is not valid UTF-8,
             !     the encoding pybuildpack (and pip and uv) read it in.
             !
             !     Save base.txt as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`), or remove
             !     the character from that line, and push again.
         """),
    Case("errors-requirements-nul-byte", "requirements",
         files={"requirements.txt": "flask\ngunicorn\x00\n"},
         expected="""\
             !     Error: requirements.txt line 2 has a control character
             !
             !     requirements.txt line 2, column 9, holds the control character 0x00, which
             !     no requirement contains: the file is binary, or was saved in another encoding
             !     (UTF-16 has a NUL byte after every ASCII letter).
             !
             !     Save requirements.txt as plain UTF-8 text, and push again.
         """),
    Case("errors-requirements-editable-app-without-project", "requirements",
         files={"requirements.txt": "flask\n-e .\n"},
         expected="""\
             !     Error: requirements.txt line 2 installs a directory that is not a Python project
             !
             !     requirements.txt line 2 is `-e .`, but the app's directory has no pyproject.toml
             !     and no setup.py, so there is nothing to install from it.
             !
             !     Remove the line (list the app's dependencies in requirements.txt instead), or add a
             !     pyproject.toml describing the package in the app's directory.
         """),
    Case("errors-requirements-2mb-line", "requirements",
         files={"requirements.txt": "flask\n" + "a" * 2_000_000 + "\n"},
         expected="""\
             !     Error: requirements.txt line 2 is too long
             !
             !     requirements.txt line 2 is 2000000 characters long; no requirement is longer than
             !     8192 characters, so it is not one (a file pasted or generated by mistake?), and
             !     handing it to the installer could hold the build for many minutes.
             !
             !     Fix or remove requirements.txt line 2, and push again.
         """),
    Case("errors-python-version-fifo", "python-version",
         prepare=_replace_with(".python-version", _fifo),
         expected="""\
             !     Error: .python-version is not a file
             !
             !     The app has a .python-version, but it is a named pipe (FIFO): the Python version it asks
             !     for cannot be read, and the build would pick a version you did not ask for.
             !
             !     Make .python-version a regular file holding the version (for example 3.12), or remove it.
         """),
    Case("errors-python-version-symlink-loop", "python-version",
         prepare=_replace_with(".python-version", _self_link),
         expected="""\
             !     Error: .python-version is not a file
             !
             !     The app has a .python-version, but it is a symlink loop: the Python version it asks
             !     for cannot be read, and the build would pick a version you did not ask for.
             !
             !     Make .python-version a regular file holding the version (for example 3.12), or remove it.
         """),
    Case("errors-runtime-txt-directory", "python-version",
         prepare=_replace_with("runtime.txt", lambda path: path.mkdir()),
         expected="""\
             !     Error: runtime.txt is not a file
             !
             !     The app has a runtime.txt, but it is a directory: the Python version it asks
             !     for cannot be read, and the build would pick a version you did not ask for.
             !
             !     Make runtime.txt a regular file holding the version (for example 3.12), or remove it.
         """),
    Case("errors-pyproject-not-utf8", "pyproject", base="pyproject_deps",
         files={"pyproject.toml": b"[project]\nname = \"site\"\ndescription = \"caf\xe9\"\n"},
         expected="""\
             !     Error: pyproject.toml is not UTF-8
             !
             !     pyproject.toml line 3, column 19, has the byte 0xe9, which is not valid UTF-8,
             !     the encoding pybuildpack (and pip and uv) read it in.
             !
             !     Save pyproject.toml as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`), or remove
             !     the character from that line, and push again.
         """),
    Case("errors-pipfile-lock-not-utf8", "locks", base="pipenv_flask",
         files={"Pipfile.lock": b"{\n  \"_meta\": {\"\xe9\": 1}\n}\n"},
         expected="""\
             !     Error: Pipfile.lock is not UTF-8
             !
             !     Pipfile.lock line 2, column 14, has the byte 0xe9, which is not valid UTF-8,
             !     the encoding pybuildpack (and pip and uv) read it in.
             !
             !     Save Pipfile.lock as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`), or remove
             !     the character from that line, and push again.
         """),
    Case("errors-setup-cfg-not-utf8", "pyproject", base="setup_py_app",
         files={"setup.cfg": b"[metadata]\nauthor = Jos\xe9\n"},
         expected="""\
             !     Error: setup.cfg is not UTF-8
             !
             !     setup.cfg line 2, column 13, has the byte 0xe9, which is not valid UTF-8,
             !     the encoding pybuildpack (and pip and uv) read it in.
             !
             !     Save setup.cfg as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`), or remove
             !     the character from that line, and push again.
         """),
    # --- a setup.py that raises fails the build, without the build backend's traceback ------------
    Case("errors-setup-py-raises", "pyproject", base="setup_py_app",
         files={"setup.py": "raise RuntimeError('this app is not meant to be installed')\n"},
         expected="""\
             !     Error: Could not build the app from setup.py
             !
             !     pybuildpack installs the app itself (`.`) because it has setup.py, and building
             !     it failed; the output of uv and of setup.py is:
             !     error: The build backend returned an error
             !       cause: Call to `setuptools.build_meta:__legacy__.get_requires_for_build_wheel` failed (exit status: 1)
             !              [stderr]
             !              RuntimeError: this app is not meant to be installed
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages . -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Fix setup.py (run `pip install .` locally to see the error in full), or list the
             !     app's dependencies in requirements.txt instead: with a requirements.txt,
             !     pybuildpack does not run setup.py.
         """),
    # --- the app's own package builds, but its wheel is refused: a console script that is a command line --
    Case("errors-app-wheel-invalid-console-script", "pyproject", base="pyproject_package",
         files={"pyproject.toml": """\
[project]
name = "greeting-site"
version = "1.0"
requires-python = ">=3.10"
dependencies = ["flask>=3"]

[tool.poetry]
packages = [{include = "greeting", from = "src"}]

[tool.poetry.scripts]
seed = "python src/cli.py seed-db"

[build-system]
requires = ["poetry-core>=2"]
build-backend = "poetry.core.masonry.api"
"""},
         expected="""\
             !     Error: The app's own package (greeting-site 1.0) could not be installed
             !
             !     pyproject.toml makes the app a package, which pybuildpack builds and installs, and the
             !     installer refused the wheel it built: invalid console script: 'pythonsrc/cli.pyseed-db'
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages . --reinstall-package greeting-site -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Each entry of [project.scripts] (or [tool.poetry.scripts]) must name a function as
             !     `module:function` (for example `myapp.cli:main`). Fix or remove the entry; a
             !     command line such as `python src/cli.py seed-db` belongs in a Procfile process.
             !     If the app is not meant to be a package, remove the [build-system] table, or
             !     with Poetry set `package-mode = false` in [tool.poetry]: only its dependencies
             !     are then installed.
         """),
    # --- Django settings that fail to import ------------------------------------------------------
    Case("errors-django-settings-missing-module", "django", base="pinned_django",
         files=_settings("import dj_database_url\nDATABASES = {'default': dj_database_url.config()}\n"),
         expected="""\
             !     Error: Could not import the Django settings (mysite/settings.py line 13)
             !
             !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
             !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
             !     mysite/settings.py line 13 raised:
             !         ModuleNotFoundError: No module named 'dj_database_url'
             !
             !     The app's part of the traceback (most recent call last):
             !       File "mysite/settings.py", line 13, in <module>
             !         import dj_database_url
             !
             !     No installed package provides the module 'dj_database_url'. Add the package that does to
             !     requirements.txt (its name on PyPI may differ from the module's), or remove the import.
         """),
    Case("errors-django-settings-import-error", "django", base="pinned_django",
         files=_settings("from django.conf.global_settings import NO_SUCH_SETTING\n"),
         expected="""\
             !     Error: Could not import the Django settings (mysite/settings.py line 13)
             !
             !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
             !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
             !     mysite/settings.py line 13 raised:
             !         ImportError: cannot import name 'NO_SUCH_SETTING' from 'django.conf.global_settings' (<build_dir>/.heroku/python/lib/python3.12/site-packages/django/conf/global_settings.py)
             !
             !     The app's part of the traceback (most recent call last):
             !       File "mysite/settings.py", line 13, in <module>
             !         from django.conf.global_settings import NO_SUCH_SETTING
             !
             !     The module is there, but not the name imported from it: check the spelling, or pin
             !     in requirements.txt the version of the package that has it.
         """),
    Case("errors-django-settings-raise-in-helper", "django", base="pinned_django",
         files={**_settings("from mysite.env import required\nSENTRY_DSN = required('SENTRY_DSN')\n"),
                "mysite/env.py": "def required(name):\n"
                                 "    raise RuntimeError(f'{name} must be set in production')\n"},
         expected="""\
             !     Error: Could not import the Django settings (mysite/settings.py line 14)
             !
             !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
             !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
             !     mysite/settings.py line 14 raised:
             !         RuntimeError: SENTRY_DSN must be set in production
             !
             !     The app's part of the traceback (most recent call last):
             !       File "mysite/settings.py", line 14, in <module>
             !         SENTRY_DSN = required('SENTRY_DSN')
             !       File "mysite/env.py", line 2, in required
             !         raise RuntimeError(f'{name} must be set in production')
             !
             !     Fix the error at that line. The build imports the settings with the config vars
             !     set; run `python manage.py collectstatic --noinput` locally to see it happen.
         """),
    Case("errors-django-settings-syntax-error", "django", base="pinned_django",
         files=_settings("ALLOWED_HOSTS = [\n    'example.com',\n\nDEBUG = True\n"),
         expected="""\
             !     Error: Could not import the Django settings (mysite/settings.py line 13)
             !
             !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
             !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
             !     mysite/settings.py line 13 raised:
             !         SyntaxError: '[' was never closed
             !             ALLOWED_HOSTS = [
             !                             ^
             !
             !     Fix the syntax at that line (`python -m py_compile mysite/settings.py` shows it locally).
         """),
    Case("errors-django-settings-environ-key", "django", base="pinned_django",
         files=_settings("import os\nALLOWED_HOSTS = os.environ['DJANGO_ALLOWED_HOSTS'].split(',')\n"),
         expected="""\
             !     Error: Could not import the Django settings (mysite/settings.py line 14)
             !
             !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
             !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
             !     mysite/settings.py line 14 raised:
             !         KeyError: 'DJANGO_ALLOWED_HOSTS'
             !
             !     The app's part of the traceback (most recent call last):
             !       File "mysite/settings.py", line 14, in <module>
             !         ALLOWED_HOSTS = os.environ['DJANGO_ALLOWED_HOSTS'].split(',')
             !
             !     The settings read os.environ['DJANGO_ALLOWED_HOSTS'], and no config var DJANGO_ALLOWED_HOSTS is set, so the
             !     build cannot import them. Set it (`heroku config:set DJANGO_ALLOWED_HOSTS=...`, or your
             !     platform's env), or read it with os.environ.get('DJANGO_ALLOWED_HOSTS', default).
         """),
    Case("errors-django-settings-database-at-import", "django", base="pinned_django",
         files=_settings("import sqlite3\nVERSION = sqlite3.connect('/nonexistent/app.db').execute('select 1')\n"),
         expected="""\
             !     Error: Could not import the Django settings (mysite/settings.py line 14)
             !
             !     pybuildpack imports mysite.settings (named in manage.py) to find STATIC_ROOT and
             !     WSGI_APPLICATION, as `python manage.py collectstatic --noinput` would, and
             !     mysite/settings.py line 14 raised:
             !         sqlite3.OperationalError: unable to open database file
             !
             !     The app's part of the traceback (most recent call last):
             !       File "mysite/settings.py", line 14, in <module>
             !         VERSION = sqlite3.connect('/nonexistent/app.db').execute('select 1')
             !
             !     The settings reach for the database while they are imported, and the build has
             !     no database. Describe the database in the settings (DATABASES, or
             !     dj_database_url.config()) without connecting to it or querying it at import
             !     time: Django connects on first use, when the app runs.
         """),
    Case("errors-django-settings-exit-without-exception", "django", base="pinned_django",
         files=_settings("import os\nos._exit(3)\n"),
         expected="""\
             !     Error: Could not load your Django settings
             !
             !     pybuildpack imports mysite.settings to find STATIC_ROOT and WSGI_APPLICATION,
             !     and the process exited with status 3 before the import finished, printing nothing.
             !
             !     Something in the settings (or what they import) ends the process: an os._exit()
             !     or a crash. Run `python manage.py collectstatic --noinput` locally to see it.
         """),
    Case("errors-django-settings-module-missing", "django", base="pinned_django",
         files={"manage.py": MANAGE.replace("mysite.settings", "mysite.settings_prod")},
         expected="""\
             !     Error: Could not import the Django settings
             !
             !     pybuildpack imports mysite.settings_prod (named in manage.py) to find
             !     STATIC_ROOT and WSGI_APPLICATION, as `python manage.py collectstatic --noinput`
             !     would, and the import raised:
             !         ModuleNotFoundError: No module named 'mysite.settings_prod'
             !
             !     There is no module mysite.settings_prod beside manage.py. Fix the name in manage.py,
             !     or commit the settings module.
         """),
    Case("errors-django-settings-module-with-dash", "django", base="pinned_django",
         files={"manage.py": MANAGE.replace("mysite.settings", "my-site.settings")},
         expected="""\
             !     Error: Invalid Django settings module name 'my-site.settings'
             !
             !     manage.py line 6 names the settings module 'my-site.settings',
             !     which is not a Python module name: each dotted part must be an identifier
             !     (letters, digits and _, not starting with a digit). Django could not import
             !     it, and the app would not start.
             !
             !     Rename the package so that its name is one (for example my_site.settings), and
             !     change manage.py line 6 to match.
         """),
    Case("errors-django-settings-module-config-var-invalid", "config-vars", base="pinned_django",
         config={"DJANGO_SETTINGS_MODULE": "mysite/settings.py"},
         expected="""\
             !     Error: Invalid Django settings module name 'mysite/settings.py'
             !
             !     config var DJANGO_SETTINGS_MODULE names the settings module 'mysite/settings.py',
             !     which is not a Python module name: each dotted part must be an identifier
             !     (letters, digits and _, not starting with a digit). Django could not import
             !     it, and the app would not start.
             !
             !     Set it to the dotted name of the settings module, perhaps
             !         heroku config:set DJANGO_SETTINGS_MODULE=mysite.settings
             !     (or in your platform's env), or unset it to use the one manage.py names.
         """),
    # --- a package that cannot be compiled: the build machine has no MySQL client library ----------
    Case("errors-native-build-mysqlclient", "requirements",
         files={"requirements.txt": "flask\nmysqlclient==2.2.7\n"},
         expected="""\
             !     Error: mysqlclient could not be built: the MySQL client library is missing
             !
             !     uv could not build mysqlclient (from requirements.txt): no wheel of it fits this
             !     Python and machine, so it is compiled from source, and that needs the MySQL
             !     client library (libmysqlclient, found with pkg-config), which the build machine
             !     does not have. The build said:
             !         error: Failed to build `mysqlclient==2.2.7`
             !         Trying pkg-config --exists mysqlclient
             !         Command 'pkg-config --exists mysqlclient' returned non-zero exit status 1.
             !         Exception: Can not find valid pkg-config name.
             !
             !     Give the build that library:
             !       - Heroku: add the heroku-community/apt buildpack before this one, and an
             !         Aptfile at the top of the app listing: default-libmysqlclient-dev pkg-config
             !       - Cloud Native Buildpacks: use a builder whose build image has
             !         default-libmysqlclient-dev pkg-config, and whose run image has the library
             !       - your machine: `apt-get install default-libmysqlclient-dev pkg-config`
             !         (macOS: `brew install mysql-client pkg-config`)
             !     Or replace mysqlclient with PyMySQL, in pure Python (pymysql.install_as_MySQLdb()).
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
         """),
]
