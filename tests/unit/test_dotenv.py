"""Reading `.env` in foreman's format (pybuildpack.dotenv)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.dotenv import parse_dotenv, read_dotenv

from .helpers import render, write


def test_names_and_values_in_file_order_with_comments_and_blank_lines_skipped():
    text = "# a comment\n\nDEBUG=1\n  INDENTED = spaced out  \nEMPTY=\nURL=postgres://u:p@h/db?x=1#frag\n"
    assert parse_dotenv(text) == {"DEBUG": "1", "INDENTED": "spaced out", "EMPTY": "",
                                  "URL": "postgres://u:p@h/db?x=1#frag"}


def test_export_prefix_is_allowed():
    assert parse_dotenv("export NAME=value\n") == {"NAME": "value"}


def test_single_quotes_are_literal_and_double_quotes_unescape():
    text = "A='$HOME \\n stays'\nB=\"line one\\nline two \\\"quoted\\\" \\\\ end\"\n"
    assert parse_dotenv(text) == {"A": "$HOME \\n stays", "B": 'line one\nline two "quoted" \\ end'}


def test_nothing_is_expanded_and_a_later_line_wins():
    assert parse_dotenv("A=$HOME\nA=${OTHER}\n") == {"A": "${OTHER}"}


def test_windows_line_endings_are_read():
    assert parse_dotenv("A=1\r\nB=2\r\n") == {"A": "1", "B": "2"}


@pytest.mark.parametrize("line, reason", [
    ("DEBUG true", "it has no `=`"),
    ("1NAME=x", "a name has letters, digits and _"),
    ("MY-NAME=x", "a name has letters, digits and _"),
    ("QUOTED='open", "opens a ' quote that this line does not close"),
])
def test_a_bad_line_is_an_error_naming_its_number(line, reason):
    with pytest.raises(errors.DotenvInvalid) as raised:
        parse_dotenv(f"# header\nOK=1\n{line}\n")
    text = render(raised.value)
    assert ".env line 3 is not of the form NAME=value" in text
    assert reason in text


def test_a_bad_line_is_shown_without_its_value():
    with pytest.raises(errors.DotenvInvalid) as raised:
        parse_dotenv("SECRET_KEY is hunter2\n")
    assert "hunter2" not in render(raised.value)
    with pytest.raises(errors.DotenvInvalid) as raised:
        parse_dotenv("BAD-NAME=hunter2\n")
    assert "BAD-NAME=..." in render(raised.value) and "hunter2" not in render(raised.value)


def test_no_dotenv_file_means_no_variables(tmp_path):
    assert read_dotenv(tmp_path) == {}
    write(tmp_path / ".env", "A=1\n")
    assert read_dotenv(tmp_path) == {"A": "1"}


def test_an_undecodable_dotenv_is_a_clear_error(tmp_path):
    (tmp_path / ".env").write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(errors.FileUnreadable) as raised:
        read_dotenv(tmp_path)
    assert "Could not read .env" in render(raised.value)
