"""Config vars: reading the env dir, the denylist, secrets and flags (pybuildpack.config)."""

from __future__ import annotations

import pytest

from pybuildpack.config import ConfigVars, build_environment, read_env_dir

from .helpers import logged, string_log, write


def test_env_dir_files_become_config_vars(tmp_path):
    write(tmp_path / "SECRET_KEY", "abc123")
    write(tmp_path / "DATABASE_URL", "postgres://u:p@db/app")
    write(tmp_path / "EMPTY", "")
    assert read_env_dir(tmp_path).all == {"DATABASE_URL": "postgres://u:p@db/app", "EMPTY": "", "SECRET_KEY": "abc123"}


def test_env_dir_values_are_kept_exactly(tmp_path):
    write(tmp_path / "PEM", "-----BEGIN-----\nabc\n-----END-----\n")
    assert read_env_dir(tmp_path).get("PEM") == "-----BEGIN-----\nabc\n-----END-----\n"


@pytest.mark.parametrize("name", ["FOO.override", "1LEADING_DIGIT", "has-dash", "with space"])
def test_env_dir_files_with_invalid_names_are_skipped(tmp_path, name):
    write(tmp_path / name, "x")
    write(tmp_path / "GOOD", "y")
    assert read_env_dir(tmp_path).all == {"GOOD": "y"}


def test_env_dir_subdirectories_are_skipped(tmp_path):
    (tmp_path / "NESTED").mkdir()
    assert read_env_dir(tmp_path).all == {}


def test_missing_or_absent_env_dir_gives_no_config_vars(tmp_path):
    assert read_env_dir(None).all == {}
    assert read_env_dir(tmp_path / "missing").all == {}


def test_denylisted_vars_are_not_exported_and_are_listed_as_ignored():
    config = ConfigVars({"PATH": "/evil", "LD_PRELOAD": "x.so", "PYTHONHOME": "/x", "DEBUG": "1"})
    assert config.exported == {"DEBUG": "1"}
    assert config.ignored == ["LD_PRELOAD", "PATH", "PYTHONHOME"]
    assert config.get("PATH") == "/evil"


def test_build_environment_is_the_base_plus_exported_vars():
    config = ConfigVars({"PATH": "/evil", "SECRET_KEY": "k"})
    assert build_environment(config, {"PATH": "/usr/bin", "HOME": "/root"}) == {
        "PATH": "/usr/bin", "HOME": "/root", "SECRET_KEY": "k"}


def test_secrets_are_values_except_not_secret_names_and_short_values():
    config = ConfigVars({
        "SECRET_KEY": "django-insecure-abc",
        "API_TOKEN": "tok1",
        "SHORT": "abc",
        "PADDED": "  ab  ",
        "PYBUILDPACK_INSTALLER": "pip-tools",
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "WEB_CONCURRENCY": "4444",
    })
    assert sorted(config.secrets()) == ["django-insecure-abc", "tok1"]


def test_config_var_secrets_are_masked_in_the_log(tmp_path):
    write(tmp_path / "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")
    config = read_env_dir(tmp_path)
    log = string_log(config.secrets())
    log.raw("Using key wJalrXUtnFEMI/K7MDENG\n")
    assert logged(log) == "       Using key ****\n"


def test_config_var_written_with_a_trailing_newline_is_still_masked(tmp_path):
    write(tmp_path / "API_TOKEN", "tok_live_0123456789\n")
    log = string_log(read_env_dir(tmp_path).secrets())
    log.raw("token tok_live_0123456789\n")
    assert "tok_live_0123456789" not in logged(log)


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("yes", True), ("on", True), ("anything", True), (" TRUE ", True),
    ("", False), ("0", False), ("false", False), ("False", False), ("no", False), ("off", False), ("  ", False),
])
def test_flag_is_false_only_for_empty_zero_false_no_off(value, expected):
    assert ConfigVars({"DISABLE_COLLECTSTATIC": value}).flag("DISABLE_COLLECTSTATIC") is expected


def test_unset_flag_is_false():
    assert ConfigVars({}).flag("DISABLE_COLLECTSTATIC") is False
