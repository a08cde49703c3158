"""The text of every user-facing error, warning and notice (pybuildpack.errors).

Each error must say what happened and how to fix it, render as a ` !     `
block, and never show a secret once it has gone through the log.
"""

from __future__ import annotations

from datetime import date

import pytest

from pybuildpack import errors
from pybuildpack.config import Origin

from .helpers import block, render
from .test_errors_local import LOCAL_ERRORS, LOCAL_WARNINGS

SECRET = "s3cr3t-index-password"
INDEX = f"https://deploy:{SECRET}@pypi.example.com/simple"

# (error, key phrases: what happened ... how to fix it)
ERRORS = {
    "PythonVersionInvalid": (
        errors.PythonVersionInvalid(".python-version", "3.x", "It is not of the form MAJOR.MINOR."),
        ["Invalid Python version in .python-version", "asks for Python '3.x'", "It is not of the form",
         "for example 3.12", "MAJOR.MINOR.PATCH"],
    ),
    "PythonVersionConflict": (
        errors.PythonVersionConflict(".python-version", "3.11", "runtime.txt", "3.12"),
        ["Conflicting Python versions", ".python-version asks for Python 3.11", "runtime.txt asks for Python 3.12",
         "Make them agree"],
    ),
    "PythonVersionUnavailable": (
        errors.PythonVersionUnavailable(".python-version", "3.99", ["3.13.1", "3.12.8"], "uv's built-in list"),
        ["Python 3.99 is not available", "no CPython release", "list: uv's built-in list",
         "Versions available: 3.13.1, 3.12.8", "Change the requested version"],
    ),
    "PythonDownloadsUnreadable": (
        errors.PythonDownloadsUnreadable("https://mirror.example.com/downloads.json", "error: 404 Not Found"),
        ["Could not read the Python download list", "https://mirror.example.com/downloads.json",
         "error: 404 Not Found", "Check that PYBUILDPACK_PYTHON_DOWNLOADS_JSON names a readable file"],
    ),
    "PythonInstallFailed": (
        errors.PythonInstallFailed("3.12.4", "error: hash mismatch"),
        ["Could not install Python 3.12.4", "error: hash mismatch", "sha256 checksums", "retry the build"],
    ),
    "FileUnreadable": (
        errors.FileUnreadable("pyproject.toml", "Expected '=' (at line 1, column 5)"),
        ["Could not read pyproject.toml", "Expected '='", "Fix the file's syntax"],
    ),
    "ProcfileInvalid": (
        errors.ProcfileInvalid(3, "web gunicorn app:app"),
        ["Invalid line in Procfile", "Procfile line 3", "    web gunicorn app:app",
         "    web: gunicorn myapp.wsgi"],
    ),
    "ProcfileDuplicate": (
        errors.ProcfileDuplicate("web", 1, 4),
        ["Procfile defines `web` twice", "Procfile line 4 defines the process type `web` again; line 1",
         "Keep one `web:` line"],
    ),
    "DependencyFileNotAFile": (
        errors.DependencyFileNotAFile("requirements.txt", "a directory"),
        ["requirements.txt is not a file", "it is a directory", "ship without its packages",
         "Make requirements.txt a regular file"],
    ),
    "ConfigVarInvalid": (
        errors.ConfigVarInvalid("PYBUILDPACK_INSTALLER", "'poetry'", "`uv` or `pip`"),
        ["Invalid value for PYBUILDPACK_INSTALLER", "is set to 'poetry'", "must be `uv` or `pip`",
         "heroku config:set PYBUILDPACK_INSTALLER=", "unset it to use the default"],
    ),
    "DependencyInstallFailed": (
        errors.DependencyInstallFailed("requirements.txt", "uv", "uv pip install -r requirements.txt",
                                       "error: No solution found\n  flask==99 does not exist"),
        ["Could not install the packages in requirements.txt", "uv failed while installing requirements.txt",
         "flask==99 does not exist", "Command: uv pip install -r requirements.txt", "misspelled name"],
    ),
    "RequirementsCompileFailed": (
        errors.RequirementsCompileFailed("requirements.in", "Could not find a version that matches flask==99"),
        ["Could not resolve the packages in requirements.in", "flask==99",
         "run `pip-compile requirements.in` locally"],
    ),
    "DependencyFilesNotInstalled": (
        errors.DependencyFilesNotInstalled([("conda", ["environment.yml"])]),
        ["pybuildpack does not install conda environments (environment.yml)",
         "environment.yml (conda): pybuildpack does not install conda environments",
         "would ship the app without its packages", "list the PyPI packages the app needs in requirements.txt",
         "installs from requirements.txt, requirements.in, uv.lock, poetry.lock\n !     and Pipfile.lock."],
    ),
    "SourceVariableUnset": (
        errors.SourceVariableUnset("Pipfile.lock", "private", "PRIVATE_INDEX_URL"),
        ["PRIVATE_INDEX_URL is not set, and Pipfile.lock needs it", "'private' in Pipfile.lock has ${PRIVATE_INDEX_URL}",
         "heroku config:set PRIVATE_INDEX_URL=..."],
    ),
    "IndexCredentialsRefused": (
        errors.IndexCredentialsRefused("https://deploy:hunter2@pkgs.example.com/simple/x/", "401"),
        ["A package index refused the credentials", "answered 401 (Unauthorized) for",
         "https://****@pkgs.example.com/simple/x/", "UV_INDEX_<NAME>_USERNAME", "POETRY_HTTP_BASIC_<NAME>_USERNAME",
         "PIP_INDEX_URL"],
    ),
    "IndexUnreachable": (
        errors.IndexUnreachable("http://deploy:hunter2@127.0.0.1:9/simple/flask/", "connection refused",
                                "requirements.txt"),
        ["Could not reach the package index", "connect to the package index at\n !         http://****@127.0.0.1:9/",
         "The packages in requirements.txt could not be downloaded: the installer could not", "(connection refused).",
         "build again once it answers", "PIP_INDEX_URL or PIP_EXTRA_INDEX_URL config var"],
    ),
    "SeveralPackageManagers": (
        errors.SeveralPackageManagers([("requirements.txt", "pip"), ("uv.lock", "uv")],
                                      "PYBUILDPACK_PACKAGE_MANAGER", ["requirements", "requirements-in", "uv"], "uv"),
        ["Dependency files of several package managers", "  - requirements.txt (pip)\n !       - uv.lock (uv)\n",
         "will not guess", "delete the files you no longer use",
         "heroku config:set PYBUILDPACK_PACKAGE_MANAGER=uv", "its values: requirements, requirements-in, uv"],
    ),
    "PackageManagerFileMissing": (
        errors.PackageManagerFileMissing("PYBUILDPACK_PACKAGE_MANAGER", "uv", ["uv.lock"]),
        ["No uv.lock for PYBUILDPACK_PACKAGE_MANAGER=uv", "set to 'uv', which installs from", "has no uv.lock",
         "Commit uv.lock, or set PYBUILDPACK_PACKAGE_MANAGER"],
    ),
    "UvProjectMissing": (
        errors.UvProjectMissing(),
        ["uv.lock without a pyproject.toml", "no pyproject.toml beside it", "Commit the pyproject.toml"],
    ),
    "UvLockOutdated": (
        errors.UvLockOutdated(),
        ["uv.lock is out of date", "no longer matches pyproject.toml", "Run `uv lock` in the app",
         "commit the updated uv.lock"],
    ),
    "UvLockFailed": (
        errors.UvLockFailed("uv export --locked", "error: Failed to parse `uv.lock`"),
        ["Could not read the packages in uv.lock", "Failed to parse", "Command: uv export --locked",
         "Fix the problem uv names above"],
    ),
    "SelectionUnknown": (
        errors.SelectionUnknown("PYBUILDPACK_GROUPS", ["prod"], "pyproject.toml", ["dev", "docs"]),
        ["PYBUILDPACK_GROUPS names dependency groups that pyproject.toml does not declare", "asks for prod",
         "It declares: dev, docs", "Fix the spelling in PYBUILDPACK_GROUPS"],
    ),
    "PoetryPyprojectMissing": (
        errors.PoetryPyprojectMissing(),
        ["poetry.lock without pyproject.toml", "cannot tell which", "Commit the pyproject.toml"],
    ),
    "PoetryLockOutdated": (
        errors.PoetryLockOutdated("its content-hash does not match the dependencies in pyproject.toml"),
        ["poetry.lock is out of date", "no longer matches pyproject.toml: its content-hash does not match",
         "Run `poetry lock`", "`poetry lock --no-update`", "commit the new"],
    ),
    "PipfileLockMissing": (
        errors.PipfileLockMissing(),
        ["Pipfile without Pipfile.lock", "will not resolve the Pipfile's ranges", "Run `pipenv lock`",
         "commit Pipfile.lock"],
    ),
    "PipfileLockOutdated": (
        errors.PipfileLockOutdated("a" * 58 + "123456", "b" * 58 + "abcdef"),
        ["Pipfile.lock is out of date", "its hash is 123456", "Pipfile's is abcdef", "Run `pipenv lock`"],
    ),
    "CollectstaticFailed": (
        errors.CollectstaticFailed("python manage.py collectstatic --noinput", "ImproperlyConfigured: STATIC_ROOT"),
        ["collectstatic failed", "ImproperlyConfigured", "Command: python manage.py collectstatic --noinput",
         "DISABLE_COLLECTSTATIC=1"],
    ),
    "DjangoProbeFailed": (
        errors.DjangoProbeFailed("mysite.settings", "Segmentation fault", -11),
        ["Could not load your Django settings", "imports mysite.settings", "exited with status -11",
         "Segmentation fault", "Run `python manage.py collectstatic --noinput` locally"],
    ),
    "HookFailed": (
        errors.HookFailed("bin/post_compile", 3),
        ["bin/post_compile failed", "exited with status 3", "Fix the script, or remove bin/post_compile"],
    ),
    "HookNotRunnable": (
        errors.HookNotRunnable("bin/pre_compile", "exec format error"),
        ["bin/pre_compile could not be started", "exec format error", "needs a shebang line"],
    ),
    "AppFileSyntaxError": (
        errors.AppFileSyntaxError("main.py", 5, "invalid syntax", "3.12.1"),
        ["main.py is not valid Python 3.12.1", "main.py line 5: invalid syntax", "stop at start",
         "python -m py_compile main.py"],
    ),
    "ServerCannotStart": (
        errors.ServerCannotStart("gunicorn", "web", "  File \"gunicorn/util.py\", line 25, in <module>\n"
                                                    "    import pkg_resources\n"
                                                    "ModuleNotFoundError: No module named 'pkg_resources'\n"),
        ["gunicorn cannot start in the app's environment", "The web process runs gunicorn",
         "import pkg_resources", "would stop at start", "    setuptools<82"],
    ),
    "PoetryProjectBuildFailed": (
        errors.PoetryProjectBuildFailed("poetry.masonry.api", "uv pip install -r poetry-requirements.txt",
                                        "AttributeError: module 'poetry.masonry.api' has no attribute 'build_editable'"),
        ["Could not install the project itself from pyproject.toml", "names (poetry.masonry.api), and that failed",
         "has no attribute 'build_editable'", "    package-mode = false", "`poetry build`",
         "before poetry-core", '    build-backend = "poetry.core.masonry.api"'],
    ),
    "BuiltForNumpy1": (
        errors.BuiltForNumpy1([("pandas", "1.3.5", "2.2.2")], "2.0.2", "requirements.txt"),
        ["pandas 1.3.5 cannot run with numpy 2.0.2", "built for numpy 1", "numpy.dtype size changed",
         "stop at start", "Pin numpy below 2 in requirements.txt"],
    ),
    "UwsgiHomeUnset": (
        errors.UwsgiHomeUnset("etc/uwsgi.ini line 7", "virtualenv = $(VIRTUAL_ENV)", "web", in_file=True),
        ["etc/uwsgi.ini line 7 sets `virtualenv = $(VIRTUAL_ENV)`", "for the web process",
         "No module named 'encodings'", "    if-env = VIRTUAL_ENV", "    virtualenv = %(_)", "    endif ="],
    ),
    "FrameworkNotDeclared": (
        errors.FrameworkNotDeclared("Flask", "app.py line 3"),
        ["The app uses Flask, but declares no dependencies", "app.py line 3 is a Flask app",
         "ModuleNotFoundError", "requirements.txt that lists Flask"],
    ),
    "ServerCannotServe": (
        errors.ServerCannotServe("PYBUILDPACK_SERVER", "gunicorn", "ASGI", "main.py line 3", ["uvicorn", "hypercorn"]),
        ["gunicorn cannot serve this app", "chooses gunicorn", "is an\n !     ASGI app", "Set PYBUILDPACK_SERVER to one of uvicorn, hypercorn"],
    ),
    "SelectionNotSupported": (
        errors.SelectionNotSupported("PYBUILDPACK_GROUPS", "requirements.txt"),
        ["PYBUILDPACK_GROUPS is set, but requirements.txt has no dependency groups", "Unset PYBUILDPACK_GROUPS",
         "[dependency-groups]"],
    ),
    "PoetryLockMissing": (
        errors.PoetryLockMissing(),
        ["Poetry project without poetry.lock", "[tool.poetry]", "Run `poetry lock` and commit poetry.lock"],
    ),
    "PylockAmbiguous": (
        errors.PylockAmbiguous(["pylock.dev.toml", "pylock.prod.toml"]),
        ["Several pylock files and no pylock.toml", "  - pylock.dev.toml", "  - pylock.prod.toml",
         "Rename the one to install to pylock.toml"],
    ),
    "PylockInvalid": (
        errors.PylockInvalid("pylock.toml", "it has no [[packages]] list."),
        ["pylock.toml is not a usable lock", "no [[packages]] list", "uv export --format pylock.toml"],
    ),
    "PathDependencyOutsideApp": (
        errors.PathDependencyOutsideApp("pyproject.toml", 5, "lib @ file:///home/me/lib", "/home/me/lib"),
        ["pyproject.toml depends on a path outside the app", "pyproject.toml line 5 names",
         "'lib @ file:///home/me/lib'", "outside the app", "Move the package inside the app"],
    ),
    "SetupPyFailed": (
        errors.SetupPyFailed("setup.py", "uv pip install .", "RuntimeError: no version"),
        ["Could not build the app from setup.py", "RuntimeError: no version", "Command: uv pip install .",
         "Fix setup.py", "list the\n !     app's dependencies in requirements.txt"],
    ),
    "ProjectBuildFailed": (
        errors.ProjectBuildFailed("uv pip install .", "Multiple top-level packages discovered in a flat-layout"),
        ["Could not build the project from pyproject.toml", "[build-system] table", "Multiple top-level packages",
         "Command: uv pip install .", "remove the [build-system] table"],
    ),
    "InstallerNotSupported": (
        errors.InstallerNotSupported("pip", "pylock.toml"),
        ["PYBUILDPACK_INSTALLER=pip cannot install from pylock.toml", "Unset PYBUILDPACK_INSTALLER"],
    ),
    "InternalError": (
        errors.InternalError("No site-packages directory.", "Traceback ..."),
        ["Internal error in pybuildpack", "No site-packages directory.", "Traceback ...",
         "not in your app", "please report it"],
    ),
    "CnbVariableMissing": (
        errors.CnbVariableMissing("CNB_LAYERS_DIR"),
        ["Internal error in pybuildpack", "CNB_LAYERS_DIR is not set", "must be run by a CNB lifecycle",
         "not in your app"],
    ),
    "ToolEnvFailed": (
        errors.ToolEnvFailed("uv: network unreachable"),
        ["Internal error in pybuildpack", "Could not set up pybuildpack's own tools.", "network unreachable",
         "not in your app"],
    ),
    # -- the app finder (inspect/web_app.py) --
    "DjangoApplicationMissing": (
        errors.DjangoApplicationMissing("WSGI_APPLICATION", "mysite.wsgy.application", "mysite/settings.py", 57, ""),
        ["WSGI_APPLICATION names a module that does not exist",
         "WSGI_APPLICATION in mysite/settings.py line 57 is 'mysite.wsgy.application'",
         "no module mysite.wsgy:", "no mysite/wsgy.py and no mysite/wsgy/__init__.py",
         "Create mysite/wsgy.py with the application in it", "point WSGI_APPLICATION at the module that has it",
         "add a Procfile"],
    ),
    # --- WSGI servers (waitress, uWSGI, mod_wsgi-express) ---
    "ApacheMissing": (
        errors.ApacheMissing("this build machine has no apxs (apache2-dev)", "wsgi.py"),
        ["mod_wsgi-express needs Apache httpd, and this build machine has no apxs (apache2-dev)",
         "(wsgi.py)", "apt-get install apache2 apache2-dev", "Heroku's stacks", "PYBUILDPACK_SERVER=gunicorn"],
    ),
}

