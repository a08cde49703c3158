"""A slow download explains itself: the build log says how far the CPython install has got."""

from __future__ import annotations

import re

import pytest

from harness.apps import copy_app
from harness.slow_mirror import SlowMirror

pytestmark = pytest.mark.slow

# The mirror sends this much of the archive, then stalls past the first report (5 s).
HEAD = 4 << 20
STALL = 7.0


def test_a_slow_cpython_download_shows_its_size_and_progress_in_the_log(heroku, fixture_app, tmp_path, downloads_json):
    app = copy_app(fixture_app("pinned_flask"), tmp_path)
    with SlowMirror(downloads_json, head=HEAD, stall=STALL) as mirror:
        result = heroku.build(app, config={"PYBUILDPACK_PYTHON_DOWNLOADS_JSON": str(mirror.downloads_json)})
    assert result.ok, result.output
    assert mirror.requests == ["/cpython-3.12.1-4.tar.gz"]
    lines = result.output.splitlines()
    start = lines.index("-----> Installing Python 3.12.1")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("-----> "))
    step = lines[start + 1:end]
    # uv's own size for the download (35.1 MiB for this archive), and what it unpacked while
    # the mirror stalled: more than nothing, never more than the whole runtime.
    pattern = re.compile(r"^       Downloading and unpacking Python 3\.12\.1 \((?P<size>[\d.]+ MiB) download\): "
                         r"(?P<done>[\d.]+) (?P<unit>KiB|MiB) unpacked so far \((?P<seconds>[\d.]+)s\)$")
    progress = [pattern.match(line) for line in step[:-1]]
    assert progress and all(progress), step
    size = float(progress[0].group("size").split()[0])
    assert abs(size - mirror.files["cpython-3.12.1-4.tar.gz"].stat().st_size / 2 ** 20) < 0.1
    assert 5.0 <= float(progress[0].group("seconds")) < STALL + 5
    assert all(0 < float(m.group("done")) for m in progress)
    assert re.fullmatch(r"       Done \((\d+\.\d)s\)", step[-1]) and float(step[-1][13:-2]) >= STALL
