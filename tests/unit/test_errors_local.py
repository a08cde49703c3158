"""Cases for the local command's errors and warnings (pybuildpack.errors, local section).

test_errors.py runs them with every other error: each renders as a ` !     `
block that says what happened and how to fix it, in one paragraph.
"""

from __future__ import annotations

from pybuildpack import errors

from .helpers import render

LOCAL_ERRORS = {
    "AppDirMissing": (errors.AppDirMissing("apps/missing"),
                      ["No directory apps/missing", "Check the", "cd path/to/app && pybuildpack build"]),
    "AppNotFound": (errors.AppNotFound("notes", ["requirements.txt", "manage.py"], ["README.md"]),
                    ["No Python app in notes", "requirements.txt, manage.py", "README.md",
                     "`pybuildpack up examples/django`"]),
    "BuildpackNotApp": (errors.BuildpackNotApp("."),
                        [". is a buildpack, not an app", "bin/detect, bin/compile and buildpack.toml",
                         "examples/django"]),
    "NotBuilt": (errors.NotBuilt("/src/app"),
                 ["The app has not been built yet", "`pybuildpack build`", "`pybuildpack up`"]),
    "DotenvInvalid": (errors.DotenvInvalid(7, "DEBUG true", "it has no `=`"),
                      [".env line 7 is not of the form NAME=value (it has no `=`)", "    DEBUG ...",
                       "such as DEBUG=1", "start the line with #"]),
    "UnknownProcess": (errors.UnknownProcess("wrker", [("web", "python app.py", "app.py")]),
                       ["No process named 'wrker'", "    web: python app.py  (app.py)",
                        "`pybuildpack start web`", "`wrker: <command>` line to the Procfile"]),
    "PortInvalid": (errors.PortInvalid("PORT", "http"),
                    ["Invalid port", "PORT is 'http'", "1 to 65535", "--port 5001", "the default, 5000"]),
    "PortInUse": (errors.PortInUse(5000, "another program is listening on it"),
                  ["Port 5000 is in use", "another program is listening on it", "Stop the program",
                   "`pybuildpack start --port 5001`", "PORT=5001"]),
    "CommandNotFound": (errors.CommandNotFound("djangoadmin"),
                        ["Command not found: djangoadmin", ".pybuildpack/venv/bin", "requirements.txt"]),
    "LocalPythonUnavailable": (errors.LocalPythonUnavailable("3.8", "Python 3.8 could not be downloaded",
                                                             ["3.12.1 at /usr/bin/python3"]),
                               ["No Python 3.8 for this build", "no CPython on this machine matches it",
                                "3.12.1 at /usr/bin/python3", "`pyenv install 3.8`",
                                "PYBUILDPACK_PYTHON_DOWNLOADS_JSON"]),
}


LOCAL_WARNINGS = {
    "local_python_fallback": (
        errors.local_python_fallback("Python 3.15.2 could not be downloaded", "3.13.0",
                                     "/root/.pyenv/versions/3.13.0/bin/python3"),
        ["Using Python 3.13.0 from this machine",
         "so this build runs on the CPython 3.13.0 at /root/.pyenv/versions/3.13.0/bin/python3.",
         "PYBUILDPACK_PYTHON_DOWNLOADS_JSON", "delete .pybuildpack/"],
    ),
    "gitignore_hint": (
        errors.gitignore_hint([".pybuildpack/", "/staticfiles/"]),
        ["Keep pybuildpack's files out", "    .pybuildpack/\n    /staticfiles/"],
    ),
    "dependencies_changed_since_build": (
        errors.dependencies_changed_since_build(),
        ["changed since the last build", "Run `pybuildpack build` again", "`pybuildpack up`"],
    ),
}


def test_a_dotenv_line_is_shown_without_a_value():
    assert "hunter2" not in render(errors.DotenvInvalid(1, "SECRET=hunter2", "x"))
    assert "    SECRET=...\n" in render(errors.DotenvInvalid(1, "SECRET=hunter2", "x"))