ERRORS.update(LOCAL_ERRORS)

# --- issue 11, helper B: the pip installer for pyproject.toml ---
PIP_PYPROJECT_ERRORS = {
    "UvSourcesNeedUv": (
        errors.UvSourcesNeedUv("pyproject.toml", ["mylib", "tools"]),
        ["The pip installer cannot honour [tool.uv.sources] in pyproject.toml", "takes mylib, tools from",
         "Only uv reads that table", "Unset PYBUILDPACK_INSTALLER", "`name @ URL`"],
    ),
}
ERRORS.update(PIP_PYPROJECT_ERRORS)

APP_WHEEL_ERRORS = {
    "AppWheelInvalid": (
        errors.AppWheelInvalid("pyproject.toml", "todo-app", "0.1.0",
                               "invalid console script: 'python{args:src/cli.py}seed-db'", "uv pip install -r x"),
        ["The app's own package (todo-app 0.1.0) could not be installed", "pyproject.toml makes the app a package",
         "invalid console script", "Command: uv pip install -r x", "`module:function`", "Procfile process"],
    ),
}
ERRORS.update(APP_WHEEL_ERRORS)

APP_ROOT_ERRORS = {
    "AppRootInvalid": (
        errors.AppRootInvalid("config var PYBUILDPACK_APP_ROOT", "apps/nope", "there is no such directory"),
        ["The app's directory is not in the repository", "config var PYBUILDPACK_APP_ROOT names 'apps/nope'",
         "there is no such directory", "PYBUILDPACK_APP_ROOT=apps/web"],
    ),
    "TwoProcfiles": (
        errors.TwoProcfiles("apps/api"),
        ["Two Procfiles", "apps/api/Procfile", "Keep one"],
    ),
}
ERRORS.update(APP_ROOT_ERRORS)

