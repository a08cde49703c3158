"""What the build says about the Python it uses: end of life, soon, a newer patch (python_lifecycle)."""

from __future__ import annotations

from datetime import date

import pytest

from pybuildpack import python_lifecycle as lifecycle
from pybuildpack.inspect.python_version import PythonRequest, PythonRequests

TODAY = date(2026, 11, 22)
LIST = ["3.14.1", "3.13.9", "3.12.12", "3.12.3", "3.11.14", "3.10.19", "3.9.25", "3.8.20"]


def pinned(value: str, origin: str = ".python-version") -> PythonRequests:
    return PythonRequests(PythonRequest(value, "exact", origin), None)


def titles(requests: PythonRequests, version: str, available=LIST, on: date = TODAY) -> list:
    return [title for title, _ in lifecycle.python_warnings(requests, version, available, on)]


@pytest.mark.parametrize("minor, version", [("3.8", "3.8.20"), ("3.9", "3.9.25"), ("3.10", "3.10.19")])
def test_a_version_past_its_end_of_life_is_warned_about(minor, version):
    assert titles(pinned(minor), version) == [f"Python {minor} has reached its end of life"]


def test_a_version_ending_within_a_year_is_warned_about_with_its_month():
    assert titles(pinned("3.11"), "3.11.14") == ["Python 3.11 reaches its end of life in October 2027"]


def test_a_version_with_more_than_a_year_left_is_not():
    assert titles(pinned("3.12"), "3.12.12") == []
    # The same version a year on is.
    assert titles(pinned("3.12"), "3.12.12", on=date(2027, 11, 22)) == [
        "Python 3.12 reaches its end of life in October 2028"]


def test_the_warning_names_the_file_that_chose_the_version_and_a_supported_upgrade():
    [(_, body)] = lifecycle.python_warnings(pinned("3.9", ".python-version line 2"), "3.9.25", LIST, TODAY)
    assert "The version comes from .python-version.\n" in body
    # The oldest release that is supported for more than a year: 3.12 on this day, not the newest.
    assert "    echo 3.12 > .python-version" in body
    [(_, body)] = lifecycle.python_warnings(pinned("3.9", "runtime.txt"), "3.9.25", LIST, TODAY)
    assert "The version comes from runtime.txt." in body and "echo 3.12 > .python-version && git rm runtime.txt" in body


def test_the_upgrade_offered_is_one_the_download_list_has():
    [(_, body)] = lifecycle.python_warnings(pinned("3.9"), "3.9.25", ["3.13.9", "3.9.25"], TODAY)
    assert "echo 3.13 > .python-version" in body
    [(_, body)] = lifecycle.python_warnings(pinned("3.9"), "3.9.25", ["3.9.25"], TODAY)
    assert "Upgrade to a supported Python" in body and "echo" not in body


def test_a_pinned_patch_with_a_newer_release_in_the_list_names_it():
    assert titles(pinned("3.12.3"), "3.12.3") == ["Python 3.12.3 has a newer patch release: 3.12.12"]
    assert titles(pinned("3.12.12"), "3.12.12") == []
    assert titles(pinned("3.12"), "3.12.12") == []  # not a patch pin: it gets the newest already


def test_an_old_patch_pin_of_an_old_version_gets_both_warnings_in_order():
    assert titles(pinned("3.9.1"), "3.9.1") == ["Python 3.9 has reached its end of life",
                                              "Python 3.9.1 has a newer patch release: 3.9.25"]


def test_an_unpinned_build_is_told_to_pin_without_being_told_to_pin_the_newest():
    [(title, body)] = lifecycle.python_warnings(PythonRequests(None, None), "3.14.1", LIST, TODAY)
    assert title == "No Python version was requested"
    assert "echo 3.14" not in body and "echo 3.X > .python-version" in body
    assert "fail to install on Python 3.14" in body


def test_a_constraint_that_chooses_an_old_version_is_warned_about():
    requests = PythonRequests(None, PythonRequest("<3.10", "specifier", "requires-python in pyproject.toml"))
    [(_, body)] = lifecycle.python_warnings(requests, "3.9.25", LIST, TODAY)
    assert "The version comes from requires-python in pyproject.toml." in body
    assert "change requires-python in pyproject.toml to allow Python 3.12" in body


def test_today_can_be_set_for_tests_and_falls_back_to_the_machines():
    assert lifecycle.today({"PYBUILDPACK_TODAY": "2027-01-02"}) == date(2027, 1, 2)
    assert lifecycle.today({"PYBUILDPACK_TODAY": "soon"}) == date.today()
    assert lifecycle.today({}) == date.today()


def test_every_release_line_ends_in_october_of_its_fifth_year_since_3_8():
    for minor, ends in lifecycle.END_OF_LIFE.items():
        if minor not in ("3.6", "3.7"):
            assert ends.month == 10 and ends.year == 2019 + int(minor.split(".")[1]) - 3, minor


def test_a_version_newer_than_every_release_listed_was_never_released_and_an_old_one_was():
    listed = ["3.13.9", "3.12.12", "3.9.25"]
    assert lifecycle.never_released("3.99", listed)
    assert lifecycle.never_released("3.14", listed)
    assert lifecycle.never_released("3.12.13", listed)
    assert lifecycle.never_released("4.0", listed)
    assert not lifecycle.never_released("3.12", listed)
    assert not lifecycle.never_released("3.12.3", listed)
    assert not lifecycle.never_released("3.7", listed)        # exists; uv's list no longer has it
    assert not lifecycle.never_released("3.10.4", listed)     # a line the list skips
    assert not lifecycle.never_released("3.99", [])


@pytest.mark.parametrize("file, change", [
    ("Pipfile.lock", 'set python_version = "3.12" under [requires] in Pipfile, then run `pipenv lock`'),
    ("requires-python in pyproject.toml", "change requires-python in pyproject.toml to allow Python 3.12, then"),
    ("python in [tool.poetry.dependencies]",
     "change python in [tool.poetry.dependencies] to allow Python 3.12, then run `poetry lock`"),
    ("runtime.txt", "echo 3.12 > .python-version && git rm runtime.txt"),
])
def test_the_upgrade_hint_changes_the_file_a_lock_is_made_from(file, change):
    from datetime import date

    from pybuildpack import errors

    _, body = errors.python_end_of_life("3.10", date(2026, 10, 31), file, "3.12")
    assert change in body, body
