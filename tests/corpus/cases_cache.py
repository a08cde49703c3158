"""Corpus cases for the package index the build cannot reach (issue 13, helper A).

An index that refuses connections or whose host does not exist used to be
reported as a misspelled requirement; each of these names the index as the
user configured it (credentials masked) and the connect failure. Retries are
turned off or down (UV_HTTP_RETRIES, PIP_RETRIES: pip says why only when it retries)
so each case fails at once. The log masks a config var's whole value, so an index
URL without credentials shows as ****: the block names its variable.
"""

from __future__ import annotations

from corpus import Case

CASES: list = [
    Case("config-index-url-refuses-connections", "config-vars",
         config={"PIP_INDEX_URL": "http://deploy:tok3n-s3cret@127.0.0.1:9/simple/", "UV_HTTP_RETRIES": "0"},
         expected='''\
             !     Error: Could not reach the package index
             !
             !     The packages in requirements.txt could not be downloaded: the installer could not
             !     connect to the package index set in PIP_INDEX_URL:
             !         http://****@127.0.0.1:9/simple/
             !     (connection refused).
             !
             !     If the index is down, build again once it answers. If its address is wrong,
             !     fix it where it is set: the PIP_INDEX_URL or PIP_EXTRA_INDEX_URL config var,
             !     or the index in pyproject.toml or the lock file.
         '''),
    Case("config-extra-index-url-unknown-host", "config-vars",
         config={"PIP_EXTRA_INDEX_URL": "https://pkgs.invalid/simple/", "UV_HTTP_RETRIES": "0"},
         expected='''\
             !     Error: Could not reach the package index
             !
             !     The packages in requirements.txt could not be downloaded: the installer could not
             !     connect to the package index set in PIP_EXTRA_INDEX_URL:
             !         ****
             !     (failed to lookup address information: Name or service not known).
             !
             !     If the index is down, build again once it answers. If its address is wrong,
             !     fix it where it is set: the PIP_INDEX_URL or PIP_EXTRA_INDEX_URL config var,
             !     or the index in pyproject.toml or the lock file.
         '''),
    Case("config-index-url-refuses-connections-pip", "config-vars",
         config={"PIP_INDEX_URL": "http://deploy:tok3n-s3cret@127.0.0.1:9/simple/", "PIP_RETRIES": "1",
                 "PYBUILDPACK_INSTALLER": "pip"},
         expected='''\
             !     Error: Could not reach the package index
             !
             !     The packages in requirements.txt could not be downloaded: the installer could not
             !     connect to the package index set in PIP_INDEX_URL:
             !         http://****@127.0.0.1:9/simple/
             !     (connection refused).
             !
             !     If the index is down, build again once it answers. If its address is wrong,
             !     fix it where it is set: the PIP_INDEX_URL or PIP_EXTRA_INDEX_URL config var,
             !     or the index in pyproject.toml or the lock file.
         '''),
]