# --- settings in pyproject.toml's [tool.pybuildpack] (issue 9, helper P) ---
SETTINGS_ERRORS = {
    "SettingUnknown": (
        errors.SettingUnknown("sever", 5, ["server", "installer"], "server"),
        ["Unknown setting `sever` in pyproject.toml", "pyproject.toml line 5 sets `sever`",
         "Did you mean `server`?", "  - server\n !       - installer", "Fix the key's spelling"],
    ),
    "SettingInvalid": (
        errors.SettingInvalid("collectstatic", 'collectstatic = "no"', 3, "true or false (no quotes)"),
        ["Invalid value for collectstatic in pyproject.toml", 'pyproject.toml line 3 has `collectstatic = "no"`',
         "collectstatic must be true or false (no quotes)", "remove it to use the default"],
    ),
}
ERRORS.update(SETTINGS_ERRORS)

# --- issue 9, helper R: release tasks and Heroku CI ---
RELEASE_ERRORS = {
    "ReleaseFailed": (
        errors.ReleaseFailed("python migrate.py", "Procfile line 2", "exited with status 3", "0.4s", True),
        ["The release process failed", "`python migrate.py` (Procfile line 2) exited with status 3 after 0.4s",
         "its output is above", "The web process was not started", "`pybuildpack release`",
         "`pybuildpack up --no-release`"],
    ),
    "ReleaseInFormation": (
        errors.ReleaseInFormation("-c"),
        ["-c cannot run the release process", "-c names `release`", "runs once per deploy",
         "`start --all` never starts it", "`export` writes no", "Leave it out of -c", "`pybuildpack release`"],
    ),
}
ERRORS.update(RELEASE_ERRORS)

# --- the web process at start (pybuildpack start / up) ---
ERRORS.update({
    "WebProcessExitedAtStart": (
        errors.WebProcessExitedAtStart("python app.py", 3, ["Traceback (most recent call last):",
                                                            "ModuleNotFoundError: No module named 'flask'"], 5000),
        ["The web process exited before it served", "`python app.py` exited with status 3",
         "before it answered on port 5000", "    ModuleNotFoundError: No module named 'flask'",
         "Fix what its output above says", "`pybuildpack start` again"],
    ),
})

