"""What a recorded build process used, and a digest that changes only when that does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pybuildpack.steps import used_packages as up


def install(site: Path, name: str, version: str, files: dict) -> None:
    """A distribution as an installer leaves it: its files and a RECORD listing them."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text)
    rows = [f"{relative},sha256=x,1" for relative in files] + [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,",
                                                                "../../../bin/tool,sha256=x,1"]
    (info / "RECORD").write_text("\n".join(rows) + "\n")


@pytest.fixture
def env(tmp_path):
    """An environment with three packages: one imported, one whose metadata is read, one unused."""
    prefix = tmp_path / "env"
    site = prefix / "lib/python3.12/site-packages"
    install(site, "used_pkg", "1.0", {"used_pkg/__init__.py": "from . import part\n", "used_pkg/part.py": "X = 1\n"})
    install(site, "meta_only", "1.0", {"meta_only/__init__.py": ""})
    install(site, "unused", "1.0", {"unused/__init__.py": "", "unused_top.py": ""})
    return prefix, site


SCRIPT = """
import importlib.metadata, importlib.util, os, subprocess, sys
import used_pkg
try:
    import optional_speedup
except ImportError:
    pass
importlib.metadata.version("meta_only")
child = subprocess.run([sys.executable, "-c", "import os, sys; print(os.environ.get('PYTHONPATH'), "
                        "os.environ.get('PYBUILDPACK_USED_FILE'), sys.modules['sitecustomize'].__file__)"],
                       capture_output=True, text=True)
print(child.stdout.strip())
"""


def outside(used: dict) -> list:
    """The files outside the environment it used, but for those of the virtualenv running the tests."""
    return [f for f in used["files"] if not f.startswith(os.path.realpath(sys.prefix) + os.sep)]


