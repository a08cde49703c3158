"""Every message pybuildpack shows a user: errors, warnings and notices.

A `UserError` is a mistake the user can fix: it renders as a Heroku-style
` !     ` block saying what happened, why, and how to fix it, and the build
exits 1 without a traceback. `InternalError` is our own failure, worded as
such; it is not a `UserError`, so code that turns a user's mistake into advice
never catches, rewords or swallows one of our bugs. Warnings are functions
returning `(title, body)` so the platform code decides where they go, and unit
tests can check their text. `guarded()` is where the commands turn both into
exit statuses.
"""

from __future__ import annotations

import re
import textwrap
import traceback
from datetime import date
from typing import Callable, Iterable, Optional, Sequence, Union

from .config import Origin
from .output import Log, mask_url

# A setting's name in a message: the config var's name, or where the value came
# from (config.Origin: a config var, or a key of pyproject.toml's [tool.pybuildpack]).
Where = Union[str, Origin]

DOCS = "https://github.com/pybuildpack/pybuildpack#readme"


class UserError(Exception):
    """A problem with the app or its configuration; never shown with a traceback."""

    title: str = "The build failed"

    def __init__(self, title: str, body: str) -> None:
        super().__init__(title)
        self.title = title
        self.body = body + removed_module_advice(body)

    def render(self, log: Log) -> None:
        log.error(self.title, self.body)


# Standard library modules that newer Pythons removed, with the first release
# without them (PEP 594 and earlier). An old package importing one fails with
# `No module named 'cgi'` on the newest Python, the one an unpinned app gets.
REMOVED_MODULES = {
    "formatter": "3.10", "parser": "3.10", "symbol": "3.10", "binhex": "3.11",
    "distutils": "3.12", "imp": "3.12", "asynchat": "3.12", "asyncore": "3.12", "smtpd": "3.12",
    **{name: "3.13" for name in ("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap",
                                 "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau",
                                 "telnetlib", "uu", "xdrlib", "lib2to3")},
}
_NO_MODULE = re.compile(r"No module named '([A-Za-z0-9_]+)(?:\.[\w.]*)?'")


def removed_module_advice(text: str) -> str:
    """A paragraph to add to an error whose output says a module Python removed
    is missing ("" otherwise): the fix is the package's or the Python version's,
    never the app's requirements spelling."""
    names = [m.group(1) for m in _NO_MODULE.finditer(text)]
    if "pkg_resources" in names:
        return (
            "\n\n"
            "`pkg_resources` is no longer part of setuptools: setuptools 82 removed it, and\n"
            "a package the app uses still imports it (old gunicorn releases do). Upgrade\n"
            "that package, or keep an older setuptools by adding this line to the app's\n"
            "requirements:\n"
            "    setuptools<82"
        )
    found = next((name for name in names if name in REMOVED_MODULES), None)
    if found is None:
        return ""
    removed = REMOVED_MODULES[found]
    major, minor = removed.split(".")
    previous = f"{major}.{int(minor) - 1}"
    return (
        "\n\n"
        f"`{found}` is no longer part of Python: it was removed from the standard library\n"
        f"in Python {removed}, and a package the app uses (or the app) still imports it.\n"
        f"Upgrade that package to a release that supports Python {removed}, or pin\n"
        f"Python {previous}, the last with `{found}`:\n"
        f"    echo {previous} > .python-version"
    )


class InternalError(Exception):
    """Something failed inside pybuildpack itself (or the build machine), not in the app."""

    title = "Internal error in pybuildpack"

    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__(self.title)
        self.body = (
            f"{what}\n"
            + (f"\n{detail}\n" if detail else "")
            + "\nThis is a problem in pybuildpack or on the build machine, not in your app.\n"
            "Retrying the build may help; if it keeps failing, please report it\n"
            f"with this log at {DOCS}."
        )

    def render(self, log: Log) -> None:
        log.error(self.title, self.body)


def guarded(log: Log, action: Callable[[], Optional[int]]) -> int:
    """Run a command; a UserError or InternalError becomes a ` !     ` block and
    exit status 1, never a traceback (an unexpected exception is reported as
    an InternalError, with its traceback for the bug report)."""
    try:
        result = action()
        return 0 if result is None else result
    except (UserError, InternalError) as error:
        error.render(log)
        return 1
    except KeyboardInterrupt:
        log.error("Interrupted", "The build was interrupted.")
        return 130
    except Exception:
        InternalError("An unexpected error stopped the build.", traceback.format_exc().rstrip()).render(log)
        return 1


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"  - {item}" for item in items)


def _tail(output: str, lines: int = 25) -> str:
    kept = output.rstrip("\n").splitlines()[-lines:]
    return "\n".join(_cut(line) for line in kept)


# A line of a tool's output shown in a message is cut here: one line can be megabytes.
LINE_WIDTH = 300


def _cut(line: str, width: int = LINE_WIDTH) -> str:
    if len(line) <= width:
        return line
    return line[:width] + f" ... ({len(line) - width} more characters)"


# --- detect ------------------------------------------------------------------

def detect_failed(looked_for: Sequence[str], found: Sequence[str], not_files: Sequence[str] = ()) -> str:
    """The text bin/detect prints when the directory is not a Python app.
    `not_files` names looked-for files that are there but are not files, so the
    listing below never seems to contradict the list above."""
    listing = _bullets(found) if found else "  (the directory is empty)"
    unusable = ("\nThese are there, but are not files, so they do not count:\n" + _bullets(not_files)
                if not_files else "")
    return (
        "pybuildpack: this does not look like a Python app.\n"
        "It looked for any of these files at the top of the app:\n"
        + _bullets(looked_for)
        + "\nThe app directory holds:\n"
        + listing
        + unusable
        + "\nAdd a requirements.txt listing your dependencies,\n"
        "or pick another buildpack for this app."
    )


# --- Python version ------------------------------------------------------------

class PythonVersionInvalid(UserError):
    def __init__(self, origin: str, value: str, reason: str) -> None:
        super().__init__(
            f"Invalid Python version in {origin}",
            f"{origin} asks for Python {value!r}, which pybuildpack cannot read:\n"
            f"{reason}\n"
            "\n"
            "Write a CPython version as MAJOR.MINOR, for example 3.12, to get its\n"
            "newest patch release, or MAJOR.MINOR.PATCH, for example 3.12.4, to pin it.",
        )


class PythonVersionConflict(UserError):
    def __init__(self, first_origin: str, first: str, second_origin: str, second: str) -> None:
        super().__init__(
            "Conflicting Python versions",
            f"{first_origin} asks for Python {first}, but\n"
            f"{second_origin} asks for Python {second}.\n"
            "\n"
            "pybuildpack will not guess which one you meant. Make them agree, or\n"
            "keep the version in one file only (.python-version is the usual place).",
        )


class PythonVersionUnavailable(UserError):
    def __init__(self, origin: str, requested: str, available: Sequence[str], source: str) -> None:
        shown = ", ".join(available) if available else "(none)"
        super().__init__(
            f"Python {requested} is not available",
            f"{origin} asks for Python {requested}, but no CPython release in the\n"
            f"download list matches it (list: {source}).\n"
            f"Versions available: {shown}\n"
            "\n"
            "Change the requested version to one of those, or point\n"
            "PYBUILDPACK_PYTHON_DOWNLOADS_JSON at a list that has it.",
        )
        self.available = list(available)


class PythonDownloadsUnreadable(UserError):
    def __init__(self, source: str, detail: str) -> None:
        super().__init__(
            "Could not read the Python download list",
            f"pybuildpack asked uv for the CPython versions in {mask_url(source)}\n"
            "and it failed:\n"
            f"{_tail(detail, 10)}\n"
            "\n"
            "Check that PYBUILDPACK_PYTHON_DOWNLOADS_JSON names a readable file or URL\n"
            "in uv's python-downloads JSON format, or unset it to use uv's own list.",
        )


class PythonInstallFailed(UserError):
    def __init__(self, version: str, detail: str) -> None:
        super().__init__(
            f"Could not install Python {version}",
            f"uv failed to download or unpack CPython {version}:\n"
            f"{_tail(detail, 15)}\n"
            "\n"
            "If the download list is a mirror (PYBUILDPACK_PYTHON_DOWNLOADS_JSON), check\n"
            "that its URLs and sha256 checksums are right. Otherwise retry the build.",
        )


def python_version_not_pinned(version: str) -> tuple:
    return (
        "No Python version was requested",
        f"pybuildpack used Python {version}, the newest stable release it knows.\n"
        "A later build may pick a newer version, which can break your app.\n"
        "Pin the version the app is developed and tested with (`python3 --version`\n"
        "where it works shows it) in a .python-version file at the top of the app:\n"
        "    echo 3.X > .python-version\n"
        f"If the packages fail to install on Python {'.'.join(version.split('.')[:2])}, their pins may be older\n"
        "than it: pin the older version they work with.",
    )


def runtime_txt_deprecated() -> tuple:
    return (
        "runtime.txt is deprecated",
        "runtime.txt still works, but the .python-version file is the format\n"
        "that pyenv, uv and the other Python buildpacks share. Replace it with:\n"
        "    echo 3.X > .python-version",
    )


# --- files -------------------------------------------------------------------

class FileUnreadable(UserError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"Could not read {path}",
            f"{path} could not be read:\n{detail}\n"
            "\n"
            "Fix the file's syntax (or its encoding: pybuildpack reads UTF-8) and push again.",
        )


class DependencyFileNotAFile(UserError):
    def __init__(self, name: str, what: str) -> None:
        super().__init__(
            f"{name} is not a file",
            f"The app has a {name}, but it is {what}, so nothing could be installed\n"
            "from it and the app would ship without its packages.\n"
            "\n"
            f"Make {name} a regular file (commit the file itself, not a link to one\n"
            "outside the app), or remove it.",
        )


class ProcfileDuplicate(UserError):
    def __init__(self, name: str, first: int, again: int) -> None:
        super().__init__(
            f"Procfile defines `{name}` twice",
            f"Procfile line {again} defines the process type `{name}` again; line {first}\n"
            "defined it first. Only one of them could run, and which one would be a guess.\n"
            "\n"
            f"Keep one `{name}:` line, or give the other process a name of its own.",
        )


class ProcfileInvalid(UserError):
    def __init__(self, line_number: int, line: str) -> None:
        super().__init__(
            "Invalid line in Procfile",
            f"Procfile line {line_number} is not of the form `name: command`:\n"
            f"    {line}\n"
            "\n"
            "Each line names a process type (letters, digits, - and _) and its command,\n"
            "for example:\n"
            "    web: gunicorn myapp.wsgi",
        )


# --- config vars ---------------------------------------------------------------

class ConfigVarInvalid(UserError):
    def __init__(self, name: Where, value_hint: str, allowed: str) -> None:
        where = _origin(name)
        if where.in_file:
            super().__init__(
                f"Invalid value for {where.key} in pyproject.toml",
                f"{_is_set_to(where, value_hint)}, but it must be {allowed}.\n"
                "\n"
                f"{_change_setting(where)}",
            )
            return
        name = where.variable
        super().__init__(
            f"Invalid value for {name}",
            f"The config var {name} is set to {value_hint}, but it must be {allowed}.\n"
            "\n"
            f"Change it with `heroku config:set {name}=...` (or in your platform's env),\n"
            "or unset it to use the default.",
        )


class ServerCannotServe(UserError):
    def __init__(self, variable: Where, server: str, interface: str, origin: str, servers: Sequence[str]) -> None:
        where = _origin(variable)
        super().__init__(
            f"{server} cannot serve this app",
            f"{_subject(where)} chooses {server}, but the app ({origin}) is "
            f"{'an' if interface.startswith('A') else 'a'}\n{interface} app, and {server} does not serve {interface} apps.\n"
            "\n"
            f"Set {_label(where)} to one of {', '.join(servers)}, or {'remove' if where.in_file else 'unset'} it to use the default.",
        )


class SelectionNotSupported(UserError):
    def __init__(self, name: Where, source: str) -> None:
        where = _origin(name)
        what = "dependency groups" if where.variable.endswith("GROUPS") else "extras"
        super().__init__(
            f"{_label(where)} is set, but {source} has no {what}",
            f"{_subject(where)} asks for {what}, but the app's dependencies come from\n"
            f"{source}, which cannot declare any, so nothing would be chosen.\n"
            "\n"
            f"{_unset(where)}, or declare the {what} where they can be chosen: in pyproject.toml\n"
            "([dependency-groups] or [project.optional-dependencies]), instead of requirements.txt.",
        )


