"""Which static files get a long cache lifetime (launch/static.py)."""

from __future__ import annotations

import pytest

from pybuildpack.launch.static import is_hashed


@pytest.mark.parametrize("name", ["app.0123456789ab.css", "static/js/main.deadbeef0123.js",
                                  "img/logo.abcdef012345.svg"])
def test_names_with_a_twelve_hex_digit_hash_are_hashed(name):
    assert is_hashed(name)


@pytest.mark.parametrize("name", ["app.css", "app.0123456789.css", "app.0123456789abc.css", "app.0123456789AB.css",
                                  "app.0123456789ab", "jquery.min.js"])
def test_other_names_are_not_hashed(name):
    assert not is_hashed(name)


def test_the_url_is_checked_when_given():
    assert is_hashed("/srv/static/app.css", "/static/app.0123456789ab.css")