# --- Heroku's contract and the Python lifecycle (issue 13, helper C) ---
ERRORS.update({
    "CommittedEnvironment": (
        errors.CommittedEnvironment(".venv", "a virtualenv", False),
        ["The app's source contains a Python environment: .venv/", ".venv/ is a virtualenv",
         "made on another machine",
         "    git rm -r --cached .venv", "    echo /.venv/ >> .gitignore", ".slugignore"],
    ),
    "LocalPythonNotReleased": (
        errors.LocalPythonNotReleased(".python-version", "3.99", ["3.13.0", "3.12.1"]),
        ["Python 3.99 is not a CPython release", ".python-version asks for Python 3.99",
         "Versions available: 3.13.0, 3.12.1", "Change .python-version to one of those versions"],
    ),
})
# --- every process at once, and exports (start --all, export; issue 12) ---
ERRORS.update({
    "ConcurrencyInvalid": (
        errors.ConcurrencyInvalid("web=two", "the number of web copies, 'two', is not a whole number"),
        ["Invalid -c/--concurrency", "-c is 'web=two', but the number of web copies", "TYPE=NUMBER pairs",
         "`-c web=2,worker=1`", "`worker=0` leaves it out"],
    ),
    "ConcurrencyUnknownProcess": (
        errors.ConcurrencyUnknownProcess("wrker", ["web", "worker"]),
        ["No process type named 'wrker'", "-c names 'wrker'", "process types are: web, worker",
         "Check the spelling in -c", "`wrker: <command>` line to the Procfile"],
    ),
    "NoProcesses": (
        errors.NoProcesses(),
        ["The app has no processes", "defines no process types", "    web: gunicorn myapp.wsgi",
         "    worker: python worker.py"],
    ),
    "FormationPortsTooHigh": (
        errors.FormationPortsTooHigh("worker.1", 65600, 65500),
        ["Base port too high", "worker.1 would get PORT=65600 (from the base port 65500", "ports end at 65535",
         "--port 5000"],
    ),
    "ProcessPortInUse": (
        errors.ProcessPortInUse("web.2", 5001, "another program is listening on it", 5000),
        ["Port 5001 is in use", "web.2 would listen on port 5001, but another program is listening on it",
         "Stop the program", "`pybuildpack start --all --port 6000`"],
    ),
    "ExportDirNotEmpty": (
        errors.ExportDirNotEmpty("units", ["a", "b", "c", "d", "e", "f"]),
        ["units holds other files", "did not write: a, b, c, d, e, ...", "Give an empty (or new) directory",
         "/etc/systemd/system", "Units of an earlier export of"],
    ),
    "ExportTargetInvalid": (
        errors.ExportTargetInvalid("shop.conf", "the file exists and pybuildpack did not write it"),
        ["Cannot write shop.conf", "cannot write to shop.conf: the file exists",
         "`pybuildpack export supervisord myapp.conf`"],
    ),
    "ExportNameInvalid": (
        errors.ExportNameInvalid("--app", "my app", "a unit or program name takes only letters"),
        ["Invalid --app", "--app is 'my app', but a unit or program name", "`--app myapp`"],
    ),
})


# --- Source-to-Image and OpenShift's APP_* variables (issue 9, helper S) ---
S_ERRORS = {
    "AppVariableInvalid": (
        errors.AppVariableInvalid("APP_FILE", "missing.py", "the app has no file missing.py",
                                  "APP_FILE=<a file of the app, relative to its top directory>"),
        ["Invalid value for APP_FILE", "APP_FILE is set to 'missing.py', but the app has no file missing.py.",
         "as in OpenShift's Python image", "    APP_FILE=<a file of the app", ".s2i/environment",
         "unset it to let pybuildpack find the web process"],
    ),
    "AppVariablesConflict": (
        errors.AppVariablesConflict(["APP_MODULE", "APP_FILE"]),
        ["Both APP_MODULE and APP_FILE are set", "APP_MODULE and APP_FILE each name the app's web process",
         "does not pick one for you", "unset the others"],
    ),
    "AppVariableConflictsWithProcfile": (
        errors.AppVariableConflictsWithProcfile("APP_MODULE", "site_app:server", "Procfile line 2",
                                                "gunicorn other:app"),
        ["APP_MODULE and the Procfile name different web processes",
         "APP_MODULE is set to 'site_app:server', but Procfile line 2 runs another command:",
         "    web: gunicorn other:app", "Heroku always runs the Procfile's web line",
         "Unset APP_MODULE, or remove the Procfile's web line"],
    ),
    "S2iEnvironmentInvalid": (
        errors.S2iEnvironmentInvalid(3, "SECRET_KEY abc", "it has no `=`"),
        ["Invalid line in .s2i/environment", ".s2i/environment line 3 is not of the form NAME=value "
         "(it has no `=`):", "    SECRET_KEY ...", "APP_MODULE=myproject.wsgi:application", "taken as it is"],
    ),
    "S2iNotAssembled": (
        errors.S2iNotAssembled("/opt/app-root/pybuildpack/state/launch.json"),
        ["not built by pybuildpack's assemble script", "/opt/app-root/pybuildpack/state/launch.json does not exist",
         ".s2i/bin/assemble", "/usr/libexec/s2i/assemble"],
    ),
    "S2iNoWebProcess": (
        errors.S2iNoWebProcess(["worker"]),
        ["The app has no web process to run", "The app's processes are: worker.", "APP_MODULE (`module:callable`)",
         "    web: gunicorn myproject.wsgi"],
    ),
}
ERRORS.update(S_ERRORS)


def test_a_committed_heroku_python_dir_says_it_is_where_python_goes():
    text = render(errors.CommittedEnvironment(".heroku/python", "a virtualenv", True))
    assert "where pybuildpack installs" in text and "git rm -r --cached .heroku/python" in text


def test_the_local_error_for_a_version_that_does_not_exist_never_suggests_installing_it():
    text = render(errors.LocalPythonNotReleased(".python-version", "3.99", ["3.13.0"]))
    assert "pyenv install" not in text and "3.99" in text


def test_no_processes_after_a_formation_of_zeros_says_to_give_one_a_copy():
    text = render(errors.NoProcesses(counts_given=True))
    assert "No processes to run" in text and "every process type 0 copies" in text and "`-c web=1`" in text


def test_a_web_process_that_exits_0_at_start_is_told_to_name_a_server():
    text = render(errors.WebProcessExitedAtStart("python app.py", 0, [], 5000))
    assert "`python app.py` exited with status 0" in text and "(it printed nothing)" in text
    assert "runs no server" in text and "`web: gunicorn wsgi:app`" in text


def test_a_web_process_killed_at_start_names_the_signal():
    assert "`python app.py` was killed by SIGKILL" in render(errors.WebProcessExitedAtStart("python app.py", -9, [], 5000))



def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_user_error_and_internal_error_subclass_has_a_rendering_case():
    classes = {errors.InternalError, *_all_subclasses(errors.UserError), *_all_subclasses(errors.InternalError)}
    assert {c.__name__ for c in classes} == set(ERRORS)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_renders_a_bang_block_saying_what_happened_and_how_to_fix_it(name):
    error, phrases = ERRORS[name]
    text = render(error)
    lines = text.split("\n")
    assert lines[0] == "" and lines[-2:] == ["", ""]
    assert lines[1] == f" !     Error: {error.title}"
    assert all(line.startswith(" !") for line in lines[1:-2])
    for phrase in phrases:
        assert phrase in text


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_title_is_its_exception_message(name):
    error, _ = ERRORS[name]
    assert str(error) == error.title


