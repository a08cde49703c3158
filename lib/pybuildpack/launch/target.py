"""Load the app a server runs, for servers that cannot load it themselves.

Some servers take only an importable object (uWSGI, daphne) or a script file
(mod_wsgi-express), and none of them knows app factories or PasteDeploy .ini
files, or serves Django's static files. They run a module of this package
instead, which loads the app that PYBUILDPACK_APP names:

- `module:attribute`     the app object;
- `module:factory()`     the app a factory returns, called with no arguments;
- `paste:FILE`           the `main` app of a PasteDeploy .ini file.
"""

import importlib
import os
import sys

VARIABLE = "PYBUILDPACK_APP"


def load(spec=None):
    """The app object `spec` (default: $PYBUILDPACK_APP) names."""
    spec = spec or os.environ.get(VARIABLE, "")
    kind, _, rest = spec.partition(":")
    if not rest:
        raise ImportError(f"pybuildpack_launch: {VARIABLE} must be module:attribute, module:factory() "
                          f"or paste:FILE, not {spec!r}")
    if kind == "paste":
        from paste.deploy import loadapp

        return loadapp("config:" + os.path.abspath(rest))
    # The app's modules import from the working directory, as `python -m` would.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    module = importlib.import_module(kind)
    call = rest.endswith("()")
    found = module
    for part in (rest[:-2] if call else rest).split("."):
        found = getattr(found, part)
    return found() if call else found
