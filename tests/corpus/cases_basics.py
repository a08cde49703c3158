"""Corpus cases for the errors that existed before the corpus: requirements
files, version files, the Procfile, config vars, pyproject.toml and lock
files, hooks, and finding the app."""

from __future__ import annotations

import os
from pathlib import Path

from corpus import Case

TBD = "! TBD\n"


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
    Case("requirements-package-that-does-not-exist", "requirements", TBD,
         files={"requirements.txt": "flask\npybuildpack-no-such-package-anywhere\n"}),
    Case("requirements-version-that-does-not-exist", "requirements", TBD,
         files={"requirements.txt": "flask==99.0.0\n"}),
    Case("requirements-conflicting-pins", "requirements", TBD,
         files={"requirements.txt": "flask==3.0.0\nwerkzeug==2.0.0\n"}),
    Case("requirements-invalid-specifier", "requirements", TBD,
         files={"requirements.txt": "flask>=>3\n"}),
    Case("requirements-unknown-option", "requirements", TBD,
         files={"requirements.txt": "--frobnicate\nflask\n"}),
    Case("requirements-included-file-missing", "requirements", TBD,
         files={"requirements.txt": "-r requirements/base.txt\n"}),
    Case("requirements-is-a-directory", "filesystem", TBD, prepare=_requirements_is_a_directory),
    Case("requirements-dangling-symlink", "filesystem", TBD, prepare=_requirements_dangling_symlink),
    Case("requirements-variable-unset", "requirements", TBD,
         files={"requirements.txt": "flask\nhello @ ${PRIVATE_WHEELS}/hello-1.0-py3-none-any.whl\n"}),
    Case("requirements-path-outside-the-app", "requirements", TBD,
         files={"requirements.txt": "flask\n-e ../shared-lib\n"}),
    Case("requirements-in-conflict", "requirements", TBD, base="requirements_in",
         files={"requirements.in": "flask==3.0.0\nwerkzeug<2\n"}),
    # -- Python version -------------------------------------------------------------------------
    Case("python-version-not-a-version", "python-version", TBD, files={".python-version": "three.twelve\n"}),
    Case("python-version-unavailable", "python-version", TBD, files={".python-version": "3.99\n"}),
    Case("python-version-two-versions", "python-version", TBD, files={".python-version": "3.12\n3.11\n"}),
    Case("runtime-txt-not-a-version", "python-version", TBD, files={"runtime.txt": "python 3.12\n"}),
    Case("python-version-files-disagree", "python-version", TBD,
         files={".python-version": "3.12\n", "runtime.txt": "python-3.11.9\n"}),
    Case("python-version-outside-requires-python", "python-version", TBD, base="pyproject_deps",
         files={".python-version": "3.11\n",
                "pyproject.toml": '[project]\nname = "site"\nversion = "1"\nrequires-python = ">=3.12"\n'
                                  'dependencies = ["flask"]\n'}),
    # -- Procfile -------------------------------------------------------------------------------
    Case("procfile-line-without-a-colon", "procfile", TBD,
         files={"Procfile": "web gunicorn wsgi:application\n"}),
    Case("procfile-empty-command", "procfile", TBD, files={"Procfile": "web:\n"}),
    Case("procfile-duplicate-type", "procfile", TBD,
         files={"Procfile": "web: gunicorn wsgi:application\nweb: waitress-serve wsgi:application\n"}),
    Case("procfile-invalid-type-name", "procfile", TBD, files={"Procfile": "my web: gunicorn wsgi:application\n"}),
    # -- config vars ----------------------------------------------------------------------------
    Case("config-installer-unknown", "config-vars", TBD, config={"PYBUILDPACK_INSTALLER": "conda"}),
    Case("config-server-unknown", "config-vars", TBD, config={"PYBUILDPACK_SERVER": "nginx"}),
    Case("config-package-manager-unknown", "config-vars", TBD, config={"PYBUILDPACK_PACKAGE_MANAGER": "npm"}),
    Case("config-package-manager-without-its-files", "config-vars", TBD,
         config={"PYBUILDPACK_PACKAGE_MANAGER": "poetry"}),
    Case("config-groups-bad-name", "config-vars", TBD, base="pyproject_deps",
         config={"PYBUILDPACK_GROUPS": "net;rm -rf"}),
    Case("config-groups-with-requirements-txt", "config-vars", TBD, config={"PYBUILDPACK_GROUPS": "dev"}),
    Case("config-group-not-declared", "config-vars", TBD, base="pyproject_deps",
         config={"PYBUILDPACK_GROUPS": "docs"}),
    Case("config-extra-not-declared", "config-vars", TBD, base="pyproject_deps",
         config={"PYBUILDPACK_EXTRAS": "postgres"}),
    Case("config-server-cannot-serve-wsgi", "config-vars", TBD, config={"PYBUILDPACK_SERVER": "uvicorn"}),
    Case("config-django-settings-module-missing", "config-vars", TBD, base="django_startproject",
         config={"DJANGO_SETTINGS_MODULE": "nowhere.settings"}),
    # -- pyproject.toml and lock files --------------------------------------------------------
    Case("several-package-managers", "locks", TBD, base="uv_project",
         files={"requirements.txt": "flask\n"}),
    Case("uv-lock-without-pyproject", "locks", TBD, base="uv_project", files={"pyproject.toml": None}),
    Case("uv-lock-outdated", "locks", TBD, base="uv_project",
         files={"pyproject.toml": '[project]\nname = "uv-site"\nversion = "1.0"\nrequires-python = ">=3.9"\n'
                                  'dependencies = ["flask>=3", "six"]\n'}),
    Case("poetry-lock-without-pyproject", "locks", TBD, base="poetry_flask", files={"pyproject.toml": None}),
    Case("poetry-project-without-lock", "locks", TBD, base="poetry_flask", files={"poetry.lock": None}),
    Case("pipfile-without-lock", "locks", TBD, base="pipenv_flask", files={"Pipfile.lock": None}),
    Case("pipfile-lock-outdated", "locks", TBD, base="pipenv_flask",
         files={"Pipfile": '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
                           '[packages]\nflask = "*"\nsix = "*"\n\n[requires]\npython_version = "3.12"\n'}),
    Case("pylock-two-named-files", "locks", TBD, base="pylock_app", prepare=_two_named_pylocks),
    Case("pylock-not-toml", "locks", TBD, base="pylock_app", files={"pylock.toml": "lock-version = \n"}),
    Case("uv-lock-not-toml", "locks", TBD, base="uv_project", files={"uv.lock": "version = 1\n[[package]\n"}),
    Case("poetry-lock-not-toml", "locks", TBD, base="poetry_flask", files={"poetry.lock": "[[package]]\nname = \n"}),
    Case("pipfile-lock-not-json", "locks", TBD, base="pipenv_flask", files={"Pipfile.lock": "{\"_meta\": {\n"}),
    Case("python-version-2", "python-version", TBD, files={".python-version": "2.7\n"}),
    Case("runtime-txt-pypy", "python-version", TBD, files={"runtime.txt": "pypy3.10-7.3.17\n"}),
    Case("pyproject-not-toml", "pyproject", TBD, base="pyproject_deps",
         files={"pyproject.toml": '[project\nname = "site"\n'}),
    Case("pyproject-dependencies-not-a-list", "pyproject", TBD, base="pyproject_deps",
         files={"pyproject.toml": '[project]\nname = "site"\nversion = "1"\ndependencies = "flask"\n'}),
    Case("setup-py-that-raises", "pyproject", TBD, base="setup_py_app",
         files={"setup.py": "raise RuntimeError('configure me first')\n"}),
    Case("conda-environment-only", "pyproject", TBD,
         files={"requirements.txt": None, "environment.yml": "dependencies:\n  - python=3.12\n  - flask\n"}),
    # -- hooks ----------------------------------------------------------------------------------
    Case("hook-fails", "hooks", TBD, files={"bin/post_compile": "#!/bin/sh\necho 'migrating'\nexit 3\n"}),
    Case("hook-is-a-directory", "hooks", TBD, prepare=_hook_is_a_directory),
    # -- the app --------------------------------------------------------------------------------
    Case("web-app-file-with-a-syntax-error", "web-app", TBD,
         files={"wsgi.py": None, "hello/__init__.py": None,
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                          "def index(:\n    return 'hi'\n"}),
    Case("web-app-file-newer-than-its-python", "web-app", TBD,
         files={".python-version": "3.11\n", "wsgi.py": None, "hello/__init__.py": None,
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                          "def first[T](items: list[T]) -> T:\n    return items[0]\n"}),
    Case("flask-app-with-no-dependency-file", "web-app", TBD, files={"requirements.txt": None}),
    Case("no-python-app-here", "detect", TBD, base="hooks",
         files={"index.html": "<h1>hi</h1>\n", "bin/pre_compile": None, "bin/post_compile": None}),
    Case("hook-dangling-symlink", "hooks", TBD, prepare=_hook_dangling_symlink),
]
