"""Installing the app's packages so the environment matches its requirements exactly.

uv (the default) resolves and syncs in one command: `uv pip install --exact`.
pip (PYBUILDPACK_INSTALLER=pip) resolves with pip-compile and syncs with
pip-sync, as pip-tools intends. Both remove what the requirements no longer
name, and keep the packages the runtime shipped with (pip, setuptools).
requirements.in is compiled with pip-compile first, into a lock kept in the build.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, Sequence

from .. import disk, errors, progress
from ..cache import write_atomically
from ..inspect.dependencies import add_pip_option, index_environment
from ..output import Log, format_duration
from ..tools import Tools, command_text, run

# Config vars pip reads for its index; uv gets the same as flags.
INDEX_VARS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_TRUSTED_HOST", "PIP_NO_INDEX")
_VAR_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LOCAL_SOURCE = re.compile(r"^\s*(-e|--editable)\b|^\s*(\.{1,2}(/|\[|\s|$)|/|file:)", re.M)
LOCKS = Path(__file__).resolve().parents[1] / "locks"
TOOLS_LOCK = LOCKS / "tools.txt"          # the tool environment every build runs in
PIP_TOOLS_LOCK = LOCKS / "pip-tools.txt"  # pip-compile and pip-sync, installed on demand
SEED_FILE = "pybuildpack-seed.txt"


@dataclass(frozen=True)
class Inputs:
    """What an install depends on. `key` changes whenever a reinstall is needed."""

    files: tuple          # requirement files read, relative to the app
    key: str
    local_sources: bool   # paths or editables: their contents can change under the same key


def referenced_files(app_dir: Path, first: str) -> list:
    """`first` and every file it includes with -r/-c, relative to the app."""
    found, queue = [], [app_dir / first]
    while queue:
        path = queue.pop()
        if not path.is_file() or path in found:
            continue
        found.append(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"^\s*(?:--requirement|--constraint|-r|-c)(?:[\s=]+|(?=[^\s=]))(\S+)", text, re.M):
            queue.append(path.parent / match.group(1))
    return [str(p.relative_to(app_dir)) if p.is_relative_to(app_dir) else str(p) for p in found]


def install_inputs(app_dir: Path, requirement_files: Sequence[str], added: Sequence[str], installer: str,
                   config: Mapping[str, str], selected: Sequence[str] = (), local: Optional[bool] = None) -> Inputs:
    """What an install of `requirement_files` (and their -r/-c includes) plus
    `added` depends on. `selected` names the extras and groups asked for (e.g.
    `group prod`); `local` says whether it builds code from the app; None looks
    for local paths and editables in the files."""
    files = []
    for name in requirement_files:
        for f in referenced_files(app_dir, name):
            if f not in files:
                files.append(f)
    digest = hashlib.sha256()
    digest.update(f"installer={installer}\n".encode())
    texts = []
    for name in sorted(files):
        data = (app_dir / name).read_bytes() if (app_dir / name).is_file() else b""
        texts.append(data.decode("utf-8", "replace"))
        digest.update(f"file {name}\n".encode() + hashlib.sha256(data).hexdigest().encode())
    for line in added:
        digest.update(f"added {line}\n".encode())
    for line in selected:
        digest.update(f"selected {line}\n".encode())
    # Values that change what gets installed, hashed and never stored in clear.
    referenced = {m for text in texts for m in _VAR_REFERENCE.findall(text)}
    for name in sorted(set(INDEX_VARS) | referenced):
        if name in config:
            digest.update(f"var {name}={hashlib.sha256(config[name].encode()).hexdigest()}\n".encode())
    if local is None:
        local = any(_LOCAL_SOURCE.search(text) for text in texts)
    return Inputs(tuple(files), digest.hexdigest(), local)


def uv_index_flags(config: Mapping[str, str]) -> list:
    """pip's index config vars as uv flags (uv does not read PIP_*)."""
    flags = []
    if config.get("PIP_INDEX_URL"):
        flags += ["--index-url", config["PIP_INDEX_URL"].strip()]
    for url in (config.get("PIP_EXTRA_INDEX_URL") or "").split():
        flags += ["--extra-index-url", url]
    for link in (config.get("PIP_FIND_LINKS") or "").split():
        flags += ["--find-links", link]
    for host in (config.get("PIP_TRUSTED_HOST") or "").split():
        flags += ["--allow-insecure-host", host]
    if (config.get("PIP_NO_INDEX") or "").strip().lower() in ("1", "true", "yes", "on"):
        flags.append("--no-index")
    return flags


