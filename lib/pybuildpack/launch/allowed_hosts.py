"""ALLOWED_HOSTS for Django settings that leave it empty, from what the platform says.

An unmodified `startproject` site has `ALLOWED_HOSTS = []`: with DEBUG off
Django then answers every request 400, and with DEBUG on it allows only
localhost names, so the app's own domain still gets 400 on a platform. The
settings wrapper (django_settings.py) calls `decide()` at boot; when the
settings name any host themselves, nothing here runs.

Where the host names come from, first found wins:
1. PYBUILDPACK_ALLOWED_HOSTS, comma-separated (exactly these; `*` allows any);
2. Heroku's dyno metadata: HEROKU_APP_DEFAULT_DOMAIN_NAME, else
   HEROKU_APP_NAME as `<name>.herokuapp.com`;
3. a local run (`pybuildpack start`/`up`, which sets PYBUILDPACK_LOCAL_RUN)
   with DEBUG off: localhost, 127.0.0.1 and [::1].
With DEBUG on, Django's own local names ('.localhost', '127.0.0.1', '[::1]')
are kept next to the platform's, as Django allows them for an empty list.
"""

from typing import Mapping, NamedTuple, Optional

SETTING = "PYBUILDPACK_ALLOWED_HOSTS"
LOCAL_RUN = "PYBUILDPACK_LOCAL_RUN"
# What Django allows itself when DEBUG is on and ALLOWED_HOSTS is empty.
DJANGO_DEBUG_HOSTS = (".localhost", "127.0.0.1", "[::1]")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class Decision(NamedTuple):
    hosts: Optional[list]   # the new ALLOWED_HOSTS, or None to leave the setting as it is
    message: Optional[str]  # one line for stderr, or None to say nothing


def is_empty(hosts: object) -> bool:
    """True for an ALLOWED_HOSTS that allows nothing: unset, empty, or only blank
    entries (what `os.environ.get("ALLOWED_HOSTS", "").split(",")` gives)."""
    if not hosts:
        return True
    if isinstance(hosts, str):
        return not hosts.strip()
    try:
        return not any(str(host).strip() for host in hosts)
    except TypeError:
        return False


def split(value: str) -> list:
    return [part.strip() for part in value.split(",") if part.strip()]


def platform_hosts(env: Mapping[str, str], debug: bool) -> tuple:
    """(host names, where they came from), or ([], None) when nothing names the app's host."""
    if split(env.get(SETTING, "")):
        return split(env[SETTING]), SETTING
    domain = env.get("HEROKU_APP_DEFAULT_DOMAIN_NAME", "").strip()
    if domain:
        return [domain], "HEROKU_APP_DEFAULT_DOMAIN_NAME"
    name = env.get("HEROKU_APP_NAME", "").strip()
    if name:
        return [f"{name}.herokuapp.com"], "HEROKU_APP_NAME"
    if env.get(LOCAL_RUN) == "1" and not debug:
        return list(LOCAL_HOSTS), "a local run"
    return [], None


def decide(current: object, debug: bool, env: Mapping[str, str]) -> Decision:
    """What the wrapper does with the settings' ALLOWED_HOSTS (`current`)."""
    if not is_empty(current):
        return Decision(None, None)
    hosts, origin = platform_hosts(env, debug)
    if origin is None:
        if debug and env.get(LOCAL_RUN) == "1":
            return Decision(None, None)  # Django allows localhost itself: nothing to say
        return Decision(None, nothing_names_the_host(debug, "DYNO" in env))
    shown = ", ".join(hosts)
    if debug:
        hosts = hosts + [host for host in DJANGO_DEBUG_HOSTS if host not in hosts]
    return Decision(hosts, f"ALLOWED_HOSTS was empty; allowing {shown} (from {origin})")


def nothing_names_the_host(debug: bool, on_heroku: bool) -> str:
    allowed = "only localhost names" if debug else "no host"
    how = (f"set {SETTING} (comma-separated host names), or enable dyno metadata "
           "(heroku labs:enable runtime-dyno-metadata)" if on_heroku else
           f"set {SETTING} (comma-separated host names)")
    return (f"ALLOWED_HOSTS is empty and nothing names this app's host, so Django allows {allowed} "
            f"and answers others 400 Bad Request: {how}, or set ALLOWED_HOSTS in the settings")