def test_internal_errors_are_not_user_errors_and_are_worded_as_our_fault():
    error = errors.InternalError("Could not create the app's virtualenv.")
    assert not isinstance(error, errors.UserError)
    assert isinstance(errors.ToolEnvFailed("x"), errors.InternalError)
    assert not isinstance(errors.ToolEnvFailed("x"), errors.UserError)
    assert "problem in pybuildpack" in error.body


def test_code_that_catches_user_errors_never_catches_an_internal_error():
    try:
        try:
            raise errors.InternalError("a bug")
        except errors.UserError:  # what advice-giving code catches
            raise AssertionError("an internal error was caught as a user error")
    except errors.InternalError as error:
        assert "a bug" in error.body


@pytest.mark.parametrize("raised, status, title", [
    (errors.FileUnreadable("Procfile", "bad"), 1, "Error: Could not read Procfile"),
    (errors.InternalError("a bug"), 1, "Error: Internal error in pybuildpack"),
    (KeyError("surprise"), 1, "Error: Internal error in pybuildpack"),
    (KeyboardInterrupt(), 130, "Error: Interrupted"),
])
def test_guarded_turns_each_kind_of_failure_into_a_block_and_a_status(raised, status, title):
    from .helpers import logged, string_log

    log = string_log()

    def fail():
        raise raised

    assert errors.guarded(log, fail) == status
    assert f" !     {title}\n" in logged(log)


def test_guarded_shows_the_traceback_of_an_unexpected_exception_as_our_bug():
    from .helpers import logged, string_log

    log = string_log()
    assert errors.guarded(log, lambda: {}["missing"]) == 1
    assert "KeyError: 'missing'" in logged(log) and "please report it" in logged(log)


def test_guarded_returns_the_actions_status():
    from .helpers import string_log

    assert errors.guarded(string_log(), lambda: None) == 0
    assert errors.guarded(string_log(), lambda: 3) == 3


def test_long_command_output_is_cut_to_its_last_lines():
    output = "\n".join(f"line {n}" for n in range(1, 101))
    body = errors.DependencyInstallFailed("requirements.txt", "uv", "uv pip install", output).body
    assert "line 100" in body and "line 76" in body
    assert "line 75\n" not in body


def test_python_version_unavailable_with_an_empty_list_says_none():
    error = errors.PythonVersionUnavailable("The build", "3 (any)", [], "downloads.json")
    assert "Versions available: (none)" in error.body


# -- secrets ----------------------------------------------------------------------

def test_download_list_url_credentials_are_hidden_even_outside_the_log():
    error = errors.PythonDownloadsUnreadable(f"https://deploy:{SECRET}@mirror.example.com/d.json", "404")
    assert SECRET not in error.body
    assert "https://****@mirror.example.com/d.json" in error.body


def test_install_failure_output_does_not_leak_an_index_password():
    error = errors.DependencyInstallFailed(
        "requirements.txt", "uv", f"uv pip install --index-url {INDEX} -r requirements.txt",
        f"error: Failed to fetch: {INDEX}/flask/\n  Caused by: 401 Unauthorized",
    )
    text = render(error, secrets=[SECRET])
    assert SECRET not in text
    assert "https://****@pypi.example.com/simple" in text


def test_registered_secret_in_hook_output_is_masked_in_the_error():
    error = errors.HookNotRunnable("bin/post_compile", f"cannot use token {SECRET}")
    assert SECRET not in render(error, secrets=[SECRET])


# -- warnings ---------------------------------------------------------------------

WARNINGS = {
    "python_version_not_pinned": (
        errors.python_version_not_pinned("3.13.1"),
        ["No Python version was requested", "used Python 3.13.1", "echo 3.X > .python-version",
         "fail to install on Python 3.13"],
    ),
    "runtime_txt_deprecated": (
        errors.runtime_txt_deprecated(),
        ["runtime.txt is deprecated", "Replace it with", "> .python-version"],
    ),
    "uvicorn_without_graceful_timeout": (
        errors.uvicorn_without_graceful_timeout("0.18.3", "0.22", "20"),
        ["uvicorn 0.18.3 has no time limit for stopping", "older than 0.22", "--timeout-graceful-shutdown",
         "30 s later", "Allow uvicorn 0.22 or later", "20 s to finish"],
    ),
    "uwsgi_reloads_on_sigterm": (
        errors.uwsgi_reloads_on_sigterm("web", "etc/uwsgi.ini line 3", in_file=True),
        ["uWSGI reloads when asked to stop", "master process (etc/uwsgi.ini line 3)", "30 s later",
         "Add these lines to etc/uwsgi.ini", "    die-on-term = true",
         "    hook-master-start = unix_signal:15 gracefully_kill_them_all"],
    ),
    "config_var_ignored": (
        errors.config_var_ignored(["LD_PRELOAD", "PATH"]),
        ["not used during the build", "  - LD_PRELOAD\n  - PATH", "still apply at runtime"],
    ),
    "no_requirements_file": (
        errors.no_requirements_file(),
        ["No requirements file found", "no requirements.txt, requirements.in, uv.lock, poetry.lock,",
         "List your\ndependencies in requirements.txt", "commit the lock of your package manager"],
    ),
    "static_root_supplied": (
        errors.static_root_supplied("staticfiles/"),
        ["STATIC_ROOT is not set", "collects static files into staticfiles/", "set STATIC_ROOT"],
    ),
    "no_web_process": (
        errors.no_web_process(["an executable app.sh", "app.py"]),
        ["No web process", "  - an executable app.sh\n  - app.py", "Add a Procfile", "web: gunicorn myapp.wsgi"],
    ),
    "app_sh_not_executable": (
        errors.app_sh_not_executable(),
        ["app.sh is not executable", "skipped", "chmod +x app.sh"],
    ),
}
WARNINGS.update(LOCAL_WARNINGS)
# --- the web process at start (pybuildpack start / up) ---
WARNINGS["web_process_not_answering"] = (errors.web_process_not_answering(5000, 30),
                                         ["Nothing answers on port 5000 yet", "run for 30 s", "0.0.0.0:$PORT"])
# --- Heroku's contract and the Python lifecycle (issue 13, helper C) ---
WARNINGS.update({
    "committed_environment_shipped": (
        errors.committed_environment_shipped("venv"),
        ["The app's source contains a Python environment: venv/", "`pack build` sends the whole",
         'exclude = ["/venv"]'],
    ),
    "python_end_of_life": (
        errors.python_end_of_life("3.9", date(2025, 10, 31), ".python-version", "3.12"),
        ["Python 3.9 has reached its end of life", "stopped getting security fixes in October 2025",
         "The version comes from .python-version.", "    echo 3.12 > .python-version"],
    ),
    "python_end_of_life_soon": (
        errors.python_end_of_life_soon("3.11", date(2027, 10, 31), "runtime.txt", None),
        ["Python 3.11 reaches its end of life in October 2027", "The version comes from runtime.txt.",
         "Upgrade to a supported Python"],
    ),
    "python_patch_outdated": (
        errors.python_patch_outdated("3.12.3", "3.12.8", ".python-version"),
        ["Python 3.12.3 has a newer patch release: 3.12.8", ".python-version pins Python 3.12.3",
         "    echo 3.12 > .python-version"],
    ),
})
# --- every process at once (start --all; issue 12) ---
WARNINGS["process_failed"] = (errors.process_failed("worker.1", "exited with status 3"),
                              ["worker.1 exited with status 3", "stopped the other processes",
                               "prefixed with `worker.1`", "`pybuildpack start worker`"])