def config_var_ignored(names: Sequence[str]) -> tuple:
    return (
        "Some config vars are not used during the build",
        "These config vars would change how the build machine itself behaves,\n"
        "so they are not exported to the build steps (they still apply at runtime):\n"
        + _bullets(names),
    )


# --- dependencies --------------------------------------------------------------

class DependencyInstallFailed(UserError):
    def __init__(self, requirements: str, installer: str, command: str, output: str) -> None:
        built = [name for name in failed_builds(output) if "file:" not in name]   # not the app's own
        if built:
            # Named first: the installer names them at the top of its output, which
            # the compiler's hundreds of lines push out of the part shown.
            names = ", ".join(f"`{name}`" for name in built[:3]) + (" and others" if len(built) > 3 else "")
            what = (f"{installer} failed while installing {requirements}. It found no wheel of\n"
                    f"{names} for this Python and machine, so it built it from source,\n"
                    "and that failed. The end of the output:\n")
            package = _built_name(built[0])
            advice = (f"An older release of a package often does not build on a newer Python: pin a\n"
                      f"release of {package} that has a wheel for this Python version in {requirements},\n"
                      "or the Python version the app works with in .python-version. To reproduce it\n"
                      "locally, run the command above in a fresh virtualenv.")
        else:
            what = f"{installer} failed while installing {requirements}:\n"
            advice = (f"Check {requirements} for a misspelled name, a version that does not exist,\n"
                      "or a package that does not support this Python version. To reproduce it\n"
                      "locally, run the command above in a fresh virtualenv.")
        super().__init__(
            f"Could not install the packages in {requirements}",
            f"{what}{_tail(output)}\n"
            "\n"
            f"Command: {command}\n"
            "\n" + advice,
        )


class SourceVariableUnset(UserError):
    def __init__(self, file: str, source: str, variable: str) -> None:
        super().__init__(
            f"{variable} is not set, and {file} needs it",
            f"The package source {source!r} in {file} has ${{{variable}}} in its URL, but no config\n"
            f"var {variable} is set, so it cannot be reached.\n"
            "\n"
            f"Set it with `heroku config:set {variable}=...` (or your platform's env) and build again.",
        )


class IndexCredentialsRefused(UserError):
    def __init__(self, url: str, status: str) -> None:
        super().__init__(
            "A package index refused the credentials",
            f"The package index answered {status} ({'Unauthorized' if status == '401' else 'Forbidden'}) for\n"
            f"    {mask_url(url)}\n"
            "so the packages it holds could not be downloaded.\n"
            "\n"
            "Check the credentials in the config vars for this index, and that they may read it:\n"
            "  - an index in pyproject.toml's [[tool.uv.index]]: UV_INDEX_<NAME>_USERNAME and\n"
            "    UV_INDEX_<NAME>_PASSWORD (the index name in upper case, other characters as _)\n"
            "  - a Poetry source: POETRY_HTTP_BASIC_<NAME>_USERNAME and ..._PASSWORD\n"
            "  - PIP_INDEX_URL or PIP_EXTRA_INDEX_URL: the user:password part of the URL\n"
            "Set them with `heroku config:set` (or your platform's env) and build again.",
        )


class RequirementsCompileFailed(UserError):
    def __init__(self, requirements: str, output: str) -> None:
        self.output = output
        super().__init__(
            f"Could not resolve the packages in {requirements}",
            f"pip-compile could not turn {requirements} into a list of pinned versions:\n"
            f"{_tail(output)}\n"
            "\n"
            f"Check {requirements} for conflicting or misspelled requirements. You can\n"
            "run `pip-compile requirements.in` locally and commit the resulting\n"
            "requirements.txt to skip this step.",
        )


class SelectionUnknown(UserError):
    def __init__(self, variable: Where, names: Sequence[str], source: str, available: Sequence[str]) -> None:
        where = _origin(variable)
        self.variable, self.names, self.source, self.available = where.variable, names, source, available
        what = "dependency groups" if where.variable.endswith("GROUPS") else "extras"
        super().__init__(
            f"{_label(where)} names {what} that {source} does not declare",
            f"{_subject(where)} asks for {', '.join(names)}, but {source} declares\n"
            f"no such {what}. It declares: {', '.join(available) or '(none)'}.\n"
            "\n"
            f"Fix the spelling in {_label(where)}, or declare the {what} in {source}.",
        )


class PoetryPyprojectMissing(UserError):
    def __init__(self) -> None:
        super().__init__(
            "poetry.lock without pyproject.toml",
            "The app has a poetry.lock but no pyproject.toml, so pybuildpack cannot tell which\n"
            "of the locked packages the app depends on.\n"
            "\n"
            "Commit the pyproject.toml the lock was made from (`git add pyproject.toml`).",
        )


class PoetryLockOutdated(UserError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            "poetry.lock is out of date",
            f"poetry.lock no longer matches pyproject.toml: {reason}.\n"
            "Installing it would not give you the dependencies pyproject.toml declares.\n"
            "\n"
            "Run `poetry lock` (Poetry 1.x: `poetry lock --no-update`) and commit the new\n"
            "poetry.lock.",
        )


class PipfileLockMissing(UserError):
    def __init__(self) -> None:
        super().__init__(
            "Pipfile without Pipfile.lock",
            "The app has a Pipfile but no Pipfile.lock. pybuildpack installs the exact versions\n"
            "and hashes of the lock, and will not resolve the Pipfile's ranges itself.\n"
            "\n"
            "Run `pipenv lock` and commit Pipfile.lock.",
        )


class PipfileLockOutdated(UserError):
    def __init__(self, locked: str, expected: str) -> None:
        super().__init__(
            "Pipfile.lock is out of date",
            f"Pipfile.lock was made from another Pipfile: its hash is {locked[-6:] or '(none)'}, the\n"
            f"Pipfile's is {expected[-6:]}. Installing it would not give you what the Pipfile declares.\n"
            "\n"
            "Run `pipenv lock` and commit the new Pipfile.lock.",
        )


class PoetryLockMissing(UserError):
    def __init__(self) -> None:
        super().__init__(
            "pyproject.toml is a Poetry project without poetry.lock",
            "pyproject.toml has a [tool.poetry] table but no [project] table, and the app has\n"
            "no poetry.lock, so pybuildpack cannot tell which packages to install.\n"
            "\n"
            "Run `poetry lock` and commit poetry.lock, or export the dependencies with\n"
            "`poetry export -o requirements.txt` and commit that file.",
        )


class PylockAmbiguous(UserError):
    def __init__(self, files: Sequence[str]) -> None:
        super().__init__(
            "Several pylock files and no pylock.toml",
            "The app has several PEP 751 lock files, and none of them is the default\n"
            "pylock.toml, so pybuildpack will not guess which one to install:\n"
            + _bullets(files)
            + "\n\nRename the one to install to pylock.toml (or delete the others).",
        )


class PylockInvalid(UserError):
    def __init__(self, file: str, reason: str) -> None:
        super().__init__(
            f"{file} is not a usable lock",
            f"{file} could not be installed as a PEP 751 lock: {reason}\n"
            "\n"
            f"Regenerate it, for example with `uv export --format pylock.toml -o {file}`\n"
            f"or `uv pip compile --format pylock.toml requirements.in -o {file}`.",
        )


class PathDependencyOutsideApp(UserError):
    def __init__(self, file: str, line: Optional[int], requirement: str, where: str) -> None:
        at = f"{file} line {line}" if line else file
        super().__init__(
            f"{file} depends on a path outside the app",
            f"{at} names {requirement!r}, a path that points at {where}, outside the app.\n"
            "Only the app's own directory is sent to the build, so that path does not exist\n"
            "there (nor at runtime).\n"
            "\n"
            "Move the package inside the app (for example into libs/) and point at it with a\n"
            "relative path, or publish it to a package index and depend on it by name. If the\n"
            "app is a subdirectory of a repository that holds the package, build the repository\n"
            "and name the app's directory: PYBUILDPACK_APP_ROOT=apps/web.",
        )


class FrameworkNotDeclared(UserError):
    def __init__(self, framework: str, origin: str) -> None:
        super().__init__(
            f"The app uses {framework}, but declares no dependencies",
            f"{origin} is a {framework} app, but the app has no requirements.txt, lock file,\n"
            f"setup.py or pyproject.toml [project] table, so {framework} would not be installed and\n"
            "the app would stop at start with ModuleNotFoundError.\n"
            "\n"
            f"Commit a requirements.txt that lists {framework} and the app's other packages\n"
            "(`pip freeze > requirements.txt` in the app's virtualenv is a start), or the lock\n"
            "of your package manager.",
        )


class AppFileSyntaxError(UserError):
    def __init__(self, file: str, line: Optional[int], message: str, version: str) -> None:
        at = f"{file} line {line}" if line else file
        super().__init__(
            f"{file} is not valid Python {version}",
            f"The web process serves the app in {file}, but Python {version} cannot compile it:\n"
            f"    {at}: {message}\n"
            "The web process would stop at start with this SyntaxError.\n"
            "\n"
            f"Fix {file} (`python -m py_compile {file}` shows the error), or pin the Python\n"
            "version the file is written for in .python-version, and push again.",
        )


class ServerCannotStart(UserError):
    def __init__(self, server: str, process: str, output: str) -> None:
        super().__init__(
            f"{server} cannot start in the app's environment",
            f"The {process} process runs {server}, but importing it with the app's Python fails:\n"
            f"{_tail(output, 12)}\n"
            "\n"
            f"The process would stop at start with this error. Check the versions the app\n"
            f"pins for {server} and its dependencies: an old release may not work with the\n"
            "newer packages or Python installed beside it.",
        )


class UwsgiHomeUnset(UserError):
    def __init__(self, where: str, setting: str, process: str, in_file: bool) -> None:
        if in_file:
            fix = ("uWSGI finds the packages here without a home. Remove the line, or keep it for\n"
                   "the places that do set VIRTUAL_ENV (a Docker image) by setting it only there:\n"
                   "    if-env = VIRTUAL_ENV\n"
                   "    virtualenv = %(_)\n"
                   "    endif =")
        else:
            fix = (f"uWSGI finds the packages here without a home: remove `{setting}` from the\n"
                   "command.")
        super().__init__(
            "uWSGI would start with no Python home",
            f"{where} sets `{setting}`\n"
            f"for the {process} process, but VIRTUAL_ENV is not set where the app runs: its\n"
            "packages are in the runtime's own Python, which is no virtualenv. uWSGI (the\n"
            "compiled `uwsgi` package) would start Python with a home that does not exist,\n"
            "and stop at start with \"No module named 'encodings'\".\n"
            "\n" + fix,
        )


def uvicorn_without_graceful_timeout(version: str, since: str, seconds: str) -> tuple:
    return (
        f"uvicorn {version} has no time limit for stopping",
        f"The app installs uvicorn {version}, older than {since}, the first release with\n"
        "--timeout-graceful-shutdown, so the web process runs without it. On SIGTERM\n"
        "(at every deploy and restart) uvicorn then waits for every request in progress,\n"
        "however long it takes, until the platform kills it 30 s later.\n"
        "\n"
        f"Allow uvicorn {since} or later in the app's dependencies: the web process then\n"
        f"gives requests in progress {seconds} s to finish.",
    )


def uwsgi_reloads_on_sigterm(process: str, where: str, in_file: bool) -> tuple:
    if in_file:
        fix = (f"Add these lines to {where.rsplit(' line ', 1)[0]}, so that each worker finishes the\n"
               "requests it is serving and uWSGI exits:\n"
               "    die-on-term = true\n"
               "    hook-master-start = unix_signal:15 gracefully_kill_them_all")
    else:
        fix = ("Add `--die-on-term --hook-master-start \"unix_signal:15 gracefully_kill_them_all\"`\n"
               "to the command, so that each worker finishes the requests it is serving and\n"
               "uWSGI exits.")
    return (
        "uWSGI reloads when asked to stop",
        f"The {process} process runs uWSGI with a master process ({where}). On\n"
        "SIGTERM, which the platform sends to stop a process (at every deploy and\n"
        "restart), uWSGI 2.0 kills its workers with the requests they are serving, and\n"
        "starts again; the platform kills it for good 30 s later.\n"
        "\n" + fix,
    )


