"""Django production readiness: stand-ins for runtime secrets at build time,
ALLOWED_HOSTS from the platform at boot, and check --deploy's findings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pybuildpack import errors
from pybuildpack.launch import allowed_hosts
from pybuildpack.launch_config import LAUNCH_SOURCE
from pybuildpack.steps import stand_ins
from pybuildpack.steps.django import parse_deploy_check


# -- stand-ins ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("DATABASE_URL", "sqlite://:memory:"),
    ("LEGACY_DATABASE_URL", "sqlite://:memory:"),
    ("ANALYTICS_DB_URL", "sqlite://:memory:"),
    ("REDIS_URL", "redis://localhost:6379/0"),
    ("REDIS_TLS_URL", "redis://localhost:6379/0"),
    ("CACHE_URL", "locmemcache://"),
    ("DEBUG", None),
    ("ALLOWED_HOSTS", None),
    ("EMAIL_HOST", None),
    ("SENTRY_DSN", None),
])
def test_stand_in_rule_for_urls_and_configuration(name, expected):
    assert stand_ins.stand_in(name) == expected


@pytest.mark.parametrize("name", ["SECRET_KEY", "DJANGO_SECRET_KEY", "STRIPE_API_KEY", "GITHUB_TOKEN",
                                  "EMAIL_HOST_PASSWORD", "DB_PASSWD", "secret_key"])
def test_secret_like_names_get_a_long_random_value_each_time(name):
    first, second = stand_ins.stand_in(name), stand_ins.stand_in(name)
    assert first != second and len(first) >= 50 and len(set(first)) > 5
    assert first not in stand_ins.FIXED_VALUES


@pytest.mark.parametrize("exc_type, message, environ, expected", [
    ("KeyError", "'SECRET_KEY'", True, "SECRET_KEY"),
    ("KeyError", "'SECRET_KEY'", False, None),           # a dict of the app's, not os.environ
    ("django.core.exceptions.ImproperlyConfigured", "Set the DATABASE_URL environment variable", False,
     "DATABASE_URL"),
    ("decouple.UndefinedValueError", "SECRET_KEY not found. Declare it as envvar or define a default value.",
     False, "SECRET_KEY"),
    ("environs.EnvError", 'Environment variable "API_TOKEN" not set', False, "API_TOKEN"),
    ("django.core.exceptions.ImproperlyConfigured", "The SECRET_KEY setting must not be empty.", False, None),
    ("ValueError", "bad", False, None),
])
def test_missing_name_from_the_settings_exception(exc_type, message, environ, expected):
    assert stand_ins.missing_name(exc_type, message, environ) == expected


KEYERROR_TRACEBACK = """\
Traceback (most recent call last):
  File "/tmp/build/manage.py", line 22, in <module>
    main()
  File "/tmp/build/mysite/apps.py", line 8, in ready
    self.token = os.environ["API_TOKEN"]
                 ~~~~~~~~~~^^^^^^^^^^^^^
  File "<frozen os>", line 714, in __getitem__
