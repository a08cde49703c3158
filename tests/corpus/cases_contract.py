"""Corpus cases for Heroku's contract and the Python lifecycle (issue 13, items 4 and 5):
Python environments committed with the app, config vars that would redirect
Python, and versions that are past their end of life or do not exist."""

from __future__ import annotations

from corpus import Case

VENV_CFG = "home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n"
# The test download list (tests/harness/runtimes.py): 3.9.18, 3.11.7, 3.12.1, 3.13.0.

CASES: list = [
    Case("filesystem-committed-dot-venv", "filesystem",
         files={".venv/pyvenv.cfg": VENV_CFG, ".venv/bin/python": "#!/bin/sh\n"},
         expected='''\
             !     Error: The app's source contains a Python environment: .venv/
             !
             !     .venv/ is a virtualenv. It was made on another machine: its interpreter
             !     links and scripts point at paths that do not exist in the app's container,
             !     and it would ship in the app beside the environment pybuildpack builds
             !     from your dependency files.
             !
             !     Remove it from git and keep it out, then push again:
             !         git rm -r --cached .venv
             !         echo /.venv/ >> .gitignore
             !     If an earlier buildpack or the bin/pre_compile hook made it, have it use
             !     another directory. On Heroku, listing it in .slugignore also keeps it out.
         '''),
    Case("filesystem-committed-venv-named-env", "filesystem",
         files={"env/pyvenv.cfg": VENV_CFG, "env/lib/python3.12/site-packages/flask/__init__.py": ""},
         expected='''\
             !     Error: The app's source contains a Python environment: env/
             !
             !     env/ is a virtualenv. It was made on another machine: its interpreter
             !     links and scripts point at paths that do not exist in the app's container,
             !     and it would ship in the app beside the environment pybuildpack builds
             !     from your dependency files.
             !
             !     Remove it from git and keep it out, then push again:
             !         git rm -r --cached env
             !         echo /env/ >> .gitignore
             !     If an earlier buildpack or the bin/pre_compile hook made it, have it use
             !     another directory. On Heroku, listing it in .slugignore also keeps it out.
         '''),
    Case("filesystem-committed-venv-in-a-subdirectory", "filesystem",
         files={"backend/.venv/pyvenv.cfg": VENV_CFG},
         expected='''\
             !     Error: The app's source contains a Python environment: backend/.venv/
             !
             !     backend/.venv/ is a virtualenv. It was made on another machine: its interpreter
             !     links and scripts point at paths that do not exist in the app's container,
             !     and it would ship in the app beside the environment pybuildpack builds
             !     from your dependency files.
             !
             !     Remove it from git and keep it out, then push again:
             !         git rm -r --cached backend/.venv
             !         echo /backend/.venv/ >> .gitignore
             !     If an earlier buildpack or the bin/pre_compile hook made it, have it use
             !     another directory. On Heroku, listing it in .slugignore also keeps it out.
         '''),
    Case("filesystem-committed-heroku-python", "filesystem",
         files={".heroku/python/bin/python3": "#!/bin/sh\n", ".heroku/python/lib/python3.12/os.py": ""},
         expected='''\
             !     Error: The app's source contains a Python environment: .heroku/python/
             !
             !     .heroku/python/ is where pybuildpack installs Python and the app's packages,
             !     and the app already has one. pybuildpack will not replace it silently:
             !     what it holds was made elsewhere, and would be lost.
             !
             !     Remove it from git and keep it out, then push again:
             !         git rm -r --cached .heroku/python
             !         echo /.heroku/python/ >> .gitignore
             !     If an earlier buildpack or the bin/pre_compile hook made it, have it use
             !     another directory. On Heroku, listing it in .slugignore also keeps it out.
         '''),
    Case("filesystem-heroku-python-is-a-file", "filesystem",
         files={".heroku/python": "3.12\n"},
         expected='''\
             !     Error: The app's source contains a Python environment: .heroku/python/
             !
             !     .heroku/python/ is where pybuildpack installs Python and the app's packages,
             !     and the app already has one. pybuildpack will not replace it silently:
             !     what it holds was made elsewhere, and would be lost.
             !
             !     Remove it from git and keep it out, then push again:
             !         git rm -r --cached .heroku/python
             !         echo /.heroku/python/ >> .gitignore
             !     If an earlier buildpack or the bin/pre_compile hook made it, have it use
             !     another directory. On Heroku, listing it in .slugignore also keeps it out.
         '''),
    Case("python-version-end-of-life", "python-version",
         files={".python-version": "3.9\n"}, outcome="warning",
         expected='''\
             !     Warning: Python 3.9 has reached its end of life
             !
             !     Python 3.9 stopped getting security fixes in October 2025, so the app
             !     runs on a Python that no longer gets them.
             !     The version comes from .python-version.
             !     Upgrade to Python 3.12 (the oldest release that is supported for more
             !     than a year), or newer, and check that the app's packages support it:
             !         echo 3.12 > .python-version
         '''),
    Case("python-version-end-of-life-patch-pin-in-runtime-txt", "python-version",
         files={".python-version": None, "runtime.txt": "python-3.9.18\n"}, outcome="warning",
         expected='''\
             !     Warning: Python 3.9 has reached its end of life
             !
             !     Python 3.9 stopped getting security fixes in October 2025, so the app
             !     runs on a Python that no longer gets them.
             !     The version comes from runtime.txt.
             !     Upgrade to Python 3.12 (the oldest release that is supported for more
             !     than a year), or newer, and check that the app's packages support it:
             !         echo 3.12 > .python-version && git rm runtime.txt
         '''),
    Case("python-version-end-of-life-on-line-two", "python-version",
         files={".python-version": "# the app's Python\n3.9\n"}, outcome="warning",
         expected='''\
             !     Warning: Python 3.9 has reached its end of life
             !
             !     Python 3.9 stopped getting security fixes in October 2025, so the app
             !     runs on a Python that no longer gets them.
             !     The version comes from .python-version.
             !     Upgrade to Python 3.12 (the oldest release that is supported for more
             !     than a year), or newer, and check that the app's packages support it:
             !         echo 3.12 > .python-version
         '''),
    Case("python-version-does-not-exist", "python-version",
         files={".python-version": "3.99\n"},
         expected='''\
             !     Error: Python 3.99 is not available
             !
             !     .python-version asks for Python 3.99, but no CPython release in the
             !     download list matches it (list: <test_cache>/runtimes/downloads.json).
             !     Versions available: 3.13.0, 3.12.1, 3.11.7, 3.9.18
             !
             !     Change the requested version to one of those, or point
             !     PYBUILDPACK_PYTHON_DOWNLOADS_JSON at a list that has it.
         '''),
    Case("python-version-patch-not-in-the-list", "python-version",
         files={".python-version": "3.12.0\n"},
         expected='''\
             !     Error: Python 3.12.0 is not available
             !
             !     .python-version asks for Python 3.12.0, but no CPython release in the
             !     download list matches it (list: <test_cache>/runtimes/downloads.json).
             !     Versions available: 3.13.0, 3.12.1, 3.11.7, 3.9.18
             !
             !     Change the requested version to one of those, or point
             !     PYBUILDPACK_PYTHON_DOWNLOADS_JSON at a list that has it.
         '''),
    Case("python-version-end-of-life-not-in-the-list", "python-version",
         files={".python-version": "3.8\n"},
         expected='''\
             !     Error: Python 3.8 is not available
             !
             !     .python-version asks for Python 3.8, but no CPython release in the
             !     download list matches it (list: <test_cache>/runtimes/downloads.json).
             !     Versions available: 3.13.0, 3.12.1, 3.11.7, 3.9.18
             !
             !     Change the requested version to one of those, or point
             !     PYBUILDPACK_PYTHON_DOWNLOADS_JSON at a list that has it.
         '''),
    Case("config-vars-pythonhome", "config-vars",
         config={"PYTHONHOME": "/usr/lib/python3.8"}, outcome="warning",
         expected='''\
             !     Warning: Some config vars are not used during the build
             !
             !     These config vars would change how the build machine itself behaves,
             !     so they are not exported to the build steps (they still apply at runtime):
             !       - PYTHONHOME
         '''),
    Case("config-vars-pythonpath", "config-vars",
         config={"PYTHONPATH": "/app/vendor"}, outcome="warning",
         expected='''\
             !     Warning: Some config vars are not used during the build
             !
             !     These config vars would change how the build machine itself behaves,
             !     so they are not exported to the build steps (they still apply at runtime):
             !       - PYTHONPATH
         '''),
    Case("hooks-pre-compile-makes-heroku-python", "hooks",
         files={"bin/pre_compile": "#!/bin/sh\nmkdir -p \"$BUILD_DIR/.heroku/python/bin\"\n"},
         expected='''\
             !     Error: The app's source contains a Python environment: .heroku/python/
             !
             !     .heroku/python/ is where pybuildpack installs Python and the app's packages,
             !     and the app already has one. pybuildpack will not replace it silently:
             !     what it holds was made elsewhere, and would be lost.
             !
             !     Remove it from git and keep it out, then push again:
             !         git rm -r --cached .heroku/python
             !         echo /.heroku/python/ >> .gitignore
             !     If an earlier buildpack or the bin/pre_compile hook made it, have it use
             !     another directory. On Heroku, listing it in .slugignore also keeps it out.
         '''),
    Case("python-version-end-of-life-from-requires-python", "python-version",
         files={".python-version": None, "requirements.txt": None,
                "pyproject.toml": "[project]\nname = \"hello\"\nversion = \"1.0\"\nrequires-python = \"<3.10\"\n"
                                  "dependencies = [\"flask\"]\n"},
         outcome="warning", expected='''\
             !     Warning: Python 3.9 has reached its end of life
             !
             !     Python 3.9 stopped getting security fixes in October 2025, so the app
             !     runs on a Python that no longer gets them.
             !     The version comes from requires-python in pyproject.toml.
             !     Upgrade to Python 3.12 (the oldest release that is supported for more
             !     than a year), or newer, and check that the app's packages support it:
             !         change requires-python in pyproject.toml to allow Python 3.12, then refresh the app's lock
             !         (`uv lock` or `poetry lock`) if it has one
         '''),
]