# --- Django production readiness: check --deploy (issue 9, helper D) ---
DJANGO_DEPLOY_WARNINGS = {
    "deploy_check_findings": (
        errors.deploy_check_findings("python manage.py check --deploy",
                                     [("security.W004", "You have not set a value for the SECURE_HSTS_SECONDS setting."),
                                      ("security.W18", "You should not have DEBUG set to True in deployment.")]),
        ["Django's deployment checks found 2 issues",
         "security.W004  You have not set a value for the SECURE_HSTS_SECONDS setting.\n"
         "security.W18   You should not have DEBUG set to True",
         "They do not stop the build", "Run `python manage.py check --deploy` with the\nproduction settings",
         "SILENCED_SYSTEM_CHECKS"],
    ),
    "deploy_check_crashed": (
        errors.deploy_check_crashed("cd src && python manage.py check --deploy", "RuntimeError: boom"),
        ["Django's deployment checks could not run", "`cd src && python manage.py check --deploy` failed:",
         "    RuntimeError: boom", "does not stop the build"],
    ),
}
WARNINGS.update(DJANGO_DEPLOY_WARNINGS)


# Source-to-Image (issue 9, helper S).
WARNINGS["app_config_not_used"] = (errors.app_config_not_used("Procfile line 1", "uvicorn"),
                                   ["APP_CONFIG is not used", "gunicorn configuration file",
                                    "(Procfile line 1) runs uvicorn", "PYBUILDPACK_SERVER=gunicorn"])

@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_warning_is_a_title_and_body_that_render_as_a_block(name):
    (title, body), phrases = WARNINGS[name]
    assert block(title, body).startswith(f"\n !     Warning: {title}\n !\n")
    for phrase in phrases:
        assert phrase in f"{title}\n{body}"


def test_every_warning_function_has_a_case():
    # Warnings are the functions annotated to return a (title, body) tuple.
    warning_functions = {name for name, value in vars(errors).items()
                         if callable(value) and not isinstance(value, type)
                         and getattr(value, "__annotations__", {}).get("return") == "tuple"}
    assert warning_functions == set(WARNINGS)


# -- notices ----------------------------------------------------------------------

def test_server_added_names_package_version_and_reason():
    assert errors.server_added("gunicorn", "27.0.1", "the web process runs under gunicorn") == (
        "Added gunicorn==27.0.1 to the install: the web process runs under gunicorn"
    )


def test_uv_exported_says_what_the_install_leaves_out():
    assert errors.uv_exported(7, "uv.lock", ()) == (
        "uv.lock locks 7 packages for production (its dependencies, without the dev group)")
    assert errors.uv_exported(9, "uv.lock", ("web",)) == (
        "uv.lock locks 9 packages for production (its dependencies and the group web, without the dev group)")


@pytest.mark.parametrize("found, title, advice", [
    ([("pdm", ["pdm.lock"])], "pybuildpack does not install from pdm.lock yet",
     ["pdm.lock (PDM): pybuildpack does not install from pdm.lock yet", "  - PDM: pdm export --prod -o requirements.txt"]),
    ([("conda", ["environment.yml"])], "pybuildpack does not install conda environments (environment.yml)",
     ["environment.yml (conda): pybuildpack does not install conda environments",
      "list the PyPI packages the app needs in requirements.txt"]),
    ([("conda", ["environment.yml", "environment.yaml"])],
     "pybuildpack does not install conda environments (environment.yml, environment.yaml)",
     ["  - conda: list the PyPI packages"]),
])
def test_each_dependency_file_we_cannot_install_says_how_to_get_going(found, title, advice):
    error = errors.DependencyFilesNotInstalled(found)
    assert error.title == title
    for phrase in advice:
        assert phrase in error.body


def test_collectstatic_disabled_names_the_config_var():
    assert errors.collectstatic_disabled() == "Skipping collectstatic: DISABLE_COLLECTSTATIC is set"


def test_cache_discarded_lists_every_reason():
    assert errors.cache_discarded("environment", ["stack changed (a -> b)", "Python version changed (1 -> 2)"]) == (
        "Discarding cached environment: stack changed (a -> b); Python version changed (1 -> 2)"
    )


# -- detect -----------------------------------------------------------------------

def test_detect_failed_lists_the_looked_for_files_and_the_directory():
    text = errors.detect_failed(["requirements.txt", "pyproject.toml"], ["README.md", "src/"])
    assert "does not look like a Python app" in text
    assert "  - requirements.txt\n  - pyproject.toml\n" in text
    assert "The app directory holds:\n  - README.md\n  - src/\n" in text
    assert "Add a requirements.txt" in text


def test_detect_failed_on_an_empty_directory_says_so():
    text = errors.detect_failed(["requirements.txt"], [])
    assert "The app directory holds:\n  (the directory is empty)\n" in text


# -- the app finder (inspect/web_app.py) ------------------------------------------------------

def test_no_web_process_with_what_the_build_saw_and_an_app_it_found_elsewhere():
    title, body = errors.no_web_process(["an executable app.sh", "app.py"],
                                        ["service.py line 2 defines a FastAPI app, `api`, in a file not looked in"],
                                        "web: uvicorn service:api --host 0.0.0.0 --port $PORT", "FastAPI")
    assert title == "No web process"
    assert body.endswith("It saw:\n"
                         "  - service.py line 2 defines a FastAPI app, `api`, in a file not looked in\n"
                         "To serve that app, add a Procfile with this line:\n"
                         "    web: uvicorn service:api --host 0.0.0.0 --port $PORT")


def test_no_web_process_with_an_example_for_the_framework_the_dependencies_name():
    _, body = errors.no_web_process(["app.py"], ["app.py neither defines an app object or factory nor starts a server"],
                                    "web: gunicorn app:app", "Flask")
    assert body.endswith("Your dependencies name Flask. Add a Procfile with a web process, for example:\n"
                         "    web: gunicorn app:app")


def test_django_application_missing_in_a_nested_project_says_where_modules_are_looked_for():
    error = errors.DjangoApplicationMissing("ASGI_APPLICATION", "mysite.routing.application", "src/mysite/settings.py",
                                            3, "src")
    assert error.title == "ASGI_APPLICATION names a module that does not exist"
    assert "no module mysite.routing (relative to src/, where manage.py is)" in error.body
    assert "Create mysite/routing.py with the application in it" in error.body
    assert "point ASGI_APPLICATION at the module that has it" in error.body


