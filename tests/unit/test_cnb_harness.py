"""The CNB lifecycle stand-in the integration tests use (tests/harness/cnb.py):
its env file rules and its checks of the spec's field names."""

from __future__ import annotations

import pytest

from harness.cnb import (
    CnbPlatform,
    SpecViolation,
    apply_env_dir,
    launch_environment,
    parse_exec_d_output,
    strip_types,
    validate_build_plan,
    validate_launch_toml,
    validate_layer_toml,
)

from .helpers import write


def test_env_file_suffixes_follow_the_modification_rules(tmp_path):
    directory = tmp_path / "env"
    for name, value in {"A.override": "new", "B": "plain", "C.default": "default", "D.default": "default",
                        "E.prepend": "/first", "E.delim": ":", "F.append": "-tail", "G.prepend": "x"}.items():
        write(directory / name, value)
    env = {"A": "old", "B": "old", "D": "user", "E": "/usr/bin", "F": "head", "G": "y"}
    apply_env_dir(env, directory)
    assert env == {"A": "new", "B": "plain", "C": "default", "D": "user", "E": "/first:/usr/bin",
                   "F": "head-tail", "G": "xy"}


def test_contents_are_literal_never_shell_evaluated(tmp_path):
    write(tmp_path / "env" / "GREETING.override", "$HOME `id` \"quoted\"\n")
    env = {}
    apply_env_dir(env, tmp_path / "env")
    assert env["GREETING"] == "$HOME `id` \"quoted\"\n"


def test_an_unknown_suffix_is_a_spec_violation(tmp_path):
    write(tmp_path / "env" / "PATH.export", "/x")
    with pytest.raises(SpecViolation):
        apply_env_dir({}, tmp_path / "env")


def test_launch_env_orders_bin_then_env_then_launch_then_process_specific(tmp_path):
    layers = tmp_path / "layers"
    (layers / "a" / "bin").mkdir(parents=True)
    (layers / "b" / "bin").mkdir(parents=True)
    (layers / "b" / "lib").mkdir()
    write(layers / "a" / "env" / "MODE.default", "from-env")
    write(layers / "a" / "env.launch" / "MODE.default", "from-env.launch")
    write(layers / "a" / "env.launch" / "LEVEL.override", "launch")
    write(layers / "a" / "env.launch" / "web" / "LEVEL.override", "web")
    write(layers / "b" / "env.build" / "BUILD_ONLY", "1")
    env = launch_environment([layers / "b", layers / "a"], "web", {"PATH": "/usr/bin"})
    # Each layer root is prepended in name order, as the lifecycle's launcher does.
    assert env["PATH"] == f"{layers}/b/bin:{layers}/a/bin:/usr/bin"
    assert env["LD_LIBRARY_PATH"] == f"{layers}/b/lib"
    assert env["MODE"] == "from-env"          # env/ defaults win over env.launch/
    assert env["LEVEL"] == "web"              # process-specific overrides win
    assert "BUILD_ONLY" not in env
    assert launch_environment([layers / "a"], None, {})["LEVEL"] == "launch"


def test_exec_d_output_must_be_string_values_with_variable_names():
    assert parse_exec_d_output('WEB_CONCURRENCY = "3"\n') == {"WEB_CONCURRENCY": "3"}
    for bad in ("WEB_CONCURRENCY = 3\n", '"A B" = "x"\n', '[table]\nX = "1"\n'):
        with pytest.raises(SpecViolation):
            parse_exec_d_output(bad)


def test_launch_toml_checks_the_spec_fields():
    validate_launch_toml({"processes": [{"type": "web", "command": ["gunicorn"], "args": ["app"], "default": True,
                                         "working-dir": "/workspace"}]})
    for bad in ({"processes": [{"type": "web", "command": "gunicorn app"}]},
                {"processes": [{"type": "web", "command": ["x"], "direct": True}]},
                {"processes": [{"type": "w b", "command": ["x"]}]},
                {"processes": [{"type": "a", "command": ["x"], "default": True},
                               {"type": "b", "command": ["y"], "default": True}]},
                {"process": []}):
        with pytest.raises(SpecViolation):
            validate_launch_toml(bad)


def test_layer_toml_and_build_plan_check_the_spec_fields():
    validate_layer_toml("python", {"types": {"launch": True}, "metadata": {"anything": [1]}})
    with pytest.raises(SpecViolation):
        validate_layer_toml("python", {"types": {"launch": "yes"}})
    with pytest.raises(SpecViolation):
        validate_layer_toml("python", {"launch": True})
    validate_build_plan({"provides": [{"name": "python"}], "requires": [{"name": "python", "metadata": {}}]})
    with pytest.raises(SpecViolation):
        validate_build_plan({"requires": [{"name": "python", "version": "3.12"}]})


def test_restored_layer_toml_has_no_types():
    assert "types" not in strip_types('[types]\nlaunch = true\n[metadata]\nversion = "1"\n')
    assert 'version = "1"' in strip_types('[types]\nlaunch = true\n[metadata]\nversion = "1"\n')


def test_a_group_of_one_resolves_only_when_it_requires_what_it_provides():
    assert CnbPlatform._resolve({"provides": [{"name": "python"}], "requires": [{"name": "python"}]})
    assert CnbPlatform._resolve({"provides": [{"name": "python"}]}) is None
    assert CnbPlatform._resolve({"requires": [{"name": "node"}],
                                 "or": [{"provides": [{"name": "x"}], "requires": [{"name": "x"}]}]})
