"""Progress of long work: when it is shown, how it reads, and what is measured (pybuildpack.progress)."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest

from pybuildpack import errors, progress
from pybuildpack.output import Log
from pybuildpack.progress import Reporter, Throttle, UnpackedPackages, bar, format_bytes, tree_size
from pybuildpack.steps import runtime

from .helpers import logged, string_log, write


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_nothing_before_five_seconds_then_a_line_every_five():
    clock = FakeClock()
    throttle = Throttle(progress.LOG_INTERVAL, progress.LOG_INTERVAL, clock)
    due = []
    for _ in range(60):  # 15 s in quarter seconds
        clock.now += 0.25
        due.append(throttle.due())
    assert [i for i, d in enumerate(due) if d] == [19, 39, 59]  # at 5.0 s, 10.0 s, 15.0 s


def test_a_late_check_does_not_bunch_the_next_report():
    clock = FakeClock()
    throttle = Throttle(5, 5, clock)
    clock.now += 7.0
    assert throttle.due()
    clock.now += 4.9
    assert not throttle.due()
    clock.now += 0.1
    assert throttle.due()
    assert throttle.elapsed() == pytest.approx(12.0)


def test_sizes_are_in_uvs_binary_units():
    assert format_bytes(0) == "0 KiB"
    assert format_bytes(512 * 1024) == "512 KiB"
    assert format_bytes(12 * 1024 * 1024 + 60_000) == "12.1 MiB"
    assert format_bytes(3 * 1024 ** 3 // 2) == "1.50 GiB"


def test_bar_fills_with_the_share_done_and_never_overflows():
    assert bar(0, 100, width=10) == "[----------]"
    assert bar(42, 100, width=10) == "[####------]"
    assert bar(150, 100, width=10) == "[##########]"
    assert bar(5, 0, width=4) == "[----]"


def test_a_log_reporter_writes_detail_lines_and_leaves_nothing_to_clear():
    log = string_log()
    reporter = Reporter(log, terminal=False)
    reporter.show("Still downloading packages: 12.0 MiB unpacked so far (5.0s)")
    reporter.finish()
    assert logged(log) == "       Still downloading packages: 12.0 MiB unpacked so far (5.0s)\n"


def test_a_terminal_status_line_is_rewritten_in_place_and_cleared_by_the_next_line():
    log = Log(Terminal())
    reporter = Reporter(log)
    assert reporter.terminal
    reporter.show("Downloading: 1.0 MiB")
    reporter.show("Downloading: 2.0 MiB")
    log.raw(" + flask==3.0.3")
    reporter.show("Downloading: 3.0 MiB")
    reporter.finish()
    log.detail("Done (3.0s)")
    out = log.stream.getvalue()
    first, second, third = "       Downloading: 1.0 MiB", "       Downloading: 2.0 MiB", "       Downloading: 3.0 MiB"
    assert out == (first + "\r" + " " * len(first) + "\r" + second + "\r" + " " * len(second) + "\r"
                   + "        + flask==3.0.3\n" + third + "\r" + " " * len(third) + "\r" + "       Done (3.0s)\n")
    assert out.replace("\r", "\n").splitlines()[-1] == "       Done (3.0s)"


def test_a_status_line_is_masked_like_every_line():
    log = Log(Terminal())
    log.add_secrets(["s3cr3t-token"])
    log.status("from https://user:s3cr3t-token@index.example.com/simple/")
    assert "s3cr3t-token" not in log.stream.getvalue()


def test_work_that_ends_before_the_first_report_prints_and_measures_nothing():
    log = string_log()
    measured = []
    with progress.watching(log, lambda done, elapsed: f"{done}", lambda: measured.append(1) or 1, tick=0.01):
        time.sleep(0.1)
    assert logged(log) == ""
    assert measured == []


def test_long_work_is_reported_while_it_runs_and_a_none_text_is_skipped():
    clock = FakeClock()
    log = string_log()
    reporter = Reporter(log, terminal=False, clock=clock)
    sizes = iter([1024 * 1024, 1024 * 1024, 3 * 1024 * 1024])
    seen = threading.Event()
    shown = []

    def render(done: int, elapsed: float):
        shown.append(done)
        if len(shown) == 3:
            seen.set()
        return None if done == 1024 * 1024 and len(shown) == 2 else f"{format_bytes(done)} after {elapsed:.0f}s"

    def advance():  # the fake clock moves 5 s for each of the watcher's checks until three reports
        while not seen.is_set():
            clock.now += 5.0
            time.sleep(0.02)

    mover = threading.Thread(target=advance)
    with progress.watching(log, render, lambda: next(sizes), reporter=reporter, tick=0.01):
        mover.start()
        assert seen.wait(5)
    mover.join()
    lines = logged(log).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("       1.0 MiB after ") and lines[1].startswith("       3.0 MiB after ")


def test_tree_size_counts_regular_files_only(tmp_path):
    write(tmp_path / "a" / "one", "x" * 10)
    write(tmp_path / "a" / "b" / "two", "y" * 5)
    os.symlink(tmp_path / "a" / "one", tmp_path / "a" / "link")
    assert tree_size(tmp_path / "a") == 15
    assert tree_size(tmp_path / "missing") == 0


def test_unpacked_packages_count_what_uv_unpacks_after_the_install_started(tmp_path):
    cache = tmp_path / "uv"
    write(cache / "archive-v0" / "old" / "numpy" / "core.so", "o" * 1000)
    old = time.time() - 3600
    os.utime(cache / "archive-v0" / "old", (old, old))
    unpacked = UnpackedPackages(cache)
    assert unpacked() == 0
    write(cache / ".tmpAbC" / "torch" / "lib.so", "t" * 300)
    write(cache / "archive-v0" / "new1" / "six.py", "s" * 20)
    assert unpacked() == 320
    # The wheel finished unpacking: uv moved it into the archive; it counts once.
    os.rename(cache / ".tmpAbC", cache / "archive-v0" / "new2")
    assert unpacked() == 320


def test_unpacked_packages_of_a_missing_cache_are_zero(tmp_path):
    assert UnpackedPackages(tmp_path / "nothing")() == 0


def test_the_size_uv_announces_for_a_cpython_download_is_kept_and_no_line_is_shown():
    announced = runtime.DownloadSize()
    assert announced("Downloading cpython-3.12.1-linux-x86_64-gnu (download) (35.1MiB)\n") is False
    assert announced(" Downloaded cpython-3.12.1-linux-x86_64-gnu (download)\n") is False
    assert announced.size == "35.1 MiB"


def test_progress_lines_read_as_heroku_detail_text():
    assert errors.python_download_progress("3.12.4", "28.5 MiB", "12.0 MiB", "6.0s") == \
        "Downloading and unpacking Python 3.12.4 (28.5 MiB download): 12.0 MiB unpacked so far (6.0s)"
    assert errors.python_download_progress("3.12.4", None, "12.0 MiB", "6.0s") == \
        "Downloading and unpacking Python 3.12.4: 12.0 MiB unpacked so far (6.0s)"
    assert errors.packages_download_progress("140.2 MiB", "15.0s") == \
        "Still downloading packages: 140.2 MiB unpacked so far (15.0s)"


def test_the_output_tests_drop_progress_lines_as_they_drop_uvs_download_lines():
    from harness.blocks import normalized_lines

    log = string_log()
    log.step("Installing Python 3.12.1")
    log.detail(errors.python_download_progress("3.12.1", "35.1 MiB", "9.3 MiB", "5.0s"))
    log.detail(errors.python_download_progress("3.12.1", None, "9.3 MiB", "10.0s"))
    log.detail(errors.packages_download_progress("1.50 GiB", "2m 05s"))
    log.detail("Done (12.0s)")
    assert normalized_lines(logged(log)) == ["-----> Installing Python 3.12.1", "       Done (<time>)"]


def test_a_quiet_step_says_nothing_when_quick_and_its_time_when_slow():
    log = string_log()
    with log.quiet_step("Read the list of Python downloads", threshold=60.0):
        pass
    assert logged(log) == ""
    found = []
    with log.quiet_step(lambda: errors.servers_checked(found), threshold=0.0):
        found += ["gunicorn", "celery", "gunicorn"]
    assert logged(log).startswith("-----> Checked that gunicorn, celery start with the installed packages (")


def test_a_quiet_step_that_fails_leaves_the_telling_to_its_error():
    log = string_log()
    with pytest.raises(RuntimeError):
        with log.quiet_step("Read the Django settings from mysite.settings", threshold=0.0):
            raise RuntimeError("settings raised")
    assert logged(log) == ""


def test_slow_step_names_read_as_what_was_done():
    assert errors.servers_checked(["gunicorn"]) == "Checked that gunicorn starts with the installed packages"
    assert errors.servers_checked([]) == "Checked that the web server starts with the installed packages"
    assert errors.django_settings_read("mysite.settings") == "Read the Django settings from mysite.settings"


def test_the_output_tests_drop_steps_shown_only_when_slow():
    from harness.blocks import normalized_lines

    log = string_log()
    for message in (errors.python_list_read(), errors.servers_checked(["uvicorn"]),
                    errors.django_settings_read("mysite.settings")):
        log.step(f"{message} (1.3s)")
    log.step("Running collectstatic (python manage.py collectstatic --noinput)")
    assert normalized_lines(logged(log)) == ["-----> Running collectstatic (python manage.py collectstatic --noinput)"]


def test_pips_large_downloads_are_shown_with_their_size_as_uvs_are():
    from pybuildpack.steps.dependencies import _interesting_pip_line

    assert _interesting_pip_line("  Downloading numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.whl (16.0 MB)\n")
    assert _interesting_pip_line("  Downloading torch-2.5.0-cp312-cp312-linux_x86_64.whl (1.2 GB)\n")
    assert not _interesting_pip_line("  Downloading flask-3.0.3-py3-none-any.whl (101 kB)\n")
    assert not _interesting_pip_line("  Downloading six-1.16.0-py2.py3-none-any.whl (0.9 MB)\n")
    assert not _interesting_pip_line("Collecting numpy==2.1.3\n")
    assert _interesting_pip_line("Successfully installed numpy-2.1.3\n")


def test_the_output_tests_drop_pips_download_lines_as_they_drop_uvs():
    from harness.blocks import normalized_lines

    log = string_log()
    log.raw("  Downloading Django-5.0.6-py3-none-any.whl (8.2 MB)")
    log.raw("Downloading django (7.8MiB)")
    log.raw("Successfully installed Django-5.0.6")
    assert normalized_lines(logged(log)) == ["       Successfully installed Django-5.0.6"]


def test_a_costly_measure_spaces_out_the_reports_that_follow():
    clock = FakeClock()
    throttle = Throttle(1.0, 0.5, clock)
    clock.now += 1.0
    assert throttle.due()
    throttle.defer(progress.MEASURE_SHARE * 0.2)  # a measure that took 0.2 s: nothing for 2 s
    clock.now += 1.9
    assert not throttle.due()
    clock.now += 0.1
    assert throttle.due()
    throttle.defer(0.1)  # shorter than the interval: the interval wins
    clock.now += 0.4
    assert not throttle.due()


def test_a_status_line_fits_one_row_of_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    log = Log(Terminal())
    log.status("Downloading and unpacking Python 3.12.4 (28.5 MiB download): 12.0 MiB unpacked so far (6.0s)")
    assert log.stream.getvalue() == "       Downloading and unpacking Python"  # 39 columns


def test_a_fault_in_rendering_progress_stops_the_reports_and_not_the_work():
    clock = FakeClock()
    log = string_log()
    reporter = Reporter(log, terminal=False, clock=clock)
    calls = []

    def render(done: int, elapsed: float):
        calls.append(done)
        raise ValueError("a bug in a message")

    with progress.watching(log, render, lambda: 1, reporter=reporter, tick=0.01):
        clock.now += 5.0
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        clock.now += 5.0
        time.sleep(0.1)
    assert calls == [1]
    assert logged(log) == ""


def test_package_progress_says_nothing_for_the_few_kib_a_build_of_the_app_writes():
    from pybuildpack.steps.dependencies import MIN_SHOWN, _packages_progress

    render = _packages_progress()
    assert render(5 * 1024, 5.0) is None           # the app's own wheel being built, not a download
    line = render(MIN_SHOWN * 8, 10.0)
    assert line == errors.packages_download_progress("2.0 MiB", "10.0s"), line
    assert render(MIN_SHOWN * 8, 15.0) is None     # nothing new unpacked: no line
