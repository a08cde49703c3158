"""Pipfile.lock: its default packages as requirements, its Python, and its hash of the Pipfile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pybuildpack import errors, package_managers
from pybuildpack.inspect.python_version import PythonRequest
from pybuildpack.package_managers import pipfile_lock
from pybuildpack.package_managers.pipfile_lock import PipfileLock, pipfile_hashes
from pybuildpack.inspect.pyproject import read_toml

from .helpers import install_context as context
from .helpers import raises, write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
H1, H2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64


def lock_app(tmp_path: Path, default: dict, meta: dict = None, pipfile: str = None) -> Path:
    meta = {"hash": {"sha256": ""}, "pipfile-spec": 6, "requires": {},
            "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}], **(meta or {})}
    write(tmp_path / "Pipfile.lock", json.dumps({"_meta": meta, "default": default,
                                                 "develop": {"pytest": {"version": "==8.0.0"}}}))
    if pipfile is not None:
        write(tmp_path / "Pipfile", pipfile)
    return tmp_path


def test_default_packages_become_hash_pinned_requirements_with_markers_and_extras(tmp_path):
    app = lock_app(tmp_path, {
        "flask": {"version": "==3.0.3", "hashes": [H1, H2], "index": "pypi", "markers": "python_version >= '3.8'"},
        "Flask-Login": {"version": "==0.6.3", "hashes": [H1]},
        "requests": {"version": "==2.32.3", "extras": ["socks"], "hashes": [H2]},
    })
    manager = package_managers.find(app)
    assert manager.kind == "pipenv" and manager.file == "Pipfile.lock"
    assert manager.names == {"flask", "flask-login", "requests"}  # develop's pytest is not installed
    assert manager.requirements(app).splitlines()[1:] == [
        "flask==3.0.3 ; python_version >= '3.8' \\", f"    --hash={H1} \\", f"    --hash={H2}",
        "flask-login==0.6.3 \\", f"    --hash={H1}",
        "requests[socks]==2.32.3 \\", f"    --hash={H2}",
    ]


def test_categories_named_in_pybuildpack_groups_are_installed_too(tmp_path):
    app = lock_app(tmp_path, {"flask": {"version": "==3.0.3", "hashes": [H1]}})
    manager = PipfileLock.detect(app)
    chosen = manager.select(("develop",), ())
    assert chosen.names == {"flask", "pytest"} and "default packages and develop" in chosen.describe()
    assert chosen.requirements(app).splitlines()[1:] == ["flask==3.0.3 \\", f"    --hash={H1}", "pytest==8.0.0"]
    assert manager.select((), ()) is manager
    with raises(errors.SelectionUnknown, "It declares: develop"):
        manager.select(("docs",), ())


def test_git_path_and_url_packages_are_direct_references(tmp_path):
    app = lock_app(tmp_path, {
        "lib": {"git": "https://example.com/lib.git", "ref": "0123abcd", "subdirectory": "py"},
        "mylib": {"path": "./libs/mylib", "editable": True},
        "wheel": {"file": "https://example.com/w-1.0-py3-none-any.whl", "hashes": [H1]},
    })
    manager = PipfileLock.detect(app)
    assert manager.requirements(app).splitlines()[1:] == [
        "lib @ git+https://example.com/lib.git@0123abcd#subdirectory=py",
        f"mylib @ {(app / 'libs' / 'mylib').as_uri()}",
        "wheel @ https://example.com/w-1.0-py3-none-any.whl \\", f"    --hash={H1}",
    ]
    assert manager.local_sources


def test_a_path_outside_the_app_is_an_error(tmp_path):
    app = lock_app(tmp_path / "app", {"shared": {"path": "../shared"}})
    with raises(errors.PathDependencyOutsideApp, "Pipfile.lock names 'shared @ ../shared'"):
        PipfileLock.detect(app).requirements(app)


def test_private_sources_become_index_options_with_their_variables_unexpanded(tmp_path):
    corp = "https://${CORP_USER}:${CORP_TOKEN}@pkgs.example.com/simple"
    sources = [{"name": "corp", "url": corp, "verify_ssl": True},
               {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}]
    app = lock_app(tmp_path, {"mine": {"version": "==1.0", "index": "corp", "hashes": [H1]}}, {"sources": sources})
    assert PipfileLock.detect(app).requirements(app).splitlines()[1:3] == [
        "--index-url https://${CORP_USER}:${CORP_TOKEN}@pkgs.example.com/simple",
        "--extra-index-url https://pypi.org/simple",
    ]


@pytest.mark.parametrize("requires, request_", [
    ({"python_full_version": "3.12.4", "python_version": "3.12"}, PythonRequest("3.12.4", "exact", "Pipfile.lock")),
    ({"python_version": "3.11"}, PythonRequest("3.11", "exact", "Pipfile.lock")),
])
def test_the_locked_python_joins_the_version_choice(tmp_path, requires, request_):
    manager = PipfileLock.detect(lock_app(tmp_path, {}, {"requires": requires}))
    assert manager.python_requests() == (request_,)


def test_a_lock_without_a_python_requests_none(tmp_path):
    assert PipfileLock.detect(lock_app(tmp_path, {})).python_requests() == ()


def test_the_hash_of_the_pipfile_pipenv_wrote_is_reproduced():
    app = FIXTURES / "pipenv_flask"
    manager = PipfileLock.detect(app)
    manager.check_lock(context(app))
    assert manager.install_files() == ["Pipfile.lock", "Pipfile"]


def test_old_and_new_pipenv_hashes_differ_only_in_name_case_and_both_are_accepted(tmp_path):
    pipfile = '[packages]\nFlask_Login = "*"\n\n[requires]\npython_version = "3.12"\n'
    data = read_toml(write(tmp_path / "Pipfile", pipfile), "Pipfile")
    canonical, as_written = pipfile_hashes(data)
    assert canonical != as_written
    for sha in (canonical, as_written):
        app = lock_app(tmp_path, {}, {"hash": {"sha256": sha}}, pipfile)
        PipfileLock.detect(app).check_lock(context(app))


def test_a_changed_pipfile_makes_the_lock_stale(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / "pipenv_flask", app)
    (app / "Pipfile").write_text((app / "Pipfile").read_text().replace('flask = "==3.0.3"', 'flask = "==3.0.4"'))
    with raises(errors.PipfileLockOutdated, "Run `pipenv lock`"):
        PipfileLock.detect(app).check_lock(context(app))


def test_a_pipfile_without_a_lock_is_an_error(tmp_path):
    write(tmp_path / "Pipfile", '[packages]\nflask = "*"\n')
    with raises(errors.PipfileLockMissing, "Run `pipenv lock`"):
        package_managers.find(tmp_path)


def test_a_lock_without_a_pipfile_installs_without_a_check(tmp_path):
    app = lock_app(tmp_path, {"six": {"version": "==1.16.0"}})
    manager = PipfileLock.detect(app)
    manager.check_lock(context(app))
    assert manager.install_files() == ["Pipfile.lock"]


@pytest.mark.parametrize("text, why", [("{not json", "It is not valid JSON"), ('{"default": []}', "no `default`")])
def test_an_unreadable_lock_names_the_file(tmp_path, text, why):
    write(tmp_path / "Pipfile.lock", text)
    with raises(errors.FileUnreadable, why):
        PipfileLock.detect(tmp_path)


def test_an_invalid_pipfile_names_the_file(tmp_path):
    app = lock_app(tmp_path, {}, pipfile="[packages\n")
    with raises(errors.FileUnreadable, "Could not read Pipfile"):
        PipfileLock.detect(app).check_lock(context(app))


def test_a_source_url_naming_an_unset_variable_fails_naming_the_variable():
    from pybuildpack.package_managers.pipfile_lock import check_source_variables

    lock = {"_meta": {"sources": [{"name": "private", "url": "https://${PRIVATE_TOKEN}@pkgs.example.com/simple"}]}}
    with pytest.raises(errors.SourceVariableUnset) as caught:
        check_source_variables(lock, {})
    assert caught.value.title == "PRIVATE_TOKEN is not set, and Pipfile.lock needs it"
    assert check_source_variables(lock, {"PRIVATE_TOKEN": "t0ken"}) is None


def test_a_source_with_verify_ssl_false_is_a_trusted_host_for_both_installers():
    lock = {"_meta": {"sources": [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
        {"name": "internal", "url": "http://deploy:${TOKEN}@pypi.internal:8080/simple", "verify_ssl": False},
    ]}}
    assert pipfile_lock.index_lines(lock) == [
        "--index-url https://pypi.org/simple",
        "--extra-index-url http://deploy:${TOKEN}@pypi.internal:8080/simple",
        "--trusted-host pypi.internal:8080",
    ]
