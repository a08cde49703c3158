"""Restarting a process on code changes (pybuildpack.watch)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from pybuildpack.watch import changed, snapshot, stop, supervise

from .helpers import string_log, logged, write


def test_snapshot_watches_python_files_dotenv_and_procfile_only(tmp_path):
    for name in ("app.py", "pkg/mod.py", ".env", "Procfile", "db.sqlite3", "notes.txt",
                 ".pybuildpack/venv/lib/x.py", "staticfiles/admin/x.py", "pkg/__pycache__/mod.cpython-312.pyc",
                 "node_modules/a/b.py", ".git/hooks/h.py"):
        write(tmp_path / name, "x")
    assert sorted(snapshot(tmp_path)) == [".env", "Procfile", "app.py", "pkg/mod.py"]


def test_changed_lists_added_removed_and_modified_files():
    before = {"a.py": (1, 1), "b.py": (1, 1), "c.py": (1, 1)}
    after = {"a.py": (1, 1), "b.py": (2, 1), "d.py": (1, 1)}
    assert changed(before, after) == ["b.py", "c.py", "d.py"]
    assert changed(before, dict(before)) == []


def test_stop_ends_a_whole_process_group_and_kills_what_ignores_sigterm():
    script = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    time.sleep(0.3)
    started = time.monotonic()
    stop(process, timeout=0.5)
    assert process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5


def test_supervise_restarts_on_a_change_and_exits_cleanly_on_sigterm(tmp_path):
    write(tmp_path / "app.py", "x = 1\n")
    spawned = []

    def spawn():
        spawned.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                        start_new_session=True))
        return spawned[-1]

    def edit_then_stop():
        time.sleep(0.5)
        write(tmp_path / "app.py", "x = 22\n")
        deadline = time.monotonic() + 10
        while len(spawned) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    log = string_log()
    threading.Thread(target=edit_then_stop, daemon=True).start()
    status = supervise(spawn, tmp_path, log, interval=0.1)
    assert status == 0
    assert len(spawned) == 2
    assert all(p.returncode is not None for p in spawned)
    assert "-----> Restarting: app.py changed" in logged(log)
