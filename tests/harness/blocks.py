"""Build logs as the user reads them, minus what changes from one run to the next.

The output tests compare whole logs and whole blocks of them with literal text.
`normalized_lines()` replaces only what legitimately varies between two runs of
the same build, with fixed placeholders:

    Done (1.2s), Build finished in 3.4s, in 2m 05s   ->  (<time>), in <time>
    uv's `in 12ms` / `in 1.23s`                     ->  in <time>
    the temporary directories a test passes in      ->  <build_dir>, <cache_dir>, ...
    the test runtimes' cache and the uv binary      ->  <test_cache>, <uv>
    text naming the build machine (`values`)        ->  <target>, ...
    object addresses (`at 0x7f3a2c1d5e80`)          ->  at 0x<address>

and drops download progress lines and steps shown only when slow (`_DOWNLOAD`, `_SLOW_STEP`). Everything else,
wording, order, indentation and blank lines, stays as printed.

    >>> lines = normalized_lines(result.output, {"build_dir": result.build_dir})
    >>> step(lines, "Installing dependencies")        # a step header and its detail lines
    >>> error_block(lines)                             # the one ` !     Error: ` block
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Mapping, Optional, Sequence

from harness.machine import uv_binary
from harness.runtimes import DEFAULT_CACHE

STEP = "-----> "
BANG = " !"

# A duration as pybuildpack formats it (`0.4s`, `12.3s`, `2m 05s`) and as uv
# does (`12ms`, `1.23s`), after `(` or `in `.
_TIME = re.compile(r"(\(|\bin )(\d+m \d{2}s|\d+(?:\.\d+)?m?s)\b")
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+\b")
# uv reports a download only when the wheel is not in its cache yet (and only
# for large ones, such as Django's): `Downloading django (7.8MiB)` then
# ` Downloaded django` (pip: `  Downloading Django-5.0.6-py3-none-any.whl (8.2 MB)`). The wheel cache is shared between test runs and may be
# warm or cold, so exactly these two lines are dropped; nothing else uv prints
# depends on the cache. pybuildpack's own progress lines (progress.py) appear
# only when a download or unpack runs past 5 s, as on a busy machine: dropped too.
_DOWNLOAD = re.compile(r"^ {7}(Downloading \S+ \([\d.]+[KMG]i?B\)| Downloaded \S+|  Downloading \S+ \([\d.]+ [MG]B\)"
                       r"|Downloading and unpacking Python .* unpacked so far \(.*\)"
                       r"|Still downloading packages: .* unpacked so far \(.*\)"
                       # The prefetch's line (steps/prefetch.py) shows only when the installer
                       # cache lacked some wheel: as cache-dependent as uv's download lines.
                       r"|Fetched \d+ packages? while Python was installed \(.*\))$")
# Steps that are silent unless they take a second or more (Log.quiet_step): a busy
# machine shows them, a quiet one does not.
_SLOW_STEP = re.compile(r"^-----> (Read the list of Python downloads|Checked that .+ with the installed packages"
                        r"|Read the Django settings from \S+) \(\d[^)]*\)$")


def _replacements(paths: Mapping[str, Path], values: Mapping[str, str]) -> list:
    """(text, placeholder) pairs, longest first, so a path inside another is replaced whole."""
    found = {}
    named = {**paths, "test_cache": DEFAULT_CACHE, "uv": uv_binary()}
    for name, path in named.items():
        for form in {str(path), str(Path(path).resolve())}:
            found.setdefault(form, f"<{name}>")
    for name, value in values.items():
        found.setdefault(value, f"<{name}>")
    return sorted(found.items(), key=lambda item: len(item[0]), reverse=True)


def normalized_lines(output: str, paths: Optional[Mapping[str, Path]] = None,
                     values: Optional[Mapping[str, str]] = None) -> list:
    """The log's lines with what varies between runs replaced. `paths` names the
    temporary directories of this build ({"build_dir": ..., "cache_dir": ...});
    `values` names other text that belongs to the build machine rather than to
    the app ({"target": "x86_64, debian 12"})."""
    replacements = _replacements(paths or {}, values or {})
    lines = []
    for line in output.splitlines():
        if _DOWNLOAD.match(line) or _SLOW_STEP.match(line):
            continue
        for text, placeholder in replacements:
            line = line.replace(text, placeholder)
        line = _TIME.sub(r"\1<time>", line)
        line = _ADDRESS.sub("at 0x<address>", line)
        lines.append(line)
    return lines


def normalized(output: str, paths: Optional[Mapping[str, Path]] = None,
               values: Optional[Mapping[str, str]] = None) -> str:
    """The whole normalized log as text, one newline after each line."""
    return as_text(normalized_lines(output, paths, values))


def as_text(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)


def step(lines: Sequence[str], header: str) -> str:
    """The step whose `-----> ` line starts with `header`: that line and the
    detail lines under it, up to the next step or ` !     ` block."""
    start = _index(lines, lambda line: line.startswith(STEP + header), f"no step {header!r}")
    end = start + 1
    while end < len(lines) and lines[end] and not lines[end].startswith(STEP):
        end += 1
    return as_text(lines[start:end])


def bang_block(lines: Sequence[str], title: str) -> str:
    """The ` !     ` block whose title starts with `title` (`Error: ...`,
    `Warning: ...`): from the title to its last ` !` line."""
    start = _index(lines, lambda line: line.startswith(f"{BANG}     {title}"), f"no block {title!r}")
    end = start + 1
    while end < len(lines) and lines[end].startswith(BANG):
        end += 1
    return as_text(lines[start:end])


def error_block(lines: Sequence[str]) -> str:
    """The log's ` !     Error: ` block; there must be exactly one."""
    titles = [line for line in lines if line.startswith(f"{BANG}     Error: ")]
    assert len(titles) == 1, f"expected one error block, found {len(titles)}:\n" + as_text(lines)
    return bang_block(lines, "Error: ")


def expected_block(literal: str) -> str:
    """A ` !     ` block written indented in a test. textwrap.dedent alone would
    take the space every line of such a block starts with for indentation, so
    it is put back."""
    text = textwrap.dedent(literal)
    assert all(line.startswith("!") for line in text.splitlines() if line.strip()), text
    return "".join(" " + line if line.strip() else line for line in text.splitlines(keepends=True))


def _index(lines: Sequence[str], wanted, message: str) -> int:
    for index, line in enumerate(lines):
        if wanted(line):
            return index
    raise AssertionError(message + " in:\n" + as_text(lines))
