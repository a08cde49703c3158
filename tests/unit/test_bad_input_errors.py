"""Bad input in the files a build reads is a clear error, in bounded time
(issue 13 item 2): unreadable, non-UTF-8, FIFO and looping app files, absurd
requirement lines, Django settings that fail to import, and full disks."""

from __future__ import annotations

import doctest
import errno
import io
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from pybuildpack import disk, errors, plan
from pybuildpack.inspect import django as inspect_django
from pybuildpack.inspect.dependencies import requirement_names
from pybuildpack.inspect.files import not_a_regular_file, read_app_text
from pybuildpack.inspect.pyproject import read_toml
from pybuildpack.output import Log
from pybuildpack.steps import django as django_step
from pybuildpack.steps.dependencies import HideTracebacks, without_tracebacks

from .helpers import write


# --- reading app files ----------------------------------------------------------------------

def test_a_file_the_build_may_not_read_is_an_error_naming_it(tmp_path, monkeypatch):
    # As root, chmod 000 does not stop a read: the kernel's answer is simulated.
    path = write(tmp_path / "requirements.txt", "flask\n")

    def denied(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(errors.AppFileUnreadable) as raised:
        read_app_text(path, "requirements.txt")
    assert raised.value.title == "Could not read requirements.txt"
    assert "permission denied" in raised.value.body


def test_an_unreadable_pyproject_toml_is_the_same_error(tmp_path, monkeypatch):
    path = write(tmp_path / "pyproject.toml", "[project]\n")
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(PermissionError(errno.EACCES, "no")))
    with pytest.raises(errors.AppFileUnreadable, match="pyproject.toml"):
        read_toml(path, "pyproject.toml")


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "requirements.txt")
    outcome = {}

    def read() -> None:
        try:
            read_app_text(tmp_path / "requirements.txt", "requirements.txt")
        except errors.UserError as error:
            outcome["error"] = error

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock the reader before failing
        with open(tmp_path / "requirements.txt", "w"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert "named pipe (FIFO)" in outcome["error"].body


def test_a_symlink_loop_and_a_directory_are_named_as_such(tmp_path):
    os.symlink("a", tmp_path / "b")
    os.symlink("b", tmp_path / "a")
    (tmp_path / "d").mkdir()
    assert not_a_regular_file(tmp_path / "a") == "it is a symlink loop"
    assert not_a_regular_file(tmp_path / "d") == "it is a directory"
    assert not_a_regular_file(tmp_path / "absent") is None
    assert not_a_regular_file(write(tmp_path / "f", "x")) is None


def test_bytes_that_are_not_utf8_are_located_by_line_and_column(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"flask\ngunicorn\n# Jos\xe9\n")
    with pytest.raises(errors.AppFileNotUtf8) as raised:
        read_app_text(path, "requirements.txt")
    assert "requirements.txt line 3, column 6, has the byte 0xe9" in raised.value.body


def test_a_byte_order_mark_is_skipped_when_asked(tmp_path):
    path = tmp_path / ".python-version"
    path.write_bytes(b"\xef\xbb\xbf3.12\n")
    assert read_app_text(path, ".python-version", encoding="utf-8-sig") == "3.12\n"


def test_a_version_file_that_is_a_fifo_stops_the_plan(tmp_path):
    write(tmp_path / "requirements.txt", "flask\n")
    os.mkfifo(tmp_path / ".python-version")
    with pytest.raises(errors.VersionFileNotAFile) as raised:
        plan.check_version_files(tmp_path)
    assert "it is a named pipe (FIFO)" in raised.value.body


# --- requirements files ---------------------------------------------------------------------

def test_a_2mb_requirement_line_is_refused_at_once(tmp_path):
    path = write(tmp_path / "requirements.txt", "flask\n" + "a" * 2_000_000 + "\n")
    started = time.monotonic()
    with pytest.raises(errors.RequirementsLineTooLong) as raised:
        requirement_names(path, tmp_path)
    assert time.monotonic() - started < 2
    assert raised.value.title == "requirements.txt line 2 is too long"


def test_an_include_that_is_missing_names_the_line(tmp_path):
    path = write(tmp_path / "requirements.txt", "flask \\\n  >=3\n-r base.txt\n")
    with pytest.raises(errors.RequirementsIncludeMissing) as raised:
        requirement_names(path, tmp_path)
    assert raised.value.title == "requirements.txt line 3 includes a file that cannot be read"


def test_includes_from_urls_and_variables_are_left_to_the_installer(tmp_path):
    path = write(tmp_path / "requirements.txt", "-r https://example.com/r.txt\n-c ${CONSTRAINTS}\nflask\n")
    assert requirement_names(path, tmp_path) == {"flask"}


def test_an_included_file_is_followed_and_constraints_are_only_checked(tmp_path):
    write(tmp_path / "base.txt", "django\n")
    write(tmp_path / "constraints.txt", "django<6\n")
    path = write(tmp_path / "requirements.txt", "-rbase.txt\n--constraint=constraints.txt\nflask\n")
    assert requirement_names(path, tmp_path) == {"flask", "django"}


# --- the log and tool output --------------------------------------------------------------------

def test_masking_a_2mb_line_of_letters_is_fast_and_the_line_is_cut():
    stream = io.StringIO()
    log = Log(stream)
    log.add_secrets(["postgres://app:hunter2secret@db/app"])
    started = time.monotonic()
    log.raw("https://pypi.org/simple/" + "a" * 2_000_000 + "\n")
    assert time.monotonic() - started < 2
    assert len(stream.getvalue()) < 1200 and "more characters" in stream.getvalue()


def test_a_build_backends_traceback_is_hidden_and_its_exception_kept():
    output = ("error: The build backend returned an error\n"
              "       [stderr]\n"
              "       Traceback (most recent call last):\n"
              "         File \"<string>\", line 14, in <module>\n"
              "           exec(code, locals())\n"
              "           ^^^^^^^^^^^^^^^^^^^^\n"
              "       RuntimeError: boom\n"
              "hint: done\n")
    assert without_tracebacks(output) == ("error: The build backend returned an error\n       [stderr]\n"
                                          "       RuntimeError: boom\nhint: done\n")
    keep = HideTracebacks(lambda line: not line.startswith("hint"))
    assert [line for line in output.splitlines() if keep(line)][-1] == "       RuntimeError: boom"


# --- full disks -------------------------------------------------------------------------------

def test_enospc_from_python_and_from_shutil_names_the_path(tmp_path):
    assert disk.enospc_path(OSError(errno.ENOSPC, "No space left on device", "/cache/env/x")) == "/cache/env/x"
    gathered = shutil.Error([("/build/a", "/cache/env/a", "[Errno 28] No space left on device: '/cache/env/a'")])
    assert disk.enospc_path(gathered) == "/cache/env/a"
    assert disk.enospc_path(OSError(errno.EACCES, "Permission denied")) is None
    assert disk.enospc_path(shutil.Error([("/a", "/b", "[Errno 13] Permission denied")])) is None


def test_an_installers_no_space_message_names_the_file():
    uv = ("error: Failed to install: flask\n  cause: failed to write to file "
          "`/build/.heroku/python/lib/x.py`: No space left on device (os error 28)\n")
    assert disk.path_in_output(uv) == "/build/.heroku/python/lib/x.py"
    assert disk.path_in_output("ERROR: Could not install packages due to an OSError: [Errno 28] "
                               "No space left on device\n") == ""
    assert disk.path_in_output("error: no such package\n") is None
    # Copying from a shared installer cache on another disk: the file written is the one named.
    copy = ("  cause: Failed to copy to `/cache/tools/v/lib/typing_extensions.py`\n  cause: failed to copy file from "
            "/shared/uv/archive-v0/6LE9/typing_extensions.py to /cache/tools/v/lib/.tmp0eku7o: No space left on "
            "device (os error 28)\n")
    assert disk.path_in_output(copy) == "/cache/tools/v/lib/.tmp0eku7o"
    assert doctest.testmod(disk).failed == 0


def test_disk_full_names_the_directory_that_holds_the_path(tmp_path):
    cache = tmp_path / "cache"
    error = disk.disk_full(str(cache / "env" / "lib" / "x.so"),
                           {"the installer cache": None, "the build cache": cache, "the build directory": tmp_path})
    assert error.title == "No space left on the disk of the build cache"
    assert f"in the build cache ({cache})" in error.body


# --- Django settings ----------------------------------------------------------------------------

def _django_python() -> str:
    """A Python that has Django: the dev virtualenv's (the tests run in it)."""
    pytest.importorskip("django")
    return sys.executable


def _probe(tmp_path: Path, settings: str, extra: dict = ()) -> errors.UserError:
    write(tmp_path / "manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n")
    write(tmp_path / "site1" / "__init__.py")
    write(tmp_path / "site1" / "settings.py", settings)
    for name, text in dict(extra).items():
        write(tmp_path / name, text)
    project = inspect_django.find_django(tmp_path, {})
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    with pytest.raises(errors.UserError) as raised:
        django_step.probe(Path(_django_python()), tmp_path, project, env, "requirements.txt")
    return raised.value


def test_settings_see_the_argv_collectstatic_runs_with(tmp_path):
    settings = ("import sys\nSECRET_KEY = 'x'\nINSTALLED_APPS = []\nSTATIC_URL = 'static/'\n"
                "raise RuntimeError(repr(sys.argv))\n")
    error = _probe(tmp_path, settings)
    assert f"RuntimeError: {list(django_step.COLLECTSTATIC_ARGS)!r}" in error.body


def test_a_settings_import_error_shows_only_the_apps_frames(tmp_path):
    error = _probe(tmp_path, "from site1.helpers import load\nX = load()\n",
                   {"site1/helpers.py": "import missing_package_xyz\ndef load():\n    pass\n"})
    assert isinstance(error, errors.DjangoSettingsImportFailed)
    assert error.title == "Could not import the Django settings (site1/settings.py line 1)"
    assert "File \"site1/helpers.py\", line 1, in <module>" in error.body
    assert "site-packages" not in error.body and "importlib" not in error.body
    assert "No installed package provides the module 'missing_package_xyz'" in error.body
    assert "database" not in error.body


def test_a_settings_module_name_with_a_dash_is_an_error_naming_manage_py(tmp_path):
    write(tmp_path / "manage.py", "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'my-site.settings')\n")
    with pytest.raises(errors.DjangoSettingsModuleInvalid) as raised:
        inspect_django.find_django(tmp_path, {})
    assert "manage.py line 3 names the settings module 'my-site.settings'" in raised.value.body


def test_a_computed_settings_module_name_is_not_read_as_one(tmp_path):
    write(tmp_path / "manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', '%s.settings' % 'x')\n")
    assert inspect_django.find_django(tmp_path, {}) is None


def test_a_collectstatic_traceback_keeps_only_the_apps_frames():
    output = ("Post-processing 'x.css' failed!\n\nTraceback (most recent call last):\n"
              '  File "/b/manage.py", line 22, in <module>\n    main()\n'
              '  File "/b/.heroku/python/lib/python3.12/site-packages/django/core/management/__init__.py", line 442,'
              ' in execute_from_command_line\n    utility.execute()\n'
              '  File "<frozen os>", line 685, in __getitem__\n'
              '  File "/b/mysite/storage.py", line 3, in url\n    return name[1]\n           ~~~~^^^\n'
              "IndexError: string index out of range\n")
    assert errors.app_traceback(output, "/b") == (
        "Post-processing 'x.css' failed!\n\nTraceback (most recent call last):\n"
        '  File "manage.py", line 22, in <module>\n    main()\n'
        "  ... 2 frames of Django and other packages\n"
        '  File "mysite/storage.py", line 3, in url\n    return name[1]\n'
        "IndexError: string index out of range\n")


def test_a_statement_over_several_lines_in_a_hidden_frame_leaves_nothing_behind():
    # Python 3.13 shows every line of a statement that spans several.
    output = ("Traceback (most recent call last):\n"
              '  File "/b/manage.py", line 15, in <module>\n    execute_from_command_line(sys.argv)\n'
              '  File "/b/.heroku/python/lib/python3.13/site-packages/django/core/handlers/wsgi.py", line 3,'
              " in <module>\n    from django.http import (\n        HttpRequest,\n    )\n"
              "ModuleNotFoundError: No module named 'cgi'\n")
    assert errors.app_traceback(output, "/b") == (
        "Traceback (most recent call last):\n"
        '  File "manage.py", line 15, in <module>\n    execute_from_command_line(sys.argv)\n'
        "  ... 1 frame of Django and other packages\n"
        "ModuleNotFoundError: No module named 'cgi'\n")