KeyError: 'API_TOKEN'
"""


def test_missing_name_from_a_commands_traceback():
    assert stand_ins.missing_name_in_output(KEYERROR_TRACEBACK) == "API_TOKEN"
    # A KeyError from the app's own dict is not a missing variable.
    own = KEYERROR_TRACEBACK.replace('  File "<frozen os>", line 714, in __getitem__\n', "")
    assert stand_ins.missing_name_in_output(own) is None
    assert stand_ins.missing_name_in_output(
        "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
        "django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable\n") == "SECRET_KEY"
    assert stand_ins.missing_name_in_output("ValueError: The file 'missing.png' could not be found\n") is None


def test_a_config_var_the_user_set_never_gets_a_stand_in_and_rounds_are_bounded():
    assert stand_ins.next_stand_in("SECRET_KEY", {"SECRET_KEY": "theirs"}, {}) is None
    assert stand_ins.next_stand_in("SECRET_KEY", {}, {"SECRET_KEY": "given"}) is None
    assert stand_ins.next_stand_in("DEBUG", {}, {}) is None
    assert stand_ins.next_stand_in(None, {}, {}) is None
    given = {f"KEY_{i}": "x" for i in range(stand_ins.MAX_STAND_INS)}
    assert stand_ins.next_stand_in("SECRET_KEY", {}, given) is None
    assert stand_ins.next_stand_in("SECRET_KEY", {}, {}) is not None


def test_the_log_line_names_the_variable_and_what_ran():
    assert errors.stand_in_used("SECRET_KEY", "collectstatic") == (
        "SECRET_KEY is not set at build time: collectstatic ran with a throwaway value "
        "(set it as a config var for runtime)")


# -- ALLOWED_HOSTS -------------------------------------------------------------------------

@pytest.mark.parametrize("hosts, empty", [
    ([], True), (None, True), ([""], True), ([" ", ""], True), ("", True),
    (["example.com"], False), (["*"], False), (("a.example",), False), ("example.com", False),
])
def test_empty_allowed_hosts(hosts, empty):
    assert allowed_hosts.is_empty(hosts) is empty


def test_settings_that_name_hosts_are_never_touched():
    env = {"PYBUILDPACK_ALLOWED_HOSTS": "x.example", "HEROKU_APP_DEFAULT_DOMAIN_NAME": "app.herokuapp.com"}
    assert allowed_hosts.decide(["mine.example"], False, env) == (None, None)


@pytest.mark.parametrize("env, debug, hosts, origin", [
    ({"PYBUILDPACK_ALLOWED_HOSTS": " www.example.com, example.com ,", "HEROKU_APP_NAME": "app"}, False,
     ["www.example.com", "example.com"], "PYBUILDPACK_ALLOWED_HOSTS"),
    ({"HEROKU_APP_DEFAULT_DOMAIN_NAME": "app-1a2b3c.herokuapp.com", "HEROKU_APP_NAME": "app"}, False,
     ["app-1a2b3c.herokuapp.com"], "HEROKU_APP_DEFAULT_DOMAIN_NAME"),
    ({"HEROKU_APP_NAME": "app"}, False, ["app.herokuapp.com"], "HEROKU_APP_NAME"),
    ({"PYBUILDPACK_LOCAL_RUN": "1"}, False, ["localhost", "127.0.0.1", "[::1]"], "a local run"),
    # With DEBUG on, the localhost names Django allows for an empty list stay allowed.
    ({"HEROKU_APP_NAME": "app"}, True, ["app.herokuapp.com", ".localhost", "127.0.0.1", "[::1]"],
     "HEROKU_APP_NAME"),
])
def test_empty_allowed_hosts_get_the_platforms_names(env, debug, hosts, origin):
    decision = allowed_hosts.decide([], debug, env)
    assert decision.hosts == hosts
    assert decision.message.startswith("ALLOWED_HOSTS was empty; allowing ")
    assert decision.message.endswith(f" (from {origin})")


def test_nothing_naming_the_host_is_said_and_left_alone():
    on_heroku = allowed_hosts.decide([], False, {"DYNO": "web.1"})
    assert on_heroku.hosts is None
    assert "nothing names this app's host" in on_heroku.message
    assert "heroku labs:enable runtime-dyno-metadata" in on_heroku.message
    elsewhere = allowed_hosts.decide([""], True, {})
    assert elsewhere.hosts is None and "allows only localhost names" in elsewhere.message
    assert "runtime-dyno-metadata" not in elsewhere.message
    # Locally with DEBUG on, Django's own localhost names are what a developer needs.
    assert allowed_hosts.decide([], True, {"PYBUILDPACK_LOCAL_RUN": "1"}) == (None, None)


def test_the_build_says_where_the_hosts_will_come_from():
    line = errors.allowed_hosts_filled_at_boot("mysite/settings.py", {})
    assert line.startswith("ALLOWED_HOSTS is empty in mysite/settings.py: at boot")
    assert "HEROKU_APP_DEFAULT_DOMAIN_NAME" in line and "Django answers 400" in line
    named = errors.allowed_hosts_filled_at_boot("mysite/settings.py", {"PYBUILDPACK_ALLOWED_HOSTS": "a.example,b"})
    assert named == ("ALLOWED_HOSTS is empty in mysite/settings.py: at boot it is set to a.example, b "
                     "(from PYBUILDPACK_ALLOWED_HOSTS)")


def run_wrapper(tmp_path: Path, settings: str, env: dict) -> subprocess.CompletedProcess:
    """Import Django's settings through the wrapper, in a process of its own, and
    ask Django whether each host in argv is allowed."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "pybuildpack_launch").symlink_to(LAUNCH_SOURCE)
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "__init__.py").write_text("")
    (tmp_path / "mysite" / "settings.py").write_text(settings)
    code = ("import sys\nfrom django.conf import settings\nfrom django.http.request import validate_host\n"
            "hosts = settings.ALLOWED_HOSTS\n"
            "if settings.DEBUG and not hosts:\n    hosts = ['.localhost', '127.0.0.1', '[::1]']\n"
            "print(settings.ALLOWED_HOSTS, [h for h in sys.argv[1:] if validate_host(h, hosts)])\n")
    return subprocess.run([sys.executable, "-c", code, "app-1a2b.herokuapp.com", "evil.example", "localhost"],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": f"{site}{os.pathsep}{tmp_path}",
                               "DJANGO_SETTINGS_MODULE": "pybuildpack_launch.django_settings",
                               "PYBUILDPACK_DJANGO_SETTINGS_MODULE": "mysite.settings", **env})


STARTPROJECT = "SECRET_KEY = 'x'\nDEBUG = {debug}\nALLOWED_HOSTS = {hosts}\nSTATIC_ROOT = '/tmp/static'\n"