class BuiltForNumpy1(UserError):
    def __init__(self, found: Sequence[tuple], numpy: str, requirements: str) -> None:
        first, version, _ = found[0]
        others = f" and {len(found) - 1} more" if len(found) > 1 else ""
        super().__init__(
            f"{first} {version}{others} cannot run with numpy {numpy}",
            f"The install chose numpy {numpy}, but these packages were built for numpy 1,\n"
            "and numpy 2 changed its binary interface:\n"
            + "\n".join(f"  - {name} {installed} (the first release built for numpy 2 is {ready})"
                         for name, installed, ready in found)
            + "\n"
            "Importing them would fail (\"numpy.dtype size changed, may indicate binary\n"
            "incompatibility\"), so the app would stop at start.\n"
            "\n"
            f"Pin numpy below 2 in {requirements} (numpy<2), or upgrade those packages to\n"
            "the releases named above.",
        )


class SetupPyFailed(UserError):
    def __init__(self, file: str, command: str, output: str, installer: str = "uv") -> None:
        super().__init__(
            f"Could not build the app from {file}",
            f"pybuildpack installs the app itself (`.`) because it has {file}, and building\n"
            f"it failed; the output of {installer} and of {file} is:\n"
            f"{_tail(output)}\n"
            "\n"
            f"Command: {command}\n"
            "\n"
            f"Fix {file} (run `pip install .` locally to see the error in full), or list the\n"
            "app's dependencies in requirements.txt instead: with a requirements.txt,\n"
            f"pybuildpack does not run {file}.",
        )


class ProjectBuildFailed(UserError):
    def __init__(self, command: str, output: str) -> None:
        super().__init__(
            "Could not build the project from pyproject.toml",
            "pyproject.toml has a [build-system] table, so pybuildpack installs the project\n"
            "itself (.), and building it failed:\n"
            f"{_tail(output)}\n"
            "\n"
            f"Command: {command}\n"
            "\n"
            "Fix the build (run `pip install .` locally to see the error in full). If the app\n"
            "is not meant to be a package, remove the [build-system] table: then only the\n"
            "[project] dependencies are installed, and nothing is built.",
        )


# The backend of the whole `poetry` package, before poetry-core: it cannot build a project editable.
LEGACY_POETRY_BACKEND = "poetry.masonry.api"


class PoetryProjectBuildFailed(UserError):
    def __init__(self, backend: str, command: str, output: str) -> None:
        legacy = ""
        if backend == LEGACY_POETRY_BACKEND:
            legacy = ("\n\n"
                      f"If it is meant to be a package: its build backend, `{backend}`, is the one of the\n"
                      "whole `poetry` package, from before poetry-core, and it cannot install a project\n"
                      "editable. Name poetry-core's in pyproject.toml instead:\n"
                      "    [build-system]\n"
                      "    requires = [\"poetry-core>=1.0.0\"]\n"
                      "    build-backend = \"poetry.core.masonry.api\"")
        super().__init__(
            "Could not install the project itself from pyproject.toml",
            "Poetry installs the project itself, editable, besides its dependencies (package\n"
            "mode, the default), so pybuildpack does too, with the build backend that\n"
            f"pyproject.toml's [build-system] names{f' ({backend})' if backend else ''}, and that failed:\n"
            f"{_tail(output)}\n"
            "\n"
            f"Command: {command}\n"
            "\n"
            "If the app's code runs from its directory and is not meant to be installed as a\n"
            "package, say so under [tool.poetry] in pyproject.toml (Poetry 1.8 or later reads\n"
            "it too): then only the dependencies are installed.\n"
            "    package-mode = false\n"
            "Otherwise fix the build: `poetry build` shows its error in full." + legacy,
        )


class InstallerNotSupported(UserError):
    def __init__(self, installer: str, source: str, variable: Where = "PYBUILDPACK_INSTALLER",
                 why: str = "") -> None:
        where = _origin(variable)
        super().__init__(
            f"{_assignment(where, installer)} cannot install from {source}",
            f"The app's dependencies come from {source}, which pybuildpack installs with uv\n"
            f"only; the {installer} installer (pip-compile and pip-sync) reads requirements files.\n"
            + (f"{why}\n" if why else "") +
            "\n"
            f"{_unset(where)} to use uv, or list the dependencies in requirements.txt.",
        )


def installing_pyproject(with_project: bool, selected: Sequence[str]) -> str:
    chosen = f" (with {', '.join(selected)})" if selected else ""
    if with_project:
        return f"Installing the project (.) and its dependencies from pyproject.toml{chosen}"
    return f"Installing the dependencies listed in pyproject.toml{chosen} (no [build-system]: the project itself is not installed)"


def installing_setup_py(file: str) -> str:
    return (f"Installing the app itself (.) from {file}, with the dependencies it declares "
            "(Heroku's buildpack no longer does this; pybuildpack does)")


def installing_pylock(file: str, count: int) -> str:
    return f"Installing the {count} packages locked in {file}"


def no_requirements_file() -> tuple:
    return (
        "No requirements file found",
        "The app has no requirements.txt, requirements.in, uv.lock, poetry.lock,\n"
        "Pipfile.lock, pylock.toml, setup.py or pyproject.toml with a [project] table,\n"
        "so pybuildpack installs only what it needs to run the app. List your\n"
        "dependencies in requirements.txt, or commit the lock of your package manager.",
    )


# Each tool pybuildpack does not install from: its name, why not, and how to
# move its dependencies to a requirements.txt.
_NOT_INSTALLED = {
    "pdm": ("PDM", "pybuildpack does not install from pdm.lock yet",
            ["pdm export --prod -o requirements.txt"]),
    "conda": ("conda", "pybuildpack does not install conda environments",
              ["list the PyPI packages the app needs in requirements.txt; the `pip:`",
               "section of the environment file is a start (conda-only packages",
               "cannot be installed from PyPI)"]),
}


class DependencyFilesNotInstalled(UserError):
    def __init__(self, found: Sequence[tuple], also_in: Optional[str] = None) -> None:
        """`also_in`: the file (pyproject.toml) that lists the dependencies too, as ranges."""
        def about(tool: str) -> tuple:
            return _NOT_INSTALLED.get(tool, (tool, f"pybuildpack does not install from {tool}'s files yet", []))

        files = [name for _, names in found for name in names]
        if len(found) == 1 and found[0][0] == "conda":
            title = f"pybuildpack does not install conda environments ({', '.join(files)})"
        else:
            title = f"pybuildpack does not install from {' or '.join(files)} yet"
        advice = []
        for tool, _ in found:
            label, _, steps = about(tool)
            advice.append(f"  - {label}: {steps[0]}" if steps else f"  - {label}")
            advice += [f"    {step}" for step in steps[1:]]
        listed = "\n".join(f"  - {', '.join(names)} ({about(tool)[0]}): {about(tool)[1]}" for tool, names in found)
        if also_in:
            what = (f"The app's dependencies are locked in a file pybuildpack cannot install:\n{listed}\n"
                    "Installing without the lock would ship versions nobody tested with the app,\n"
                    "so the build stops here.\n")
            ranges = ("\n\n"
                      f"{also_in} lists them too, as ranges. To install from it instead (the newest\n"
                      "versions its ranges allow, not the lock's), set the config var\n"
                      "PYBUILDPACK_PACKAGE_MANAGER=pyproject, or under [tool.pybuildpack] in\n"
                      "pyproject.toml: package-manager = \"pyproject\".")
        else:
            what = (f"The app declares its dependencies only in files pybuildpack cannot install:\n{listed}\n"
                    "Building would ship the app without its packages, so the build stops here.\n")
            ranges = ""
        super().__init__(
            title,
            what
            + "\n"
            "To deploy now, put the packages in a requirements.txt and commit it:\n"
            + "\n".join(advice)
            + "\n(pybuildpack installs from requirements.txt, requirements.in, uv.lock, poetry.lock\n"
            "and Pipfile.lock.)" + ranges,
        )


class SeveralPackageManagers(UserError):
    def __init__(self, found: Sequence[tuple], variable: str, kinds: Sequence[str], example: str) -> None:
        listing = _bullets(f"{name} ({tool})" for name, tool in found)
        super().__init__(
            "Dependency files of several package managers",
            "The app declares its dependencies in more than one way:\n"
            f"{listing}\n"
            "pybuildpack will not guess which one you deploy with. Either:\n"
            "  - delete the files you no longer use, or\n"
            f"  - choose one with the config var {variable}, for example\n"
            f"        heroku config:set {variable}={example}\n"
            + textwrap.fill(f"(its values: {', '.join(kinds)}); the other files are then left alone.",
                            width=84, initial_indent="    ", subsequent_indent="    "),
        )


class PackageManagerFileMissing(UserError):
    def __init__(self, variable: Where, kind: str, files: Sequence[str]) -> None:
        where = _origin(variable)
        wanted = " or ".join(files)
        super().__init__(
            f"No {wanted} for {_assignment(where, kind)}",
            f"{_is_set_to(where, repr(kind))}, which installs from\n"
            f"{wanted}, but the app has no {wanted} at its top.\n"
            "\n"
            f"Commit {wanted}, or set {_label(where)} to the package manager the\n"
            "app uses (or unset it when the app has only one).",
        )


class UvProjectMissing(UserError):
    def __init__(self) -> None:
        super().__init__(
            "uv.lock without a pyproject.toml",
            "The app has a uv.lock but no pyproject.toml beside it. A uv lock belongs to\n"
            "the project in that pyproject.toml, so pybuildpack cannot install from it.\n"
            "\n"
            "Commit the pyproject.toml that uv.lock was made from (both at the top of the\n"
            "app), or delete uv.lock if the app declares its packages elsewhere.",
        )


class UvLockOutdated(UserError):
    def __init__(self) -> None:
        super().__init__(
            "uv.lock is out of date",
            "uv.lock no longer matches pyproject.toml: the dependencies changed since\n"
            "the lock was written, so installing from it would not give the packages\n"
            "pyproject.toml asks for.\n"
            "\n"
            "Run `uv lock` in the app, commit the updated uv.lock, and deploy again.",
        )


class UvLockFailed(UserError):
    def __init__(self, command: str, output: str) -> None:
        super().__init__(
            "Could not read the packages in uv.lock",
            "uv could not read the app's project and lock:\n"
            f"{_tail(output)}\n"
            "\n"
            f"Command: {command}\n"
            "\n"
            "Fix the problem uv names above (run the same command in your app to see it\n"
            "in full). A lock written by a newer uv than pybuildpack's may need `uv lock`\n"
            "with an older uv, or a newer pybuildpack.",
        )


def uv_exported(count: int, file: str, groups: Sequence[str], with_dev: bool = False) -> str:
    extra = f" and the group{'s' if len(groups) > 1 else ''} {', '.join(groups)}" if groups else ""
    if with_dev:   # asked for (PYBUILDPACK_GROUPS, or bin/test-compile's test dependencies)
        return f"{file} locks {count} packages for this build (its dependencies{extra})"
    return f"{file} locks {count} packages for production (its dependencies{extra}, without the dev group)"


def server_added(name: str, version: str, why: str) -> str:
    return f"Added {name}=={version} to the install: {why}"


# --- Django ----------------------------------------------------------------------

class CollectstaticFailed(UserError):
    def __init__(self, command: str, output: str) -> None:
        super().__init__(
            "collectstatic failed",
            "Django's collectstatic command failed while collecting static files:\n"
            f"{_tail(output)}\n"
            "\n"
            f"Command: {command}\n"
            "\n"
            "Fix the error above (run the same command locally to see it in full), or\n"
            "skip the step by setting the config var DISABLE_COLLECTSTATIC=1.",
        )


class DjangoProbeFailed(UserError):
    """The settings import ended the process without an exception to report
    (os._exit(), a crash): DjangoSettingsImportFailed covers exceptions."""

    def __init__(self, settings: str, output: str, status: Optional[int] = None) -> None:
        shown = _tail(output).strip()
        how = f"the process exited with status {status}" if status is not None else "that failed"
        super().__init__(
            "Could not load your Django settings",
            f"pybuildpack imports {settings} to find STATIC_ROOT and WSGI_APPLICATION,\n"
            f"and {how} before the import finished"
            + (f". Its last output:\n{shown}\n" if shown else ", printing nothing.\n")
            + "\n"
            "Something in the settings (or what they import) ends the process: an os._exit()\n"
            "or a crash. Run `python manage.py collectstatic --noinput` locally to see it.",
        )


