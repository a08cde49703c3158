"""Which dependency file the app uses and which packages it names (inspect.dependencies)."""

from __future__ import annotations

import pytest

from pybuildpack import errors
from pybuildpack.inspect.dependencies import requirement_names

from .helpers import write


def names(app, text):
    """The names requirement_names() reads from a requirements.txt holding `text`."""
    return requirement_names(write(app / "requirements.txt", text), app)


def test_plain_names_are_canonicalized(tmp_path):
    assert names(tmp_path, "Django==5.0\nFlask_Login>=0.6\nzope.interface\n") == {
        "django", "flask-login", "zope-interface"}


def test_comments_and_blank_lines_are_skipped(tmp_path):
    assert names(tmp_path, "# web\n\n  # indented comment\nflask  # the framework\n") == {"flask"}


def test_markers_are_read(tmp_path):
    assert names(tmp_path, 'tomli; python_version < "3.11"\nuvloop ; sys_platform == "linux"\n') == {
        "tomli", "uvloop"}


def test_extras_are_read(tmp_path):
    assert names(tmp_path, "django[argon2,bcrypt]>=5\n") == {"django"}


def test_hash_continuation_lines_are_joined(tmp_path):
    text = ("gunicorn==23.0.0 \\\n"
            "    --hash=sha256:aaaa \\\n"
            "    --hash=sha256:bbbb\n"
            "whitenoise==6.7.0 --hash=sha256:cccc\n")
    assert names(tmp_path, text) == {"gunicorn", "whitenoise"}


def test_editable_vcs_install_is_named_by_its_egg(tmp_path):
    assert names(tmp_path, "-e git+https://github.com/org/my_lib.git@v1#egg=my_lib\n") == {"my-lib"}


def test_vcs_url_with_egg_is_named_by_it(tmp_path):
    assert names(tmp_path, "git+https://github.com/org/repo.git#egg=repo-pkg&subdirectory=src\n") == {"repo-pkg"}


def test_editable_local_path_without_egg_names_nothing(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'app'\n")
    write(tmp_path / "libs" / "thing" / "setup.py", "")
    assert names(tmp_path, "-e .\n--editable ./libs/thing\n") == set()


def test_a_local_path_that_is_not_a_project_names_the_line(tmp_path):
    (tmp_path / "libs" / "thing").mkdir(parents=True)
    with pytest.raises(errors.RequirementsLocalPathNotAProject) as caught:
        names(tmp_path, "flask\n--editable ./libs/thing\n")
    assert caught.value.title == "requirements.txt line 2 installs a directory that is not a Python project"


def test_options_are_skipped(tmp_path):
    text = ("--index-url https://pypi.example.com/simple\n--extra-index-url https://x.example.com\n"
            "--no-binary :all:\n--pre\nflask\n")
    assert names(tmp_path, text) == {"flask"}


def test_unparsable_lines_are_skipped(tmp_path):
    assert names(tmp_path, "flask\nthis is not a requirement!!\n") == {"flask"}


def test_direct_reference_is_named(tmp_path):
    assert names(tmp_path, "gunicorn @ git+https://github.com/benoitc/gunicorn.git@23.0.0\n") == {"gunicorn"}


def test_included_requirement_files_are_followed(tmp_path):
    write(tmp_path / "requirements" / "base.txt", "django\n")
    write(tmp_path / "requirements" / "prod.txt", "-r base.txt\ngunicorn\n")
    assert names(tmp_path, "-r requirements/prod.txt\n--requirement requirements/base.txt\nsentry-sdk\n") == {
        "django", "gunicorn", "sentry-sdk"}


def test_include_written_without_a_space_is_followed(tmp_path):
    write(tmp_path / "base.txt", "django\n")
    assert names(tmp_path, "-rbase.txt\n") == {"django"}


def test_long_include_with_equals_sign_is_followed(tmp_path):
    write(tmp_path / "base.txt", "django\n")
    assert names(tmp_path, "--requirement=base.txt\n") == {"django"}


def test_include_cycles_do_not_loop(tmp_path):
    write(tmp_path / "a.txt", "-r b.txt\nalpha\n")
    write(tmp_path / "b.txt", "-r a.txt\n-r requirements.txt\nbeta\n")
    assert names(tmp_path, "-r a.txt\nroot\n") == {"alpha", "beta", "root"}


def test_a_missing_include_is_an_error_naming_the_line(tmp_path):
    # Passed over, it reached uv, whose failure got the "misspelled name" advice.
    with pytest.raises(errors.RequirementsIncludeMissing) as caught:
        names(tmp_path, "flask\n-r missing.txt\n")
    assert caught.value.title == "requirements.txt line 2 includes a file that cannot be read"


def test_constraints_files_name_nothing_to_install(tmp_path):
    write(tmp_path / "constraints.txt", "gunicorn==23.0.0\n")
    assert names(tmp_path, "-c constraints.txt\nflask\n") == {"flask"}


def test_requirements_that_are_not_utf8_are_an_error_with_a_relative_name(tmp_path):
    (tmp_path / "requirements.txt").write_bytes(b"flask\n\xff\n")
    with pytest.raises(errors.AppFileNotUtf8) as caught:
        requirement_names(tmp_path / "requirements.txt", tmp_path)
    assert caught.value.title == "requirements.txt is not UTF-8"