def run_recorded(tmp_path: Path, site: Path, script: str = SCRIPT, name: str = "probe") -> tuple:
    recording = up.Recording(tmp_path / "recording")
    recording.directory.mkdir(exist_ok=True)
    own = tmp_path / "own-sitecustomize"
    own.mkdir(exist_ok=True)
    (own / "sitecustomize.py").write_text("import os\nos.environ['OWN_SITECUSTOMIZE_RAN'] = '1'\n")
    child_env = recording.env({**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{own}"}, name)
    result = subprocess.run([sys.executable, "-c", script], env=child_env, cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    return recording.read(name), result.stdout


def test_the_recorder_notes_imports_failed_imports_and_metadata_and_leaves_children_alone(tmp_path, env):
    prefix, site = env
    record, output = run_recorded(tmp_path, site)
    assert str(site / "used_pkg/part.py") in record["files"]
    assert "optional_speedup" in record["missing"]
    assert str(site / "meta_only-1.0.dist-info") in record["metadata"]
    assert record["everything"] is False
    # The child sees the app's PYTHONPATH without the recorder, records nothing, and
    # gets the Python's own sitecustomize, which the recorder ran in the parent too.
    assert output.strip() == f"{site}{os.pathsep}{tmp_path / 'own-sitecustomize'} None " \
                             f"{tmp_path / 'own-sitecustomize' / 'sitecustomize.py'}"
    used = up.summarize([record], prefix, tmp_path / "app")
    assert used["packages"] == ["meta-only", "used-pkg"]
    assert used["missing"] == sorted(set(record["missing"]))
    assert not used["everything"] and used["unowned"] == []
    # The Python's own sitecustomize is outside the environment: a file of its own.
    assert outside(used) == [str(tmp_path / "own-sitecustomize/sitecustomize.py")]


def test_the_digest_changes_only_when_something_the_process_used_changes(tmp_path, env):
    prefix, site = env
    record, _ = run_recorded(tmp_path, site)
    used = up.summarize([record], prefix, tmp_path / "app")
    first = up.digest(used, prefix)
    # A new version of a package the process never used: the same digest.
    (site / "unused-1.0.dist-info/RECORD").write_text("unused/__init__.py,sha256=new,2\n")
    (site / "unused-1.0.dist-info").rename(site / "unused-2.0.dist-info")
    assert up.digest(used, prefix) == first
    # Nor do its entry points, which the process never enumerated.
    (site / "unused-2.0.dist-info/entry_points.txt").write_text("[myapp.plugins]\nx = unused:x\n")
    assert up.digest(used, prefix) == first
    changes = [
        lambda: (site / "used_pkg-1.0.dist-info/RECORD").write_text("used_pkg/__init__.py,sha256=new,2\n"),
        lambda: (site / "meta_only-1.0.dist-info/RECORD").write_text("meta_only/__init__.py,sha256=new,2\n"),
        lambda: (site / "optional_speedup.cpython-312-x86_64-linux-gnu.so").write_bytes(b"\x7fELF"),
        lambda: (site / "extra.pth").write_text("import sys\n"),
    ]
    for change in changes:
        before = up.digest(used, prefix)
        change()
        assert up.digest(used, prefix) != before, change


def test_an_uninstalled_package_changes_the_digest(tmp_path, env):
    prefix, site = env
    record, _ = run_recorded(tmp_path, site)
    used = up.summarize([record], prefix, tmp_path / "app")
    first = up.digest(used, prefix)
    for path in sorted(site.glob("used_pkg*")):
        os.rename(path, tmp_path / path.name)
    assert up.digest(used, prefix) != first


def digest_changes_with_the_unused_package(used, prefix, site) -> bool:
    """Whether `used`'s digest changes when the package no process imported is reinstalled (its RECORD changes)."""
    before = up.digest(used, prefix)
    (site / "unused-1.0.dist-info/RECORD").write_text("unused/__init__.py,sha256=new,2\n")
    return up.digest(used, prefix) != before


def test_enumerating_entry_points_uses_every_distribution(tmp_path, env):
    prefix, site = env
    record, _ = run_recorded(tmp_path, site, "import importlib.metadata as m; m.entry_points()")
    used = up.summarize([record], prefix, tmp_path / "app")
    assert {"used-pkg", "meta-only", "unused"} <= set(used["packages"])
    (site / "unused-1.0.dist-info/entry_points.txt").write_text("[myapp.plugins]\nx = unused:x\n")
    assert digest_changes_with_the_unused_package(used, prefix, site)


def test_pkg_resources_an_egg_or_a_missing_record_means_every_package(tmp_path, env):
    prefix, site = env
    (site / "pkg_resources").mkdir()
    (site / "pkg_resources/__init__.py").write_text("")
    record, _ = run_recorded(tmp_path, site, "import used_pkg, pkg_resources")
    assert up.summarize([record], prefix, tmp_path / "app")["everything"]
    assert up.summarize([None], prefix, tmp_path / "app")["everything"]
    plain, _ = run_recorded(tmp_path, site, "import used_pkg", name="plain")
    used = up.summarize([plain], prefix, tmp_path / "app")
    assert not used["everything"]
    (site / "legacy-1.0.egg-info").mkdir()
    assert up.summarize([plain], prefix, tmp_path / "app")["everything"]
    # Every package is digested then: the unused one's change shows.
    assert digest_changes_with_the_unused_package(used, prefix, site)


def test_unowned_modules_and_files_outside_the_environment_are_digested_by_content(tmp_path, env):
    prefix, site = env
    (site / "stray").mkdir()
    (site / "stray/__init__.py").write_text("A = 1\n")
    elsewhere = tmp_path / "shared-code"
    elsewhere.mkdir()
    (elsewhere / "helpers.py").write_text("B = 1\n")
    app = tmp_path / "app"
    (app / "mysite").mkdir(parents=True)
    (app / "mysite/__init__.py").write_text("")
    script = f"import sys; sys.path[:0] = [{str(elsewhere)!r}, {str(app)!r}]; import stray, helpers, mysite"
    record, _ = run_recorded(tmp_path, site, script)
    used = up.summarize([record], prefix, app)
    assert used["unowned"] == ["stray"]
    # The app's own files are the caller's to key.
    assert outside(used) == [str(tmp_path / "own-sitecustomize/sitecustomize.py"), str(elsewhere / "helpers.py")]
    first = up.digest(used, prefix)
    (app / "mysite/__init__.py").write_text("C = 1\n")
    assert up.digest(used, prefix) == first
    (site / "stray/__pycache__").mkdir()
    (site / "stray/__pycache__/__init__.cpython-312.pyc").write_bytes(b"compiled")
    assert up.digest(used, prefix) == first
    for path, text in ((site / "stray/__init__.py", "A = 2\n"), (elsewhere / "helpers.py", "B = 2\n")):
        before = up.digest(used, prefix)
        path.write_text(text)
        assert up.digest(used, prefix) != before


def test_a_process_that_wrote_no_record_or_a_bad_one_reads_as_none(tmp_path):
    recording = up.Recording(tmp_path)
    assert recording.read("check") is None
    recording.path("check").write_text('{"files": "not a list"}')
    assert recording.read("check") is None
    env = recording.env({"PYTHONPATH": "/app/lib"}, "check")
    assert not recording.path("check").exists()   # the last run's record is gone
    assert env["PYTHONPATH"] == f"{up.RECORDER_DIR}{os.pathsep}/app/lib"
    assert up.digest({"format": 0}, tmp_path) == up.digest(None, tmp_path)