def static_root_supplied(path: str) -> tuple:
    return (
        "STATIC_ROOT is not set in your Django settings",
        f"pybuildpack collects static files into {path} and serves them from there.\n"
        "Your settings are unchanged: a wrapper settings module adds STATIC_ROOT at\n"
        "build time and at runtime. To choose the location yourself, set STATIC_ROOT.",
    )


def collectstatic_disabled() -> str:
    return "Skipping collectstatic: DISABLE_COLLECTSTATIC is set"


# --- hooks -------------------------------------------------------------------------

class HookFailed(UserError):
    def __init__(self, hook: str, exit_code: int) -> None:
        super().__init__(
            f"{hook} failed",
            f"The hook {hook} exited with status {exit_code}, so the build stops here.\n"
            "\n"
            f"Its output is above. Fix the script, or remove {hook} to skip it.",
        )


class HookNotRunnable(UserError):
    def __init__(self, hook: str, detail: str) -> None:
        super().__init__(
            f"{hook} could not be started",
            f"{hook} could not be run: {detail}\n"
            "\n"
            "A hook needs a shebang line such as `#!/usr/bin/env bash` (or it is run\n"
            "with bash), and must be a regular file.",
        )


# --- processes -----------------------------------------------------------------------

def app_sh_not_executable() -> tuple:
    return (
        "app.sh is not executable",
        "app.sh would be the web process, but it is not marked executable, so it is\n"
        "skipped. Run `chmod +x app.sh` and commit the change (git keeps the mode).",
    )


# --- cache ---------------------------------------------------------------------------

def cache_discarded(what: str, reasons: Sequence[str]) -> str:
    return f"Discarding cached {what}: " + "; ".join(reasons)


# --- Cloud Native Buildpacks layers -----------------------------------------------------

class CnbVariableMissing(InternalError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not set: bin/detect and bin/build must be run by a CNB lifecycle\n"
                         "(pack, kpack, Tekton), which sets it.")


def layers_checked() -> str:
    return "Checking the cached layers"


def layer_reused(name: str, what: str) -> str:
    return f"Reusing layer {name}: {what}"


def layer_rebuilt(name: str, reasons: Sequence[str]) -> str:
    return f"Rebuilding layer {name}: " + "; ".join(reasons)


def layer_updated(name: str, reasons: Sequence[str]) -> str:
    return f"Updating layer {name}: " + "; ".join(reasons)


def layer_metadata_unreadable() -> str:
    return "its metadata is unreadable (written by another pybuildpack version?)"


def layer_contents_missing() -> str:
    return "its contents were not restored"


def requirements_changed(files: Sequence[str]) -> str:
    return f"the requirements changed ({', '.join(files) or 'the added packages'})"


def local_requirements() -> str:
    return "requirements with local paths (or the app itself) are synced on every build"


def launch_processes(types: Sequence[str], default: Optional[str]) -> str:
    shown = [f"{kind} (default)" if kind == default else kind for kind in types]
    return "Processes: " + (", ".join(shown) if shown else "none")


# --- bootstrap ------------------------------------------------------------------------

class ToolEnvFailed(InternalError):
    def __init__(self, detail: str) -> None:
        super().__init__("Could not set up pybuildpack's own tools.", _tail(detail, 15))


# --- local commands (pybuildpack build, start, run, explain, up) -------------------------

def _shown_line(line: str) -> str:
    """A .env line for a message, with anything after `=` hidden: it may be a secret."""
    if "=" in line:
        return line.split("=", 1)[0] + "=..."
    return line.split()[0] + (" ..." if len(line.split()) > 1 else "")


class AppDirMissing(UserError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"No directory {path}",
            f"There is no directory at {path}, so there is no app to work on. Check the\n"
            "path, or run the command from inside your app, for example:\n"
            "    cd path/to/app && pybuildpack build",
        )


class AppNotFound(UserError):
    def __init__(self, path: str, looked_for: Sequence[str], found: Sequence[str]) -> None:
        import textwrap

        wrapped = textwrap.fill(", ".join(looked_for), width=76, initial_indent="    ", subsequent_indent="    ")
        shown = textwrap.fill(", ".join(found) if found else "nothing", width=76, initial_indent="    ",
                              subsequent_indent="    ")
        super().__init__(
            f"No Python app in {path}",
            f"{path} has none of the files that mark a Python app:\n{wrapped}\n"
            f"It holds:\n{shown}\n"
            "Run the command in your app's directory or give its path, for example\n"
            "`pybuildpack up examples/django`, or add a requirements.txt listing your packages.",
        )


class BuildpackNotApp(UserError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is a buildpack, not an app",
            f"{path} has bin/detect, bin/compile and buildpack.toml: it is a buildpack's own\n"
            "source (such as pybuildpack's checkout), which pybuildpack does not build as an\n"
            "app. Give the path of an app instead, for example `bin/pybuildpack up examples/django`.",
        )


class NotBuilt(UserError):
    def __init__(self, path: str) -> None:
        super().__init__(
            "The app has not been built yet",
            f"{path} has no finished build in .pybuildpack/, so there is no environment to\n"
            "run in. Build it first with `pybuildpack build`, or build and start it in one\n"
            "step with `pybuildpack up`.",
        )


class DotenvInvalid(UserError):
    def __init__(self, line_number: int, line: str, reason: str) -> None:
        super().__init__(
            "Invalid line in .env",
            f".env line {line_number} is not of the form NAME=value ({reason}):\n"
            f"    {_shown_line(line)}\n"
            "Write one variable per line, such as DEBUG=1 or SECRET_KEY='a b c' (quotes keep\n"
            "spaces), or start the line with # to make it a comment.",
        )


class UnknownProcess(UserError):
    def __init__(self, name: str, known: Sequence[tuple]) -> None:
        listed = "\n".join(f"    {process}: {command}  ({origin})" for process, command, origin in known)
        super().__init__(
            f"No process named {name!r}",
            f"The app has no {name!r} process. The processes it has are:\n"
            + (listed or "    (none: add a Procfile with `web: <command>`)")
            + "\nStart one of these, for example `pybuildpack start "
            + (known[0][0] if known else "web")
            + "`, or add a\n"
            + f"`{name}: <command>` line to the Procfile.",
        )


class PortInvalid(UserError):
    def __init__(self, where: str, value: str) -> None:
        super().__init__(
            "Invalid port",
            f"{where} is {value!r}, but a port is a whole number from 1 to 65535.\n"
            "Set it to a free port, for example `pybuildpack start --port 5001`, or unset it\n"
            "to use the default, 5000.",
        )


class PortInUse(UserError):
    def __init__(self, port: int, detail: str) -> None:
        super().__init__(
            f"Port {port} is in use",
            f"The web process cannot listen on port {port}: {detail}.\n"
            "Stop the program that uses it (perhaps an earlier `pybuildpack start`), or\n"
            f"pick another port: `pybuildpack start --port {port + 1}` (or PORT={port + 1} in .env).",
        )


class CommandNotFound(UserError):
    def __init__(self, command: str) -> None:
        super().__init__(
            f"Command not found: {command}",
            f"`{command}` is neither in the app's built environment (.pybuildpack/venv/bin)\n"
            "nor on your PATH. Check the spelling; if it comes from a package, add the package\n"
            "to requirements.txt and run `pybuildpack build` again.",
        )


class LocalPythonUnavailable(UserError):
    def __init__(self, wanted: str, reason: str, found: Sequence[str], origin: Optional[str] = None) -> None:
        shown = ", ".join(found) if found else "none"
        asked = f"{origin} asks for Python {wanted}. " if origin else ""
        super().__init__(
            f"No Python {wanted} for this build",
            f"{asked}{reason}, and no CPython on this machine matches it\n"
            f"(found: {shown}).\n"
            f"Install one, for example with `pyenv install {wanted}` or your system's packages,\n"
            "or set PYBUILDPACK_PYTHON_DOWNLOADS_JSON to a download list you can reach.",
        )


def local_python_fallback(reason: str, version: str, path: str) -> tuple:
    return (
        f"Using Python {version} from this machine",
        f"{reason},\n"
        f"so this build runs on the CPython {version} at {path}.\n"
        "Production builds install uv's CPython instead. To build with the same runtime\n"
        "locally, set PYBUILDPACK_PYTHON_DOWNLOADS_JSON to a download list you can reach\n"
        "and delete .pybuildpack/.",
    )


def gitignore_hint(paths: Sequence[str]) -> tuple:
    return (
        "Keep pybuildpack's files out of your repository",
        "pybuildpack keeps this app's Python, packages and build records in .pybuildpack/\n"
        "(which tells git to ignore it). Add these lines to your .gitignore, so that other\n"
        "tools that copy the app skip them as well:\n"
        + "\n".join(f"    {path}" for path in paths),
    )


def dependencies_changed_since_build() -> tuple:
    return (
        "The dependencies changed since the last build",
        "The requirements (or the packages pybuildpack adds) differ from the last build,\n"
        "so the environment may be missing packages. Run `pybuildpack build` again, or\n"
        "use `pybuildpack up` to build and start in one step.",
    )


# --- the app finder (inspect/web_app.py) ---------------------------------------------------

def no_web_process(looked_for: Sequence[str], seen: Sequence[str] = (), procfile_line: Optional[str] = None,
                   framework: Optional[str] = None, terms: str = "") -> tuple:
    """No Procfile `web` line and nothing found to serve: what was looked for
    (and `terms`, what its words mean), what the build saw, and a Procfile
    line to start from."""
    body = ("The app has no Procfile with a `web:` line, and pybuildpack found nothing it\n"
            "knows how to serve. It looked for, in order:\n" + _bullets(looked_for) + "\n"
            + (terms + "\n" if terms else ""))
    if seen:
        body += "It saw:\n" + _bullets(seen) + "\n"
    if procfile_line and seen and "in a file not looked in" in seen[-1]:
        body += "To serve that app, add a Procfile with this line:\n"
    elif procfile_line and framework:
        body += f"Your dependencies name {framework}. Add a Procfile with a web process, for example:\n"
    else:
        body += "Add a Procfile with a web process, for example:\n"
        procfile_line = procfile_line or "web: gunicorn myapp.wsgi"
    return ("No web process", body + f"    {procfile_line}")


class DjangoApplicationMissing(UserError):
    def __init__(self, setting: str, value: str, settings_file: str, line: Optional[int], manage_dir: str) -> None:
        where = f"{settings_file} line {line}" if line else settings_file
        module = value.rpartition(".")[0]
        root = f" (relative to {manage_dir}/, where manage.py is)" if manage_dir else ""
        written = " (startproject writes one)" if module.rpartition(".")[2] in ("wsgi", "asgi") else ""
        super().__init__(
            f"{setting} names a module that does not exist",
            f"{setting} in {where} is {value!r},\n"
            f"but there is no module {module}{root}:\n"
            f"no {module.replace('.', '/')}.py and no {module.replace('.', '/')}/__init__.py.\n"
            "The web server would fail to start, so the build stops here.\n"
            "\n"
            f"Create {module.replace('.', '/')}.py with the application in it{written},\n"
            f"point {setting} at the module that has it, or add a Procfile with a\n"
            "`web:` line to choose the web process yourself.",
        )


# --- the web process at start (pybuildpack start / up) --------------------------------------------

class WebProcessExitedAtStart(UserError):
    """The web process ended before it answered on its port."""

    def __init__(self, command: str, status: int, last_lines: Sequence[str], port: int) -> None:
        if status < 0:
            try:
                import signal as _signal
                how = f"was killed by {_signal.Signals(-status).name}"
            except ValueError:
                how = f"was killed by signal {-status}"
        else:
            how = f"exited with status {status}"
        shown = "\n".join(f"    {line}" for line in last_lines) if last_lines else "    (it printed nothing)"
        advice = (
            "Exiting with status 0 at once usually means the command runs no server: a\n"
            "module that defines an app but never serves it, for example. Name a server in\n"
            "a Procfile, such as `web: gunicorn wsgi:app` or `web: uvicorn main:app --host\n"
            "0.0.0.0 --port $PORT`."
            if status == 0 else
            "Fix what its output above says, then run `pybuildpack start` again; `pybuildpack\n"
            "run python -c \"import yourmodule\"` is a quick way to see an import error."
        )
        super().__init__(
            "The web process exited before it served",
            f"`{command}` {how} before it answered on port {port}.\n"
            f"Its last lines of output:\n\n{shown}\n\n{advice}",
        )


