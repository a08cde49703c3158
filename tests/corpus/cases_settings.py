"""Corpus cases for settings in pyproject.toml's [tool.pybuildpack]: an unknown
key, a value of the wrong type, and a value the config var would refuse too."""

from __future__ import annotations

from corpus import Case

CASES = [
    Case("settings-unknown-key", "pyproject", """\
             !     Error: Unknown setting `package_manager` in pyproject.toml
             !
             !     pyproject.toml line 2 sets `package_manager` in the [tool.pybuildpack] table, but pybuildpack has no
             !     setting of that name, so it would have no effect.
             !
             !     Did you mean `package-manager`? The settings are:
             !       - server
             !       - installer
             !       - package-manager
             !       - groups
             !       - extras
             !       - collectstatic
             !       - app-root
             !
             !     Fix the key's spelling, or remove it.
         """, files={"pyproject.toml": '[tool.pybuildpack]\npackage_manager = "requirements"\n'}),
    Case("settings-collectstatic-not-a-boolean", "pyproject", """\
             !     Error: Invalid value for collectstatic in pyproject.toml
             !
             !     pyproject.toml line 3 has `collectstatic = "no"` in the [tool.pybuildpack] table, but
             !     collectstatic must be true or false (no quotes).
             !
             !     Change it in pyproject.toml, or remove it to use the default.
         """, files={"pyproject.toml": '[tool.pybuildpack]\nserver = "gunicorn"\ncollectstatic = "no"\n'}),
    Case("settings-server-unknown", "pyproject", """\
             !     Error: Invalid value for server in pyproject.toml
             !
             !     pyproject.toml's [tool.pybuildpack] has `server = "nginx"` (line 2), but it must be one of `gunicorn`, `uvicorn`, `hypercorn`, `granian`, `daphne`, `waitress`, `uwsgi`, `mod_wsgi`.
             !
             !     Change `server` in pyproject.toml's [tool.pybuildpack] table, or remove it
             !     to use the default. (The config var PYBUILDPACK_SERVER, when set, wins over it.)
         """, files={"pyproject.toml": '[tool.pybuildpack]\nserver = "nginx"\n'}),
]
