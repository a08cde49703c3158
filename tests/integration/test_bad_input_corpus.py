"""Every case of the bad-input corpus (tests/corpus) built through the Heroku harness.

A failing case must fail the build with exactly its error block, and a
warning case must pass with exactly its warning block; neither may show a
Python traceback from pybuildpack, and each must finish in bounded time.
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from corpus import Case, all_cases
from harness.blocks import bang_block, error_block, expected_block, normalized_lines

CASES = all_cases()
# An absurd input must not hold the build for long: a case is a small app.
BUILD_TIMEOUT = 240


def test_the_corpus_has_sixty_distinct_bad_inputs_across_the_areas():
    assert len(CASES) >= 60, len(CASES)
    areas = Counter(case.area for case in CASES)
    assert len(areas) >= 8, areas


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app(case.base), app, symlinks=True)
    for relative, content in case.files.items():
        path = app / relative
        if content is None:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    if case.prepare is not None:
        case.prepare(app)
    result = heroku.build(app, config=dict(case.config), timeout=BUILD_TIMEOUT)
    lines = normalized_lines(result.output, {"build_dir": result.build_dir}, case.values)
    assert "Traceback (most recent call last)" not in result.output, result.output
    if case.outcome == "error":
        assert result.returncode != 0, result.output
        assert error_block(lines) == expected_block(case.expected)
    else:
        assert result.ok, result.output
        title = expected_block(case.expected).splitlines()[0][len(" !     "):]
        assert bang_block(lines, title) == expected_block(case.expected)