def seed_packages(prefix: Path) -> list:
    path = prefix / SEED_FILE
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def record_seed_packages(prefix: Path) -> None:
    """Remember the distributions the runtime shipped with, so syncs keep them."""
    names = set()
    for dist_info in prefix.glob("lib/python3*/site-packages/*.dist-info"):
        names.add(dist_info.name.split("-")[0].lower().replace("_", "-"))
    # Replaced, never written into: the file may be a hardlink shared with the cache entry.
    write_atomically(prefix / SEED_FILE, "".join(f"{n}\n" for n in sorted(names)))


def _is_pin(line: str) -> bool:
    return bool(line) and not line.startswith(("#", " ", "-")) and ("==" in line or " @ " in line)


@contextlib.contextmanager
def pip_tools(tools: Tools, python: Path, env: Mapping[str, str], log: Log) -> Iterator[Path]:
    """A throwaway venv on the app's own Python with pip-tools (hash-pinned), so
    pip-compile evaluates markers for the Python the app runs on. Only builds
    that compile or use pip pay for it."""
    with tempfile.TemporaryDirectory(prefix="pybuildpack-pip-tools-") as scratch:
        venv = Path(scratch) / "venv"
        uv_env = tools.uv_env(env)
        result = run([str(tools.uv), "venv", "--quiet", "--python", str(python), str(venv)], log, env=uv_env,
                     show=False)
        if result.returncode == 0:
            result = run([str(tools.uv), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                          "--require-hashes", "-r", str(PIP_TOOLS_LOCK)], log, env=uv_env, show=False)
        if result.returncode != 0:
            raise errors.ToolEnvFailed(result.output)
        yield venv


def compile_lock(tools: Tools, venv: Path, app_dir: Path, sources: Sequence[str], lock: Path,
                 previous_lock: Optional[Path], env: Mapping[str, str], log: Log, label: str) -> None:
    """pip-compile `sources` into `lock` with the pip-tools venv `venv`, starting
    from the previous lock so unchanged pins stay as they were."""
    with tempfile.TemporaryDirectory(prefix="pybuildpack-compile-") as scratch:
        output = Path(scratch) / lock.name
        if previous_lock is not None and previous_lock.is_file():
            shutil.copyfile(previous_lock, output)
        child_env = dict(env)
        child_env["PIP_CACHE_DIR"] = str(tools.pip_cache)
        child_env["CUSTOM_COMPILE_COMMAND"] = "pybuildpack (from " + label + ")"
        argv = [str(venv / "bin" / "python"), "-m", "piptools", "compile", "--quiet", "--no-header",
                "--allow-unsafe", "--strip-extras", "--no-emit-index-url", "--output-file", str(output), *sources]
        result = run(argv, log, env=child_env, cwd=app_dir, show=False)
        if result.returncode != 0:
            check_credentials_refused(result.output)
            check_index_unreachable(result.output, label, env)
            check_known_failure(result.output, label, "pip-compile", command_text(argv, app_dir),
                                {"the pip cache": tools.pip_cache, "the build directory": app_dir})
            raise errors.RequirementsCompileFailed(label, without_tracebacks(result.output))
        lock.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output, lock)
    pinned = [line for line in lock.read_text().splitlines() if _is_pin(line)]
    log.detail(f"Resolved {len(pinned)} packages from {label}:")
    for line in pinned:
        log.detail("  " + line.split(" ;")[0].split(";")[0].strip())


