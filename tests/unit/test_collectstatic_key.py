"""The key of collectstatic's inputs, the reasons it gives, and when a kept output is used."""

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pybuildpack.steps import static_cache as sc


def make_app(root: Path) -> dict:
    """An app with one static file, an environment with Django's RECORD and an
    admin file, and the probe's static_inputs for them."""
    app, site = root / "app", root / "app" / ".heroku/python/lib/python3.12/site-packages"
    (app / "pages/static/pages").mkdir(parents=True)
    (app / "pages/static/pages/site.css").write_text("body { color: red; }\n")
    (site / "django-5.2.dist-info").mkdir(parents=True)
    (site / "django-5.2.dist-info/RECORD").write_text("django/__init__.py,sha256=abc,10\n")
    (site / "django/contrib/admin/static/admin/css").mkdir(parents=True)
    (site / "django/contrib/admin/static/admin/css/base.css").write_text("html {}\n")
    (site / "django/contrib/staticfiles").mkdir(parents=True)
    (site / "django/contrib/staticfiles/storage.py").write_text("class StaticFilesStorage: pass\n")
    inputs = {
        "settings": json.dumps({"STATIC_URL": "static/", "STATICFILES_DIRS": [str(app / "assets")]}),
        "storage": "django.contrib.staticfiles.storage.StaticFilesStorage", "local": True, "manifest": None,
        "code": [str(site / "django/contrib/staticfiles/storage.py")],
        "sources": [["pages/site.css", str(app / "pages/static/pages/site.css")],
                    ["admin/css/base.css", str(site / "django/contrib/admin/static/admin/css/base.css")]],
        "django": "5.2", "python": "3.12.4",
    }
    return {"app": app, "site": site, "inputs": inputs}


def key_of(found: dict, config=None) -> sc.StaticKey:
    return sc.static_key(found["inputs"], "staticfiles", found["app"], found["app"] / ".heroku/python", config or {})


def test_same_inputs_in_another_build_directory_give_the_same_key(tmp_path):
    first, second = make_app(tmp_path / "build_1"), make_app(tmp_path / "build_2")
    assert key_of(first).key == key_of(second).key
    assert sc.reasons(key_of(first).metadata(), key_of(second)) == []


def test_a_changed_css_file_is_named(tmp_path):
    found = make_app(tmp_path)
    before = key_of(found)
    (found["app"] / "pages/static/pages/site.css").write_text("body { color: blue; }\n")
    after = key_of(found)
    assert after.key != before.key
    assert sc.reasons(before.metadata(), after) == ["static files changed: pages/static/pages/site.css"]


def test_more_than_three_changed_files_are_counted(tmp_path):
    found = make_app(tmp_path)
    before = key_of(found)
    for n in range(5):
        path = found["app"] / f"pages/static/pages/{n}.js"
        path.write_text("x")
        found["inputs"]["sources"].append([f"pages/{n}.js", str(path)])
    assert sc.reasons(before.metadata(), key_of(found)) == [
        "static files changed: pages/static/pages/0.js, pages/static/pages/1.js, pages/static/pages/2.js and 2 more"]


def test_a_changed_package_says_packages_without_listing_its_files(tmp_path):
    found = make_app(tmp_path)
    before = key_of(found)
    (found["site"] / "django-5.2.dist-info/RECORD").write_text("django/__init__.py,sha256=def,10\n")
    (found["site"] / "django/contrib/admin/static/admin/css/base.css").write_text("html { margin: 0 }\n")
    assert sc.reasons(before.metadata(), key_of(found)) == ["packages changed"]


def test_settings_config_vars_and_storage_code_are_each_a_reason(tmp_path):
    found = make_app(tmp_path)
    before = key_of(found, {"SECRET_KEY": "a"})
    found["inputs"]["settings"] = json.dumps({"STATIC_URL": "/assets/"})
    (found["site"] / "django/contrib/staticfiles/storage.py").write_text("class StaticFilesStorage: x = 1\n")
    assert sc.reasons(before.metadata(), key_of(found, {"SECRET_KEY": "b"})) == [
        "settings changed", "the static files storage or finder code changed", "config vars changed"]


def test_no_entry_is_a_first_build_and_a_broken_one_is_said(tmp_path):
    key = key_of(make_app(tmp_path))
    assert sc.reasons(None, key) == ["first build"]
    assert sc.reasons({"static_key": key.key}, key) == ["the cached copy's metadata is missing or unreadable"]


