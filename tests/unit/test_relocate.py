"""Making an installed environment relocatable: scripts and .pth files (steps.relocate)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pybuildpack.steps.relocate import relocate_environment, relocate_pth_files, relocate_scripts

from .helpers import write

BODY = "import sys\nprint('body ran with', sys.argv[1:])\n"


def trampoline(python):
    return ("#!/bin/sh\n"
            f"'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'{python}' \"$0\" \"$@\"\n"
            "' '''\n")


@pytest.fixture
def build_root(tmp_path):
    return tmp_path / "build_0123"


@pytest.fixture
def bin_dir(build_root):
    path = build_root / ".heroku" / "python" / "bin"
    path.mkdir(parents=True)
    return path


def script(bin_dir, name, text, mode=0o755):
    path = write(bin_dir / name, text)
    os.chmod(path, mode)
    return path


# -- scripts ---------------------------------------------------------------------------

def test_absolute_shebang_under_the_build_root_becomes_a_trampoline(bin_dir, build_root):
    path = script(bin_dir, "gunicorn", f"#!{bin_dir}/python3.12\n{BODY}")
    assert relocate_scripts(bin_dir, build_root) == 1
    assert path.read_text() == trampoline("python3.12") + BODY


def test_shebang_with_an_argument_keeps_the_interpreter_name(bin_dir, build_root):
    path = script(bin_dir, "tool", f"#!{bin_dir}/python3 -E\n{BODY}")
    relocate_scripts(bin_dir, build_root)
    assert path.read_text() == trampoline("python3") + BODY


def test_pip_long_shebang_form_is_rewritten(bin_dir, build_root):
    path = script(bin_dir, "django-admin",
                  f"#!/bin/sh\n'''exec' {bin_dir}/python3.12 \"$0\" \"$@\"\n' '''\n{BODY}")
    assert relocate_scripts(bin_dir, build_root) == 1
    assert path.read_text() == trampoline("python3.12") + BODY


def test_double_quoted_long_shebang_form_is_rewritten(bin_dir, build_root):
    path = script(bin_dir, "tool", f"#!/bin/sh\n'''exec' \"{bin_dir}/python3.12\" \"$0\" \"$@\"\n' '''\n{BODY}")
    relocate_scripts(bin_dir, build_root)
    assert path.read_text() == trampoline("python3.12") + BODY


def test_uv_single_quoted_long_shebang_form_keeps_the_interpreter_name(bin_dir, build_root):
    path = script(bin_dir, "flask", f"#!/bin/sh\n'''exec' '{bin_dir}/python3.12' \"$0\" \"$@\"\n' '''\n{BODY}")
    relocate_scripts(bin_dir, build_root)
    assert path.read_text() == trampoline("python3.12") + BODY


@pytest.mark.parametrize("text", [
    "#!/usr/bin/env python3\n" + BODY,
    "#!/usr/bin/python3\n" + BODY,
    "#!/bin/sh\necho plain shell\n",
    "#!/bin/sh\n'''exec' /usr/bin/python3 \"$0\" \"$@\"\n' '''\n" + BODY,
    "no shebang at all\n",
])
def test_scripts_whose_interpreter_is_elsewhere_are_untouched(bin_dir, build_root, text):
    path = script(bin_dir, "other", text)
    assert relocate_scripts(bin_dir, build_root) == 0
    assert path.read_text() == text


def test_script_under_a_sibling_of_the_build_root_is_untouched(bin_dir, build_root, tmp_path):
    text = f"#!{tmp_path}/build_0123-other/bin/python3\n{BODY}"
    path = script(bin_dir, "other", text)
    assert relocate_scripts(bin_dir, build_root) == 0
    assert path.read_text() == text


def test_binary_files_are_untouched(bin_dir, build_root):
    path = bin_dir / "python3.12"
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)))
    relocate_scripts(bin_dir, build_root)
    assert path.read_bytes() == b"\x7fELF\x02\x01\x01" + bytes(range(256))


def test_symlinks_are_untouched(bin_dir, build_root, tmp_path):
    target = write(tmp_path / "elsewhere" / "real", f"#!{bin_dir}/python3\n{BODY}")
    (bin_dir / "link").symlink_to(target)
    assert relocate_scripts(bin_dir, build_root) == 0
    assert (bin_dir / "link").is_symlink()
    assert target.read_text() == f"#!{bin_dir}/python3\n{BODY}"


def test_file_mode_is_kept(bin_dir, build_root):
    path = script(bin_dir, "tool", f"#!{bin_dir}/python3\n{BODY}", mode=0o750)
    relocate_scripts(bin_dir, build_root)
    assert path.stat().st_mode & 0o777 == 0o750


def test_rewrite_replaces_the_file_instead_of_writing_through_hardlinks(bin_dir, build_root, tmp_path):
    original = f"#!{bin_dir}/python3\n{BODY}"
    path = script(bin_dir, "tool", original)
    cache_copy = tmp_path / "installer-cache-copy"
    os.link(path, cache_copy)
    relocate_scripts(bin_dir, build_root)
    assert cache_copy.read_text() == original
    assert path.read_text() != original
    assert [p.name for p in bin_dir.iterdir()] == ["tool"]


def test_already_relocated_scripts_are_left_alone(bin_dir, build_root):
    path = script(bin_dir, "tool", f"#!{bin_dir}/python3\n{BODY}")
    relocate_scripts(bin_dir, build_root)
    assert relocate_scripts(bin_dir, build_root) == 0
    assert path.read_text() == trampoline("python3") + BODY


def test_missing_bin_dir_relocates_nothing(tmp_path):
    assert relocate_scripts(tmp_path / "missing", tmp_path) == 0


def test_rewritten_script_runs_its_body_with_the_python_beside_it(tmp_path):
    old_prefix = tmp_path / "build" / "venv"
    new_prefix = tmp_path / "app" / "venv"
    (new_prefix / "bin").mkdir(parents=True)
    (new_prefix / "bin" / "python3").symlink_to(sys.executable)
    path = script(new_prefix / "bin", "hello", f"#!{old_prefix}/bin/python3\n{BODY}")
    assert relocate_scripts(new_prefix / "bin", old_prefix) == 1
    result = subprocess.run([str(path), "a b", "c"], capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert (result.returncode, result.stdout, result.stderr) == (0, "body ran with ['a b', 'c']\n", "")


def test_rewritten_script_runs_through_a_symlink_on_path(tmp_path):
    prefix = tmp_path / "app" / "venv"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python3").symlink_to(sys.executable)
    script(prefix / "bin", "hello", f"#!{tmp_path}/build/bin/python3\n{BODY}")
    relocate_scripts(prefix / "bin", tmp_path / "build")
    (tmp_path / "shortcut").symlink_to(prefix / "bin" / "hello")
    result = subprocess.run([str(tmp_path / "shortcut")], capture_output=True, text=True, timeout=30)
    assert result.stdout == "body ran with []\n"


# -- .pth files ---------------------------------------------------------------------------

def test_pth_lines_under_the_build_root_become_relative_to_site_packages(build_root):
    site = build_root / ".heroku" / "python" / "lib" / "python3.12" / "site-packages"
    pth = write(site / "__editable__.mypkg.pth",
                f"{build_root}/src\nimport _virtualenv\n/usr/lib/python3/dist-packages\n")
    assert relocate_pth_files(site, build_root) == 1
    assert pth.read_text() == "../../../../../src\nimport _virtualenv\n/usr/lib/python3/dist-packages\n"
    assert (site / "../../../../../src").resolve() == (build_root / "src").resolve()


def test_pth_file_without_build_paths_is_untouched(tmp_path):
    pth = write(tmp_path / "distutils-precedence.pth", "import os; var = 'x'")
    assert relocate_pth_files(tmp_path, tmp_path / "build") == 0
    assert pth.read_text() == "import os; var = 'x'"


def test_pth_line_under_a_sibling_of_the_build_root_is_untouched(tmp_path):
    pth = write(tmp_path / "site" / "a.pth", f"{tmp_path}/build-other/src\n")
    assert relocate_pth_files(tmp_path / "site", tmp_path / "build") == 0
    assert pth.read_text() == f"{tmp_path}/build-other/src\n"


def test_relocate_environment_covers_scripts_and_every_site_packages(build_root, bin_dir):
    prefix = bin_dir.parent
    script(bin_dir, "tool", f"#!{bin_dir}/python3\n{BODY}")
    write(prefix / "lib" / "python3.12" / "site-packages" / "a.pth", f"{build_root}/src\n")
    write(prefix / "lib" / "python3.12" / "site-packages" / "b.pth", "unrelated\n")
    assert relocate_environment(prefix, build_root) == 2
