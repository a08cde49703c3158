"""The bad-input corpus: small changes to a fixture app, and the exact block the build prints for each.

Each case names its area (requirements, python-version, django, procfile,
hooks, config-vars, pyproject, locks, filesystem, ...), the fixture app it
starts from, the files it writes or removes, the config vars it sets, and the
one ` !     ` block the build must print for it, word for word after
normalisation (tests/harness/blocks.py): an `Error:` block for a build that
must fail, a `Warning:` block for one that must pass. A case that needs more
than files (a symlink loop, a FIFO, a full disk) does it in `prepare`, which
gets the copied app directory before the build.

Cases live in `cases_*.py` modules beside this one, each a `CASES` list;
`all_cases()` gathers them, and tests/integration/test_bad_input_corpus.py
builds every one through the Heroku harness (bin/detect, bin/compile).

    Case("requirements-unknown-option", "requirements",
         files={"requirements.txt": "--frobnicate\\nflask\\n"},
         expected='''\\
             ! Error: ...
             !     ...
         ''')
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional, Union

AREAS = ("requirements", "python-version", "django", "procfile", "hooks", "config-vars", "pyproject",
         "locks", "filesystem", "web-app", "detect")


@dataclass(frozen=True)
class Case:
    name: str
    area: str
    # The block, written indented as tests write them: lines starting with `!`
    # (harness.blocks.expected_block puts back the leading space).
    expected: str
    files: Mapping[str, Optional[Union[str, bytes]]] = field(default_factory=dict)   # None removes the file
    base: str = "flask_wsgi"
    config: Mapping[str, str] = field(default_factory=dict)
    prepare: Optional[Callable[[Path], None]] = None
    outcome: str = "error"        # "error": the build fails; "warning": it passes, with the block
    # Text of the build machine a block may name, replaced as in normalized_lines(values=...).
    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.area in AREAS, f"{self.name}: unknown area {self.area!r}"
        assert self.outcome in ("error", "warning"), self.name


def all_cases() -> list:
    """Every module's CASES, checked for unique names."""
    cases = []
    for module in sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("cases_")):
        cases += importlib.import_module(f"{__name__}.{module}").CASES
    names = [case.name for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"corpus cases named twice: {duplicates}"
    return cases