def web_process_not_answering(port: int, seconds: float) -> tuple:
    return (
        f"Nothing answers on port {port} yet",
        f"The web process has run for {seconds:.0f} s without answering on port {port}.\n"
        "If it is still loading, wait; otherwise check that it listens on 0.0.0.0:$PORT\n"
        "(pybuildpack sets PORT) rather than on a port of its own.",
    )


# --- WSGI servers: waitress, uWSGI, mod_wsgi-express (issue 10, helper C) --------------------------


class ApacheMissing(UserError):
    """mod_wsgi-express is the web server, but the build machine has no Apache to build or run it with."""

    def __init__(self, missing: str, origin: str) -> None:
        super().__init__(
            f"mod_wsgi-express needs Apache httpd, and {missing}",
            f"The web process runs under mod_wsgi-express ({origin}). It is Apache httpd\n"
            "with mod_wsgi: building the mod_wsgi package needs Apache's `apxs` tool, and\n"
            "the web process needs the Apache server and its modules, from the same\n"
            "installation, on the image the app runs on.\n"
            "\n"
            "On Debian or Ubuntu, install both on the build and the run image:\n"
            "    apt-get install apache2 apache2-dev\n"
            "(set APXS to its path if apxs is not on PATH). Heroku's stacks (heroku-22,\n"
            "heroku-24) and the heroku/builder CNB images have no Apache: there, use\n"
            "another server, e.g. set PYBUILDPACK_SERVER=gunicorn, or build on images\n"
            "that have Apache installed.",
        )


# --- Heroku's contract and the Python lifecycle (issue 13, helper C) -------------------------

def buildpack_source_not_app(found: Sequence[str]) -> str:
    """What bin/detect prints for a buildpack's own source (bin/detect, bin/compile
    and buildpack.toml at its top): Python files there are the buildpack's, not an app's."""
    files = ("the Python files in it are taken to be the buildpack's own:\n" + _bullets(found)
             if found else "it is not built as an app.")
    return (
        "pybuildpack: this is a buildpack's own source, not an app.\n"
        "It has bin/detect, bin/compile and buildpack.toml at its top, so\n"
        + files
        + "\nAn app that carries its own bin/detect and bin/compile (an inline buildpack)\n"
        "is still built as a Python app: if this is one, remove its buildpack.toml."
    )


class CommittedEnvironment(UserError):
    """The app's source holds a Python environment: a virtualenv, or the runtime directory the build owns."""

    def __init__(self, path: str, kind: str, platform_dir: bool) -> None:
        if platform_dir:
            what = (f"{path}/ is where pybuildpack installs Python and the app's packages,\n"
                    "and the app already has one. pybuildpack will not replace it silently:\n"
                    "what it holds was made elsewhere, and would be lost.\n")
        else:
            what = (f"{path}/ is {kind}. It was made on another machine: its interpreter\n"
                    "links and scripts point at paths that do not exist in the app's container,\n"
                    "and it would ship in the app beside the environment pybuildpack builds\n"
                    "from your dependency files.\n")
        super().__init__(
            f"The app's source contains a Python environment: {path}/",
            what
            + "\n"
            "Remove it from git and keep it out, then push again:\n"
            f"    git rm -r --cached {path}\n"
            f"    echo /{path}/ >> .gitignore\n"
            "If an earlier buildpack or the bin/pre_compile hook made it, have it use\n"
            "another directory. On Heroku, listing it in .slugignore also keeps it out.",
        )


def python_end_of_life(minor: str, ends: date, file: str, upgrade_to: Optional[str]) -> tuple:
    return (
        f"Python {minor} has reached its end of life",
        f"Python {minor} stopped getting security fixes in {ends.strftime('%B %Y')}, so the app\n"
        "runs on a Python that no longer gets them.\n"
        f"The version comes from {file}.\n"
        + _upgrade_hint(file, upgrade_to),
    )


def python_end_of_life_soon(minor: str, ends: date, file: str, upgrade_to: Optional[str]) -> tuple:
    return (
        f"Python {minor} reaches its end of life in {ends.strftime('%B %Y')}",
        f"After {ends.strftime('%B %Y')}, Python {minor} gets no more security fixes: plan the\n"
        "upgrade now.\n"
        f"The version comes from {file}.\n"
        + _upgrade_hint(file, upgrade_to),
    )


def _locked_python_change(file: str, what: str, pipfile_line: str) -> str:
    """How to change the Python version that `file` requests: a lock is made
    from the file beside it, not edited."""
    if file == "Pipfile.lock":
        return f"    set {pipfile_line} under [requires] in Pipfile, then run `pipenv lock`"
    if "[tool.poetry" in file:
        return f"    change {file} to {what}, then run `poetry lock`"
    if "pyproject.toml" in file:
        return (f"    change {file} to {what}, then refresh the app's lock\n"
                "    (`uv lock` or `poetry lock`) if it has one")
    return f"    change {file} to {what}"


def _upgrade_hint(file: str, upgrade_to: Optional[str]) -> str:
    if upgrade_to is None:
        return "Upgrade to a supported Python, and check that the app's packages support it."
    if file == ".python-version":
        change = f"    echo {upgrade_to} > .python-version"
    elif file == "runtime.txt":
        change = f"    echo {upgrade_to} > .python-version && git rm runtime.txt"
    else:
        change = _locked_python_change(file, f"allow Python {upgrade_to}", f'python_version = "{upgrade_to}"')
    return (f"Upgrade to Python {upgrade_to} (the oldest release that is supported for more\n"
            "than a year), or newer, and check that the app's packages support it:\n"
            + change)


def python_patch_outdated(pinned: str, newer: str, file: str) -> tuple:
    minor = ".".join(pinned.split(".")[:2])
    if file == "runtime.txt":
        change = f"    echo python-{newer} > runtime.txt"
    elif file == ".python-version":
        change = f"    echo {minor} > .python-version"
    else:
        change = _locked_python_change(file, f"name {minor} or {newer}", f'python_full_version = "{newer}"')
    return (
        f"Python {pinned} has a newer patch release: {newer}",
        f"{file} pins Python {pinned}, but the download list has {newer}, with the\n"
        f"security and bug fixes since. Pin {newer}, or just {minor} to get each\n"
        "patch release as it comes:\n"
        + change,
    )


class LocalPythonNotReleased(UserError):
    """A local build asked for a version newer than every release in the download list: it does not exist (yet)."""

    def __init__(self, origin: str, requested: str, available: Sequence[str]) -> None:
        shown = ", ".join(available) if available else "(none)"
        super().__init__(
            f"Python {requested} is not a CPython release",
            f"{origin} asks for Python {requested}, but it is newer than every CPython\n"
            "release in uv's download list, and no CPython on this machine is one.\n"
            f"Versions available: {shown}\n"
            "\n"
            f"Change {origin.split(' line ')[0]} to one of those versions.",
        )


def committed_environment_shipped(path: str) -> tuple:
    return (
        f"The app's source contains a Python environment: {path}/",
        f"{path}/ is a virtualenv in the app's source, and it will be in the image beside\n"
        "the environment pybuildpack builds. It was made on another machine, so its\n"
        "scripts and interpreter links will not work there. `pack build` sends the whole\n"
        "app directory, files git ignores included: keep it out of the image by listing\n"
        "it in project.toml:\n"
        "    [_]\n"
        "    schema-version = \"0.2\"\n"
        "    [io.buildpacks]\n"
        f"    exclude = [\"/{path}\"]",
    )


# --- every process at once, and exports (pybuildpack start --all, export; issue 12) -------------

class ConcurrencyInvalid(UserError):
    def __init__(self, text: str, reason: str) -> None:
        super().__init__(
            "Invalid -c/--concurrency",
            f"-c is {text!r}, but {reason}.\n"
            "Give TYPE=NUMBER pairs separated by commas, one per process type of the\n"
            "Procfile, for example `-c web=2,worker=1` (a type left out runs once, and\n"
            "`worker=0` leaves it out).",
        )


class ConcurrencyUnknownProcess(UserError):
    def __init__(self, name: str, known: Sequence[str], option: str = "-c") -> None:
        super().__init__(
            f"No process type named {name!r}",
            f"{option} names {name!r}, but the app's process types are: "
            + (", ".join(known) or "none") + ".\n"
            f"Check the spelling in {option}, or add a `{name}: <command>` line to the Procfile.",
        )


class NoProcesses(UserError):
    def __init__(self, counts_given: bool = False) -> None:
        if counts_given:
            super().__init__(
                "No processes to run",
                "-c gives every process type 0 copies, so there is nothing to run.\n"
                "Give at least one type a copy, for example `-c web=1`.",
            )
        else:
            super().__init__(
                "The app has no processes",
                "The Procfile defines no process types, and pybuildpack found no web app to\n"
                "serve. Add lines of the form `TYPE: command` to the Procfile, for example\n"
                "    web: gunicorn myapp.wsgi\n"
                "    worker: python worker.py",
            )


class FormationPortsTooHigh(UserError):
    def __init__(self, name: str, port: int, base: int) -> None:
        super().__init__(
            "Base port too high for this many processes",
            f"{name} would get PORT={port} (from the base port {base}: each process type\n"
            "100 higher, each copy 1 higher), but ports end at 65535.\n"
            "Choose a lower base port with --port, for example --port 5000.",
        )


class ProcessPortInUse(UserError):
    def __init__(self, name: str, port: int, detail: str, base: int) -> None:
        super().__init__(
            f"Port {port} is in use",
            f"{name} would listen on port {port}, but {detail}.\n"
            "Stop the program that uses it (perhaps an earlier `pybuildpack start`), or\n"
            f"choose another base port: `pybuildpack start --all --port {base + 1000}`\n"
            "(web.1 gets the base port, the next copies the ports after it).",
        )


class ExportDirNotEmpty(UserError):
    def __init__(self, path: str, others: Sequence[str]) -> None:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        super().__init__(
            f"{path} holds other files",
            f"The export writes its unit files into {path}, which already holds files it\n"
            f"did not write: {shown}.\n"
            "Give an empty (or new) directory and copy the units from there to\n"
            "/etc/systemd/system, or remove those files. Units of an earlier export of\n"
            "the same app are replaced.",
        )


class ExportTargetInvalid(UserError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"Cannot write {path}",
            f"The export cannot write to {path}: {reason}.\n"
            "Give a path to a file in a directory that exists, for example\n"
            "`pybuildpack export supervisord myapp.conf`.",
        )


class ExportNameInvalid(UserError):
    def __init__(self, option: str, value: str, rule: str) -> None:
        super().__init__(
            f"Invalid {option}",
            f"{option} is {value!r}, but {rule}.\n"
            f"Give a simple name, for example `{option} myapp`.",
        )


def process_failed(name: str, how: str) -> tuple:
    return (
        f"{name} {how}",
        f"{name} {how}, so pybuildpack stopped the other processes; its output is\n"
        f"above, prefixed with `{name}`. Fix what it says, or try the process alone with\n"
        f"`pybuildpack start {name.partition('.')[0]}`.",
    )


# --- Issue 13, helper A: package index unreachable ----------------------------------------------

class IndexUnreachable(UserError):
    """The installer could not connect to a package index at all (refused,
    unknown host, timed out): the requirements themselves may be fine."""

    def __init__(self, url: str, reason: str, requirements: str, variable: Optional[str] = None) -> None:
        # The log masks a config var's whole value: the variable's name says which index it is.
        where = f"set in {variable}:" if variable else "at"
        super().__init__(
            "Could not reach the package index",
            f"The packages in {requirements} could not be downloaded: the installer could not\n"
            f"connect to the package index {where}\n"
            f"    {mask_url(url)}\n"
            f"({reason}).\n"
            "\n"
            "If the index is down, build again once it answers. If its address is wrong,\n"
            "fix it where it is set: the PIP_INDEX_URL or PIP_EXTRA_INDEX_URL config var,\n"
            "or the index in pyproject.toml or the lock file.",
        )


# --- issue 13, helper B: unreadable files, Django settings imports, native builds, full disks -----