def test_the_wrapper_allows_the_heroku_domain_and_says_so_on_stderr(tmp_path):
    pytest.importorskip("django")
    result = run_wrapper(tmp_path, STARTPROJECT.format(debug=False, hosts=[]),
                         {"HEROKU_APP_DEFAULT_DOMAIN_NAME": "app-1a2b.herokuapp.com"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['app-1a2b.herokuapp.com'] ['app-1a2b.herokuapp.com']\n"
    assert result.stderr == ("pybuildpack: ALLOWED_HOSTS was empty; allowing app-1a2b.herokuapp.com "
                             "(from HEROKU_APP_DEFAULT_DOMAIN_NAME)\n")


def test_the_wrapper_leaves_hosts_the_settings_name(tmp_path):
    pytest.importorskip("django")
    result = run_wrapper(tmp_path, STARTPROJECT.format(debug=False, hosts=["evil.example"]),
                         {"HEROKU_APP_DEFAULT_DOMAIN_NAME": "app-1a2b.herokuapp.com"})
    assert result.stdout == "['evil.example'] ['evil.example']\n" and result.stderr == ""


def test_the_wrapper_with_debug_on_and_no_platform_names_keeps_djangos_localhost(tmp_path):
    pytest.importorskip("django")
    result = run_wrapper(tmp_path, STARTPROJECT.format(debug=True, hosts=[]), {})
    assert result.stdout == "[] ['localhost']\n"
    assert "nothing names this app's host" in result.stderr


# -- check --deploy ---------------------------------------------------------------------------

CHECK_OUTPUT = """\
System check identified some issues:

WARNINGS:
?: (security.W004) You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, you may want to consider setting a value.
?: (security.W018) You should not have DEBUG set to True in deployment.
?: (security.W020) ALLOWED_HOSTS must not be empty in deployment.
	HINT: a hint line

System check identified 3 issues (0 silenced).
"""


def test_findings_are_ids_and_first_sentences():
    check = parse_deploy_check(CHECK_OUTPUT, 0)
    assert check.crashed is None
    assert check.findings == [
        ("security.W004", "You have not set a value for the SECURE_HSTS_SECONDS setting."),
        ("security.W018", "You should not have DEBUG set to True in deployment."),
        ("security.W020", "ALLOWED_HOSTS must not be empty in deployment."),
    ]
    assert [i for i, _ in parse_deploy_check(CHECK_OUTPUT, 0, ("security.W020",)).findings] == [
        "security.W004", "security.W018"]


def test_errors_among_the_findings_are_findings_not_a_crash():
    output = ("SystemCheckError: System check identified some issues:\n\nERRORS:\n"
              "blog.Post: (models.E001) 'x' is not a valid field.\n\nSystem check identified 1 issue (0 silenced).\n")
    check = parse_deploy_check(output, 1)
    assert check.crashed is None and check.findings == [("models.E001", "'x' is not a valid field.")]


def test_a_check_that_crashes_is_its_last_line():
    check = parse_deploy_check("Traceback (most recent call last):\n  ...\nRuntimeError: boom\n", 1)
    assert check.findings == [] and check.crashed == "RuntimeError: boom"
    assert parse_deploy_check("System check identified no issues (0 silenced).\n", 0).findings == []


def test_the_exception_line_a_stand_in_answers_is_not_streamed():
    assert stand_ins.hides_line("KeyError: 'API_TOKEN'\n", {})
    assert stand_ins.hides_line("django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable",
                                {})
    assert not stand_ins.hides_line("KeyError: 'API_TOKEN'", {"API_TOKEN": "set"})
    assert not stand_ins.hides_line("KeyError: 'SITE_DOMAIN'", {})
    assert not stand_ins.hides_line("ValueError: The file 'missing.png' could not be found", {})
    assert not stand_ins.hides_line("130 static files copied", {})


def _project():
    from pybuildpack.inspect.django import DjangoProject

    return DjangoProject(manage_dir="", settings_module="mysite.settings", settings_origin="manage.py",
                         settings_file="mysite/settings.py", wsgi_application=None, static_root_assigned=True)


@pytest.mark.parametrize("manage_py, findings, crashed", [
    ("print('?: (security.W004) You have not set a value for the SECURE_HSTS_SECONDS setting. More.')\n"
     "print('?: (security.W020) ALLOWED_HOSTS must not be empty in deployment.')\n",
     [("security.W004", "You have not set a value for the SECURE_HSTS_SECONDS setting.")], None),
    ("raise SystemExit('RuntimeError: the app could not start')\n", [], "RuntimeError: the app could not start"),
])
def test_the_check_runs_in_a_thread_with_the_stand_ins(tmp_path, manage_py, findings, crashed):
    from pybuildpack.steps.django import DjangoSettings, start_deploy_check

    (tmp_path / "manage.py").write_text(
        "import os, sys\nassert sys.argv[1:] == ['check', '--deploy'], sys.argv\n"
        "assert os.environ['SECRET_KEY'] == 'stand-in' and os.environ['DJANGO_SETTINGS_MODULE']\n" + manage_py)
    settings = DjangoSettings("/s", "static/", True, None, False, allowed_hosts_empty=True,
                              stand_ins={"SECRET_KEY": "stand-in"})
    wait = start_deploy_check(Path(sys.executable), tmp_path, _project(), settings, {"PATH": os.environ["PATH"]})
    settings.stand_ins["API_TOKEN"] = "added while it runs"
    check = wait()
    assert (check.findings, check.crashed) == (findings, crashed)