def install_with_uv(tools: Tools, python: Path, app_dir: Path, requirement_files: Sequence[str],
                    added_file: Optional[Path], prefix: Path, env: Mapping[str, str],
                    config: Mapping[str, str], log: Log, args: Sequence[str] = (), label: Optional[str] = None,
                    exact: bool = True, seeds: Optional[Sequence[str]] = None,
                    failed: Optional[Callable[[str, str], Exception]] = None) -> str:
    """`uv pip install --exact` of `requirement_files`, `args` (such as `.` or
    `--group web`) and the added file, keeping the runtime's seed packages.
    `failed(command, output)` makes the error raised when uv fails (default
    DependencyInstallFailed naming `label`)."""
    argv = [str(tools.uv), "pip", "install", *(["--exact"] if exact else []), "--python", str(python),
            "--break-system-packages"]
    for name in requirement_files:
        argv += ["-r", name]
    argv += list(args)
    if added_file is not None:
        argv += ["-r", str(added_file)]
    # The runtime's own pip and setuptools, named so the exact sync keeps them.
    # Left out of the command the log shows: a fresh virtualenv has them already.
    kept = seed_packages(prefix) if seeds is None else list(seeds)
    index = uv_index_flags(config)
    shown_argv = argv + index
    argv += kept + index
    # uv prints "Downloading numpy (15.6MiB)" for each large download; a long
    # install also says how much it has fetched and unpacked, every few seconds.
    with progress.watching(log, _packages_progress(), progress.UnpackedPackages(tools.uv_cache)):
        result = run(argv, log, env=tools.uv_env(env), cwd=app_dir, filter_line=HideTracebacks(_interesting_uv_line))
    if result.returncode != 0:
        keep = HideTracebacks(_interesting_uv_line)
        shown = "".join(line for line in result.output.splitlines(keepends=True) if keep(line))
        command = command_text(shown_argv, app_dir)
        check_credentials_refused(shown)
        check_index_unreachable(shown, label or ", ".join(requirement_files) or "the added packages", config)
        check_known_failure(result.output, label or ", ".join(requirement_files) or "the added packages", "uv",
                            command, {"the uv cache": tools.uv_cache, "the environment": prefix,
                                      "the build directory": app_dir})
        check_app_wheel_invalid(shown, app_dir, command)
        if failed is not None:
            raise failed(command, shown)
        raise errors.DependencyInstallFailed(
            label or ", ".join(requirement_files) or "the added packages", "uv", command, shown)
    return result.output


MIN_SHOWN = 256 * 1024


def _packages_progress() -> Callable[[int, float], Optional[str]]:
    """Renders the progress of an install's downloads; None (no line) while
    nothing new was unpacked since the last line (resolving, building or
    linking), or less than MIN_SHOWN in all: a few KiB are what building the
    app's own package writes there, not a download, and `5 KiB unpacked` after
    5 s of linking reads as a stalled one."""
    last = [0]

    def render(done: int, elapsed: float) -> Optional[str]:
        if done <= last[0] or done < MIN_SHOWN:
            return None
        last[0] = done
        return errors.packages_download_progress(progress.format_bytes(done), format_duration(elapsed))
    return render


# uv: "HTTP status client error (401 Unauthorized) for url (URL)"; pip: "401 Client Error: ... for url: URL".
_REFUSED = re.compile(r"\b(401|403)\b[^\n]*?\bfor url:? \(?(?P<url>[^\s)]+)")


# uv: "Failed to fetch: URL" then the causes, the last naming the connect failure;
# pip: "Failed to establish a new connection: [Errno 111] Connection refused".
_UV_FETCH = re.compile(r"Failed to fetch: `?(?P<url>[^\s`]+)`?")
_UV_CONNECT = re.compile(r"^\s*cause: (?P<reason>.*(?:Connection refused|connection refused|dns error|failed to lookup"
                         r"|Name or service not known|timed out|Network is unreachable|No route to host).*?)\s*$", re.M)
_PIP_CONNECT = re.compile(r"Failed to establish a new connection: (?:\[Errno -?\d+\] )?(?P<reason>[^'\"\)]+)")
_PIP_INDEX = re.compile(r"^Looking in indexes: (?P<url>\S+)", re.M)


def check_index_unreachable(output: str, requirements: str, config: Mapping[str, str]) -> None:
    """Raise IndexUnreachable when an installer failed because it could not
    connect to a package index: advice about misspelled names would mislead."""
    fetch, connect = _UV_FETCH.search(output), _UV_CONNECT.findall(output)
    if fetch and connect:
        url, variable = _configured_index(fetch.group("url"), config)
        raise errors.IndexUnreachable(url, _reason(connect[-1]), requirements, variable)
    pip = _PIP_CONNECT.search(output)
    if pip:
        # pip names the page it failed on by its path alone: the index is the
        # one "Looking in indexes" shows (when not quiet), else PIP_INDEX_URL.
        shown = _PIP_INDEX.search(output)
        if shown:
            url, variable = shown.group("url").rstrip(","), None
        elif config.get("PIP_INDEX_URL"):
            url, variable = config["PIP_INDEX_URL"].strip(), "PIP_INDEX_URL"
        else:
            url, variable = "https://pypi.org/simple/", None
        raise errors.IndexUnreachable(url, _reason(pip.group("reason")), requirements, variable)