def test_the_tree_digest_sees_content_and_leaves_out_the_metadata(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/x.css").write_text("1")
    count, digest = sc.tree_digest(tmp_path)
    (tmp_path / sc.META).write_text("{}")
    assert sc.tree_digest(tmp_path) == (count, digest) == (1, digest)
    (tmp_path / "a/x.css").write_text("2")
    assert sc.tree_digest(tmp_path)[1] != digest


# --- decide(): skip, restore, or run and say why ------------------------------------------------

@dataclass
class Settings:
    static_inputs: object
    stand_ins: dict = field(default_factory=dict)


def collect(static_root: Path) -> None:
    """What collectstatic would write."""
    (static_root / "pages").mkdir(parents=True)
    (static_root / "pages/site.css").write_text("body { color: red; }\n")
    (static_root / "staticfiles.json").write_text("{}")


def decide(cache, found, static_root, stand_ins=None):
    return sc.decide(cache, Settings(found["inputs"], stand_ins or {}), static_root, found["app"],
                     found["app"] / ".heroku/python", {})


def test_a_kept_output_is_restored_when_the_key_matches(tmp_path):
    found = make_app(tmp_path)
    cache = sc.DirStaticCache(found["app"], tmp_path / "cache/django-static")
    static_root = found["app"] / "staticfiles"
    first = decide(cache, found, static_root)
    assert first.skipped is None and first.why == ["first build"]
    collect(static_root)
    sc.store(cache, first.key, static_root)
    shutil.rmtree(static_root)   # the next build starts from the source again
    second = decide(cache, found, static_root)
    assert second.skipped == 2 and (static_root / "pages/site.css").read_text() == "body { color: red; }\n"
    assert not (static_root / sc.META).exists()


def test_a_kept_copy_changed_since_or_without_its_manifest_is_not_used(tmp_path):
    found = make_app(tmp_path)
    found["inputs"]["manifest"] = "staticfiles.json"
    cache = sc.DirStaticCache(found["app"], tmp_path / "cache/django-static")
    static_root = found["app"] / "staticfiles"
    key = decide(cache, found, static_root).key
    collect(static_root)
    sc.store(cache, key, static_root)
    shutil.rmtree(static_root)
    # A hook wrote into a hardlinked file after the store.
    (tmp_path / "cache/django-static/pages/site.css").write_text("changed")
    changed = decide(cache, found, static_root)
    assert changed.why == ["the cached copy changed since it was stored"] and changed.key is not None
    assert not static_root.exists()
    collect(static_root)
    (static_root / "staticfiles.json").unlink()
    sc.store(cache, changed.key, static_root)
    shutil.rmtree(static_root)
    assert decide(cache, found, static_root).why == ["the cached copy has no staticfiles.json (the static files manifest)"]


def test_stand_ins_a_remote_storage_a_failed_listing_or_an_outside_root_never_skip(tmp_path):
    found = make_app(tmp_path)
    cache = sc.DirStaticCache(found["app"], tmp_path / "cache/django-static")
    static_root = found["app"] / "staticfiles"
    stood = decide(cache, found, static_root, {"SECRET_KEY": "random-throwaway"})
    assert stood.why == ["a throwaway value stood in for SECRET_KEY, so nothing is cached"] and stood.key is None
    outside = decide(cache, found, tmp_path / "elsewhere")
    assert outside.why[0].startswith("STATIC_ROOT (") and outside.key is None
    found["inputs"]["local"] = False
    assert decide(cache, found, static_root).key is None
    found["inputs"] = None
    assert decide(cache, found, static_root).why == ["the static files could not be listed, so nothing is cached"]
    assert decide(None, make_app(tmp_path / "other"), static_root) == sc.Decision()


def test_a_static_root_holding_files_from_the_source_is_collected_into(tmp_path):
    found = make_app(tmp_path)
    cache = sc.DirStaticCache(found["app"], tmp_path / "cache/django-static")
    static_root = found["app"] / "staticfiles"
    collect(static_root)
    assert decide(cache, found, static_root).why == ["STATIC_ROOT already holds files from the app's source"]


def test_in_place_static_root_is_skipped_only_while_it_holds_what_was_collected(tmp_path):
    found = make_app(tmp_path)
    cache = sc.InPlaceStaticCache(found["app"], found["app"] / ".pybuildpack/django-static.json")
    static_root = found["app"] / "staticfiles"
    first = decide(cache, found, static_root)
    collect(static_root)
    sc.store(cache, first.key, static_root)
    assert decide(cache, found, static_root).skipped == 2
    (static_root / "pages/site.css").unlink()
    assert decide(cache, found, static_root).why == ["STATIC_ROOT changed since the last build"]
    assert not static_root.joinpath("pages/site.css").exists()  # never removed nor restored in place


@pytest.mark.parametrize("count,in_place,text", [
    (131, False, "collectstatic: unchanged since the last build, skipped (131 files from the build cache)"),
    (2, True, "collectstatic: unchanged since the last build, skipped (2 files already in STATIC_ROOT)"),
])
def test_the_skip_line(count, in_place, text):
    from pybuildpack import errors

    assert errors.collectstatic_skipped(count, in_place) == text


# --- the probe's listing, against Django's own finders -------------------------------------------

SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
                  "pages.apps.PagesConfig"]
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "assets", ("vendor", BASE_DIR / "vendor")]
"""


def probe_listing(app: Path, finders: str = "") -> dict:
    import os
    import sys

    pytest.importorskip("django")
    from pybuildpack.inspect import django as inspect_django
    from pybuildpack.steps import django as django_step

    files = {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
             "site1/__init__.py": "", "site1/settings.py": SETTINGS + finders,
             "pages/__init__.py": "", "pages/static/pages/site.css": "body {}\n",
             "pages/static/pages/.hidden.css": "x", "pages/static/pages/edit.css~": "x",
             "pages/apps.py": "from django.apps import AppConfig\nclass PagesConfig(AppConfig):\n    name = 'pages'\n",
             "assets/js/app.js": "1;\n", "vendor/lib.js": "2;\n", "assets/.git/config": "x"}
    for name, text in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text)
    project = inspect_django.find_django(app, {})
    settings = django_step.probe(Path(sys.executable), app, project, {"PATH": os.environ.get("PATH", ""),
                                                                      "HOME": str(app)}, list_static=True)
    return settings.static_inputs


def test_the_probe_lists_what_djangos_own_finders_list(tmp_path):
    fast = probe_listing(tmp_path / "fast")
    # Any other STATICFILES_FINDERS (here the same two, the other way round) sets Django up and asks them.
    asked = probe_listing(tmp_path / "asked", "STATICFILES_FINDERS = ["
                          "'django.contrib.staticfiles.finders.AppDirectoriesFinder', "
                          "'django.contrib.staticfiles.finders.FileSystemFinder']\n")
    names = {name: Path(path).relative_to((tmp_path / "fast").resolve()) if "site-packages" not in path else None
             for name, path in fast["sources"]}
    assert names["pages/site.css"] == Path("pages/static/pages/site.css")
    assert names["js/app.js"] == Path("assets/js/app.js") and names["vendor/lib.js"] == Path("vendor/lib.js")
    assert "admin/css/base.css" in names and not any(".hidden" in n or n.endswith("~") for n in names)
    assert sorted(n for n, _ in fast["sources"]) == sorted(n for n, _ in asked["sources"])
    assert fast["local"] is True and fast["manifest"] is None


def test_after_a_run_the_key_covers_only_the_packages_collectstatic_used(tmp_path):
    found = make_app(tmp_path)
    (found["site"] / "requests-2.32.dist-info").mkdir()
    (found["site"] / "requests-2.32.dist-info/RECORD").write_text("requests/__init__.py,sha256=abc,10\n")
    used = {"format": 1, "everything": False, "packages": ["django"], "unowned": [], "files": [], "missing": []}
    stored = sc.with_used(key_of(found), found["inputs"], used, found["app"] / ".heroku/python").metadata()
    assert stored["used"] == used

    def again() -> sc.StaticKey:
        return sc.static_key(found["inputs"], "staticfiles", found["app"], found["app"] / ".heroku/python", {},
                             stored["used"])

    assert sc.reasons(stored, again()) == []
    (found["site"] / "requests-2.32.dist-info/RECORD").write_text("requests/__init__.py,sha256=def,10\n")
    assert sc.reasons(stored, again()) == []
    (found["site"] / "django-5.2.dist-info/RECORD").write_text("django/__init__.py,sha256=def,10\n")
    assert sc.reasons(stored, again()) == ["packages changed"]


@pytest.mark.parametrize("static_url, expected", [("'static/'", "/static/"), ("'/assets/'", "/assets/"),
                                                   ("'https://cdn.example.com/s/'", "https://cdn.example.com/s/")])
def test_the_probe_reads_static_url_as_django_gives_it_without_importing_its_url_resolver(
        tmp_path, static_url, expected):
    import os
    import sys

    pytest.importorskip("django")
    from pybuildpack.inspect import django as inspect_django
    from pybuildpack.steps import django as django_step
    from pybuildpack.steps.used_packages import Recording

    app = tmp_path / "app"
    files = {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
             "site1/__init__.py": "",
             "site1/settings.py": f"SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.staticfiles']\n"
                                  f"STATIC_URL = {static_url}\nSTATIC_ROOT = 'collected'\n"}
    for name, text in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text)
    (tmp_path / "used").mkdir()
    recording = Recording(tmp_path / "used")
    settings = django_step.probe(Path(sys.executable), app, inspect_django.find_django(app, {}),
                                 {"PATH": os.environ.get("PATH", ""), "HOME": str(app)}, list_static=True,
                                 recording=recording)
    assert settings.static_url == expected
    assert json.loads(settings.static_inputs["settings"])["STATIC_URL"] == expected
    # django.urls (for the script prefix) is 80 ms of the probe; at build time the prefix is "/".
    imported = recording.read("probe")["files"]
    assert any(f"{os.sep}django{os.sep}conf{os.sep}" in name for name in imported)
    assert not any(f"{os.sep}django{os.sep}urls{os.sep}" in name for name in imported)