def test_a_resolver_traceback_is_cut_to_its_exception_line():
    output = ("  ERROR: Cannot install flask==3.0.0 and werkzeug<2 because these package versions have conflicting"
              " dependencies.\nTraceback (most recent call last):\n  File \"/x/pip/resolver.py\", line 9, in resolve\n"
              "    raise error from e\nResolutionImpossible: [...]\n\nThe above exception was the direct cause of the"
              " following exception:\n\nTraceback (most recent call last):\n  File \"/x/piptools/compile.py\", line 5\n"
              "    results = resolver.resolve()\npip._internal.exceptions.DistributionNotFound: ResolutionImpossible\n")
    from pybuildpack.steps.dependencies import without_tracebacks

    body = errors.RequirementsCompileFailed("requirements.in", without_tracebacks(output)).body
    assert "Traceback" not in body and "File \"" not in body and "The above exception" not in body
    assert "Cannot install flask==3.0.0 and werkzeug<2" in body
    assert "ResolutionImpossible: [...]\n" in body and "pip._internal.exceptions.DistributionNotFound" in body


# --- issue 13, helper B: unreadable files, Django settings imports, native builds, full disks ---
_SETTINGS_REPORT = {"type": "KeyError", "message": "'SECRET_KEY'", "environ": True,
                    "frames": [{"file": "mysite/settings.py", "line": 23, "function": "<module>",
                                "source": "SECRET_KEY = os.environ['SECRET_KEY']"}]}

ERRORS.update({
    "AppFileUnreadable": (
        errors.AppFileUnreadable("requirements.txt", "permission denied (the build runs as a user that cannot read it)"),
        ["Could not read requirements.txt", "The build must read requirements.txt, but permission denied",
         "Commit requirements.txt as a regular, readable file"],
    ),
    "AppFileNotUtf8": (
        errors.AppFileNotUtf8("requirements.txt", 3, 7, "e9"),
        ["requirements.txt is not UTF-8", "line 3, column 7, has the byte 0xe9", "Save requirements.txt as UTF-8",
         "iconv -f latin1 -t utf-8"],
    ),
    "VersionFileNotAFile": (
        errors.VersionFileNotAFile(".python-version", "it is a named pipe (FIFO)"),
        [".python-version is not a file", "but it is a named pipe (FIFO)", "pick a version you did not ask for",
         "Make .python-version a regular file"],
    ),
    "RequirementsIncludeMissing": (
        errors.RequirementsIncludeMissing("requirements.txt", 2, "-r", "prod.txt", "there is no such file"),
        ["requirements.txt line 2 includes a file that cannot be read", "`-r prod.txt`, but there is no such file",
         "Commit prod.txt"],
    ),
    "RequirementsControlCharacter": (
        errors.RequirementsControlCharacter("requirements.txt", 1, 6, 0),
        ["requirements.txt line 1 has a control character", "column 6, holds the control character 0x00",
         "Save requirements.txt as plain UTF-8 text"],
    ),
    "RequirementsLocalPathNotAProject": (
        errors.RequirementsLocalPathNotAProject("requirements.txt", 2, "-e .", "the app's directory"),
        ["requirements.txt line 2 installs a directory that is not a Python project",
         "`-e .`, but the app's directory has no pyproject.toml", "Remove the line"],
    ),
    "RequirementsLineTooLong": (
        errors.RequirementsLineTooLong("requirements.txt", 4, 2_000_000, 8192),
        ["requirements.txt line 4 is too long", "2000000 characters long", "8192 characters",
         "Fix or remove requirements.txt line 4"],
    ),
    "DjangoSettingsModuleInvalid": (
        errors.DjangoSettingsModuleInvalid("my-site.settings", "manage.py line 6"),
        ["Invalid Django settings module name 'my-site.settings'", "manage.py line 6 names the settings module",
         "not a Python module name", "for example my_site.settings", "change manage.py line 6 to match"],
    ),
    "DjangoSettingsImportFailed": (
        errors.DjangoSettingsImportFailed("mysite.settings", "manage.py", _SETTINGS_REPORT, "mysite/settings.py",
                                          "requirements.txt", "python manage.py collectstatic --noinput"),
        ["Could not import the Django settings (mysite/settings.py line 23)", "KeyError: 'SECRET_KEY'",
         "File \"mysite/settings.py\", line 23, in <module>", "no config var SECRET_KEY is set",
         "os.environ.get('SECRET_KEY', default)"],
    ),
    "NativeBuildFailed": (
        errors.NativeBuildFailed("requirements.txt", "psycopg2", "PostgreSQL's client library (libpq, found with "
                                 "pg_config)", "libpq-dev", "libpq", "psycopg2-binary", "uv",
                                 ["Error: pg_config executable not found."], "uv pip install -r requirements.txt"),
        ["psycopg2 could not be built: PostgreSQL's client library is missing", "Error: pg_config executable not found.",
         "heroku-community/apt", "Aptfile", "libpq-dev", "brew install libpq", "Or replace psycopg2 with psycopg2-binary"],
    ),
    "DiskFull": (
        errors.DiskFull("/cache/env/lib/libpython3.12.so", "the build cache", "/cache", "/cache", "a 2.0 MB",
                        "The build stopped before writing its environment to the build cache."),
        ["No space left on the disk of the build cache", "/cache/env/lib/libpython3.12.so",
         "in the build cache (/cache), on a 2.0 MB filesystem mounted at", "Free space there"],
    ),
})


def test_a_native_build_failure_is_never_called_a_misspelled_name():
    output = ("error: Failed to build `psycopg2==2.9.9`\n  cause: The build backend returned an error\n"
              "Error: pg_config executable not found.\n" + "x" * 5_000_000 + "\n")
    error = errors.native_build_failure(output, "requirements.txt", "uv", "uv pip install")
    assert isinstance(error, errors.NativeBuildFailed) and error.title.startswith("psycopg2 could not be built")
    text = render(error)
    assert "misspelled" not in text and max(len(line) for line in text.splitlines()) < 400


@pytest.mark.parametrize("output, package, library", [
    ("error: Failed to build `GDAL==3.9.2`\n  cause: ...\n  gdal-config: not found\n", "gdal", "GDAL"),
    ("ERROR: Failed to build 'python-ldap' when getting requirements\n"
     "Modules/constants.h:7:10: fatal error: lber.h: No such file or directory\n", "python-ldap", "OpenLDAP"),
    ("Building wheel for lxml (pyproject.toml) ... error\nsrc/lxml/includes/etree_defs.h:14:10: fatal error: "
     "libxml/xmlversion.h: No such file or directory\n", "lxml", "libxml2"),
    ("error: Failed to build `pycairo==1.27.0`\n  Run-time dependency cairo found: NO\n"
     "  ../cairo/meson.build:31:12: ERROR: Dependency \"cairo\" not found, tried pkgconfig\n", "pycairo", "cairo"),
])
def test_native_build_failures_of_pip_and_uv_name_the_library(output, package, library):
    error = errors.native_build_failure(output, "requirements.txt", "pip", "pip-sync")
    assert error is not None and error.title.startswith(f"{package} could not be built") and library in error.title


def test_an_ordinary_install_failure_is_not_a_native_build_failure():
    output = "error: No solution found when resolving dependencies:\n  Because flaskk was not found ...\n"
    assert errors.native_build_failure(output, "requirements.txt", "uv", "uv pip install") is None