def _configured_index(url: str, config: Mapping[str, str]) -> tuple:
    """(the index URL as the user set it, its config var) when `url` (a page uv
    fetched, such as INDEX/flask/, without credentials) is under it; else (`url`, None)."""
    from urllib.parse import urlsplit

    def bare(value: str) -> str:
        parts = urlsplit(value.strip())
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"

    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        for value in (config.get(name) or "").split():
            try:
                if bare(url).startswith(bare(value).rstrip("/")):
                    return value, name
            except ValueError:
                continue
    return url, None


def _reason(text: str) -> str:
    # "Connection refused (os error 111)" -> "connection refused"
    text = re.sub(r"\s*\((?:os error|Errno) -?\d+\)", "", text.strip()).strip()
    return text[:1].lower() + text[1:]


def check_credentials_refused(output: str) -> None:
    """Raise IndexCredentialsRefused when an installer failed because a package
    index answered 401 or 403: the advice for a misspelled package would mislead."""
    match = _REFUSED.search(output)
    if match:
        raise errors.IndexCredentialsRefused(match.group("url"), match.group(1))


def check_known_failure(output: str, requirements: str, installer: str, command: str,
                        places: Mapping[str, Path]) -> None:
    """Raise the specific error for an installer failure we recognise, so the
    generic advice (a misspelled name) never follows it: a full disk, or a
    package that could not be compiled for lack of a system library."""
    full = disk.path_in_output(output)
    if full is not None:
        raise disk.disk_full(full, places, "The build stopped before writing its environment to the build cache.")
    native = errors.native_build_failure(output, requirements, installer, command)
    if native is not None:
        raise native


# uv: "Failed to install: NAME-VERSION-….whl (NAME==VERSION (from file:///APP))" then
# "  cause: The wheel is invalid: invalid console script: '…'".
_UV_INSTALL_FAILED = re.compile(r"Failed to install: \S+ \((?P<name>[^=\s]+)==(?P<version>\S+) \(from (?P<url>[^)\s]+)\)\)")
_UV_WHEEL_INVALID = re.compile(r"cause: The wheel is invalid: (?P<why>.+)")


def check_app_wheel_invalid(output: str, app_dir: Path, command: str) -> None:
    """The app's own package built, but uv refused its wheel (an invalid console
    script in pyproject.toml is the usual case): that is the app's metadata to
    fix, not a package of its lock to look for."""
    installed, invalid = _UV_INSTALL_FAILED.search(output), _UV_WHEEL_INVALID.search(output)
    if installed is None or invalid is None:
        return
    url = installed.group("url").rstrip("/")
    if url not in {f"file://{Path(app_dir).as_posix()}", f"file://{Path(app_dir).resolve().as_posix()}"}:
        return
    file = "pyproject.toml" if (Path(app_dir) / "pyproject.toml").is_file() else "setup.py"
    raise errors.AppWheelInvalid(file, installed.group("name"), installed.group("version"),
                                 invalid.group("why").strip(), command)


def app_build_failed(output: str, app_dir: Path) -> bool:
    """Whether uv's failure was building the app itself (`.`), not resolving, fetching
    or building a dependency. uv names what it failed to build, except the app
    itself when its name is known only from the build (a setup.py)."""
    app = f"file://{Path(app_dir).as_posix()}"
    failed = re.findall(r"Failed to build `([^`]*)`", output)
    if failed:
        return any(name == app or name.endswith("@ " + app) for name in failed)
    return "The build backend returned an error" in output


# The lines between two chained tracebacks: with the frames hidden they only say "more follows".
_CHAINED = ("The above exception was the direct cause of the following exception:",
            "During handling of the above exception, another exception occurred:")


class HideTracebacks:
    """A line filter that hides the Python tracebacks a build backend prints (its
    `Traceback (most recent call last):` line and the frames under it) and
    otherwise asks `keep`; the exception line that ends a traceback is kept.
    The frames are the build tool's own, not the app's, and a user reads them as
    pybuildpack crashing."""

    def __init__(self, keep: Callable[[str], bool] = lambda line: True) -> None:
        self.keep = keep
        self.indent: Optional[int] = None

    def __call__(self, line: str) -> bool:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped == "Traceback (most recent call last):":
            self.indent = indent
            return False
        if self.indent is not None:
            if not stripped or indent > self.indent:
                return False
            self.indent = None
        if stripped in _CHAINED:
            return False
        return self.keep(line)