class AppFileUnreadable(UserError):
    """A file the build must read cannot be read at all (permission, loop, FIFO)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            f"Could not read {name}",
            f"The build must read {name}, but {reason}.\n"
            "\n"
            f"Commit {name} as a regular, readable file (`git add {name}`), or remove it.",
        )


class AppFileNotUtf8(UserError):
    def __init__(self, name: str, line: int, column: int, byte: str) -> None:
        super().__init__(
            f"{name} is not UTF-8",
            f"{name} line {line}, column {column}, has the byte 0x{byte}, which is not valid UTF-8,\n"
            "the encoding pybuildpack (and pip and uv) read it in.\n"
            "\n"
            f"Save {name} as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`), or remove\n"
            "the character from that line, and push again.",
        )


class VersionFileNotAFile(UserError):
    def __init__(self, name: str, what: str) -> None:
        super().__init__(
            f"{name} is not a file",
            f"The app has a {name}, but {what}: the Python version it asks\n"
            "for cannot be read, and the build would pick a version you did not ask for.\n"
            "\n"
            f"Make {name} a regular file holding the version (for example 3.12), or remove it.",
        )


class RequirementsIncludeMissing(UserError):
    def __init__(self, file: str, line: int, option: str, target: str, reason: str) -> None:
        super().__init__(
            f"{file} line {line} includes a file that cannot be read",
            f"{file} line {line} is `{option} {target}`, but {reason}.\n"
            "\n"
            f"Commit {target} (paths are relative to {file}'s directory), or remove the line.",
        )


class RequirementsControlCharacter(UserError):
    def __init__(self, file: str, line: int, column: int, code: int) -> None:
        super().__init__(
            f"{file} line {line} has a control character",
            f"{file} line {line}, column {column}, holds the control character 0x{code:02x}, which\n"
            "no requirement contains: the file is binary, or was saved in another encoding\n"
            "(UTF-16 has a NUL byte after every ASCII letter).\n"
            "\n"
            f"Save {file} as plain UTF-8 text, and push again.",
        )


class RequirementsLocalPathNotAProject(UserError):
    def __init__(self, file: str, line: int, text: str, target: str) -> None:
        super().__init__(
            f"{file} line {line} installs a directory that is not a Python project",
            f"{file} line {line} is `{text}`, but {target} has no pyproject.toml\n"
            "and no setup.py, so there is nothing to install from it.\n"
            "\n"
            f"Remove the line (list the app's dependencies in {file} instead), or add a\n"
            f"pyproject.toml describing the package in {target}.",
        )


class RequirementsLineTooLong(UserError):
    def __init__(self, file: str, line: int, length: int, limit: int) -> None:
        super().__init__(
            f"{file} line {line} is too long",
            f"{file} line {line} is {length} characters long; no requirement is longer than\n"
            f"{limit} characters, so it is not one (a file pasted or generated by mistake?), and\n"
            "handing it to the installer could hold the build for many minutes.\n"
            "\n"
            f"Fix or remove {file} line {line}, and push again.",
        )


class DjangoSettingsModuleInvalid(UserError):
    def __init__(self, module: str, origin: str) -> None:
        suggestion = module[:-3] if module.endswith(".py") else module
        suggestion = suggestion.strip().replace("/", ".").replace("-", "_").replace(" ", "_")
        if origin.startswith("config var"):
            fix = (f"Set it to the dotted name of the settings module, perhaps\n"
                   f"    heroku config:set DJANGO_SETTINGS_MODULE={suggestion}\n"
                   "(or in your platform's env), or unset it to use the one manage.py names.")
        else:
            fix = (f"Rename the package so that its name is one (for example {suggestion}), and\n"
                   f"change {origin} to match.")
        super().__init__(
            f"Invalid Django settings module name {module!r}",
            f"{origin} names the settings module {module!r},\n"
            "which is not a Python module name: each dotted part must be an identifier\n"
            "(letters, digits and _, not starting with a digit). Django could not import\n"
            "it, and the app would not start.\n"
            "\n" + fix,
        )


# Exceptions that mean the settings reached for a database at import time.
_DATABASE_WORDS = ("database", "operationalerror", "interfaceerror", "programmingerror", "psycopg", "mysql",
                   "sqlite3", "databases")


class DjangoSettingsImportFailed(UserError):
    """The settings raised while being imported as `manage.py collectstatic` imports them."""

    def __init__(self, settings: str, origin: str, report: dict, settings_file: Optional[str],
                 dependency_file: Optional[str], command: str) -> None:
        exc_type = report.get("type") or "Exception"
        message = _cut(str(report.get("message") or ""), 500)
        frames = report.get("frames") or []
        syntax = report.get("syntax")
        where = None
        if syntax and syntax.get("file"):
            where = f"{syntax['file']} line {syntax.get('line')}"
        else:
            own = [f for f in frames if settings_file and f["file"] == settings_file] or frames
            if own:
                where = f"{own[-1]['file']} line {own[-1]['line']}"
        title = "Could not import the Django settings" + (f" ({where})" if where else "")
        import textwrap

        body = textwrap.fill(f"pybuildpack imports {settings} (named in {origin}) to find STATIC_ROOT and "
                             f"WSGI_APPLICATION, as `{command}` would, and "
                             + (f"{where} raised:" if where else "the import raised:"), width=80,
                             break_on_hyphens=False, break_long_words=False) + "\n"
        body += f"    {exc_type}: {message}\n"
        if syntax and syntax.get("text"):
            text = syntax["text"].rstrip("\n")
            body += f"        {_cut(text.strip(), 200)}\n"
            offset = syntax.get("offset")
            if isinstance(offset, int) and offset > 0:
                indent = len(text) - len(text.lstrip())
                body += "        " + " " * max(0, offset - 1 - indent) + "^\n"
        elif frames:
            body += "\nThe app's part of the traceback (most recent call last):\n"
            for frame in frames[-8:]:
                body += f"  File \"{frame['file']}\", line {frame['line']}, in {frame['function']}\n"
                if frame.get("source"):
                    body += f"    {_cut(frame['source'], 200)}\n"
        body += "\n" + self._advice(exc_type, message, report, settings, origin, dependency_file, command)
        super().__init__(title, body)

    @staticmethod
    def _advice(exc_type: str, message: str, report: dict, settings: str, origin: str,
                dependency_file: Optional[str], command: str) -> str:
        deps = dependency_file or "requirements.txt"
        module = report.get("module") or ""
        if exc_type in ("SyntaxError", "IndentationError", "TabError"):
            file = (report.get("syntax") or {}).get("file") or "<file>"
            return f"Fix the syntax at that line (`python -m py_compile {file}` shows it locally)."
        if exc_type == "ModuleNotFoundError" and report.get("settings_missing"):
            return (f"There is no module {settings} beside manage.py. Fix the name in {origin},\n"
                    "or commit the settings module.")
        if exc_type == "ModuleNotFoundError" and module and not report.get("module_in_app"):
            top = module.split(".")[0]
            return (f"No installed package provides the module {top!r}. Add the package that does to\n"
                    f"{deps} (its name on PyPI may differ from the module's), or remove the import.")
        if exc_type == "ImportError":
            return ("The module is there, but not the name imported from it: check the spelling, or pin\n"
                    f"in {deps} the version of the package that has it.")
        if exc_type == "KeyError" and report.get("environ"):
            key = message.strip("'\"")
            return (f"The settings read os.environ[{key!r}], and no config var {key} is set, so the\n"
                    f"build cannot import them. Set it (`heroku config:set {key}=...`, or your\n"
                    f"platform's env), or read it with os.environ.get({key!r}, default).")
        if any(word in (exc_type + " " + message).lower() for word in _DATABASE_WORDS):
            return ("The settings reach for the database while they are imported, and the build has\n"
                    "no database. Describe the database in the settings (DATABASES, or\n"
                    "dj_database_url.config()) without connecting to it or querying it at import\n"
                    "time: Django connects on first use, when the app runs.")
        return ("Fix the error at that line. The build imports the settings with the config vars\n"
                f"set; run `{command}` locally to see it happen.")


# Known native builds: a package that compiles C code against a system library,
# the output that says the library is missing, and how to get it.
NATIVE_LIBRARIES = (
    # (key, packages, output patterns, library, Debian/Ubuntu build packages, Homebrew, a binary alternative)
    ("mysql", ("mysqlclient",),
     (r"mysql_config:? not found", r"Can not find valid pkg-config name", r"pkg-config --exists mysqlclient",
      r"mysql\.h: No such file"),
     "the MySQL client library (libmysqlclient, found with pkg-config)",
     "default-libmysqlclient-dev pkg-config", "mysql-client pkg-config",
     "PyMySQL, in pure Python (pymysql.install_as_MySQLdb())"),
    ("libpq", ("psycopg2", "psycopg", "psycopg-c"),
     (r"pg_config executable not found", r"pg_config is required", r"libpq-fe\.h: No such file",
      r"no pq wrapper available"),
     "PostgreSQL's client library (libpq, found with pg_config)",
     "libpq-dev", "libpq", "psycopg2-binary (or psycopg[binary]): it bundles libpq"),
    ("gdal", ("gdal",),
     (r"gdal-config", r"gdal\.h: No such file", r"Could not find gdal", r"GDAL_CONFIG"),
     "the GDAL library (found with gdal-config)", "libgdal-dev", "gdal", None),
    ("ldap", ("python-ldap",),
     (r"lber\.h: No such file", r"ldap\.h: No such file", r"sasl/sasl\.h: No such file"),
     "the OpenLDAP and SASL client libraries", "libldap2-dev libsasl2-dev", "openldap",
     "ldap3, in pure Python"),
    ("cairo", ("pycairo",),
     (r"Dependency \"?cairo\"? not found", r"cairo\.h: No such file", r"Package cairo was not found",
      r"Did not find pkg-config by name"),
     "the cairo graphics library (found with pkg-config)", "libcairo2-dev pkg-config", "cairo pkg-config", None),
    ("libxml2", ("lxml",),
     (r"libxml2 and libxslt development packages", r"libxml/\w+\.h: No such file", r"xslt-config",
      r"libxslt/\w+\.h: No such file"),
     "the libxml2 and libxslt libraries", "libxml2-dev libxslt1-dev", "libxml2 libxslt",
     "a version that has a wheel for this Python"),
    ("libffi", ("cffi",),
     (r"ffi\.h: No such file", r"Package libffi was not found"),
     "the libffi library", "libffi-dev", "libffi", "a version that has a wheel for this Python"),
    ("odbc", ("pyodbc",),
     (r"sql\.h: No such file", r"sqlext\.h: No such file"),
     "the unixODBC library", "unixodbc-dev", "unixodbc", None),
    ("compiler", (),
     (r"command '(?:[\w/.-]*/)?(?:gcc|cc|x86_64-linux-gnu-gcc)' failed: No such file",
      r"unable to execute '(?:gcc|cc)'", r"gcc: (?:command )?not found", r"error: could not find (?:a )?C compiler"),
     "a C compiler (gcc)", "build-essential", "(Xcode's command line tools: xcode-select --install)", None),
)


class NativeBuildFailed(UserError):
    """A package failed to compile because the build machine lacks a system library."""

    def __init__(self, requirements: str, package: str, library: str, apt: str, brew: str,
                 alternative: Optional[str], installer: str, lines: Sequence[str], command: str) -> None:
        import textwrap

        brew_text = brew if brew.startswith("(") else f"`brew install {brew}`"
        shown = "\n".join(f"    {_cut(line.strip(), 200)}" for line in lines)
        intro = textwrap.fill(
            f"{installer} could not build {package} (from {requirements}): no wheel of it fits this Python "
            f"and machine, so it is compiled from source, and that needs {library}, which the build "
            "machine does not have. The build said:", width=80, break_on_hyphens=False)
        super().__init__(
            f"{package} could not be built: {library.split(' (')[0]} is missing",
            f"{intro}\n{shown}\n"
            "\n"
            "Give the build that library:\n"
            "  - Heroku: add the heroku-community/apt buildpack before this one, and an\n"
            f"    Aptfile at the top of the app listing: {apt}\n"
            "  - Cloud Native Buildpacks: use a builder whose build image has\n"
            f"    {apt}, and whose run image has the library\n"
            f"  - your machine: `apt-get install {apt}`\n"
            f"    (macOS: {brew_text})\n"
            + (f"Or replace {package} with {alternative}.\n" if alternative else "")
            + "\n"
            f"Command: {_cut(command)}",
        )


def failed_builds(output: str) -> list:
    """The packages an installer's output says it failed to build from source:
    uv's `greenlet==3.0.1`, pip's `greenlet`, in the order named, once each."""
    failed = re.findall(r"Failed to build `([^`]+)`", output)                                      # uv
    failed += re.findall(r"(?:Failed to build|Failed building wheel for|Building wheel for) "
                         r"'?(?!installable\b)([A-Za-z0-9][A-Za-z0-9._-]*)", output)              # pip
    failed += [name.strip() for names in re.findall(r"based projects \(([^)]+)\)", output)
               for name in names.split(",")]
    return list(dict.fromkeys(failed))


def _built_name(spec: str) -> str:
    """The project name in what failed_builds returns: `greenlet` of `greenlet==3.0.1`."""
    return re.split(r"[=<>~!; @\[]", spec, maxsplit=1)[0]


def native_build_failure(output: str, requirements: str, installer: str, command: str) -> Optional[NativeBuildFailed]:
    """The NativeBuildFailed an installer's output shows, if it shows a known one:
    a package failed to build, and its output names a missing library."""
    failed_names = [_built_name(name).lower().replace("_", "-") for name in failed_builds(output)]
    if not failed_names and not any(mark in output for mark in ("build backend returned an error",
                                                                 "subprocess-exited-with-error", "error: command")):
        return None
    for key, packages, patterns, library, apt, brew, alternative in NATIVE_LIBRARIES:
        if not any(re.search(p, output) for p in patterns):
            continue
        package = next((name for name in failed_names if name in packages), None) \
            or next((name for name in failed_names), None) or (packages[0] if packages else "a package")
        lines = []
        for line in output.splitlines():
            stripped = line.strip()
            if stripped and (any(re.search(p, stripped) for p in patterns)
                             or re.search(r"Failed to build|^error: |Exception: ", stripped)) \
                    and not stripped.startswith("pip._internal") and stripped not in lines:
                lines.append(stripped)
        return NativeBuildFailed(requirements, package, library, apt, brew, alternative, installer,
                                 lines[-10:], command)
    return None


class DiskFull(UserError):
    def __init__(self, path: str, description: str, directory: str, mount: str, size: str,
                 cache_note: str) -> None:
        where = f"{description} ({directory})" if directory else description
        super().__init__(
            f"No space left on the disk of {description}",
            "The build ran out of disk space writing\n"
            f"    {path}\n"
            f"in {where}, on {size} filesystem mounted at\n"
            f"{mount}, which is full.\n"
            + (f"{cache_note}\n" if cache_note else "")
            + "\n"
            "Free space there (or give the build a larger disk) and build again. Large\n"
            "packages and a full installer cache are the usual causes; clearing the build\n"
            "cache (on Heroku: `heroku builds:cache:purge`) makes room for the next build.",
        )


_FRAME = re.compile(r'^(\s*)File "([^"]+)", line (\d+), in (.+)$')


def app_traceback(output: str, app_dir: str) -> str:
    """`output` with each Python traceback cut to the frames in the app's own
    files (paths shown relative to `app_dir`); the frames of Django, the other
    installed packages and the standard library are counted in one line."""
    root = str(app_dir).rstrip("/") + "/"

    def own(path: str) -> bool:
        return path.startswith(root) and "/site-packages/" not in path and "/lib/python3." not in path

    def skipped_line(indent: str, count: int) -> str:
        return f"{indent}... {count} frame{'s' if count > 1 else ''} of Django and other packages"

    kept: list = []
    skipped, keeping, after_frame, indent = 0, False, 0, "  "
    for line in output.splitlines():
        frame = _FRAME.match(line)
        if frame:
            indent, keeping, after_frame = frame.group(1), own(frame.group(2)), 1
            if keeping:
                if skipped:
                    kept.append(skipped_line(indent, skipped))
                    skipped = 0
                kept.append(f'{indent}File "{frame.group(2)[len(root):]}", line {frame.group(3)}, in {frame.group(4)}')
            else:
                skipped += 1
            continue
        # The lines under a frame, indented deeper, are its source (several lines
        # for a statement that spans them, from Python 3.13) and its ^^^ marker.
        if after_frame and len(line) - len(line.lstrip()) > len(indent) and line.strip():
            after_frame += 1
            if keeping and not set(line.strip()) <= set("^~ "):
                kept.append(line)
            continue
        after_frame = 0
        if skipped:
            kept.append(skipped_line(indent, skipped))
            skipped = 0
        kept.append(line)
    if skipped:
        kept.append(skipped_line(indent, skipped))
    return "\n".join(kept) + ("\n" if output.endswith("\n") else "")


# --- the app in a subdirectory (app_root.py) ----------------------------------------------

class AppRootInvalid(UserError):
    def __init__(self, origin: str, value: str, why: str) -> None:
        super().__init__(
            "The app's directory is not in the repository",
            f"{origin} names {value!r} as the app's directory, but {why}.\n"
            "Give the path of the directory that holds the app's dependency file, relative to the\n"
            "top of the repository, for example:\n"
            "    heroku config:set PYBUILDPACK_APP_ROOT=apps/web\n"
            "or unset it to build the app at the top of the repository.",
        )


class TwoProcfiles(UserError):
    def __init__(self, app_root: str) -> None:
        super().__init__(
            "Two Procfiles",
            f"Both the repository and the app's directory ({app_root}/) have a Procfile, so it is not\n"
            "clear which processes the app has. Keep one: the app's own, "
            f"{app_root}/Procfile, if the repository\nholds other apps, or the one at the top.",
        )


def app_root_used(relative: str, origin: str) -> str:
    shown = "PYBUILDPACK_APP_ROOT" if origin.startswith("config var") else origin
    return f"Building the app in {relative}/ ({shown})"


# -- settings in pyproject.toml ([tool.pybuildpack], settings.py) ------------------------------

def _origin(where: Where) -> Origin:
    return where if isinstance(where, Origin) else Origin(where)


def _at_line(where: Origin) -> str:
    return f" (line {where.line})" if where.line else ""


def _label(where: Origin) -> str:
    """`PYBUILDPACK_SERVER`, or `server` in pyproject.toml's [tool.pybuildpack]."""
    return f"`{where.key}` in pyproject.toml's [tool.pybuildpack]" if where.in_file else where.variable


