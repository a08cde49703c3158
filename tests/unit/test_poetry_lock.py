"""poetry.lock: reading it, walking its graph, converting it, and checking it against pyproject.toml."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pybuildpack import errors, package_managers
from pybuildpack.inspect.python_version import PythonRequest
from pybuildpack.package_managers.poetry_lock import (PoetryLock, constraint_to_specifier, content_hash,
                                                      credential_vars, without_extras)

from .helpers import install_context as context
from .helpers import raises, write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
H = "sha256:" + "a" * 64


def package(name, version, deps="", extras="", source="", files=None, header=""):
    files = [H] if files is None else files
    text = f'[[package]]\nname = "{name}"\nversion = "{version}"\noptional = false\npython-versions = "*"\n'
    text += header
    if files != "metadata":
        text += "files = [" + ", ".join(f'{{file = "{name}-{version}.whl", hash = "{h}"}}' for h in files) + "]\n"
    if deps:
        text += f"\n[package.dependencies]\n{deps}\n"
    if extras:
        text += f"\n[package.extras]\n{extras}\n"
    if source:
        text += f"\n[package.source]\n{source}\n"
    return text + "\n"


def app(tmp_path: Path, pyproject: str, *packages: str, metadata: str = "") -> Path:
    write(tmp_path / "pyproject.toml", pyproject)
    write(tmp_path / "poetry.lock", "".join(packages) + '[metadata]\nlock-version = "2.1"\n' + metadata)
    return tmp_path


def lines(manager: PoetryLock, app_dir: Path, **kwargs) -> list:
    """The requirement lines of the conversion, without their hashes."""
    text = manager.requirements(app_dir, **kwargs).replace(" \\\n    --hash=", " --hash=")
    return [line.split(" --hash=")[0] for line in text.splitlines() if not line.startswith("#")]


POETRY_STYLE = """
[tool.poetry]
name = "x"
version = "1"
[tool.poetry.dependencies]
python = "^3.11"
flask = {version = "^3.0", extras = ["async"]}
tomli = {version = "*", python = "<3.11"}
psycopg = {version = "^3", optional = true}
[tool.poetry.extras]
postgres = ["psycopg"]
[tool.poetry.group.dev.dependencies]
pytest = "*"
"""

FLASK = package("flask", "3.0.3",
                deps='werkzeug = ">=3.0"\nasgiref = {version = ">=3.2", optional = true}\n'
                     'colorama = {version = "*", markers = "platform_system == \\"Windows\\""}',
                extras='async = ["asgiref (>=3.2)"]\ndotenv = ["python-dotenv"]')
REST = (package("werkzeug", "3.0.3", deps='markupsafe = ">=2.1.1"') + package("markupsafe", "2.1.5")
        + package("asgiref", "3.8.1") + package("colorama", "0.4.6") + package("psycopg", "3.2.1")
        + package("pytest", "8.0.0", deps='colorama = {version = "*", markers = "sys_platform == \\"win32\\""}')
        + package("python-dotenv", "1.0.1"))


# --- constraints and the Python request ------------------------------------------------------

@pytest.mark.parametrize("constraint, specifier", [
    ("^3.11", ">=3.11,<4.0"),
    ("~3.11", ">=3.11,<3.12"),
    ("^3.11.2", ">=3.11.2,<4.0.0"),
    ("~3.11.2", ">=3.11.2,<3.12.0"),
    ("^0.2.3", ">=0.2.3,<0.3.0"),
    ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("^3", ">=3,<4.0"),
    ("~=3.11", "~=3.11"),
    ("3.11.*", "==3.11.*"),
    ("3.12", "==3.12"),
    (">=3.10,<3.13", ">=3.10,<3.13"),
    (">=3.10 <3.13", ">=3.10,<3.13"),
    ("*", ""),
])
def test_poetry_constraints_become_pep440_specifiers(constraint, specifier):
    assert constraint_to_specifier(constraint) == specifier


def test_a_union_of_ranges_cannot_be_one_specifier():
    with pytest.raises(ValueError):
        constraint_to_specifier(">=3.8,<3.9 || >=3.10")


def test_the_python_constraint_joins_the_version_choice(tmp_path):
    manager = PoetryLock.detect(app(tmp_path, POETRY_STYLE, FLASK, REST))
    assert manager.python_requests() == (
        PythonRequest(">=3.11,<4.0", "specifier", "python in [tool.poetry.dependencies]"),)


def test_a_python_union_is_read_as_its_newest_range(tmp_path):
    manager = PoetryLock.detect(app(tmp_path, POETRY_STYLE.replace('"^3.11"', '">=3.8,<3.9 || ^3.10"'), FLASK, REST))
    assert manager.python_requests()[0].value == ">=3.10,<4.0"


def test_an_unreadable_python_constraint_names_its_origin(tmp_path):
    manager = PoetryLock.detect(app(tmp_path, POETRY_STYLE.replace('"^3.11"', '"three"'), FLASK, REST))
    with raises(errors.PythonVersionInvalid, "python in [tool.poetry.dependencies]"):
        manager.python_requests()


# --- the graph walk -------------------------------------------------------------------------------

def test_the_main_group_is_walked_with_extras_and_markers(tmp_path):
    app_dir = app(tmp_path, POETRY_STYLE, FLASK, REST)
    manager = package_managers.find(app_dir)
    assert manager.kind == "poetry"
    # tomli is for Python < 3.11: Poetry left it out of the lock, and it is not an error.
    assert manager.names == {"flask", "werkzeug", "markupsafe", "asgiref", "colorama"}
    assert lines(manager, app_dir) == [
        "asgiref==3.8.1",
        'colorama==0.4.6 ; platform_system == "Windows"',
        "flask==3.0.3",
        "markupsafe==2.1.5",
        "werkzeug==3.0.3",
    ]
    assert f"--hash={H}" in manager.requirements(app_dir)


def test_groups_and_extras_are_added_when_asked_for(tmp_path):
    app_dir = app(tmp_path, POETRY_STYLE, FLASK, REST)
    manager = PoetryLock.detect(app_dir)
    found = lines(manager, app_dir, groups=("dev",), extras=("postgres",))
    assert "psycopg==3.2.1" in found and "pytest==8.0.0" in found
    # Reached on two paths, each with its own marker: either may hold.
    assert 'colorama==0.4.6 ; platform_system == "Windows" or sys_platform == "win32"' in found


def test_chosen_groups_and_extras_count_towards_what_the_app_declares(tmp_path):
    manager = PoetryLock.detect(app(tmp_path, POETRY_STYLE, FLASK, REST))
    assert not manager.declares("pytest") and not manager.declares("psycopg")
    chosen = manager.select(("dev",), ("postgres",))
    assert chosen.declares("pytest") and chosen.declares("psycopg") and chosen.declares("flask")
    with raises(errors.SelectionUnknown, "It declares: dev"):
        manager.select(("docs",), ())


def test_an_unknown_group_or_extra_is_an_error_listing_the_declared_ones(tmp_path):
    app_dir = app(tmp_path, POETRY_STYLE, FLASK, REST)
    manager = PoetryLock.detect(app_dir)
    with raises(errors.SelectionUnknown, "It declares: dev"):
        manager.requirements(app_dir, groups=("docs",))
    with raises(errors.SelectionUnknown, "It declares: postgres"):
        manager.requirements(app_dir, extras=("mysql",))


def test_an_unconditional_path_drops_the_markers_and_cycles_end(tmp_path):
    pyproject = ('[tool.poetry.dependencies]\npython = "^3.11"\na = "*"\n'
                 'b = {version = "*", markers = "os_name == \\"nt\\""}\n')
    lock = (package("a", "1", deps='c = {version = "*", markers = "python_version < \\"3.12\\""}')
            + package("b", "1", deps='c = "*"')
            + package("c", "1", deps='a = "*"'))
    app_dir = app(tmp_path, pyproject, lock)
    assert lines(PoetryLock.detect(app_dir), app_dir) == [
        "a==1",
        'b==1 ; os_name == "nt"',
        'c==1 ; os_name == "nt" or python_version < "3.12"',
    ]


def test_two_locked_versions_of_a_package_are_told_apart_by_the_edge_constraint(tmp_path):
    pyproject = '[tool.poetry.dependencies]\npython = "^3.9"\nnumpy = [\n' \
        '  {version = "1.24.4", python = "<3.10"},\n  {version = "^1.26", python = ">=3.10"},\n]\n'
    app_dir = app(tmp_path, pyproject, package("numpy", "1.24.4"), package("numpy", "1.26.4"))
    assert lines(PoetryLock.detect(app_dir), app_dir) == [
        'numpy==1.24.4 ; python_version < "3.10"',
        'numpy==1.26.4 ; python_version >= "3.10"',
    ]


# --- sources ------------------------------------------------------------------------------------

def test_a_git_dependency_is_pinned_to_the_locked_commit(tmp_path):
    pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\nlib = {git = "https://example.com/lib.git"}\n'
    source = 'type = "git"\nurl = "https://example.com/lib.git"\nreference = "HEAD"\n' \
             'resolved_reference = "0123456789abcdef0123456789abcdef01234567"\nsubdirectory = "py"'
    app_dir = app(tmp_path, pyproject, package("lib", "0.1.0", files=[], source=source))
    assert lines(PoetryLock.detect(app_dir), app_dir) == [
        "lib @ git+https://example.com/lib.git@0123456789abcdef0123456789abcdef01234567#subdirectory=py"]


def test_a_path_dependency_is_copied_from_inside_the_app(tmp_path):
    pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\ngreeting = {path = "libs/greeting", develop = true}\n'
    app_dir = app(tmp_path, pyproject,
                  package("greeting", "1.0", files=[], source='type = "directory"\nurl = "libs/greeting"'))
    manager = PoetryLock.detect(app_dir)
    assert lines(manager, app_dir) == [f"greeting @ {(app_dir / 'libs' / 'greeting').as_uri()}"]
    assert manager.local_sources  # re-synced every build: its code can change under the same lock


def test_a_path_dependency_outside_the_app_is_an_error(tmp_path):
    app_dir = tmp_path / "app"
    pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\nshared = {path = "../shared"}\n'
    app(app_dir, pyproject, package("shared", "1.0", files=[], source='type = "directory"\nurl = "../shared"'))
    with raises(errors.PathDependencyOutsideApp, "poetry.lock names 'shared @ ../shared'"):
        PoetryLock.detect(app_dir).requirements(app_dir)


def test_a_private_source_gets_its_credentials_from_config_vars_by_reference(tmp_path):
    pyproject = ('[tool.poetry.dependencies]\npython = "^3.11"\nmine = {version = "*", source = "corp-repo"}\n'
                 '[[tool.poetry.source]]\nname = "corp-repo"\nurl = "https://pkgs.example.com/simple/"\n'
                 'priority = "supplemental"\n')
    source = 'type = "legacy"\nurl = "https://pkgs.example.com/simple"\nreference = "corp-repo"'
    app_dir = app(tmp_path, pyproject, package("mine", "2.0", source=source))
    manager = PoetryLock.detect(app_dir)
    assert credential_vars("corp-repo") == ("POETRY_HTTP_BASIC_CORP_REPO_USERNAME",
                                            "POETRY_HTTP_BASIC_CORP_REPO_PASSWORD")
    assert "--extra-index-url https://pkgs.example.com/simple\n" in manager.requirements(app_dir)
    text = manager.requirements(app_dir, config={"POETRY_HTTP_BASIC_CORP_REPO_USERNAME": "deploy",
                                                 "POETRY_HTTP_BASIC_CORP_REPO_PASSWORD": "s3cret"})
    assert ("--extra-index-url https://${POETRY_HTTP_BASIC_CORP_REPO_USERNAME}:"
            "${POETRY_HTTP_BASIC_CORP_REPO_PASSWORD}@pkgs.example.com/simple\n") in text
    assert "s3cret" not in text


# --- lock formats and freshness -------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["poetry_flask", "poetry_pep621", "poetry_path"])
def test_the_content_hash_of_locks_poetry_wrote_is_reproduced(fixture):
    """Locks written by Poetry 2.5 for both pyproject styles."""
    manager = PoetryLock.detect(FIXTURES / fixture)
    manager.check_lock(context(FIXTURES / fixture))
    assert "flask" in manager.names and "six" not in manager.names


def test_poetry_1_locks_keep_their_hashes_in_metadata_files(tmp_path):
    pyproject = '[tool.poetry.dependencies]\npython = "^3.8"\nsix = "^1.16"\n'
    relevant = {"dependencies": {"python": "^3.8", "six": "^1.16"}, "dev-dependencies": None, "extras": None,
                "source": None}
    expected = hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()
    lock = package("six", "1.16.0", files="metadata", header='category = "main"\n')
    metadata = (f'content-hash = "{expected}"\n\n[metadata.files]\nsix = [\n'
                f'    {{file = "six-1.16.0-py2.py3-none-any.whl", hash = "{H}"}},\n]\n')
    app_dir = app(tmp_path, pyproject, lock, metadata=metadata.replace('lock-version = "2.1"', ""))
    manager = PoetryLock.detect(app_dir)
    manager.check_lock(context(app_dir))
    assert manager.requirements(app_dir).endswith(f"six==1.16.0 \\\n    --hash={H}\n")


def test_a_changed_pyproject_makes_the_lock_stale(tmp_path):
    shutil.copytree(FIXTURES / "poetry_flask", tmp_path / "app")
    app_dir = tmp_path / "app"
    pyproject = app_dir / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('flask = "3.0.3"', 'flask = "3.0.3"\nrequests = "*"'))
    with raises(errors.PoetryLockOutdated, "content-hash does not match"):
        PoetryLock.detect(app_dir).check_lock(context(app_dir))


def test_without_a_content_hash_a_dependency_missing_from_the_lock_makes_it_stale(tmp_path):
    app_dir = app(tmp_path, POETRY_STYLE.replace("flask =", "requests = \"*\"\nflask ="), FLASK, REST)
    with raises(errors.PoetryLockOutdated, "declares requests, which poetry.lock does not list"):
        PoetryLock.detect(app_dir).check_lock(context(app_dir))


def test_a_lock_of_poetry_before_2_3_is_hashed_without_dependency_groups(tmp_path):
    pyproject = '[project]\nname = "x"\nversion = "1"\ndependencies = ["six"]\n[dependency-groups]\ndev = ["pytest"]\n'
    data = {"project": {"dependencies": ["six"]}, "dependency-groups": {"dev": ["pytest"]}}
    old = content_hash(data, with_dependency_groups=False)
    app_dir = app(tmp_path, pyproject, package("six", "1.16.0"), metadata=f'content-hash = "{old}"\n')
    lock = app_dir / "poetry.lock"
    with pytest.raises(errors.PoetryLockOutdated):
        PoetryLock.detect(app_dir).check_lock(context(app_dir))
    lock.write_text("# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.\n"
                    + lock.read_text())
    PoetryLock.detect(app_dir).check_lock(context(app_dir))


@pytest.mark.parametrize("broken", ["poetry.lock", "pyproject.toml"])
def test_invalid_toml_names_the_file(tmp_path, broken):
    app_dir = app(tmp_path, POETRY_STYLE, FLASK, REST)
    write(app_dir / broken, "[[package]\nname = ")
    with pytest.raises(errors.FileUnreadable, match=f"Could not read {broken}"):
        PoetryLock.detect(app_dir)


def test_a_lock_without_pyproject_is_an_error(tmp_path):
    write(tmp_path / "poetry.lock", "")
    with pytest.raises(errors.PoetryPyprojectMissing):
        package_managers.find(tmp_path)


def test_the_files_an_install_reads(tmp_path):
    manager = PoetryLock.detect(app(tmp_path, POETRY_STYLE, FLASK, REST))
    assert manager.install_files() == ["pyproject.toml", "poetry.lock"]
    assert (manager.has_groups, manager.has_extras, manager.local_sources) == (True, True, False)


def test_the_project_named_in_its_own_extras_stands_for_those_extras(tmp_path):
    pyproject = ('[project]\nname = "My_App"\nversion = "1"\ndependencies = ["six"]\n'
                 '[project.optional-dependencies]\npg = ["psycopg"]\nall = ["my-app[pg]"]\n')
    app_dir = app(tmp_path, pyproject, package("six", "1.16.0"), package("psycopg", "3.2.1"))
    manager = PoetryLock.detect(app_dir)
    manager.check_lock(context(app_dir, extras=["all"]))
    assert lines(manager, app_dir, extras=("all",)) == ["psycopg==3.2.1", "six==1.16.0"]


def test_a_project_in_package_mode_is_installed_itself_editable_as_poetry_sync_does(tmp_path):
    pyproject = ('[tool.poetry]\nname = "myapp"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
                 'six = "*"\n[tool.poetry.scripts]\nserve = "myapp:main"\n'
                 '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n')
    app_dir = app(tmp_path, pyproject, package("six", "1.16.0"))
    manager = PoetryLock.detect(app_dir)
    assert lines(manager, app_dir) == [f"-e {app_dir.resolve()}", "six==1.16.0"]
    assert manager.local_sources  # re-synced every build, like any local code
    write(app_dir / "pyproject.toml", pyproject.replace('version = "1"\n', 'version = "1"\npackage-mode = false\n'))
    manager = PoetryLock.detect(app_dir)  # a manager describes the files as detect found them, as each build does
    assert lines(manager, app_dir) == ["six==1.16.0"]
    assert not manager.local_sources


@pytest.mark.parametrize("marker, kept", [
    ('extra == "socks"', ""),
    ('python_version < "3.8" and extra == "socks"', 'python_version < "3.8"'),
    ('(python_version < "3.8" and extra == "a") or sys_platform == "win32"',
     'python_version < "3.8" or sys_platform == "win32"'),
    ('extra == "a" or extra == "b"', ""),
    ('sys_platform == "win32"', 'sys_platform == "win32"'),
])
def test_extra_clauses_of_locked_markers_are_decided_by_the_walk(marker, kept):
    assert without_extras(marker) == kept


def test_an_optional_dependency_with_an_extra_marker_is_installed_through_its_extra(tmp_path):
    """Poetry 1.x wrote `markers = "extra == ..."` on optional dependencies."""
    pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\nrequests = {version = "*", extras = ["socks"]}\n'
    lock = (package("requests", "2.32.3",
                    deps='pysocks = {version = ">=1.5.6", optional = true, markers = "extra == \\"socks\\""}',
                    extras='socks = ["PySocks (>=1.5.6,!=1.5.7)"]')
            + package("pysocks", "1.7.1"))
    app_dir = app(tmp_path, pyproject, lock)
    assert lines(PoetryLock.detect(app_dir), app_dir) == ["pysocks==1.7.1", "requests==2.32.3"]


def test_lock_2_1_markers_choose_between_two_locked_versions_and_apply_per_group(tmp_path):
    """Poetry 2 forks the resolution by Python version and records where each
    package is needed: for all groups (a string) or per group (a table, whose
    missing groups have no marker)."""
    pyproject = ('[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.9"\n'
                 'dependencies = ["django (>=4.2,<6)"]\n'
                 '[tool.poetry.group.dev.dependencies]\nblack = "*"\n')
    lock = (package("django", "4.2.30", deps='typing-extensions = ">=4"',
                    header='groups = ["main"]\nmarkers = "python_version < \\"3.10\\""\n')
            + package("django", "5.2.19", header='groups = ["main"]\nmarkers = "python_version >= \\"3.10\\""\n')
            + package("black", "25.1.0", header='groups = ["dev"]\n',
                      deps='typing-extensions = {version = ">=4", markers = "python_version < \\"3.11\\""}')
            + package("typing-extensions", "4.16.0",
                      header='groups = ["main", "dev"]\nmarkers = {dev = "python_version < \\"3.11\\""}\n'))
    app_dir = app(tmp_path, pyproject, lock)
    manager = PoetryLock.detect(app_dir)
    assert lines(manager, app_dir) == [
        'django==4.2.30 ; python_version < "3.10"',
        'django==5.2.19 ; python_version >= "3.10"',
        'typing-extensions==4.16.0',  # the lock gives it no marker in main
    ]
    with_dev = lines(manager, app_dir, groups=("dev",))
    assert 'black==25.1.0' in with_dev and 'typing-extensions==4.16.0' in with_dev
