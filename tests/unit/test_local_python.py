"""Finding and choosing a CPython on this machine (pybuildpack.steps.local_python)."""

from __future__ import annotations

import sys
from pathlib import Path

from pybuildpack.inspect.python_version import PythonRequest, PythonRequests
from pybuildpack.steps.local_python import Interpreter, candidates, choose_interpreter, find_interpreters, probe

from .helpers import write

MACHINE = [
    Interpreter("3.13.0", Path("/pyenv/3.13.0/bin/python3"), "pyenv"),
    Interpreter("3.12.1", Path("/pyenv/3.12.1/bin/python3"), "pyenv"),
    Interpreter("3.11.2", Path("/usr/bin/python3"), "PATH"),
]


def exact(value, origin=".python-version"):
    return PythonRequests(PythonRequest(value, "exact", origin), None)


def test_unpinned_takes_the_newest():
    assert choose_interpreter(PythonRequests(None, None), MACHINE).version == "3.13.0"


def test_a_minor_version_takes_its_newest_patch():
    assert choose_interpreter(exact("3.12"), MACHINE).path == Path("/pyenv/3.12.1/bin/python3")


def test_a_pinned_patch_not_on_the_machine_falls_back_to_the_same_minor():
    assert choose_interpreter(exact("3.12.4"), MACHINE).version == "3.12.1"


def test_requires_python_still_applies():
    requests = PythonRequests(None, PythonRequest("<3.13", "specifier", "requires-python in pyproject.toml"))
    assert choose_interpreter(requests, MACHINE).version == "3.12.1"


def test_nothing_matching_is_none():
    assert choose_interpreter(exact("3.9"), MACHINE) is None
    assert choose_interpreter(PythonRequests(None, None), []) is None


def test_candidates_list_pyenv_and_uv_installs_then_path_without_shims(tmp_path):
    for version in ("3.12.1", "3.13.0", "system-not-a-version"):
        write(tmp_path / "pyenv" / "versions" / version / "bin" / "python3", "")
    write(tmp_path / "uv" / "cpython-3.12.8-linux-x86_64-gnu" / "bin" / "python3", "")
    for name in ("python3", "python3.11", "python3-config", "python"):
        write(tmp_path / "bin" / name, "")
    write(tmp_path / "shims" / "python3", "")
    environ = {"PYENV_ROOT": str(tmp_path / "pyenv"), "UV_PYTHON_INSTALL_DIR": str(tmp_path / "uv"),
               "PATH": f"{tmp_path / 'shims'}:{tmp_path / 'bin'}", "HOME": str(tmp_path)}
    found = [(str(path.relative_to(tmp_path)), source) for path, source in candidates(environ)]
    assert found == [
        ("pyenv/versions/3.12.1/bin/python3", "pyenv"),
        ("pyenv/versions/3.13.0/bin/python3", "pyenv"),
        ("uv/cpython-3.12.8-linux-x86_64-gnu/bin/python3", "uv"),
        ("bin/python3", "PATH"),
        ("bin/python3.11", "PATH"),
    ]


def test_probe_reads_the_version_of_a_real_interpreter_and_skips_virtualenvs(tmp_path):
    base = Path(getattr(sys, "_base_executable", sys.executable))
    found = probe(base, "PATH")
    if sys.prefix == sys.base_prefix or found is not None:
        assert found is not None and found.version == ".".join(map(str, sys.version_info[:3]))
    if sys.prefix != sys.base_prefix:
        assert probe(Path(sys.executable), "PATH") is None  # the test runner's own virtualenv
    write(tmp_path / "python3", "#!/bin/sh\necho nonsense\n", executable=True)
    assert probe(tmp_path / "python3", "PATH") is None
    assert probe(tmp_path / "missing", "PATH") is None


def test_find_interpreters_skips_duplicates_by_real_path(tmp_path):
    real = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "python3").symlink_to(real)
    (tmp_path / "b" / "python3").symlink_to(real)
    found = find_interpreters({"PATH": f"{tmp_path / 'a'}:{tmp_path / 'b'}", "HOME": str(tmp_path),
                               "PYENV_ROOT": str(tmp_path / "none")})
    assert [i.path for i in found] == [tmp_path / "a" / "python3"]
