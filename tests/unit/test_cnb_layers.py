"""CNB layers: their TOML, env files and reuse checks (platforms.cnb_layers)."""

from __future__ import annotations

import pytest

from harness.cnb import parse_toml
from pybuildpack.platforms.cnb_layers import FORMAT, Layer, Types

from .helpers import write

FIELDS = {"version": "Python version", "arch": "architecture"}
WANTED = {"version": "3.12.4", "arch": "x86_64"}


def layer(tmp_path, types=Types(launch=True, build=True, cache=True)):
    return Layer(tmp_path, "python", types, FIELDS)


def restore(tmp_path, toml_text, contents=True):
    """What the lifecycle leaves for a cached layer: TOML without [types], and its directory."""
    write(tmp_path / "python.toml", toml_text)
    if contents:
        (tmp_path / "python" / "bin").mkdir(parents=True)


def test_nothing_restored_is_a_first_build_not_a_reason(tmp_path):
    check = layer(tmp_path).check(WANTED)
    assert not check.reusable and not check.restored and check.reasons == ()


def test_matching_metadata_and_contents_are_reusable(tmp_path):
    restore(tmp_path, f'[metadata]\nformat = "{FORMAT}"\nversion = "3.12.4"\narch = "x86_64"\nextra = 1\n')
    check = layer(tmp_path).check(WANTED)
    assert check.reusable and check.stored["extra"] == 1


def test_every_differing_field_is_a_reason(tmp_path):
    restore(tmp_path, f'[metadata]\nformat = "{FORMAT}"\nversion = "3.12.1"\narch = "aarch64"\n')
    assert layer(tmp_path).check(WANTED).reasons == (
        "Python version changed (3.12.1 -> 3.12.4)", "architecture changed (aarch64 -> x86_64)")


def test_a_field_an_older_version_did_not_record_is_a_reason(tmp_path):
    restore(tmp_path, f'[metadata]\nformat = "{FORMAT}"\nversion = "3.12.4"\n')
    assert layer(tmp_path).check(WANTED).reasons == ("architecture was not recorded",)


def test_another_format_is_the_only_reason_given(tmp_path):
    restore(tmp_path, '[metadata]\nformat = "0"\nversion = 3.12\n')
    assert layer(tmp_path).check(WANTED).reasons == (f"layer format changed (0 -> {FORMAT})",)


@pytest.mark.parametrize("text", ["[metadata\nversion = 3.12\n", 'metadata = "3.12.4"\n', "metadata = [1]\n",
                                  "\x00\x01", "[metadata]\nversion = 3.12.4.1\n"])
def test_unreadable_metadata_is_a_reason_not_a_crash(tmp_path, text):
    restore(tmp_path, text)
    check = layer(tmp_path).check(WANTED)
    assert not check.reusable
    assert check.reasons == ("its metadata is unreadable (written by another pybuildpack version?)",)


def test_metadata_without_contents_is_not_reusable_when_contents_are_needed(tmp_path):
    restore(tmp_path, f'[metadata]\nformat = "{FORMAT}"\nversion = "3.12.4"\narch = "x86_64"\n', contents=False)
    assert layer(tmp_path).check(WANTED).reasons == ("its contents were not restored",)
    # A launch-only layer is reused from the previous image without its directory.
    assert layer(tmp_path).check(WANTED, contents_needed=False).reusable


def test_write_toml_has_types_and_metadata_with_the_format(tmp_path):
    layer(tmp_path, Types(cache=True)).write_toml(WANTED)
    assert parse_toml((tmp_path / "python.toml").read_text()) == {
        "types": {"launch": False, "build": False, "cache": True},
        "metadata": {"format": FORMAT, **WANTED},
    }


def test_written_metadata_is_read_back_as_reusable(tmp_path):
    subject = layer(tmp_path)
    (tmp_path / "python").mkdir()
    subject.write_toml(WANTED)
    assert subject.check(WANTED).reusable


def test_env_files_are_named_for_variable_and_action(tmp_path):
    subject = layer(tmp_path)
    subject.write_env("PATH", "/layers/venv/bin", "prepend")
    subject.write_env("PORT", "8080", "default", scope="env.launch")
    subject.write_env("MODE", "worker", scope="env.launch/worker")
    assert (tmp_path / "python" / "env" / "PATH.prepend").read_text() == "/layers/venv/bin"
    assert (tmp_path / "python" / "env.launch" / "PORT.default").read_text() == "8080"
    assert (tmp_path / "python" / "env.launch" / "worker" / "MODE.override").read_text() == "worker"
    with pytest.raises(ValueError):
        subject.write_env("X", "1", "export")


def test_clear_env_and_clear_remove_what_an_earlier_build_wrote(tmp_path):
    subject = layer(tmp_path)
    subject.write_env("OLD", "1")
    write(tmp_path / "python" / "bin" / "python3", "")
    write(tmp_path / "python.sbom.cdx.json", "{}")
    subject.clear_env()
    assert not (tmp_path / "python" / "env").exists() and (tmp_path / "python" / "bin").is_dir()
    subject.clear()
    assert not (tmp_path / "python").exists() and not (tmp_path / "python.sbom.cdx.json").exists()
