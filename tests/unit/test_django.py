"""Finding a Django project and reading its settings statically (inspect.django)."""

from __future__ import annotations

import pytest

from pybuildpack.inspect.django import DjangoProject, find_django, find_manage_py

from .helpers import write

MANAGE_PY = """\
import os
import sys

def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""

SETTINGS = """\
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
WSGI_APPLICATION = "mysite.wsgi.application"
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
"""


def django_app(root, module="mysite.settings", settings=SETTINGS):
    write(root / "manage.py", MANAGE_PY.format(module=module))
    if settings is not None:
        write(root.joinpath(*module.split(".")).with_suffix(".py"), settings)
    return root


# -- manage.py -----------------------------------------------------------------------

def test_manage_py_at_the_top_is_found(tmp_path):
    write(tmp_path / "manage.py")
    assert find_manage_py(tmp_path) == tmp_path / "manage.py"


def test_manage_py_two_levels_down_is_found(tmp_path):
    write(tmp_path / "src" / "backend" / "manage.py")
    assert find_manage_py(tmp_path) == tmp_path / "src" / "backend" / "manage.py"


def test_manage_py_three_levels_down_is_found(tmp_path):
    write(tmp_path / "a" / "b" / "c" / "manage.py")
    assert find_manage_py(tmp_path) == tmp_path / "a" / "b" / "c" / "manage.py"


def test_manage_py_four_levels_down_is_not_found(tmp_path):
    write(tmp_path / "a" / "b" / "c" / "d" / "manage.py")
    assert find_manage_py(tmp_path) is None


def test_shallowest_manage_py_wins_then_alphabetical(tmp_path):
    write(tmp_path / "a" / "deep" / "manage.py")
    write(tmp_path / "z" / "manage.py")
    write(tmp_path / "b" / "manage.py")
    assert find_manage_py(tmp_path) == tmp_path / "b" / "manage.py"


@pytest.mark.parametrize("skipped", ["node_modules", ".venv", "venv", ".git", "site-packages", ".hidden"])
def test_manage_py_in_skipped_directories_is_ignored(tmp_path, skipped):
    write(tmp_path / skipped / "manage.py")
    assert find_manage_py(tmp_path) is None


def test_manage_py_behind_a_directory_symlink_is_ignored(tmp_path):
    write(tmp_path / "real" / "manage.py")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "link").symlink_to(tmp_path / "real")
    assert find_manage_py(tmp_path / "app") is None


# -- settings --------------------------------------------------------------------------

def test_django_project_at_the_top_is_read_from_manage_py_and_settings(tmp_path):
    django_app(tmp_path)
    assert find_django(tmp_path, {}) == DjangoProject(
        manage_dir="",
        settings_module="mysite.settings",
        settings_origin="manage.py",
        settings_file="mysite/settings.py",
        wsgi_application="mysite.wsgi.application",
        static_root_assigned=True,
        asgi_application=None,
        wsgi_line=3,
        asgi_line=None,
    )


def test_nested_django_project_records_its_directory(tmp_path):
    django_app(tmp_path / "src" / "web")
    project = find_django(tmp_path, {})
    assert project.manage_dir == "src/web"
    assert project.manage_py == "src/web/manage.py"
    assert project.settings_origin == "src/web/manage.py"
    assert project.settings_file == "src/web/mysite/settings.py"


def test_settings_module_from_config_var_wins_over_manage_py(tmp_path):
    django_app(tmp_path)
    write(tmp_path / "mysite" / "production.py", 'WSGI_APPLICATION = "mysite.prod_wsgi.application"\n')
    project = find_django(tmp_path, {"DJANGO_SETTINGS_MODULE": "mysite.production"})
    assert project.settings_module == "mysite.production"
    assert project.settings_origin == "config var DJANGO_SETTINGS_MODULE"
    assert project.settings_file == "mysite/production.py"
    assert project.wsgi_application == "mysite.prod_wsgi.application"
    assert not project.static_root_assigned


def test_empty_config_var_falls_back_to_manage_py(tmp_path):
    django_app(tmp_path)
    assert find_django(tmp_path, {"DJANGO_SETTINGS_MODULE": ""}).settings_origin == "manage.py"


def test_single_quoted_setdefault_is_read(tmp_path):
    write(tmp_path / "manage.py", "os.environ.setdefault( 'DJANGO_SETTINGS_MODULE' , 'conf.settings.dev' )\n")
    assert find_django(tmp_path, {}).settings_module == "conf.settings.dev"


def test_manage_py_without_settings_is_not_a_django_project(tmp_path):
    write(tmp_path / "manage.py", "print('not django')\n")
    assert find_django(tmp_path, {}) is None


def test_no_manage_py_is_not_a_django_project(tmp_path):
    write(tmp_path / "mysite" / "settings.py", SETTINGS)
    assert find_django(tmp_path, {}) is None


def test_settings_package_is_read_from_its_init(tmp_path):
    django_app(tmp_path, settings=None)
    write(tmp_path / "mysite" / "settings" / "__init__.py", SETTINGS)
    project = find_django(tmp_path, {})
    assert project.settings_file == "mysite/settings/__init__.py"
    assert project.wsgi_application == "mysite.wsgi.application"
    assert project.static_root_assigned


def test_missing_settings_file_leaves_what_it_holds_unknown(tmp_path):
    django_app(tmp_path, settings=None)
    project = find_django(tmp_path, {})
    assert (project.settings_module, project.settings_file) == ("mysite.settings", None)
    assert project.wsgi_application is None and not project.static_root_assigned


def test_static_root_none_is_not_assigned(tmp_path):
    django_app(tmp_path, settings="STATIC_ROOT = None\n")
    assert not find_django(tmp_path, {}).static_root_assigned


def test_static_root_from_an_expression_is_assigned(tmp_path):
    django_app(tmp_path, settings="import os\nSTATIC_ROOT = os.path.join(BASE_DIR, 'static')\n")
    assert find_django(tmp_path, {}).static_root_assigned


def test_annotated_assignments_are_read(tmp_path):
    django_app(tmp_path, settings='WSGI_APPLICATION: str = "x.wsgi.app"\nSTATIC_ROOT: str = "/srv/static"\n')
    project = find_django(tmp_path, {})
    assert project.wsgi_application == "x.wsgi.app" and project.static_root_assigned


def test_wsgi_application_that_is_not_a_literal_is_unknown(tmp_path):
    django_app(tmp_path, settings='WSGI_APPLICATION = f"{NAME}.wsgi.application"\n')
    assert find_django(tmp_path, {}).wsgi_application is None


def test_settings_with_a_syntax_error_are_read_as_empty(tmp_path):
    django_app(tmp_path, settings="STATIC_ROOT = (\n")
    project = find_django(tmp_path, {})
    assert project.settings_file == "mysite/settings.py"
    assert project.wsgi_application is None and not project.static_root_assigned


def test_asgi_application_is_read_with_the_lines_of_both_settings(tmp_path):
    django_app(tmp_path, settings='WSGI_APPLICATION = "mysite.wsgi.application"\nDEBUG = False\n'
                                  'ASGI_APPLICATION = "mysite.asgi.application"\n')
    project = find_django(tmp_path, {})
    assert (project.asgi_application, project.asgi_line) == ("mysite.asgi.application", 3)
    assert (project.wsgi_application, project.wsgi_line) == ("mysite.wsgi.application", 1)


def test_settings_without_asgi_application_have_none(tmp_path):
    project = find_django(django_app(tmp_path), {})
    assert (project.asgi_application, project.asgi_line) == (None, None)


def test_asgi_application_that_is_not_a_literal_has_no_line(tmp_path):
    django_app(tmp_path, settings='ASGI_APPLICATION = NAME + ".asgi.application"\n')
    project = find_django(tmp_path, {})
    assert (project.asgi_application, project.asgi_line) == (None, None)