def _subject(where: Origin) -> str:
    """The start of a sentence naming the setting and, for the file, its value and line."""
    if where.in_file:
        return f"`{where.written}` in pyproject.toml's [tool.pybuildpack]{_at_line(where)}"
    return f"The config var {where.variable}"


def _is_set_to(where: Origin, value_hint: str) -> str:
    if where.in_file:
        return f"pyproject.toml's [tool.pybuildpack] has `{where.written}`{_at_line(where)}"
    return f"The config var {where.variable} is set to {value_hint}"


def _assignment(where: Origin, value: str) -> str:
    """For titles: `PYBUILDPACK_INSTALLER=pip`, or `installer = "pip"` in pyproject.toml."""
    return f"`{where.written}` in pyproject.toml" if where.in_file else f"{where.variable}={value}"


def _unset(where: Origin) -> str:
    return f"Remove `{where.key}` from pyproject.toml's [tool.pybuildpack]" if where.in_file \
        else f"Unset {where.variable}"


def _change_setting(where: Origin) -> str:
    return (f"Change `{where.key}` in pyproject.toml's [tool.pybuildpack] table, or remove it\n"
            f"to use the default. (The config var {where.variable}, when set, wins over it.)")


class SettingUnknown(UserError):
    def __init__(self, key: str, line: Optional[int], valid: Sequence[str], close: Optional[str] = None) -> None:
        where = f"pyproject.toml line {line}" if line else "pyproject.toml"
        hint = f"Did you mean `{close}`? " if close else ""
        super().__init__(
            f"Unknown setting `{key}` in pyproject.toml",
            f"{where} sets `{key}` in the [tool.pybuildpack] table, but pybuildpack has no\n"
            "setting of that name, so it would have no effect.\n"
            "\n"
            f"{hint}The settings are:\n"
            f"{_bullets(valid)}\n"
            "\n"
            "Fix the key's spelling, or remove it.",
        )


class SettingInvalid(UserError):
    def __init__(self, key: str, written: str, line: Optional[int], expected: str) -> None:
        where = f"pyproject.toml line {line}" if line else "pyproject.toml"
        super().__init__(
            f"Invalid value for {key} in pyproject.toml",
            f"{where} has `{written}` in the [tool.pybuildpack] table, but\n"
            f"{key} must be {expected}.\n"
            "\n"
            f"Change it in pyproject.toml, or remove it to use the default.",
        )


# --- Source-to-Image and OpenShift's Python image variables (issue 9, helper S) ---------

def _short(text: str, limit: int = 200) -> str:
    """A value the user set (not a secret: APP_MODULE and friends), cut to `limit` characters."""
    return text if len(text) <= limit else text[:limit] + "..."


class AppVariableInvalid(UserError):
    def __init__(self, name: str, value: str, reason: str, fix: str) -> None:
        super().__init__(
            f"Invalid value for {name}",
            f"{name} is set to {_short(value)!r}, but {reason}.\n"
            "\n"
            f"{name} names the app's web process, as in OpenShift's Python image. Fix it:\n"
            f"    {fix}\n"
            "in .s2i/environment, the build's environment (`s2i build -e`, the BuildConfig)\n"
            "or the app's config vars; or unset it to let pybuildpack find the web process.",
        )


class AppVariablesConflict(UserError):
    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            f"Both {' and '.join(names)} are set",
            f"{', '.join(names[:-1])} and {names[-1]} each name the app's web process, and only one\n"
            "can run as it. pybuildpack does not pick one for you.\n"
            "\n"
            "Keep the one that starts the app and unset the others (in .s2i/environment,\n"
            "the build's environment or the app's config vars).",
        )


class AppVariableConflictsWithProcfile(UserError):
    def __init__(self, name: str, value: str, procfile_origin: str, command: str) -> None:
        super().__init__(
            f"{name} and the Procfile name different web processes",
            f"{name} is set to {_short(value)!r}, but {procfile_origin} runs another command:\n"
            f"    web: {_short(command)}\n"
            "Heroku always runs the Procfile's web line, so pybuildpack does not let a variable\n"
            "override it on one platform and not on another.\n"
            "\n"
            f"Unset {name}, or remove the Procfile's web line, or make it run the same thing.",
        )


class S2iEnvironmentInvalid(UserError):
    def __init__(self, line_number: int, line: str, reason: str) -> None:
        super().__init__(
            "Invalid line in .s2i/environment",
            f".s2i/environment line {line_number} is not of the form NAME=value ({reason}):\n"
            f"    {_shown_line(line)}\n"
            "Write one variable per line, such as APP_MODULE=myproject.wsgi:application\n"
            "(the value is the rest of the line, taken as it is), or start the line with #\n"
            "to make it a comment.",
        )


class S2iNotAssembled(UserError):
    def __init__(self, path: str) -> None:
        super().__init__(
            "This image was not built by pybuildpack's assemble script",
            f"{path} does not exist, so there is no web process to run: the image's\n"
            "assemble step did not finish, or ran another builder's script (an app's own\n"
            ".s2i/bin/assemble that does not call this one).\n"
            "\n"
            "Build the image with `s2i build <source> <this builder> <image>`, or have the\n"
            "app's .s2i/bin/assemble run /usr/libexec/s2i/assemble.",
        )


class S2iNoWebProcess(UserError):
    def __init__(self, processes: Sequence[str]) -> None:
        others = f"The app's processes are: {', '.join(processes)}." if processes else "The app has no processes."
        super().__init__(
            "The app has no web process to run",
            f"An S2I image runs the app's web process, and the build found none.\n{others}\n"
            "\n"
            "Name it with APP_MODULE (`module:callable`), APP_FILE or APP_SCRIPT in\n"
            ".s2i/environment, or add a Procfile with a line such as\n"
            "    web: gunicorn myproject.wsgi\n"
            "and build the image again.",
        )


def app_config_not_used(web_origin: str, server: str) -> tuple:
    return (
        "APP_CONFIG is not used",
        f"APP_CONFIG names a gunicorn configuration file, but the web process\n"
        f"({web_origin}) runs {server}, so nothing reads it.\n"
        "Unset APP_CONFIG, or serve the app with gunicorn (PYBUILDPACK_SERVER=gunicorn).",
    )


def s2i_artifacts_discarded(reasons: Sequence[str]) -> str:
    return "Not using the previous image's environment: " + "; ".join(reasons)


