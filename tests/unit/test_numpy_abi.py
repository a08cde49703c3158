"""Packages built for numpy 1 beside numpy 2 (steps/numpy_abi.py, errors.BuiltForNumpy1)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.steps.numpy_abi import NUMPY_2_READY, built_for_numpy_1


def test_older_releases_beside_numpy_2_are_found_with_the_release_that_fixes_them():
    # danny-baker/dash-heroku: pandas 1.3.5 and matplotlib 3.5.1, and numpy left unpinned.
    installed = [("numpy", "2.0.2"), ("pandas", "1.3.5"), ("matplotlib", "3.5.1"), ("Flask", "3.1.0")]
    assert built_for_numpy_1(installed) == ("2.0.2", [("pandas", "1.3.5", "2.2.2"), ("matplotlib", "3.5.1", "3.8.4")])


@pytest.mark.parametrize("installed", [
    [("numpy", "1.26.4"), ("pandas", "1.3.5")],                       # numpy 1: nothing to say
    [("numpy", "2.0.2"), ("pandas", "2.2.2"), ("scikit_learn", "1.4.2")],   # each built for numpy 2
    [("pandas", "1.3.5")],                                            # no numpy at all
    [("numpy", "not-a-version"), ("pandas", "1.3.5")],
    [("numpy", "2.1.0"), ("pandas", "weird")],
])
def test_nothing_is_found_when_the_pair_can_run(installed):
    assert built_for_numpy_1(installed) == ("", [])


def test_names_are_compared_normalized():
    assert built_for_numpy_1([("NumPy", "2.0.0"), ("Scikit_Learn", "1.3.2")]) == (
        "2.0.0", [("scikit-learn", "1.3.2", "1.4.2")])


def test_every_release_in_the_table_is_a_version():
    from packaging.version import Version

    assert all(Version(ready) for ready in NUMPY_2_READY.values())


def test_the_error_names_each_package_and_both_fixes():
    error = errors.BuiltForNumpy1([("pandas", "1.3.5", "2.2.2"), ("matplotlib", "3.5.1", "3.8.4")], "2.0.2",
                                  "requirements.txt")
    assert error.title == "pandas 1.3.5 and 1 more cannot run with numpy 2.0.2"
    assert "  - matplotlib 3.5.1 (the first release built for numpy 2 is 3.8.4)" in error.body
    assert "Pin numpy below 2 in requirements.txt (numpy<2)" in error.body
