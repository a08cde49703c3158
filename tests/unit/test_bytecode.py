"""pybuildpack's own compiled code, kept between builds (pybuildpack.bytecode)."""

import marshal
import os
import subprocess
import sys
from pathlib import Path

from pybuildpack import bootstrap, bytecode

LIB = Path(bytecode.__file__).resolve().parents[1]


def import_with(kept: Path, statement: str) -> str:
    script = (f"import sys; sys.path.insert(0, {str(LIB)!r}); from pathlib import Path; "
              f"from pybuildpack.bytecode import install; install(Path({str(kept)!r})); {statement}")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}).stdout


def test_modules_are_compiled_once_into_the_directory_and_read_back_from_it(tmp_path):
    kept = tmp_path / "bytecode"
    import_with(kept, "import pybuildpack.disk")
    assert (kept / "pybuildpack.disk.code").is_file()
    assert not list(kept.glob("*.tmp"))
    # What is kept is what runs: the sources are not compiled again.
    (kept / "pybuildpack.disk.code").write_bytes(marshal.dumps(compile("KEPT = 42", "disk.py", "exec")))
    assert import_with(kept, "import pybuildpack.disk; print(pybuildpack.disk.KEPT)").strip() == "42"


def test_an_unreadable_kept_file_is_compiled_again(tmp_path):
    kept = tmp_path / "bytecode"
    kept.mkdir()
    (kept / "pybuildpack.disk.code").write_bytes(b"not marshal data")
    assert import_with(kept, "import pybuildpack.disk; print(hasattr(pybuildpack.disk, 'disk_full'))").strip() \
        == "True"


def test_the_directory_is_keyed_by_every_source_file(tmp_path, monkeypatch):
    copy = tmp_path / "pybuildpack"
    (copy / "steps").mkdir(parents=True)
    (copy / "a.py").write_text("A = 1\n")
    (copy / "steps" / "b.py").write_text("B = 1\n")
    monkeypatch.setattr(bytecode, "PACKAGE_DIR", copy)
    first = bytecode.source_key()
    (copy / "steps" / "__pycache__").mkdir()
    (copy / "steps" / "__pycache__" / "b.cpython-312.pyc").write_bytes(b"compiled")
    assert bytecode.source_key() == first
    (copy / "steps" / "b.py").write_text("B = 2\n")
    assert bytecode.source_key() != first
    env_dir = tmp_path / "tools" / "abc"
    old = env_dir / "bytecode" / "old-checkout"
    old.mkdir(parents=True)
    os.utime(old, (0, 0))
    recent = env_dir / "bytecode" / "another-checkout-in-use"
    recent.mkdir()
    (recent / ".complete").touch()
    target = Path(bootstrap.bytecode_dir(env_dir))
    assert target == env_dir / "bytecode" / bytecode.source_key()
    assert (target / ".complete").is_file()
    assert not old.exists() and recent.is_dir()
