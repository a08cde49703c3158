"""The formation of `start --all` and `export` (platforms/local_procs.py), its
output prefixes, and the exported files' quoting (platforms/export.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from pybuildpack import errors
from pybuildpack.platforms import export, local_procs
from pybuildpack.platforms.local_procs import Copy, formation, parse_concurrency

from .helpers import raises

PROCESSES = {name: SimpleNamespace(command=f"run {name}") for name in ("web", "worker", "clock")}


def test_concurrency_is_type_equals_number_pairs():
    assert parse_concurrency(None) == {}
    assert parse_concurrency("web=2, worker = 0") == {"web": 2, "worker": 0}


@pytest.mark.parametrize("text, reason", [
    ("web", "'web' is not of the form TYPE=NUMBER"),
    ("=2", "'=2' is not of the form TYPE=NUMBER"),
    ("web=2,", "it has an empty entry"),
    ("web=-1", "the number of web copies, '-1', is not a whole number"),
    ("web=1,web=2", "it names web twice"),
])
def test_a_malformed_concurrency_says_what_is_wrong(text, reason):
    with raises(errors.ConcurrencyInvalid, reason):
        parse_concurrency(text)


def test_ports_follow_foremans_rule_each_type_100_higher_each_copy_1_higher():
    copies = formation(PROCESSES, {"web": 2, "clock": 3}, 5000)
    assert [(c.name, c.port, c.command) for c in copies] == [
        ("web.1", 5000, "run web"), ("web.2", 5001, "run web"), ("worker.1", 5100, "run worker"),
        ("clock.1", 5200, "run clock"), ("clock.2", 5201, "run clock"), ("clock.3", 5202, "run clock")]


def test_a_type_with_no_copies_is_left_out_but_keeps_the_ports_of_the_others():
    assert [(c.name, c.port) for c in formation(PROCESSES, {"web": 0}, 5000)] == [("worker.1", 5100),
                                                                                  ("clock.1", 5200)]


def test_release_is_never_in_a_formation_and_asking_for_it_is_an_error():
    processes = {"release": SimpleNamespace(command="migrate"), **PROCESSES}
    assert "release.1" not in [c.name for c in formation(processes, {}, 5000)]
    for count in (1, 0):
        with raises(errors.ReleaseInFormation, "-c names `release`"):
            formation(processes, {"release": count}, 5000)


def test_bad_formations_are_user_errors():
    with raises(errors.ConcurrencyUnknownProcess, "process types are: web, worker, clock"):
        formation(PROCESSES, {"wrker": 1}, 5000)
    with raises(errors.NoProcesses, "defines no process types"):
        formation({}, {}, 5000)
    with raises(errors.NoProcesses, "every process type 0 copies"):
        formation(PROCESSES, {"web": 0, "worker": 0, "clock": 0}, 5000)
    with raises(errors.FormationPortsTooHigh, "worker.1 would get PORT=65600"):
        formation(PROCESSES, {}, 65500)


def test_lines_are_prefixed_with_the_time_and_an_aligned_name():
    stream = io.StringIO()
    printer = local_procs.Printer(["web.1", "worker.1"], stream, colour=False)
    printer.line("web.1", "listening")
    printer.line("worker.1", "beat")
    printer.line("system", "stopping")
    lines = stream.getvalue().splitlines()
    assert [re.sub(r"^\d\d:\d\d:\d\d ", "", line) for line in lines] == [
        "web.1    | listening", "worker.1 | beat", "system   | stopping"]


def test_on_a_terminal_each_name_has_its_colour():
    stream = io.StringIO()
    printer = local_procs.Printer(["web.1", "worker.1"], stream, colour=True)
    printer.line("web.1", "a")
    printer.line("worker.1", "b")
    printer.line("system", "c")
    web, worker, system = stream.getvalue().splitlines()
    assert web.startswith("\033[36m") and worker.startswith("\033[33m") and "\033[" not in system
    assert web.endswith("web.1    |\033[0m a")


COPY = Copy("web", 1, 5000, "gunicorn app:app")


def test_systemd_words_with_spaces_percent_or_dollar_are_escaped():
    files = export.render_systemd("shop", [COPY], Path("/srv/my shop"), "deploy", "/opt/pybuildpack/bin/pybuildpack",
                                  {"PYBUILDPACK_CACHE_DIR": "/var/cache/pb 100%"}, 10)
    unit = files["shop-web-1.service"]
    assert 'WorkingDirectory="/srv/my shop"' in unit
    assert 'Environment="PYBUILDPACK_CACHE_DIR=/var/cache/pb 100%%"' in unit
    assert 'ExecStart=/opt/pybuildpack/bin/pybuildpack start web -C "/srv/my shop" --port 5000' in unit
    assert "TimeoutStopSec=10\n" in unit and "User=deploy\n" in unit


def test_supervisord_values_escape_percent_and_quote_for_its_shell_like_parser():
    text = export.render_supervisord("shop", [COPY], Path("/srv/my shop"), "deploy", "/opt/pb/bin/pybuildpack",
                                     {"PYBUILDPACK_CACHE_DIR": "/var/cache/pb 100%"}, 12.4)
    assert "command=/opt/pb/bin/pybuildpack start web -C '/srv/my shop' --port 5000\n" in text
    assert "environment=PYBUILDPACK_CACHE_DIR='/var/cache/pb 100%%',DYNO=web.1\n" in text
    assert "stopwaitsecs=12\n" in text and "[group:shop]\nprograms=shop-web-1\n" in text


def test_the_app_name_defaults_to_the_directory_made_fit_for_unit_names():
    assert export.app_name(None, Path("/srv/My Shop.v2")) == "my-shop-v2"
    assert export.app_name("shop_2", Path("/srv/x")) == "shop_2"
    with raises(errors.ExportNameInvalid, "--app is 'my@shop'"):
        export.app_name("my@shop", Path("/srv/x"))
    with raises(errors.ExportNameInvalid, "--user is 'a b'"):
        export.check_user("a b")
    assert export.check_user("www-data") == "www-data"


def test_supervisord_export_never_overwrites_a_file_it_did_not_write(tmp_path):
    mine = tmp_path / "supervisord.conf"
    mine.write_text("[supervisord]\n")
    with raises(errors.ExportTargetInvalid, "the file exists and pybuildpack did not write it"):
        export.write_supervisord(mine, "; Written by `pybuildpack export supervisord`\n")
    with raises(errors.ExportTargetInvalid, f"there is no directory {tmp_path / 'nope'}"):
        export.write_supervisord(tmp_path / "nope" / "x.conf", "")
    ours = tmp_path / "shop.conf"
    export.write_supervisord(ours, "; Written by `pybuildpack export supervisord`: one\n")
    export.write_supervisord(ours, "; Written by `pybuildpack export supervisord`: two\n")
    assert ours.read_text().endswith("two\n")
