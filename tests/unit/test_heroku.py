"""The Heroku classic API's bin/detect and bin/release (platforms.heroku)."""

from __future__ import annotations

import json

from pybuildpack.inspect.files import DETECT_FILES
from pybuildpack.platforms.heroku import STATE_DIR, detect, export_script, release

from .helpers import write


def write_release_json(build_dir, processes):
    write(build_dir / STATE_DIR / "release.json", json.dumps({"default_process_types": processes}))


# -- release -----------------------------------------------------------------------------

def test_release_lists_the_default_web_process(tmp_path):
    write_release_json(tmp_path, {"web": "gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:app"})
    assert release(tmp_path) == (
        "---\n"
        "default_process_types:\n"
        '  web: "gunicorn --config python:pybuildpack_launch.gunicorn_config wsgi:app"\n'
    )


def test_release_quotes_commands_as_yaml_strings(tmp_path):
    write_release_json(tmp_path, {"web": 'python -c "print(1)" # not a comment'})
    assert release(tmp_path) == '---\ndefault_process_types:\n  web: "python -c \\"print(1)\\" # not a comment"\n'


def test_release_without_a_web_process_has_empty_process_types(tmp_path):
    write_release_json(tmp_path, {})
    assert release(tmp_path) == "---\ndefault_process_types: {}\n"


def test_release_without_release_json_has_empty_process_types(tmp_path):
    assert release(tmp_path) == "---\ndefault_process_types: {}\n"


def test_release_with_unreadable_release_json_has_empty_process_types(tmp_path):
    write(tmp_path / STATE_DIR / "release.json", "{not json")
    assert release(tmp_path) == "---\ndefault_process_types: {}\n"


# -- detect -------------------------------------------------------------------------------

def test_detect_on_an_empty_directory_fails_and_explains_on_stderr(tmp_path, capsys):
    assert detect(tmp_path) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "pybuildpack: this does not look like a Python app." in err
    assert all(f"  - {name}\n" in err for name in DETECT_FILES)
    assert "(the directory is empty)" in err


def test_detect_failure_lists_what_the_directory_holds(tmp_path, capsys):
    write(tmp_path / "package.json", "{}")
    (tmp_path / "src").mkdir()
    (tmp_path / ".git").mkdir()
    assert detect(tmp_path) == 1
    err = capsys.readouterr().err
    assert "The app directory holds:\n  - package.json\n  - src/\n" in err
    assert ".git" not in err


def test_detect_with_requirements_txt_prints_python(tmp_path, capsys):
    write(tmp_path / "requirements.txt", "flask\n")
    assert detect(tmp_path) == 0
    assert capsys.readouterr() == ("Python\n", "")


# -- export -------------------------------------------------------------------------------

def test_export_script_puts_the_slug_python_first_on_path(tmp_path):
    assert export_script(tmp_path).splitlines()[0] == f'export PATH="{tmp_path}/.heroku/python/bin:$PATH"'
