"""Corpus cases for the errors that existed before the corpus: requirements
files, version files, the Procfile, config vars, pyproject.toml and lock
files, hooks, and finding the app."""

from __future__ import annotations

import os
from pathlib import Path

from corpus import Case




def _requirements_is_a_directory(app: Path) -> None:
    (app / "requirements.txt").unlink()
    (app / "requirements.txt").mkdir()


def _requirements_dangling_symlink(app: Path) -> None:
    (app / "requirements.txt").unlink()
    os.symlink("deps/requirements.txt", app / "requirements.txt")


def _hook_dangling_symlink(app: Path) -> None:
    (app / "bin").mkdir()
    os.symlink("../scripts/post_compile.sh", app / "bin" / "post_compile")


def _two_named_pylocks(app: Path) -> None:
    text = (app / "pylock.toml").read_text()
    (app / "pylock.toml").unlink()
    (app / "pylock.web.toml").write_text(text)
    (app / "pylock.worker.toml").write_text(text)


def _hook_is_a_directory(app: Path) -> None:
    (app / "bin" / "pre_compile").mkdir(parents=True)


CASES = [
    # -- requirements.txt ---------------------------------------------------------------------
    Case("requirements-package-that-does-not-exist", "requirements", """\
             !     Error: Could not install the packages in requirements.txt
             !
             !     uv failed while installing requirements.txt:
             !     error: No solution found when resolving dependencies
             !       cause: Because pybuildpack-no-such-package-anywhere was not found in the package registry and you require pybuildpack-no-such-package-anywhere, we can conclude that your requirements are unsatisfiable.
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Check requirements.txt for a misspelled name, a version that does not exist,
             !     or a package that does not support this Python version. To reproduce it
             !     locally, run the command above in a fresh virtualenv.
         """,
         files={"requirements.txt": "flask\npybuildpack-no-such-package-anywhere\n"}),
    Case("requirements-version-that-does-not-exist", "requirements", """\
             !     Error: Could not install the packages in requirements.txt
             !
             !     uv failed while installing requirements.txt:
             !     error: No solution found when resolving dependencies
             !       cause: Because there is no version of flask==99.0.0 and you require flask==99.0.0, we can conclude that your requirements are unsatisfiable.
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Check requirements.txt for a misspelled name, a version that does not exist,
             !     or a package that does not support this Python version. To reproduce it
             !     locally, run the command above in a fresh virtualenv.
         """,
         files={"requirements.txt": "flask==99.0.0\n"}),
    Case("requirements-conflicting-pins", "requirements", """\
             !     Error: Could not install the packages in requirements.txt
             !
             !     uv failed while installing requirements.txt:
             !     error: No solution found when resolving dependencies
             !       cause: Because flask==3.0.0 depends on werkzeug>=3.0.0 and you require flask==3.0.0, we can conclude that you require werkzeug>=3.0.0.
             !              And because you require werkzeug==2.0.0, we can conclude that your requirements are unsatisfiable.
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Check requirements.txt for a misspelled name, a version that does not exist,
             !     or a package that does not support this Python version. To reproduce it
             !     locally, run the command above in a fresh virtualenv.
         """,
         files={"requirements.txt": "flask==3.0.0\nwerkzeug==2.0.0\n"}),
    Case("requirements-invalid-specifier", "requirements", """\
             !     Error: Could not install the packages in requirements.txt
             !
             !     uv failed while installing requirements.txt:
             !     error: Couldn't parse requirement in `requirements.txt` at position 0
             !       cause: no such comparison operator ">=>", must be one of ~= == != <= >= < > ===
             !              flask>=>3
             !                   ^^^^
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Check requirements.txt for a misspelled name, a version that does not exist,
             !     or a package that does not support this Python version. To reproduce it
             !     locally, run the command above in a fresh virtualenv.
         """,
         files={"requirements.txt": "flask>=>3\n"}),
    Case("requirements-unknown-option", "requirements", """\
             !     Error: Could not install the packages in requirements.txt
             !
             !     uv failed while installing requirements.txt:
             !     error: Unexpected '-', expected '-c', '-e', '-r' or the start of a requirement: requirements.txt:1:1
             !
             !     Command: <uv> pip install --exact --python .heroku/python/bin/python --break-system-packages -r requirements.txt -r .heroku/pybuildpack/added-requirements.txt
             !
             !     Check requirements.txt for a misspelled name, a version that does not exist,
             !     or a package that does not support this Python version. To reproduce it
             !     locally, run the command above in a fresh virtualenv.
         """,
         files={"requirements.txt": "--frobnicate\nflask\n"}),
    Case("requirements-is-a-directory", "filesystem", """\
             !     Error: requirements.txt is not a file
             !
             !     The app has a requirements.txt, but it is a directory, so nothing could be installed
             !     from it and the app would ship without its packages.
             !
             !     Make requirements.txt a regular file (commit the file itself, not a link to one
             !     outside the app), or remove it.
         """, prepare=_requirements_is_a_directory),
    Case("requirements-dangling-symlink", "filesystem", """\
             !     Error: requirements.txt is not a file
             !
             !     The app has a requirements.txt, but it is a symlink to deps/requirements.txt, which does not exist, so nothing could be installed
             !     from it and the app would ship without its packages.
             !
             !     Make requirements.txt a regular file (commit the file itself, not a link to one
             !     outside the app), or remove it.
         """, prepare=_requirements_dangling_symlink),
    Case("requirements-variable-unset", "requirements", """\
             !     Error: PRIVATE_WHEELS is not set, and requirements.txt line 2 needs it
             !
             !     The package source 'hello @ ${PRIVATE_WHEELS}/hello-1.0-py3-none-any.whl' in requirements.txt line 2 has ${PRIVATE_WHEELS} in its URL, but no config
             !     var PRIVATE_WHEELS is set, so it cannot be reached.
             !
             !     Set it with `heroku config:set PRIVATE_WHEELS=...` (or your platform's env) and build again.
         """,
         files={"requirements.txt": "flask\nhello @ ${PRIVATE_WHEELS}/hello-1.0-py3-none-any.whl\n"}),
    Case("requirements-path-outside-the-app", "requirements", """\
             !     Error: requirements.txt depends on a path outside the app
             !
             !     requirements.txt line 2 names '-e ../shared-lib', a path that points at ../shared-lib, outside the app.
             !     Only the app's own directory is sent to the build, so that path does not exist
             !     there (nor at runtime).
             !
             !     Move the package inside the app (for example into libs/) and point at it with a
             !     relative path, or publish it to a package index and depend on it by name. If the
             !     app is a subdirectory of a repository that holds the package, build the repository
             !     and name the app's directory: PYBUILDPACK_APP_ROOT=apps/web.
         """,
         files={"requirements.txt": "flask\n-e ../shared-lib\n"}),
    Case("requirements-in-conflict", "requirements", """\
             !     Error: Could not resolve the packages in requirements.in
             !
             !     pip-compile could not turn requirements.in into a list of pinned versions:
             !       ERROR: Cannot install -r requirements.in (line 1) and werkzeug<2 because these package versions have conflicting dependencies.
             !     pip._vendor.resolvelib.resolvers.exceptions.ResolutionImpossible: [RequirementInformation(requirement=SpecifierRequirement('werkzeug<2'), parent=None), RequirementInformation(requirement=SpecifierRequirement('Werkzeug>=3.0.0'), parent=LinkCandidate('https://files.pythonhosted.org/packages/36/42/015c ... (151 more characters)
             !
             !     pip._internal.exceptions.DistributionNotFound: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
             !
             !     Check requirements.in for conflicting or misspelled requirements. You can
             !     run `pip-compile requirements.in` locally and commit the resulting
             !     requirements.txt to skip this step.
         """, base="requirements_in",
         files={"requirements.in": "flask==3.0.0\nwerkzeug<2\n"}),
    # -- Python version -------------------------------------------------------------------------
    Case("python-version-not-a-version", "python-version", """\
             !     Error: Invalid Python version in .python-version
             !
             !     .python-version asks for Python 'three.twelve', which pybuildpack cannot read:
             !     It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH.
             !
             !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
             !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
         """, files={".python-version": "three.twelve\n"}),
    Case("python-version-two-versions", "python-version", """\
             !     Error: Invalid Python version in .python-version
             !
             !     .python-version asks for Python '3.12', which pybuildpack cannot read:
             !     It lists more than one version: '3.12' (line 1), '3.11' (line 2). Keep one.
             !
             !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
             !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
         """, files={".python-version": "3.12\n3.11\n"}),
    Case("runtime-txt-not-a-version", "python-version", """\
             !     Error: Invalid Python version in runtime.txt
             !
             !     runtime.txt asks for Python 'python 3.12', which pybuildpack cannot read:
             !     runtime.txt must read python-MAJOR.MINOR[.PATCH], e.g. python-3.12.4.
             !
             !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
             !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
         """, files={"runtime.txt": "python 3.12\n"}),
    Case("python-version-files-disagree", "python-version", """\
             !     Error: Conflicting Python versions
             !
             !     .python-version asks for Python 3.12, but
             !     runtime.txt asks for Python 3.11.9.
             !
             !     pybuildpack will not guess which one you meant. Make them agree, or
             !     keep the version in one file only (.python-version is the usual place).
         """,
         files={".python-version": "3.12\n", "runtime.txt": "python-3.11.9\n"}),
    Case("python-version-outside-requires-python", "python-version", """\
             !     Error: Conflicting Python versions
             !
             !     .python-version asks for Python 3.11, but
             !     requires-python in pyproject.toml asks for Python >=3.12.
             !
             !     pybuildpack will not guess which one you meant. Make them agree, or
             !     keep the version in one file only (.python-version is the usual place).
         """, base="pyproject_deps",
         files={".python-version": "3.11\n",
                "pyproject.toml": '[project]\nname = "site"\nversion = "1"\nrequires-python = ">=3.12"\n'
                                  'dependencies = ["flask"]\n'}),
    # -- Procfile -------------------------------------------------------------------------------
    Case("procfile-line-without-a-colon", "procfile", """\
             !     Error: Invalid line in Procfile
             !
             !     Procfile line 1 is not of the form `name: command`:
             !         web gunicorn wsgi:application
             !
             !     Each line names a process type (letters, digits, - and _) and its command,
             !     for example:
             !         web: gunicorn myapp.wsgi
         """,
         files={"Procfile": "web gunicorn wsgi:application\n"}),
    Case("procfile-empty-command", "procfile", """\
             !     Error: Invalid line in Procfile
             !
             !     Procfile line 1 is not of the form `name: command`:
             !         web:
             !
             !     Each line names a process type (letters, digits, - and _) and its command,
             !     for example:
             !         web: gunicorn myapp.wsgi
         """, files={"Procfile": "web:\n"}),
    Case("procfile-duplicate-type", "procfile", """\
             !     Error: Procfile defines `web` twice
             !
             !     Procfile line 2 defines the process type `web` again; line 1
             !     defined it first. Only one of them could run, and which one would be a guess.
             !
             !     Keep one `web:` line, or give the other process a name of its own.
         """,
         files={"Procfile": "web: gunicorn wsgi:application\nweb: waitress-serve wsgi:application\n"}),
    Case("procfile-invalid-type-name", "procfile", """\
             !     Error: Invalid line in Procfile
             !
             !     Procfile line 1 is not of the form `name: command`:
             !         my web: gunicorn wsgi:application
             !
             !     Each line names a process type (letters, digits, - and _) and its command,
             !     for example:
             !         web: gunicorn myapp.wsgi
         """, files={"Procfile": "my web: gunicorn wsgi:application\n"}),
    # A uWSGI config written for a Docker image, where VIRTUAL_ENV is set: on Heroku the
    # compiled uWSGI would start Python with the text `$(VIRTUAL_ENV)` as its home.
    Case("procfile-uwsgi-virtualenv-home-unset", "procfile", """\
             !     Error: uWSGI would start with no Python home
             !
             !     etc/uwsgi.ini line 3 sets `virtualenv = $(VIRTUAL_ENV)`
             !     for the web process, but VIRTUAL_ENV is not set where the app runs: its
             !     packages are in the runtime's own Python, which is no virtualenv. uWSGI (the
             !     compiled `uwsgi` package) would start Python with a home that does not exist,
             !     and stop at start with "No module named 'encodings'".
             !
             !     uWSGI finds the packages here without a home. Remove the line, or keep it for
             !     the places that do set VIRTUAL_ENV (a Docker image) by setting it only there:
             !         if-env = VIRTUAL_ENV
             !         virtualenv = %(_)
             !         endif =
         """,
         files={"requirements.txt": "Flask\nuwsgi==2.0.31\n", "Procfile": "web: uwsgi ./etc/uwsgi.ini\n",
                "etc/uwsgi.ini": "[uwsgi]\nhttp-socket = :$(PORT)\nvirtualenv = $(VIRTUAL_ENV)\n"
                                 "module = wsgi:application\n"}),
    # -- config vars ----------------------------------------------------------------------------
    Case("config-installer-unknown", "config-vars", """\
             !     Error: Invalid value for PYBUILDPACK_INSTALLER
             !
             !     The config var PYBUILDPACK_INSTALLER is set to 'conda', but it must be `uv` or `pip`.
             !
             !     Change it with `heroku config:set PYBUILDPACK_INSTALLER=...` (or in your platform's env),
             !     or unset it to use the default.
         """, config={"PYBUILDPACK_INSTALLER": "conda"}),
    Case("config-server-unknown", "config-vars", """\
             !     Error: Invalid value for PYBUILDPACK_SERVER
             !
             !     The config var PYBUILDPACK_SERVER is set to 'nginx', but it must be one of `gunicorn`, `uvicorn`, `hypercorn`, `granian`, `daphne`, `waitress`, `uwsgi`, `mod_wsgi`.
             !
             !     Change it with `heroku config:set PYBUILDPACK_SERVER=...` (or in your platform's env),
             !     or unset it to use the default.
         """, config={"PYBUILDPACK_SERVER": "nginx"}),
    Case("config-package-manager-unknown", "config-vars", """\
             !     Error: Invalid value for PYBUILDPACK_PACKAGE_MANAGER
             !
             !     The config var PYBUILDPACK_PACKAGE_MANAGER is set to 'npm', but it must be `requirements`, `requirements-in`, `uv`, `poetry`, `pipenv`, `pylock`, `pyproject` or `setup-py`.
             !
             !     Change it with `heroku config:set PYBUILDPACK_PACKAGE_MANAGER=...` (or in your platform's env),
             !     or unset it to use the default.
         """, config={"PYBUILDPACK_PACKAGE_MANAGER": "npm"}),
    Case("config-package-manager-without-its-files", "config-vars", """\
             !     Error: No poetry.lock for PYBUILDPACK_PACKAGE_MANAGER=poetry
             !
             !     The config var PYBUILDPACK_PACKAGE_MANAGER is set to 'poetry', which installs from
             !     poetry.lock, but the app has no poetry.lock at its top.
             !
             !     Commit poetry.lock, or set PYBUILDPACK_PACKAGE_MANAGER to the package manager the
             !     app uses (or unset it when the app has only one).
         """,
         config={"PYBUILDPACK_PACKAGE_MANAGER": "poetry"}),
    Case("config-groups-bad-name", "config-vars", """\
             !     Error: Invalid value for PYBUILDPACK_GROUPS
             !
             !     The config var PYBUILDPACK_GROUPS is set to 'net;rm -rf', but it must be a comma-separated list of names such as `prod,docs`.
             !
             !     Change it with `heroku config:set PYBUILDPACK_GROUPS=...` (or in your platform's env),
             !     or unset it to use the default.
         """, base="pyproject_deps",
         config={"PYBUILDPACK_GROUPS": "net;rm -rf"}),
    Case("config-groups-with-requirements-txt", "config-vars", """\
             !     Error: PYBUILDPACK_GROUPS is set, but requirements.txt has no dependency groups
             !
             !     The config var PYBUILDPACK_GROUPS asks for dependency groups, but the app's dependencies come from
             !     requirements.txt, which cannot declare any, so nothing would be chosen.
             !
             !     Unset PYBUILDPACK_GROUPS, or declare the dependency groups where they can be chosen: in pyproject.toml
             !     ([dependency-groups] or [project.optional-dependencies]), instead of requirements.txt.
         """, config={"PYBUILDPACK_GROUPS": "dev"}),
    Case("config-group-not-declared", "config-vars", """\
             !     Error: PYBUILDPACK_GROUPS names dependency groups that pyproject.toml does not declare
             !
             !     The config var PYBUILDPACK_GROUPS asks for docs, but pyproject.toml declares
             !     no such dependency groups. It declares: net.
             !
             !     Fix the spelling in PYBUILDPACK_GROUPS, or declare the dependency groups in pyproject.toml.
         """, base="pyproject_deps",
         config={"PYBUILDPACK_GROUPS": "docs"}),
    Case("config-extra-not-declared", "config-vars", """\
             !     Error: PYBUILDPACK_EXTRAS names extras that pyproject.toml does not declare
             !
             !     The config var PYBUILDPACK_EXTRAS asks for postgres, but pyproject.toml declares
             !     no such extras. It declares: compat.
             !
             !     Fix the spelling in PYBUILDPACK_EXTRAS, or declare the extras in pyproject.toml.
         """, base="pyproject_deps",
         config={"PYBUILDPACK_EXTRAS": "postgres"}),
    Case("config-server-cannot-serve-wsgi", "config-vars", """\
             !     Error: uvicorn cannot serve this app
             !
             !     The config var PYBUILDPACK_SERVER chooses uvicorn, but the app (wsgi.py line 3) is a
             !     WSGI app, and uvicorn does not serve WSGI apps.
             !
             !     Set PYBUILDPACK_SERVER to one of gunicorn, waitress, uwsgi, mod_wsgi, or unset it to use the default.
         """, config={"PYBUILDPACK_SERVER": "uvicorn"}),
    Case("config-django-settings-module-missing", "config-vars", """\
             !     Error: Could not import the Django settings
             !
             !     pybuildpack imports nowhere.settings (named in config var
             !     DJANGO_SETTINGS_MODULE) to find STATIC_ROOT and WSGI_APPLICATION, as `python
             !     manage.py collectstatic --noinput` would, and the import raised:
             !         ModuleNotFoundError: No module named 'nowhere'
             !
             !     There is no module nowhere.settings beside manage.py. Fix the name in config var DJANGO_SETTINGS_MODULE,
             !     or commit the settings module.
         """, base="django_startproject",
         config={"DJANGO_SETTINGS_MODULE": "nowhere.settings"}),
    # -- pyproject.toml and lock files --------------------------------------------------------
    Case("several-package-managers", "locks", """\
             !     Error: Dependency files of several package managers
             !
             !     The app declares its dependencies in more than one way:
             !       - requirements.txt (pip)
             !       - uv.lock (uv)
             !     pybuildpack will not guess which one you deploy with. Either:
             !       - delete the files you no longer use, or
             !       - choose one with the config var PYBUILDPACK_PACKAGE_MANAGER, for example
             !             heroku config:set PYBUILDPACK_PACKAGE_MANAGER=uv
             !         (its values: requirements, requirements-in, uv, poetry, pipenv, pylock,
             !         pyproject, setup-py); the other files are then left alone.
         """, base="uv_project",
         files={"requirements.txt": "flask\n"}),
    Case("uv-lock-without-pyproject", "locks", """\
             !     Error: uv.lock without a pyproject.toml
             !
             !     The app has a uv.lock but no pyproject.toml beside it. A uv lock belongs to
             !     the project in that pyproject.toml, so pybuildpack cannot install from it.
             !
             !     Commit the pyproject.toml that uv.lock was made from (both at the top of the
             !     app), or delete uv.lock if the app declares its packages elsewhere.
         """, base="uv_project", files={"pyproject.toml": None}),
    Case("uv-lock-outdated", "locks", """\
             !     Error: uv.lock is out of date
             !
             !     uv.lock no longer matches pyproject.toml: the dependencies changed since
             !     the lock was written, so installing from it would not give the packages
             !     pyproject.toml asks for.
             !
             !     Run `uv lock` in the app, commit the updated uv.lock, and deploy again.
         """, base="uv_project",
         files={"pyproject.toml": '[project]\nname = "uv-site"\nversion = "1.0"\nrequires-python = ">=3.9"\n'
                                  'dependencies = ["flask>=3", "six"]\n'}),
    Case("poetry-lock-without-pyproject", "locks", """\
             !     Error: poetry.lock without pyproject.toml
             !
             !     The app has a poetry.lock but no pyproject.toml, so pybuildpack cannot tell which
             !     of the locked packages the app depends on.
             !
             !     Commit the pyproject.toml the lock was made from (`git add pyproject.toml`).
         """, base="poetry_flask", files={"pyproject.toml": None}),
    Case("poetry-project-without-lock", "locks", """\
             !     Error: pyproject.toml is a Poetry project without poetry.lock
             !
             !     pyproject.toml has a [tool.poetry] table but no [project] table, and the app has
             !     no poetry.lock, so pybuildpack cannot tell which packages to install.
             !
             !     Run `poetry lock` and commit poetry.lock, or export the dependencies with
             !     `poetry export -o requirements.txt` and commit that file.
         """, base="poetry_flask", files={"poetry.lock": None}),
    Case("pipfile-without-lock", "locks", """\
             !     Error: Pipfile without Pipfile.lock
             !
             !     The app has a Pipfile but no Pipfile.lock. pybuildpack installs the exact versions
             !     and hashes of the lock, and will not resolve the Pipfile's ranges itself.
             !
             !     Run `pipenv lock` and commit Pipfile.lock.
         """, base="pipenv_flask", files={"Pipfile.lock": None}),
    Case("pipfile-lock-outdated", "locks", """\
             !     Error: Pipfile.lock is out of date
             !
             !     Pipfile.lock was made from another Pipfile: its hash is 2e9521, the
             !     Pipfile's is dbd83a. Installing it would not give you what the Pipfile declares.
             !
             !     Run `pipenv lock` and commit the new Pipfile.lock.
         """, base="pipenv_flask",
         files={"Pipfile": '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
                           '[packages]\nflask = "*"\nsix = "*"\n\n[requires]\npython_version = "3.12"\n'}),
    Case("pylock-two-named-files", "locks", """\
             !     Error: Several pylock files and no pylock.toml
             !
             !     The app has several PEP 751 lock files, and none of them is the default
             !     pylock.toml, so pybuildpack will not guess which one to install:
             !       - pylock.web.toml
             !       - pylock.worker.toml
             !
             !     Rename the one to install to pylock.toml (or delete the others).
         """, base="pylock_app", prepare=_two_named_pylocks),
    Case("pylock-not-toml", "locks", """\
             !     Error: Could not read pylock.toml
             !
             !     pylock.toml could not be read:
             !     It is not valid TOML: Invalid value (at line 1, column 16)
             !
             !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
         """, base="pylock_app", files={"pylock.toml": "lock-version = \n"}),
    Case("uv-lock-not-toml", "locks", """\
             !     Error: Could not read uv.lock
             !
             !     uv.lock could not be read:
             !     It is not valid TOML: Expected ']]' at the end of an array declaration (at line 2, column 10)
             !
             !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
         """, base="uv_project", files={"uv.lock": "version = 1\n[[package]\n"}),
    Case("poetry-lock-not-toml", "locks", """\
             !     Error: Could not read poetry.lock
             !
             !     poetry.lock could not be read:
             !     It is not valid TOML: Invalid value (at line 2, column 8)
             !
             !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
         """, base="poetry_flask", files={"poetry.lock": "[[package]]\nname = \n"}),
    Case("pipfile-lock-not-json", "locks", """\
             !     Error: Could not read Pipfile.lock
             !
             !     Pipfile.lock could not be read:
             !     It is not valid JSON: Expecting property name enclosed in double quotes: line 2 column 1 (char 12)
             !
             !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
         """, base="pipenv_flask", files={"Pipfile.lock": "{\"_meta\": {\n"}),
    Case("python-version-2", "python-version", """\
             !     Error: Invalid Python version in .python-version
             !
             !     .python-version asks for Python '2.7', which pybuildpack cannot read:
             !     pybuildpack supports Python 3 only.
             !
             !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
             !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
         """, files={".python-version": "2.7\n"}),
    Case("runtime-txt-pypy", "python-version", """\
             !     Error: Invalid Python version in runtime.txt
             !
             !     runtime.txt asks for Python 'pypy3.10-7.3.17', which pybuildpack cannot read:
             !     runtime.txt must read python-MAJOR.MINOR[.PATCH], e.g. python-3.12.4.
             !
             !     Write a CPython version as MAJOR.MINOR, for example 3.12, to get its
             !     newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.
         """, files={"runtime.txt": "pypy3.10-7.3.17\n"}),
    Case("pyproject-not-toml", "pyproject", """\
             !     Error: Could not read pyproject.toml
             !
             !     pyproject.toml could not be read:
             !     It is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)
             !
             !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
         """, base="pyproject_deps",
         files={"pyproject.toml": '[project\nname = "site"\n'}),
    Case("pyproject-dependencies-not-a-list", "pyproject", """\
             !     Error: Could not read pyproject.toml
             !
             !     pyproject.toml could not be read:
             !     [project] dependencies must be a list of strings such as "flask>=3".
             !
             !     Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.
         """, base="pyproject_deps",
         files={"pyproject.toml": '[project]\nname = "site"\nversion = "1"\ndependencies = "flask"\n'}),
    Case("conda-environment-only", "pyproject", """\
             !     Error: pybuildpack does not install conda environments (environment.yml)
             !
             !     The app declares its dependencies only in files pybuildpack cannot install:
             !       - environment.yml (conda): pybuildpack does not install conda environments
             !     Building would ship the app without its packages, so the build stops here.
             !
             !     To deploy now, put the packages in a requirements.txt and commit it:
             !       - conda: list the PyPI packages the app needs in requirements.txt; the `pip:`
             !         section of the environment file is a start (conda-only packages
             !         cannot be installed from PyPI)
             !     (pybuildpack installs from requirements.txt, requirements.in, uv.lock, poetry.lock
             !     and Pipfile.lock.)
         """,
         files={"requirements.txt": None, "environment.yml": "dependencies:\n  - python=3.12\n  - flask\n"}),
    # litestar-org/litestar-hello-world: a PDM lock, and the ranges in pyproject.toml.
    Case("pdm-lock-beside-pyproject-dependencies", "pyproject", """\
             !     Error: pybuildpack does not install from pdm.lock yet
             !
             !     The app's dependencies are locked in a file pybuildpack cannot install:
             !       - pdm.lock (PDM): pybuildpack does not install from pdm.lock yet
             !     Installing without the lock would ship versions nobody tested with the app,
             !     so the build stops here.
             !
             !     To deploy now, put the packages in a requirements.txt and commit it:
             !       - PDM: pdm export --prod -o requirements.txt
             !     (pybuildpack installs from requirements.txt, requirements.in, uv.lock, poetry.lock
             !     and Pipfile.lock.)
             !
             !     pyproject.toml lists them too, as ranges. To install from it instead (the newest
             !     versions its ranges allow, not the lock's), set the config var
             !     PYBUILDPACK_PACKAGE_MANAGER=pyproject, or under [tool.pybuildpack] in
             !     pyproject.toml: package-manager = "pyproject".
         """, base="pyproject_deps", files={"pdm.lock": '[metadata]\ngroups = ["default"]\n'}),
    # -- hooks ----------------------------------------------------------------------------------
    Case("hook-fails", "hooks", """\
             !     Error: bin/post_compile failed
             !
             !     The hook bin/post_compile exited with status 3, so the build stops here.
             !
             !     Its output is above. Fix the script, or remove bin/post_compile to skip it.
         """, files={"bin/post_compile": "#!/bin/sh\necho 'migrating'\nexit 3\n"}),
    Case("hook-is-a-directory", "hooks", """\
             !     Error: bin/pre_compile could not be started
             !
             !     bin/pre_compile could not be run: it is a directory
             !
             !     A hook needs a shebang line such as `#!/usr/bin/env bash` (or it is run
             !     with bash), and must be a regular file.
         """, prepare=_hook_is_a_directory),
    # -- the app --------------------------------------------------------------------------------
    Case("web-app-file-with-a-syntax-error", "web-app", """\
             !     Error: app.py is not valid Python 3.12.1
             !
             !     The web process serves the app in app.py, but Python 3.12.1 cannot compile it:
             !         app.py line 7: invalid syntax
             !     The web process would stop at start with this SyntaxError.
             !
             !     Fix app.py (`python -m py_compile app.py` shows the error), or pin the Python
             !     version the file is written for in .python-version, and push again.
         """,
         files={"wsgi.py": None, "hello/__init__.py": None,
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                          "def index(:\n    return 'hi'\n"}),
    Case("web-app-file-newer-than-its-python", "web-app", """\
             !     Error: app.py is not valid Python 3.11.7
             !
             !     The web process serves the app in app.py, but Python 3.11.7 cannot compile it:
             !         app.py line 6: expected '('
             !     The web process would stop at start with this SyntaxError.
             !
             !     Fix app.py (`python -m py_compile app.py` shows the error), or pin the Python
             !     version the file is written for in .python-version, and push again.
         """,
         files={".python-version": "3.11\n", "wsgi.py": None, "hello/__init__.py": None,
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                          "def first[T](items: list[T]) -> T:\n    return items[0]\n"}),
    Case("web-server-too-old-for-the-setuptools-beside-it", "web-app", """\
             !     Error: gunicorn cannot start in the app's environment
             !
             !     The web process runs gunicorn, but importing it with the app's Python fails:
             !       File "gunicorn/app/wsgiapp.py", line 9, in <module>
             !         from gunicorn.app.base import Application
             !       File "gunicorn/app/base.py", line 11, in <module>
             !         from gunicorn import util
             !       File "gunicorn/util.py", line 25, in <module>
             !         import pkg_resources
             !     ModuleNotFoundError: No module named 'pkg_resources'
             !
             !     The process would stop at start with this error. Check the versions the app
             !     pins for gunicorn and its dependencies: an old release may not work with the
             !     newer packages or Python installed beside it.
             !
             !     `pkg_resources` is no longer part of setuptools: setuptools 82 removed it, and
             !     a package the app uses still imports it (old gunicorn releases do). Upgrade
             !     that package, or keep an older setuptools by adding this line to the app's
             !     requirements:
             !         setuptools<82
         """,
         files={"requirements.txt": "flask\ngunicorn==20.1.0\n"}),
    Case("flask-app-with-no-dependency-file", "web-app", """\
             !     Error: The app uses Flask, but declares no dependencies
             !
             !     wsgi.py line 3 is a Flask app, but the app has no requirements.txt, lock file,
             !     setup.py or pyproject.toml [project] table, so Flask would not be installed and
             !     the app would stop at start with ModuleNotFoundError.
             !
             !     Commit a requirements.txt that lists Flask and the app's other packages
             !     (`pip freeze > requirements.txt` in the app's virtualenv is a start), or the lock
             !     of your package manager.
         """, files={"requirements.txt": None}),
    Case("hook-dangling-symlink", "hooks", """\
             !     Error: bin/post_compile could not be started
             !
             !     bin/post_compile could not be run: it is a symlink to ../scripts/post_compile.sh, which does not exist
             !
             !     A hook needs a shebang line such as `#!/usr/bin/env bash` (or it is run
             !     with bash), and must be a regular file.
         """, prepare=_hook_dangling_symlink),
]
