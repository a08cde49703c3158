"""A slow download explains itself: the build log says how far uv's and CPython's downloads have got."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from harness.apps import copy_app, make_app
from harness.runtimes import FORMAT
from harness.heroku import BIN
from harness.index import make_wheel
from harness.slow_mirror import SlowMirror

pytestmark = pytest.mark.slow

# The mirror sends this much of the archive, then stalls past the first report (5 s).
HEAD = 4 << 20
STALL = 7.0
CURL_BUFFER = 64 << 10
BOOTSTRAP = BIN / "support" / "bootstrap.sh"
ARCHIVE = f"cpython-3.12.1-{FORMAT}.tar.gz"   # the test runtime's archive (harness/runtimes.py)


def mib(count: int) -> str:
    """A size as bootstrap.sh (and uv) show it: MiB, rounded to a tenth."""
    tenths = (count * 10 + (1 << 19)) >> 20
    return f"{tenths // 10}.{tenths % 10} MiB"


def test_a_slow_cpython_download_shows_its_size_and_progress_in_the_log(heroku, fixture_app, tmp_path, downloads_json):
    app = copy_app(fixture_app("pinned_flask"), tmp_path)
    with SlowMirror(downloads_json, head=HEAD, stall=STALL) as mirror:
        result = heroku.build(app, config={"PYBUILDPACK_PYTHON_DOWNLOADS_JSON": str(mirror.downloads_json)})
    assert result.ok, result.output
    assert mirror.requests == ["/" + ARCHIVE]
    lines = result.output.splitlines()
    start = lines.index("-----> Installing Python 3.12.1")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("-----> "))
    step = lines[start + 1:end]
    # uv's own size for the download (about 30 MiB for this archive), and what it unpacked while
    # the mirror stalled: more than nothing, never more than the whole runtime.
    pattern = re.compile(r"^       Downloading and unpacking Python 3\.12\.1 \((?P<size>[\d.]+ MiB) download\): "
                         r"(?P<done>[\d.]+) (?P<unit>KiB|MiB) unpacked so far \((?P<seconds>[\d.]+)s\)$")
    progress = [pattern.match(line) for line in step[:-1]]
    assert progress and all(progress), step
    size = float(progress[0].group("size").split()[0])
    assert abs(size - mirror.files[ARCHIVE].stat().st_size / 2 ** 20) < 0.1
    assert 5.0 <= float(progress[0].group("seconds")) < STALL + 5
    assert all(0 < float(m.group("done")) for m in progress)
    assert re.fullmatch(r"       Done \((\d+\.\d)s\)", step[-1]) and float(step[-1][13:-2]) >= STALL


def test_a_slow_uv_download_shows_its_size_and_share_every_five_seconds(tmp_path, downloads_json):
    """bin/support/bootstrap.sh's download of uv, against a file that stalls on the mirror."""
    with SlowMirror(downloads_json, head=HEAD, stall=STALL) as mirror:
        archive = mirror.files[ARCHIVE]
        size = archive.stat().st_size
        url = f"http://127.0.0.1:{mirror.server.server_address[1]}/{archive.name}"
        script = (f'set -euo pipefail; source "{BOOTSTRAP}"; '
                  f'pybuildpack_download "{url}" "{tmp_path / "file"}" {size} "uv 0.13.9"')
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "file").read_bytes() == archive.read_bytes()
    # The mirror sent 4 MiB of the archive, then nothing until 7 s: one line, at 5 s. What the
    # file held then may lack the last write curl's stdio buffer kept back (up to 64 KiB), which
    # can be a percent less when 4 MiB lies just past a percent of the archive.
    shares = {f"{share}%" for share in ((HEAD - CURL_BUFFER) * 100 // size, HEAD * 100 // size)}
    prefix = f"       Downloading uv 0.13.9 ({mib(size)}): 4.0 MiB, "
    assert result.stdout.startswith(prefix) and result.stdout.endswith("\n"), result.stdout
    assert result.stdout[len(prefix):-1] in shares, result.stdout


def test_a_failed_uv_download_keeps_curls_error_for_the_message(tmp_path, downloads_json):
    with SlowMirror(downloads_json, head=HEAD, stall=0) as mirror:
        url = f"http://127.0.0.1:{mirror.server.server_address[1]}/missing.tar.gz"
        script = (f'set -euo pipefail; source "{BOOTSTRAP}"; '
                  f'pybuildpack_download "{url}" "{tmp_path / "file"}" 1000 "uv 0.13.9" || echo "status $?"')
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout == "status 22\n"
    assert "404" in (tmp_path / "file.err").read_text()


@pytest.mark.long
def test_a_slow_package_download_shows_what_is_unpacked_every_five_seconds(heroku, tmp_path, downloads_json):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    # Random text barely compresses: what uv unpacks grows with what arrived.
    make_wheel(wheels, "bigpkg", "1.0", f"DATA = {os.urandom(6 << 20).hex()!r}\n")
    app = make_app(tmp_path, {"requirements.txt": "bigpkg==1.0\n", ".python-version": "3.12\n"})
    with SlowMirror(downloads_json, head=2 << 20, stall=STALL, extra=list(wheels.iterdir())) as mirror:
        # The install's own download is what is watched: no prefetch during the runtime's install.
        result = heroku.build(app, config={"PIP_FIND_LINKS": mirror.url, "PIP_NO_INDEX": "1"},
                              env={"PYBUILDPACK_NO_PREFETCH": "1"})
    assert result.ok, result.output
    assert "/bigpkg-1.0-py3-none-any.whl" in mirror.requests
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----> Installing dependencies"))
    step = lines[start + 1:]
    pattern = re.compile(r"^       Still downloading packages: (?P<done>[\d.]+) (?P<unit>KiB|MiB) unpacked so far "
                         r"\((?P<seconds>[\d.]+)s\)$")
    progress = [m for m in map(pattern.match, step) if m]
    # uv may fetch the wheel once for its metadata (nothing unpacked: no line) and once to
    # install it, stalling each time: a line at a report (every 5 s) once bytes were unpacked.
    assert progress, result.output
    assert float(progress[0].group("seconds")) >= 5.0
    done = [float(m.group("done")) * (1 if m.group("unit") == "MiB" else 1 / 1024) for m in progress]
    assert done == sorted(set(done)) and 0 < done[0] < 13, progress  # growing; never more than the wheel holds
    assert "        + bigpkg==1.0" in step
