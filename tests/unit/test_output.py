"""The build log's line formats, secret masking and durations (pybuildpack.output)."""

from __future__ import annotations

import pytest

from pybuildpack import output
from pybuildpack.output import Log, format_duration, mask_url

from .helpers import logged, string_log


def test_step_starts_with_the_arrow():
    log = string_log()
    log.step("Installing Python 3.12.4")
    assert logged(log) == "-----> Installing Python 3.12.4\n"


def test_detail_is_indented_seven_spaces_per_line():
    log = string_log()
    log.detail("first\nsecond")
    assert logged(log) == "       first\n       second\n"


def test_empty_detail_is_a_blank_line_without_trailing_spaces():
    log = string_log()
    log.detail()
    assert logged(log) == "\n"


def test_raw_subprocess_line_is_indented_and_loses_its_newline():
    log = string_log()
    log.raw("Collecting flask  \n")
    assert logged(log) == "       Collecting flask\n"


def test_warning_is_a_bang_block_with_blank_lines_around():
    log = string_log()
    log.warning("Something is off", "Line one.\n\nLine three.")
    assert logged(log) == (
        "\n"
        " !     Warning: Something is off\n"
        " !\n"
        " !     Line one.\n"
        " !\n"
        " !     Line three.\n"
        "\n"
    )


def test_error_is_a_bang_block_titled_error():
    log = string_log()
    log.error("It broke", "How to fix it.\n")
    assert logged(log) == "\n !     Error: It broke\n !\n !     How to fix it.\n\n"


def test_block_without_body_is_only_its_title():
    log = string_log()
    log.error("It broke")
    assert logged(log) == "\n !     Error: It broke\n\n"


def test_timed_step_reports_its_duration(monkeypatch):
    clock = iter([100.0, 102.5])
    monkeypatch.setattr(output.time, "monotonic", lambda: next(clock))
    log = string_log()
    with log.timed("Installing"):
        pass
    assert logged(log) == "-----> Installing\n       Done (2.5s)\n"


def test_timed_step_faster_than_threshold_has_no_done_line(monkeypatch):
    clock = iter([100.0, 100.5])
    monkeypatch.setattr(output.time, "monotonic", lambda: next(clock))
    log = string_log()
    with log.timed("Running bin/post_compile", threshold=1.0):
        pass
    assert logged(log) == "-----> Running bin/post_compile\n"


# -- masking ----------------------------------------------------------------------

def test_mask_hides_user_and_password_in_urls():
    assert Log().mask("--index-url https://alice:s3cr3t@pypi.example.com/simple") == (
        "--index-url https://****@pypi.example.com/simple"
    )


def test_mask_hides_a_bare_token_in_urls():
    assert Log().mask("git+https://ghp_abcdef123456@github.com/org/repo.git") == (
        "git+https://****@github.com/org/repo.git"
    )


def test_mask_leaves_urls_without_credentials_alone():
    text = "Downloading https://files.pythonhosted.org/packages/x.whl"
    assert Log().mask(text) == text


def test_mask_hides_registered_secrets():
    log = Log()
    log.add_secrets(["hunter22"])
    assert log.mask("password is hunter22, again hunter22") == "password is ****, again ****"


def test_mask_replaces_the_longest_secret_first_across_calls():
    log = Log()
    log.add_secrets(["abcd"])
    log.add_secrets(["abcdefgh"])
    assert log.mask("token=abcdefgh") == "token=****"


def test_empty_secret_is_ignored():
    log = Log()
    log.add_secrets(["", "sesame"])
    assert log.mask("open sesame") == "open ****"


def test_every_kind_of_line_is_masked():
    log = string_log(["hunter22"])
    log.step("step hunter22")
    log.detail("detail hunter22")
    log.raw("raw https://u:p@host/x")
    log.warning("title hunter22", "body hunter22")
    text = logged(log)
    assert "hunter22" not in text and "u:p@" not in text
    assert text.count("****") == 5


def test_each_line_of_a_multi_line_secret_is_masked():
    log = string_log(["-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----"])
    log.raw("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n")
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in logged(log)


def test_mask_url_hides_credentials_outside_a_log():
    assert mask_url("https://user:pw@mirror.example.com/downloads.json") == (
        "https://****@mirror.example.com/downloads.json"
    )


# -- durations -------------------------------------------------------------------

@pytest.mark.parametrize("seconds, shown", [
    (0.04, "0.0s"),
    (0.44, "0.4s"),
    (12.34, "12.3s"),
    (60, "1m 00s"),
    (125.4, "2m 05s"),
    (3599.6, "60m 00s"),
])
def test_format_duration_shows_tenths_under_a_minute_then_minutes_and_seconds(seconds, shown):
    assert format_duration(seconds) == shown


def test_format_duration_just_under_a_minute_does_not_show_sixty_seconds():
    assert format_duration(59.97) == "1m 00s"


def test_the_parts_of_a_url_valued_secret_are_masked_wherever_they_appear():
    """A failing collectstatic that prints DATABASES shows the password from
    DATABASE_URL decoded and on its own; a hook may echo a token alone."""
    log = string_log()
    log.add_secrets(["postgres://app:s3cr%40t-pw@db.example.com:5432/app?sslmode=require",
                     "https://ghp_0123456789abcdef@github.com/org/repo.git",
                     "https://api.example.com/v1?api_key=k-98765432&region=eu"])
    log.detail("DATABASES = {'USER': 'app', 'PASSWORD': 's3cr@t-pw', 'OPTIONS': {'sslmode': 'require'}}")
    log.detail("raw: s3cr%40t-pw; token: ghp_0123456789abcdef; key: k-98765432; region: eu")
    assert logged(log).splitlines() == [
        "       DATABASES = {'USER': 'app', 'PASSWORD': '****', 'OPTIONS': {'sslmode': 'require'}}",
        "       raw: ****; token: ****; key: ****; region: eu",
    ]


@pytest.mark.parametrize("value", ["not a url", "https://example.com/simple", "redis://:@host:6379",
                                   "https://example.com/?sslmode=require&page=2"])
def test_values_without_credentials_have_no_secret_parts(value):
    assert output.secret_parts(value) == []
