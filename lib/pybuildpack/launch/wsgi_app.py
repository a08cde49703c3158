"""The WSGI application uWSGI and mod_wsgi-express load (stdlib only).

They run `application` from this module (uWSGI as a module, mod_wsgi-express
as a script file): the app that PYBUILDPACK_APP names (see target.py: an
object, a factory's result or a PasteDeploy app), behind the router's
forwarded headers when FORWARDED_ALLOW_IPS trusts it. Django's static files
are mapped by the server itself, so they are not wrapped here.
"""

import os
import sys

try:
    from pybuildpack_launch import target, wsgi_common
except ImportError:  # loaded as a script file (mod_wsgi-express): this directory's parent is site-packages
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from pybuildpack_launch import target, wsgi_common

application = wsgi_common.forwarded_app(target.load())