def s2i_artifacts_restored() -> str:
    return "Restored the environment from the previous image (incremental build)"


def s2i_no_artifacts() -> str:
    return "No environment from a previous image: installing everything"


def s2i_source_copied(source: str, app: str) -> str:
    return f"Copying the app from {source} to {app}"


def s2i_environment_read(names: Sequence[str]) -> str:
    return f"Reading {len(names)} variable{'s' if len(names) != 1 else ''} from .s2i/environment: {', '.join(names)}"


def s2i_app_home(relative: str) -> str:
    return f"APP_HOME names the app's directory: {relative}/ (as PYBUILDPACK_APP_ROOT)"

# --- Issue 9, helper R: Heroku CI (bin/test-compile) and release tasks ---------------------------

# Where each package manager's test dependencies are, for the log of bin/test-compile.
TEST_DEPENDENCIES = {
    "uv": "the dev group of uv.lock",
    "poetry": "the dev group of pyproject.toml",
    "pyproject": "the dev group of [dependency-groups]",
    "pipenv": "the [dev-packages] of the Pipfile",
    "requirements": "requirements-test.txt",
}


def test_dependencies(groups: Sequence[str], kind: str) -> str:
    """The step bin/test-compile logs before the install: which test dependencies it adds."""
    where = TEST_DEPENDENCIES.get(kind)
    if groups and where:
        return f"Installing test dependencies ({where})"
    if groups:
        return f"Installing test dependencies (the {', '.join(groups)} group)"
    looked = f" (looked for {where})" if where else ""
    return f"No test dependencies found{looked}: installing the app's dependencies only"


def release_suggestion(manage_py: str, migrations: int, migrating: Optional[tuple] = None) -> str:
    """The summary's Release line for a Django app with migrations and no release
    process; `migrating`: (process, origin) of a process that runs migrate itself."""
    files = f"{migrations} migration{'s' if migrations != 1 else ''}"
    line = f"\"release: python {manage_py} migrate --noinput\""
    if migrating is not None:
        process, origin = migrating
        return (f"none: the {process} process ({origin}) runs migrate at each start, in every dyno; "
                f"a {line} line in the Procfile applies the app's {files} once per deploy instead")
    return f"none: add {line} to the Procfile to apply the app's {files} at each deploy"


class ReleaseFailed(UserError):
    def __init__(self, command: str, origin: str, how: str, elapsed: str, before_web: bool) -> None:
        stopped = ("The web process was not started: as in Heroku's release phase, a failed release\n"
                   "stops the deploy, so the app never runs against a half-done release (a migration\n"
                   "that did not apply, say).\n" if before_web else "")
        super().__init__(
            "The release process failed",
            f"`{command}` ({origin}) {how} after {elapsed}; its output is above.\n"
            + stopped
            + "Fix what its output says, then run it again with `pybuildpack release` (or\n"
            "`pybuildpack up`). To start the web process without it, use `pybuildpack up --no-release`.",
        )


class ReleaseInFormation(UserError):
    def __init__(self, option: str) -> None:
        super().__init__(
            f"{option} cannot run the release process",
            f"{option} names `release`, but the Procfile's release process runs once per deploy,\n"
            "before the web process starts, and is never a long-running process (Heroku runs\n"
            "it in its release phase): `start --all` never starts it and `export` writes no\n"
            f"unit for it. Leave it out of {option}, and run it at each deploy with\n"
            "`pybuildpack release` (`pybuildpack up` runs it too).",
        )


def release_not_started() -> str:
    return "release is not started: it runs once per deploy, with `pybuildpack release` (and `pybuildpack up`)"


def release_not_exported(command: str, run: str) -> str:
    """Detail lines under the export's `No unit for the release process` step."""
    return (f"`{command}` runs once per deploy, not as a service: run it at each deploy,\n"
            "before (re)starting the processes, with\n"
            f"    {run}")

# --- Django: runtime secrets at build time, ALLOWED_HOSTS, check --deploy (issue 9, items 4 and 7) ---

def stand_in_used(name: str, what: str) -> str:
    """A detail line: the build gave `name` a throwaway value for `what`."""
    return (f"{name} is not set at build time: {what} ran with a throwaway value "
            f"(set it as a config var for runtime)")


def allowed_hosts_filled_at_boot(settings: str, env: dict) -> str:
    """A detail line: the settings leave ALLOWED_HOSTS empty, and what happens at boot."""
    from .launch.allowed_hosts import SETTING, split

    if split(env.get(SETTING, "")):
        return (f"ALLOWED_HOSTS is empty in {settings}: at boot it is set to {', '.join(split(env[SETTING]))} "
                f"(from {SETTING})")
    return (f"ALLOWED_HOSTS is empty in {settings}: at boot the app's host names are added\n"
            f"from {SETTING} (comma-separated) or Heroku's dyno metadata\n"
            "(HEROKU_APP_DEFAULT_DOMAIN_NAME, HEROKU_APP_NAME); with neither, Django answers 400")


def deploy_check_findings(command: str, findings: Sequence[tuple]) -> tuple:
    count = len(findings)
    width = max(len(ident) for ident, _ in findings)
    lines = "\n".join(f"{ident:<{width}}  {message}" for ident, message in findings)
    return (f"Django's deployment checks found {count} issue{'s' if count != 1 else ''}",
            f"{lines}\n\n"
            f"They do not stop the build. Run `{command}` with the\n"
            "production settings to see each in full; silence one you accept with\n"
            "SILENCED_SYSTEM_CHECKS.")


def deploy_check_crashed(command: str, last_line: str) -> tuple:
    return ("Django's deployment checks could not run",
            f"`{command}` failed:\n    {_cut(last_line, 300)}\n\n"
            "This does not stop the build. Run the command locally to see why.")


def python_passed_over(lock_file: str, passed_over: Sequence[tuple]) -> str:
    """The detail under `Using Python`, when newer Pythons the app's range allows
    were passed over because its lock has no wheels for them (inspect/lock_wheels.py)."""
    lines = []
    for minor, packages in passed_over:
        shown = ", ".join(packages[:4]) + (f" and {len(packages) - 4} more" if len(packages) > 4 else "")
        lines.append(f"Python {minor} passed over: {lock_file} has no {minor} wheels for {shown}")
    lines.append("(they would be compiled from source). To choose the version yourself, pin it in "
                 ".python-version; a refreshed lock may have the wheels.")
    return "\n".join(lines)


# --- progress of long work (progress.py) --------------------------------------------------

def python_download_progress(version: str, download_size: Optional[str], unpacked: str, elapsed: str) -> str:
    """The CPython install, still running: the size of the download as uv
    said it (`35.1 MiB`), when it did, and what is unpacked so far."""
    size = f" ({download_size} download)" if download_size else ""
    return f"Downloading and unpacking Python {version}{size}: {unpacked} unpacked so far ({elapsed})"


def packages_download_progress(unpacked: str, elapsed: str) -> str:
    """The install, still fetching packages: what uv has unpacked into its cache."""
    return f"Still downloading packages: {unpacked} unpacked so far ({elapsed})"


# --- steps that are silent unless slow (Log.quiet_step) ------------------------------------

def python_list_read() -> str:
    return "Read the list of Python downloads"


def servers_checked(servers: Sequence[str]) -> str:
    """After the install: each process's server was imported with the app's Python."""
    names = ", ".join(dict.fromkeys(servers)) or "the web server"
    return f"Checked that {names} start{'s' if len(set(servers)) <= 1 else ''} with the installed packages"


def django_settings_read(settings_module: str) -> str:
    return f"Read the Django settings from {settings_module}"


def s2i_release_running(command: str) -> str:
    """What s2i/bin/run says before the release process it runs at container start."""
    return f"-----> Running release process: {command} (DISABLE_MIGRATE=1 skips it)"


# --- the wheels fetched while Python was installed (steps/prefetch.py) ---------------------

def packages_prefetched(fetched: int, elapsed: str) -> str:
    """Under the Python step: the packages the prefetch put into uv's cache meanwhile."""
    return f"Fetched {fetched} package{'s' if fetched != 1 else ''} while Python was installed ({elapsed})"

# --- collectstatic skipped when nothing it reads changed (steps/static_cache.py) -------------

def collectstatic_skipped(count: int, in_place: bool = False) -> str:
    where = "already in STATIC_ROOT" if in_place else "from the build cache"
    return f"collectstatic: unchanged since the last build, skipped ({count} files {where})"


def collectstatic_why(reasons: Sequence[str]) -> str:
    """The detail line under `Running collectstatic`: why it was not skipped."""
    return "Not skipped: " + "; ".join(reasons)


def collectstatic_first_build() -> str:
    return "first build"


def collectstatic_cache_unreadable() -> str:
    return "the cached copy's metadata is missing or unreadable"


def static_files_changed(shown: Sequence[str], limit: int = 3) -> str:
    names = ", ".join(shown[:limit])
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return f"static files changed: {names}{more}"


def collectstatic_stand_in(names: Sequence[str]) -> str:
    return f"a throwaway value stood in for {', '.join(names)}, so nothing is cached"


def collectstatic_inputs_unlisted() -> str:
    return "the static files could not be listed, so nothing is cached"


def collectstatic_storage_remote(backend: str) -> str:
    return f"the static files storage ({backend}) does not write to STATIC_ROOT"


def collectstatic_root_outside(static_root: str) -> str:
    return f"STATIC_ROOT ({static_root}) is outside the app, so it is not cached"


def collectstatic_root_in_source() -> str:
    return "STATIC_ROOT already holds files from the app's source"


def collectstatic_copy_changed(fresh: bool) -> str:
    return ("the cached copy changed since it was stored" if fresh
            else "STATIC_ROOT changed since the last build")


def collectstatic_manifest_missing(manifest: str) -> str:
    return f"the cached copy has no {manifest} (the static files manifest)"


class UvSourcesNeedUv(UserError):
    def __init__(self, file: str, packages: Sequence[str]) -> None:
        shown = ", ".join(packages[:5]) + (f" and {len(packages) - 5} more" if len(packages) > 5 else "")
        super().__init__(
            f"The pip installer cannot honour [tool.uv.sources] in {file}",
            f"{file} takes {shown} from the places its [tool.uv.sources] table names\n"
            "(a path, a git repository, a URL or an index). Only uv reads that table: pip\n"
            "would install other packages from the package index instead.\n"
            "\n"
            "Unset PYBUILDPACK_INSTALLER (or remove `installer` from pyproject.toml's\n"
            "[tool.pybuildpack]) to install with uv, or write these packages into\n"
            f"[project] dependencies as direct references (`name @ URL`).",
        )


def pylock_selects_by_marker(name: str, marker: str) -> str:
    """Why the pip installer refuses a pylock.toml (InstallerNotSupported's `why`)."""
    return (f"The lock chooses {name} by extras or dependency groups (marker `{marker}`),\n"
            "which only uv evaluates; pip would have to guess which to install.")


# --- skipping an unchanged settings probe and check --deploy (steps/django_cache.py) -------

def deploy_check_unchanged() -> str:
    """Under `Checking the deployment settings`, when the last build's findings are used."""
    return "Unchanged since the last build, skipped: these are its findings"


# --- the app's own package, built, then refused by the installer (steps/dependencies.py) ---

class AppWheelInvalid(UserError):
    def __init__(self, file: str, name: str, version: str, why: str, command: str) -> None:
        if "console script" in why:
            fix = ("Each entry of [project.scripts] (or [tool.poetry.scripts]) must name a function as\n"
                   "`module:function` (for example `myapp.cli:main`). Fix or remove the entry; a\n"
                   "command line such as `python src/cli.py seed-db` belongs in a Procfile process.")
        else:
            fix = (f"Fix the package's metadata in {file} (build it locally with `uv build` or\n"
                   "`pip wheel .` to see the wheel).")
        super().__init__(
            f"The app's own package ({name} {version}) could not be installed",
            f"{file} makes the app a package, which pybuildpack builds and installs, and the\n"
            f"installer refused the wheel it built: {_cut(why)}\n"
            "\n"
            f"Command: {command}\n"
            "\n"
            f"{fix}"
            + ("\nIf the app is not meant to be a package, remove the [build-system] table, or\n"
               "with Poetry set `package-mode = false` in [tool.poetry]: only its dependencies\n"
               "are then installed." if file == "pyproject.toml" else ""),
        )
