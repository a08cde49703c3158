"""scripts/compare-build-outputs: its normalization and manifests, on small
synthetic trees (no builds; the tool itself is run for real by hand, see README)."""

from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import importlib.util
import io
import os
from pathlib import Path

import pytest

from .helpers import write

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare-build-outputs"


def _load():
    loader = importlib.machinery.SourceFileLoader("compare_build_outputs", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


cbo = _load()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- normalization -------------------------------------------------------------------------------

def test_the_temporary_root_and_the_harness_random_names_below_it_are_replaced():
    normalizer = cbo.Normalizer("/tmp/compare-builds-x1/base")
    data = (b'home = /tmp/compare-builds-x1/base/builds/app/heroku/build_0123456789abcdef/.heroku/python/bin\n'
            b'cache /tmp/compare-builds-x1/base/builds/app/heroku/cache_0a1b2c3d/pybuildpack '
            b'/tmp/compare-builds-x1/base/builds/app/local/app_deadbeef\n')
    assert normalizer.bytes(data) == (
        b'home = <TMP>/builds/app/heroku/build_<RANDOM>/.heroku/python/bin\n'
        b'cache <TMP>/builds/app/heroku/cache_<RANDOM>/pybuildpack <TMP>/builds/app/local/app_<RANDOM>\n')


def test_contents_without_the_root_are_left_alone():
    normalizer = cbo.Normalizer("/tmp/compare-builds-x1/base")
    data = b"build_0123456789abcdef is only a name here; /tmp/other/base is another root\n"
    assert normalizer.bytes(data) == data
    assert normalizer.text("no paths") == "no paths"


def test_the_two_sides_normalize_to_the_same_text():
    base, head = cbo.Normalizer("/tmp/t/base"), cbo.Normalizer("/tmp/t/head")
    assert base.text("/tmp/t/base/src/export") == head.text("/tmp/t/head/src/export") == "<TMP>/src/export"
    assert base.text("/tmp/t/head/src/export") == "/tmp/t/head/src/export"


SBOM = """{
  "components": [
    {
      "bom-ref": "pkg:pypi/flask@3.1.3",
      "name": "Flask"
    }
  ],
  "metadata": {
    "timestamp": "2025-01-02T03:04:05.678901+00:00",
    "tools": {"components": [{"bom-ref": "0d3e4a9c-1f2b-4c5d-8e6f-7a8b9c0d1e2f", "name": "pybuildpack"}]}
  },
  "serialNumber": "urn:uuid:6f1c2d3e-4a5b-4c6d-9e8f-0a1b2c3d4e5f",
  "version": 1
}"""


def test_sbom_serial_number_timestamp_and_uuids_are_replaced_and_nothing_else():
    normalized = cbo.normalize_sbom(SBOM)
    assert '"serialNumber": "urn:uuid:<UUID>"' in normalized
    assert '"timestamp": "<TIMESTAMP>"' in normalized
    assert '"bom-ref": "<UUID>"' in normalized
    assert '"bom-ref": "pkg:pypi/flask@3.1.3"' in normalized
    assert normalized.count("\n") == SBOM.count("\n")
    other_run = SBOM.replace("2025-01-02T03:04:05.678901", "2026-12-31T23:59:59.000001").replace("6f1c", "0000")
    assert cbo.normalize_sbom(other_run) == normalized


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_record_rows_of_scripts_rewritten_after_install_are_marked(tmp_path):
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    original = b"#!/tmp/build_0123456789abcdef/.heroku/python/bin/python\nimport flask\n"
    write(tmp_path / "bin" / "flask", "#!/bin/sh\n# relocated\n")
    write(tmp_path / "bin" / "untouched", "#!/bin/sh\n")
    module = write(site / "flask" / "__init__.py", "x = 1\n")
    record = site / "flask-3.1.3.dist-info" / "RECORD"
    untouched_hash = record_hash(b"#!/bin/sh\n")
    rows = (f"../../../bin/flask,{record_hash(original)},{len(original)}\n"
            f"../../../bin/untouched,{untouched_hash},10\n"
            f"flask/__init__.py,sha256=not-checked-inside-site-packages,6\n"
            "flask-3.1.3.dist-info/RECORD,,\n")
    write(record, rows)
    assert module.is_file()
    normalized = cbo.normalize_record(record, record.read_bytes()).decode()
    assert normalized.splitlines() == [
        "../../../bin/flask,sha256=<rewritten after install>,<size>",
        f"../../../bin/untouched,{untouched_hash},10",
        "flask/__init__.py,sha256=not-checked-inside-site-packages,6",
        "flask-3.1.3.dist-info/RECORD,,",
    ]
    # Through the listing too: two RECORDs that differ only in a rewritten script's hash compare equal.
    other = tmp_path / "other"
    write(other / "bin" / "flask", "#!/bin/sh\n# relocated\n")
    other_original = original.replace(b"0123456789abcdef", b"fedcba9876543210")
    write(other / "lib" / "python3.12" / "site-packages" / "flask-3.1.3.dist-info" / "RECORD",
          rows.replace(record_hash(original), record_hash(other_original)))
    normalizer = cbo.Normalizer("/nowhere")
    assert cbo.file_digest(record, normalizer) == cbo.file_digest(
        other / "lib" / "python3.12" / "site-packages" / "flask-3.1.3.dist-info" / "RECORD", normalizer)


# --- listings and file sections ------------------------------------------------------------------

def small_tree(root: Path, marker: str = "/tmp/t/base") -> Path:
    write(root / "a.txt", "hello\n")
    write(root / "bin" / "run", f"#!{marker}/python\n", executable=True)
    write(root / "pkg" / "__init__.py", "")
    write(root / "pkg" / "__pycache__" / "__init__.cpython-312.pyc", "bytecode")
    write(root / "pkg" / "stray.pyc", "bytecode")
    os.symlink(f"{marker}/bin/run", root / "link")
    os.chmod(root / "a.txt", 0o644)
    os.chmod(root / "pkg", 0o755)
    os.chmod(root / "bin", 0o755)
    return root


def test_listing_has_type_mode_size_hash_and_link_targets_without_bytecode(tmp_path):
    root = small_tree(tmp_path / "tree")
    lines = cbo.listing(root, cbo.Normalizer("/tmp/t/base"))
    assert lines == [
        f"f 0644 6 {sha(b'hello' + bytes([10]))} a.txt",
        "d 0755 bin/",
        f"f 0755 21 {sha(b'#!<TMP>/python' + bytes([10]))} bin/run",   # its real size, its normalized hash
        "l 0777 link -> <TMP>/bin/run",
        "d 0755 pkg/",
        f"f 0644 0 {sha(b'')} pkg/__init__.py",
    ]


def test_listing_depth_and_opaque_directories(tmp_path):
    root = small_tree(tmp_path / "tree")
    write(root / "installer-cache" / "uv" / "archive-v0" / "Xr4nd0m" / "f", "x")
    normalizer = cbo.Normalizer("/tmp/t/base")
    shallow = cbo.listing(root, normalizer, max_depth=1)
    assert "d 0755 bin/" in shallow and not any(line.startswith("f 0755") for line in shallow)
    opaque = cbo.listing(root, normalizer, opaque=("installer-cache",))
    assert [line for line in opaque if "installer-cache" in line] == [
        "d 0755 installer-cache/ (contents not compared)"]
    assert cbo.listing(tmp_path / "missing", normalizer) == ["(no directory missing)"]


def test_two_trees_that_differ_only_in_their_root_list_the_same(tmp_path):
    base = small_tree(tmp_path / "base", "/tmp/t/base")
    head = small_tree(tmp_path / "head", "/tmp/t/head")
    assert cbo.listing(base, cbo.Normalizer("/tmp/t/base")) == cbo.listing(head, cbo.Normalizer("/tmp/t/head"))
    write(head / "a.txt", "hullo\n")
    assert cbo.listing(base, cbo.Normalizer("/tmp/t/base")) != cbo.listing(head, cbo.Normalizer("/tmp/t/head"))
    os.chmod(head / "a.txt", 0o600)
    write(head / "a.txt", "hello\n")
    diff = set(cbo.listing(head, cbo.Normalizer("/tmp/t/head"))) - set(cbo.listing(base, cbo.Normalizer("/tmp/t/base")))
    assert diff == {f"f 0600 6 {sha(b'hello' + bytes([10]))} a.txt"}


def test_file_section_shows_exact_bytes_and_the_final_newline(tmp_path):
    normalizer = cbo.Normalizer("/tmp/t/base")
    with_newline = write(tmp_path / "one", "export PATH=/tmp/t/base/x:$PATH\n")
    without = write(tmp_path / "two", "a\n\nb")
    assert cbo.file_section("one", with_newline, normalizer) == [
        "== one (32 bytes)", "| export PATH=<TMP>/x:$PATH", "| (ends with a newline)"]
    assert cbo.file_section("two", without, normalizer) == [
        "== two (4 bytes)", "| a", "| ", "| b", "| (no newline at the end)"]
    assert cbo.file_section("three", tmp_path / "absent", normalizer) == ["== three: absent"]


# --- manifests -----------------------------------------------------------------------------------

def heroku_tree(root: Path, side: str) -> dict:
    """A slug, cache and export as a Heroku build under /tmp/t/<side> would leave them."""
    prefix = f"/tmp/t/{side}"
    build = root / "build_0123456789abcdef"
    write(build / "app.py", "print('hi')\n")
    write(build / ".profile.d" / "pybuildpack.sh", 'export PATH="$HOME/.heroku/python/bin:$PATH"\n')
    write(build / ".heroku" / "pybuildpack" / "release.json", '{"default_process_types": {}}')
    write(build / ".heroku" / "python" / "bin" / "python3", "ELF", executable=True)
    write(build / ".heroku" / "python" / "lib" / "x.cpython-312.pyc", "bytecode")
    cache = root / "cache_0a1b2c3d"
    write(cache / "pybuildpack" / "env" / ".pybuildpack-cache.json", '{"python_version": "3.12.1"}')
    write(cache / "pybuildpack" / "env" / "lib" / "deep" / "file", "not listed")
    write(cache / "pybuildpack" / "tools" / "87e6a401594181dd" / ".complete", "")
    export = write(root / "export", f'export PATH="{prefix}/builds/app/heroku/build_0123456789abcdef/.heroku/python/bin:$PATH"\n')
    return {"detect_returncode": 0, "detect_output": "Python\n", "returncode": 0,
            "release": "---\ndefault_process_types: {}\n", "build_dir": build, "cache_dir": cache,
            "export_file": export, "normalizer": cbo.Normalizer(prefix)}


def test_heroku_manifest(tmp_path):
    text = cbo.heroku_manifest(**heroku_tree(tmp_path / "base", "base"))
    assert text.startswith("detect: exit 0\n== bin/detect output\n| Python\ncompile: exit 0\n")
    assert "== bin/release output\n| ---\n| default_process_types: {}\n" in text
    assert "f 0755 3 " in text and " .heroku/python/bin/python3\n" in text
    assert ".pyc" not in text
    assert "== .profile.d/pybuildpack.sh (45 bytes)\n| export PATH=\"$HOME/.heroku/python/bin:$PATH\"\n" in text
    assert "== .heroku/pybuildpack/release.json (29 bytes)\n" in text
    assert "| export PATH=\"<TMP>/builds/app/heroku/build_<RANDOM>/.heroku/python/bin:$PATH\"\n" in text
    cache = text.split("== cache directory (top two levels)\n", 1)[1]
    assert cache.splitlines()[:3] == ["d 0755 pybuildpack/", "d 0755 pybuildpack/env/", "d 0755 pybuildpack/tools/"]
    assert "deep" not in cache and ".complete" not in cache
    assert "== cache pybuildpack/env/.pybuildpack-cache.json (28 bytes)\n| {\"python_version\": \"3.12.1\"}\n" in cache


def test_heroku_manifests_of_two_sides_with_the_same_build_are_identical(tmp_path):
    base = cbo.heroku_manifest(**heroku_tree(tmp_path / "base", "base"))
    head = cbo.heroku_manifest(**heroku_tree(tmp_path / "head", "head"))
    assert cbo.compare_manifests(base, head, "app/heroku-cold") == []
    changed = heroku_tree(tmp_path / "changed", "head")
    write(changed["build_dir"] / ".profile.d" / "pybuildpack.sh", "export PATH=elsewhere\n")
    diff = cbo.compare_manifests(base, cbo.heroku_manifest(**changed), "app/heroku-cold")
    assert diff[:2] == ["--- base/app/heroku-cold", "+++ head/app/heroku-cold"]
    assert "+| export PATH=elsewhere" in diff


def cnb_tree(root: Path, side: str) -> dict:
    prefix = f"/tmp/t/{side}"
    layers = root / "layers" / "pybuildpack_python"
    venv = f"{prefix}/builds/app/cnb/layers/pybuildpack_python/venv"
    write(layers / "launch.toml", '[[processes]]\ntype = "web"\ncommand = ["gunicorn"]\ndefault = true\n')
    write(layers / "venv.toml", '[types]\nlaunch = true\n\n[metadata]\ninstall_key = "abc"\n')
    write(layers / "venv.sbom.cdx.json", SBOM.replace("6f1c", side[:4].encode().hex()[:4]))
    write(layers / "venv" / "env" / "PATH.prepend", f"{venv}/bin")
    write(layers / "venv" / "env" / "PATH.delim", ":")
    write(layers / "venv" / "pyvenv.cfg", f"home = {prefix}/builds/app/cnb/layers/pybuildpack_python/python/bin\n")
    write(layers / "launch-env" / "exec.d" / "pybuildpack", "#!/bin/sh\n", executable=True)
    write(layers / "tools" / "installer-cache" / "uv" / "archive-v0" / os.urandom(4).hex() / "x", "")
    write(root / "workspace" / "app.py", "print('hi')\n")
    write(root / "plan.toml", '[[provides]]\nname = "python"\n')
    return {"detect_returncode": 0, "detect_output": "", "returncode": 0, "plan_file": root / "plan.toml",
            "layers_dir": layers, "app_dir": root / "workspace", "normalizer": cbo.Normalizer(prefix)}


def test_cnb_manifest(tmp_path):
    text = cbo.cnb_manifest(**cnb_tree(tmp_path / "base", "base"))
    for heading in ("== build plan (", "== launch.toml (", "== venv.toml (", "== venv.sbom.cdx.json (",
                    "== venv/env/PATH.prepend (", "== venv/env/PATH.delim (", "== launch-env/exec.d/pybuildpack (",
                    "== layer launch-env\n", "== layer tools\n", "== layer venv\n", "== workspace"):
        assert heading in text
    assert "| <TMP>/builds/app/cnb/layers/pybuildpack_python/venv/bin\n" in text
    assert '|   "serialNumber": "urn:uuid:<UUID>",\n' in text
    assert "d 0755 installer-cache/ (contents not compared)\n" in text
    assert "archive-v0" not in text


def test_cnb_manifests_of_two_sides_with_the_same_build_are_identical(tmp_path):
    base = cbo.cnb_manifest(**cnb_tree(tmp_path / "base", "base"))
    head = cbo.cnb_manifest(**cnb_tree(tmp_path / "head", "head"))
    assert cbo.compare_manifests(base, head, "app/cnb-cold") == []


def test_cnb_manifest_without_layers(tmp_path):
    text = cbo.cnb_manifest(detect_returncode=100, detect_output="no Python app\n", returncode=100,
                            plan_file=None, layers_dir=tmp_path / "none", app_dir=tmp_path,
                            normalizer=cbo.Normalizer("/tmp/t/base"))
    assert text == ("detect: exit 100\n== bin/detect output\n| no Python app\n== build plan: absent\n"
                    "build: exit 100\n== no layers directory\n")


def test_local_manifest(tmp_path):
    app = tmp_path / "app_deadbeef"
    write(app / "app.py", "print('hi')\n")
    write(app / ".pybuildpack" / "build.json", '{"python": {"base": "/tmp/t/base/builds/app/local/app_deadbeef"}}\n')
    write(app / ".pybuildpack" / "venv" / "bin" / "python", "", executable=True)
    text = cbo.local_manifest(returncode=0, app_dir=app, normalizer=cbo.Normalizer("/tmp/t/base"))
    assert text.startswith("build: exit 0\n")
    assert " .pybuildpack/venv/bin/python\n" in text
    assert '| {"python": {"base": "<TMP>/builds/app/local/app_<RANDOM>"}}\n' in text


# --- comparing and preparing ---------------------------------------------------------------------

def test_compare_prints_identical_or_a_diff_and_counts(tmp_path):
    manifests = {side: tmp_path / side for side in cbo.SIDES}
    for side in cbo.SIDES:
        write(manifests[side] / "app_py" / "local.txt", "build: exit 0\n")
    write(manifests["base"] / "flask_wsgi" / "local.txt", "build: exit 0\nf 0644 1 aa x\n")
    write(manifests["head"] / "flask_wsgi" / "local.txt", "build: exit 0\nf 0644 1 bb x\n")
    out = io.StringIO()
    assert cbo.compare(manifests, ["app_py", "flask_wsgi"], ["local"], out=out) == (1, 1)
    assert out.getvalue().splitlines() == [
        "app_py/local: identical",
        "flask_wsgi/local: DIFFERENT",
        "--- base/flask_wsgi/local",
        "+++ head/flask_wsgi/local",
        "@@ -1,2 +1,2 @@",
        " build: exit 0",
        "-f 0644 1 aa x",
        "+f 0644 1 bb x",
    ]


def test_a_missing_manifest_is_a_difference(tmp_path):
    manifests = {side: tmp_path / side for side in cbo.SIDES}
    write(manifests["base"] / "app_py" / "local.txt", "build: exit 0\n")
    assert cbo.compare(manifests, ["app_py"], ["local"], out=io.StringIO()) == (0, 1)


def test_prepare_app_pins_django_and_merges_the_hooks(tmp_path):
    src = tmp_path / "src"
    write(src / "examples" / "django" / "manage.py", "")
    write(src / "tests" / "fixtures" / "flask_wsgi" / "wsgi.py", "")
    write(src / "tests" / "fixtures" / "hooks" / "bin" / "pre_compile", "#!/bin/sh\n", executable=True)
    django = cbo.prepare_app(src, "django", tmp_path / "django")
    assert (django / ".python-version").read_text() == "3.12\n"
    assert not (src / "examples" / "django" / ".python-version").exists()
    hooks = cbo.prepare_app(src, "flask_hooks", tmp_path / "hooks")
    assert sorted(p.relative_to(hooks).as_posix() for p in hooks.rglob("*")) == ["bin", "bin/pre_compile", "wsgi.py"]
    assert os.access(hooks / "bin" / "pre_compile", os.X_OK)
    assert cbo.prepare_app(src, "procfile", tmp_path / "procfile") is None


def test_canonical_modes_are_what_git_records(tmp_path):
    write(tmp_path / "d" / "f", "")
    write(tmp_path / "d" / "x", "", executable=True)
    os.chmod(tmp_path / "d" / "f", 0o664)
    os.chmod(tmp_path / "d" / "x", 0o775)
    os.chmod(tmp_path / "d", 0o775)
    cbo.canonical_modes(tmp_path / "d")
    assert [oct(os.stat(tmp_path / "d" / name).st_mode & 0o777) for name in ("", "f", "x")] == [
        "0o755", "0o644", "0o755"]


@pytest.mark.parametrize("argv", [["--apps", "nope"], ["--platforms", "heroku,docker"], ["--base", "no-such-rev"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        cbo.main(argv)
    assert exit_.value.code == 2