def without_tracebacks(output: str) -> str:
    """`output` with its tracebacks' frames hidden, and the blank lines that
    separated chained tracebacks run together into one."""
    keep, kept = HideTracebacks(), []
    for line in output.splitlines(keepends=True):
        if keep(line) and (line.strip() or not kept or kept[-1].strip()):
            kept.append(line)
    return "".join(kept)


def _interesting_uv_line(line: str) -> bool:
    # uv's per-package +/- lines and errors are worth showing; its progress chatter is not.
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("Using Python", "Using CPython", "Resolved", "Prepared", "Audited",
                                                        "Uninstalled", "Installed", "Checked")) \
        and "does not contain any dependencies" not in stripped


# pip: "  Downloading numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.whl (16.0 MB)".
_PIP_DOWNLOADING = re.compile(r"^\s*Downloading \S+ \((?P<size>[\d.]+) (?P<unit>kB|MB|GB)\)\s*$")


def _interesting_pip_line(line: str) -> bool:
    # pip-sync's outcome and errors; and, as uv shows them, the downloads of 1 MB or more.
    if line.startswith(("Successfully", "ERROR", "Found existing", "Everything")):
        return True
    match = _PIP_DOWNLOADING.match(line)
    return bool(match) and (match.group("unit") != "kB" and float(match.group("size")) >= 1.0)


def ensure_pip(python: Path, env: Mapping[str, str], log: Log) -> None:
    check = run([str(python), "-m", "pip", "--version"], None, env=env, show=False)
    if check.returncode == 0:
        return
    result = run([str(python), "-m", "ensurepip", "--default-pip"], log, env=env, show=False)
    if result.returncode != 0:
        raise errors.InternalError("The Python runtime has no pip, and ensurepip failed.", result.output)


def install_with_pip(tools: Tools, venv: Path, python: Path, app_dir: Path, lock: Path, env: Mapping[str, str],
                     log: Log, sources: Sequence[Path] = ()) -> str:
    """pip-sync `lock` into the environment of `python`, with the pip-tools venv
    `venv`, from the indexes the requirements files `sources` name."""
    ensure_pip(python, env, log)
    child_env = dict(env)
    # The lock is written without index options (they may hold credentials, and
    # the lock is kept in the slug), so pip-sync gets them the way pip reads them.
    for name, value in index_environment(sources, env).items():
        add_pip_option(child_env, name, value)
    child_env["PIP_CACHE_DIR"] = str(tools.pip_cache)
    child_env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    argv = [str(venv / "bin" / "python"), "-m", "piptools", "sync", "--python-executable", str(python), str(lock)]
    result = run(argv, log, env=child_env, cwd=app_dir,
                 filter_line=_interesting_pip_line)
    if result.returncode != 0:
        check_credentials_refused(result.output)
        check_index_unreachable(result.output, lock.name, env)
        check_known_failure(result.output, lock.name, "pip", command_text(argv, app_dir),
                            {"the pip cache": tools.pip_cache, "the environment": python.parent.parent,
                             "the build directory": app_dir})
        raise errors.DependencyInstallFailed(lock.name, "pip-sync", command_text(argv, app_dir),
                                             without_tracebacks(result.output))
    return result.output


def installed_packages(python: Path) -> list:
    """(name, version) of every distribution in the environment of `python`
    (a runtime's or a venv's bin/python), sorted. Read from the .dist-info
    directories, without starting the interpreter: a cold runtime's first start
    costs more than the whole read."""
    prefix = Path(os.path.abspath(python)).parent.parent
    found = set()
    for dist_info in prefix.glob("lib/python3*/site-packages/*.dist-info"):
        name = version = None
        try:
            with (dist_info / "METADATA").open(encoding="utf-8", errors="replace") as metadata:
                for line in metadata:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    if line.startswith("Name:"):
                        name = line[5:].strip()
                    elif line.startswith("Version:"):
                        version = line[8:].strip()
        except OSError:
            continue
        if name and version:
            found.add((name, version))
    return sorted(found)