def test_a_long_line_of_tool_output_is_cut_in_messages():
    text = render(errors.DependencyInstallFailed("requirements.txt", "uv", "uv pip install", "y" * 4_000_000))
    assert max(len(line) for line in text.splitlines()) < 400 and "more characters" in text


@pytest.mark.parametrize("module, removed, pin", [("cgi", "3.13", "3.12"), ("distutils.core", "3.12", "3.11")])
def test_a_module_python_removed_gets_advice_on_the_package_or_the_python_version(module, removed, pin):
    error = errors.CollectstaticFailed("python manage.py collectstatic --noinput",
                                       f"Traceback (most recent call last):\nModuleNotFoundError: No module named '{module}'\n")
    name = module.split(".")[0]
    assert f"`{name}` is no longer part of Python: it was removed from the standard library\nin Python {removed}" \
        in error.body
    assert f"echo {pin} > .python-version" in error.body


def test_a_module_that_is_only_missing_gets_no_python_version_advice():
    error = errors.CollectstaticFailed("x", "ModuleNotFoundError: No module named 'cgi_tools'\n")
    assert "no longer part of Python" not in error.body


_FROM_FILE = Origin("PYBUILDPACK_SERVER", "server", 'server = "nginx"', 4)


def test_an_invalid_value_from_pyproject_names_the_key_and_line_not_the_config_var():
    error = errors.ConfigVarInvalid(_FROM_FILE, "'nginx'", "one of `gunicorn`, `waitress`")
    text = render(error)
    assert error.title == "Invalid value for server in pyproject.toml"
    assert "pyproject.toml's [tool.pybuildpack] has `server = \"nginx\"` (line 4), but it must be one of" in text
    assert "Change `server` in pyproject.toml's [tool.pybuildpack] table" in text
    assert "heroku config:set" not in text


def test_errors_about_a_setting_name_where_it_came_from():
    server = render(errors.ServerCannotServe(_FROM_FILE, "waitress", "ASGI", "main.py line 3", ["uvicorn"]))
    assert "`server = \"nginx\"` in pyproject.toml's [tool.pybuildpack] (line 4) chooses waitress" in server
    assert "Set `server` in pyproject.toml's [tool.pybuildpack] to one of uvicorn, or remove it" in server
    groups = Origin("PYBUILDPACK_GROUPS", "groups", 'groups = ["prod"]', 2)
    unknown = errors.SelectionUnknown(groups, ["prod"], "uv.lock", ["dev"])
    assert unknown.title == "`groups` in pyproject.toml's [tool.pybuildpack] names dependency groups that uv.lock " \
                            "does not declare"
    assert "PYBUILDPACK_GROUPS" not in render(unknown)
    unsupported = errors.SelectionNotSupported(groups, "requirements.txt")
    assert unsupported.title.startswith("`groups` in pyproject.toml's [tool.pybuildpack] is set")
    assert "Remove `groups` from pyproject.toml's [tool.pybuildpack]" in unsupported.body
    manager = Origin("PYBUILDPACK_PACKAGE_MANAGER", "package-manager", 'package-manager = "uv"', 7)
    missing = errors.PackageManagerFileMissing(manager, "uv", ["uv.lock"])
    assert missing.title == 'No uv.lock for `package-manager = "uv"` in pyproject.toml'
    installer = Origin("PYBUILDPACK_INSTALLER", "installer", 'installer = "pip"', 3)
    refused = errors.InstallerNotSupported("pip", "uv.lock", installer)
    assert refused.title == '`installer = "pip"` in pyproject.toml cannot install from uv.lock'
    assert "Remove `installer` from pyproject.toml's [tool.pybuildpack] to use uv" in refused.body


def test_the_same_errors_from_a_config_var_read_as_they_always_did():
    assert errors.ConfigVarInvalid(Origin("PYBUILDPACK_SERVER"), "'x'", "y").body == \
        errors.ConfigVarInvalid("PYBUILDPACK_SERVER", "'x'", "y").body
    assert errors.InstallerNotSupported("pip", "uv.lock").title == "PYBUILDPACK_INSTALLER=pip cannot install from uv.lock"


def test_a_release_killed_by_a_signal_names_it_and_alone_says_nothing_of_the_web_process():
    from pybuildpack.platforms.local_release import how_it_ended

    error = errors.ReleaseFailed("python migrate.py", "Procfile line 1", how_it_ended(-9), "2.0s", False)
    assert "`python migrate.py` (Procfile line 1) was killed by SIGKILL after 2.0s" in error.body
    assert "web process was not started" not in error.body


def test_test_compile_says_which_test_dependencies_it_installs():
    assert errors.test_dependencies(("dev",), "uv") == "Installing test dependencies (the dev group of uv.lock)"
    assert errors.test_dependencies(("test",), "requirements") == "Installing test dependencies (requirements-test.txt)"
    assert errors.test_dependencies((), "requirements") == (
        "No test dependencies found (looked for requirements-test.txt): installing the app's dependencies only")



def test_the_pip_installers_refusal_of_a_pylock_choosing_by_groups_says_why_and_the_way_out():
    why = errors.pylock_selects_by_marker("gunicorn", "'web' in dependency_groups")
    text = render(errors.InstallerNotSupported("pip", "pylock.toml", why=why))
    for phrase in ["PYBUILDPACK_INSTALLER=pip cannot install from pylock.toml", "chooses gunicorn by extras or",
                   "(marker `'web' in dependency_groups`)", "only uv evaluates", "Unset PYBUILDPACK_INSTALLER to use uv"]:
        assert phrase in text


def test_a_package_that_failed_to_build_from_source_is_named_before_the_compilers_output():
    # microblog's greenlet==3.0.1 on Python 3.13: no wheel, and its C++ predates 3.13's internals.
    output = ("error: Failed to build `greenlet==3.0.1`\n  cause: The build backend returned an error\n"
              + "".join(f"  src/greenlet/TPythonState.cpp:{n}: error: 'PyThreadState' has no member named 'cframe'\n"
                        for n in range(200))
              + "  hint: Build failures usually indicate a problem with the package or the build environment\n")
    error = errors.DependencyInstallFailed("requirements.txt", "uv", "uv pip install -r requirements.txt", output)
    assert error.body.startswith("uv failed while installing requirements.txt. It found no wheel of\n"
                                 "`greenlet==3.0.1` for this Python and machine, so it built it from source,")
    assert "pin a\nrelease of greenlet that has a wheel for this Python version in requirements.txt" in error.body
    assert ".python-version" in error.body and "misspelled" not in error.body
    pip = errors.DependencyInstallFailed("requirements.txt", "pip-sync", "pip-sync",
                                         "  error: subprocess-exited-with-error\n"
                                         "  ERROR: Failed building wheel for greenlet\nFailed to build greenlet\n")
    assert "no wheel of\n`greenlet` for this Python" in pip.body and "release of greenlet" in pip.body


def test_the_apps_own_failed_build_is_not_named_as_a_package_without_a_wheel():
    output = "error: Failed to build `site @ file:///tmp/build_x`\n  cause: The build backend returned an error\n"
    error = errors.DependencyInstallFailed("pyproject.toml", "uv", "uv pip install .", output)
    assert "no wheel" not in error.body and "misspelled" in error.body
