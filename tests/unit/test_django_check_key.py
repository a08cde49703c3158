"""The key of what the Django settings probe and check --deploy read, and their kept results."""

import json
import shutil
from pathlib import Path

from pybuildpack.cache import JsonRecord
from pybuildpack.steps import django_cache as dc
from pybuildpack.steps.django import DeployCheck, DjangoSettings


def make_app(root: Path) -> Path:
    app = root / "app"
    (app / "mysite").mkdir(parents=True)
    (app / "mysite/settings.py").write_text("DEBUG = True\n")
    (app / "manage.py").write_text("print('manage')\n")
    site = app / ".heroku/python/lib/python3.12/site-packages"
    (site / "django-5.2.dist-info").mkdir(parents=True)
    (site / "django-5.2.dist-info/RECORD").write_text("django/__init__.py,sha256=abc,10\n")
    return app


# What the probe and the check used (used_packages.summarize): Django alone.
USED = {"format": 1, "everything": False, "packages": ["django"], "unowned": [], "files": [], "missing": []}


def env_of(app: Path) -> Path:
    return app / ".heroku/python"


def key_of(app: Path, config=None, skip=()) -> str:
    return dc.django_key(app, [app / ".heroku/python", *skip], "mysite.settings", "3.12.4", config or {})


def settings_in(app: Path, stand_ins=None) -> DjangoSettings:
    return DjangoSettings(static_root=None, static_url="static/", staticfiles=True,
                          wsgi_application="mysite.wsgi.application", static_root_supplied=True,
                          allowed_hosts_empty=True, debug=True, stand_ins=stand_ins or {},
                          static_inputs={"sources": [["site.css", str(app / "pages/static/site.css")]],
                                         "local": True})


def test_the_same_app_in_another_build_directory_gives_the_same_key(tmp_path):
    app = make_app(tmp_path)
    moved = tmp_path / "build_other"
    shutil.copytree(app, moved)
    assert key_of(app) == key_of(moved)


def test_a_changed_setting_file_or_config_var_changes_the_key(tmp_path):
    app = make_app(tmp_path)
    first = key_of(app, {"SECRET_KEY": "one"})
    assert key_of(app, {"SECRET_KEY": "one"}) == first
    assert key_of(app, {"SECRET_KEY": "two"}) != first
    assert key_of(app, {"SECRET_KEY": "one", "DEBUG": "0"}) != first
    (app / "mysite/settings.py").write_text("DEBUG = False\n")
    assert key_of(app, {"SECRET_KEY": "one"}) != first
    (app / "mysite/settings.py").write_text("DEBUG = True\n")
    assert key_of(app, {"SECRET_KEY": "one"}) == first
    (app / "mysite/.env").write_text("DEBUG=0\n")   # a new file the settings may read
    assert key_of(app, {"SECRET_KEY": "one"}) != first
    (app / "mysite/.env").unlink()
    assert key_of(app, {"SECRET_KEY": "one"}) == first


def test_compiled_files_and_what_the_build_writes_leave_the_key_alone(tmp_path):
    app = make_app(tmp_path)
    first = key_of(app, skip=[app / "staticfiles"])
    (app / "mysite/__pycache__").mkdir()
    (app / "mysite/__pycache__/settings.cpython-312.pyc").write_bytes(b"\0compiled")
    (app / "staticfiles").mkdir()
    (app / "staticfiles/site.css").write_text("collected\n")
    (app / ".heroku/python/bin").mkdir(parents=True)
    (app / ".heroku/python/bin/python").write_text("")
    assert key_of(app, skip=[app / "staticfiles"]) == first


def test_an_app_too_big_to_hash_is_never_skipped(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    monkeypatch.setattr(dc, "MAX_FILES", 1)
    assert key_of(app) is None
    assert dc.reuse({"format": dc.FORMAT, "key": None}, None, app, {}, None) is None


def test_the_kept_results_come_back_in_another_build_directory_with_new_stand_ins(tmp_path):
    app = make_app(tmp_path)
    check = DeployCheck([("security.W018", "You should not have DEBUG set to True in deployment.")])
    stored = dc.record("k1", settings_in(app, {"SECRET_KEY": "the-throwaway-value"}), check, app, USED, env_of(app))
    text = json.dumps(stored)
    assert str(app) not in text and "the-throwaway-value" not in text
    moved = tmp_path / "build_other"
    shutil.copytree(app, moved)
    settings, kept = dc.reuse(json.loads(text), "k1", moved, {}, env_of(moved))
    assert kept.findings == check.findings and kept.crashed is None
    assert settings.static_inputs["sources"] == [["site.css", str(moved.resolve() / "pages/static/site.css")]]
    assert settings.static_root_supplied and settings.allowed_hosts_empty and settings.debug
    assert list(settings.stand_ins) == ["SECRET_KEY"]
    assert settings.stand_ins["SECRET_KEY"] != "the-throwaway-value" and len(settings.stand_ins["SECRET_KEY"]) > 40


def test_another_key_an_old_format_or_a_crashed_check_is_not_used(tmp_path):
    app = make_app(tmp_path)
    stored = dc.record("k1", settings_in(app), DeployCheck([]), app, USED, env_of(app))
    assert dc.reuse(stored, "k1", app, {}, env_of(app)) is not None
    assert dc.reuse(stored, "k2", app, {}, env_of(app)) is None
    assert dc.reuse({**stored, "format": 0}, "k1", app, {}, env_of(app)) is None
    assert dc.reuse({**stored, "settings": "{not json"}, "k1", app, {}, env_of(app)) is None
    assert dc.reuse({**stored, "used": None}, "k1", app, {}, env_of(app)) is None
    assert dc.record("k1", settings_in(app), DeployCheck(crashed="ImportError: boom"), app, USED, env_of(app)) is None


def test_results_are_reused_until_a_package_the_probe_or_check_used_changes(tmp_path):
    app = make_app(tmp_path)
    site = app / ".heroku/python/lib/python3.12/site-packages"
    (site / "requests-2.32.dist-info").mkdir()
    (site / "requests-2.32.dist-info/RECORD").write_text("requests/__init__.py,sha256=abc,10\n")
    stored = dc.record("k1", settings_in(app), DeployCheck([]), app, USED, env_of(app))
    # requests was not used: a new version of it leaves the results standing
    (site / "requests-2.32.dist-info").rename(site / "requests-2.33.dist-info")
    (site / "requests-2.33.dist-info/RECORD").write_text("requests/__init__.py,sha256=def,10\n")
    assert dc.reuse(stored, "k1", app, {}, env_of(app)) is not None
    # ... but reading the last build's settings never compares the packages
    (site / "django-5.2.dist-info/RECORD").write_text("django/__init__.py,sha256=changed,10\n")
    assert dc.reuse(stored, "k1", app, {}, env_of(app)) is None
    assert dc.reuse(stored, "k1", app, {}, None) is not None


def test_the_record_file_round_trips_and_none_removes_it(tmp_path):
    record = JsonRecord(tmp_path / "cache" / "django-check.json")
    assert record.load() is None
    record.save({"format": dc.FORMAT, "key": "k"})
    assert record.load() == {"format": dc.FORMAT, "key": "k"}
    record.save(None)
    assert record.load() is None
