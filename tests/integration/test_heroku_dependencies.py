"""Installing requirements: requirements.in, removal, both installers, bad input."""

import shutil

import pytest

from harness.heroku import slug_distributions as distributions

pytestmark = pytest.mark.slow

INSTALLERS = ["uv", "pip"]


@pytest.mark.parametrize("installer", INSTALLERS)
@pytest.mark.long
def test_requirements_in_is_compiled_and_its_lock_kept(heroku, fixture_app, installer):
    result = heroku.build(fixture_app("requirements_in"), config={"PYBUILDPACK_INSTALLER": installer})
    assert result.ok, result.output
    assert "Resolved " in result.output and "packages from requirements.in:" in result.output
    assert "  flask==" in result.output and "  werkzeug==" in result.output
    lock = result.build_dir / ".heroku" / "pybuildpack" / "requirements.lock.txt"
    assert "flask==" in lock.read_text()
    slug = heroku.deploy(result)
    dyno = slug.start()
    assert dyno.wait_until_serving("/").text == "Hello from a requirements.in app"
    assert dyno.terminate() == 0


@pytest.mark.parametrize("installer", INSTALLERS)
@pytest.mark.long
def test_a_requirement_removed_between_builds_is_uninstalled(heroku, fixture_app, tmp_path, installer):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements.txt").write_text("Flask\nsix\n")
    cache = heroku.new_cache()
    config = {"PYBUILDPACK_INSTALLER": installer}
    first = heroku.build(app, config=config, cache_dir=cache)
    assert first.ok, first.output
    assert "six" in distributions(first.build_dir)

    (app / "requirements.txt").write_text("Flask\n")
    second = heroku.build(app, config=config, cache_dir=cache)
    assert second.ok, second.output
    assert "Restored the environment from the build cache" in second.output
    assert "six" not in distributions(second.build_dir)
    assert "flask" in distributions(second.build_dir)
    slug = heroku.deploy(second)
    assert slug.run("python -c 'import six'").returncode != 0
    dyno = slug.start()
    assert dyno.wait_until_serving("/").status == 200
    assert dyno.terminate() == 0


@pytest.mark.parametrize("installer", INSTALLERS)
def test_a_package_that_does_not_exist_fails_with_the_installers_message(heroku, fixture_app, installer):
    result = heroku.build(fixture_app("bad_requirements"), config={"PYBUILDPACK_INSTALLER": installer})
    assert result.returncode == 1
    assert " !     Error: Could not install the packages in requirements.txt" in result.output \
        or " !     Error: Could not resolve the packages in requirements.txt" in result.output
    assert "this-package-does-not-exist-pybuildpack" in result.output
    assert "Traceback" not in result.output


SIX_WHEEL = "b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl"


@pytest.mark.parametrize("installer", INSTALLERS)
@pytest.mark.long
def test_requirements_txt_syntax_pip_allows(heroku, fixture_app, tmp_path, installer):
    """-r includes, -c constraints, markers, extras, a local path, a direct URL,
    index options, and ${VAR} expansion from config vars in URLs and paths."""
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "libs" / "greeting").mkdir(parents=True)
    (app / "libs" / "greeting" / "pyproject.toml").write_text(
        '[project]\nname = "greeting"\nversion = "1.0"\n'
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n')
    (app / "libs" / "greeting" / "greeting.py").write_text("WORD = 'hi'\n")
    (app / "requirements").mkdir()
    (app / "requirements" / "base.txt").write_text("Flask[async]  # extras\n")
    (app / "constraints.txt").write_text("idna==3.7\n")
    (app / "requirements.txt").write_text(
        "--extra-index-url https://${INDEX_HOST}/simple\n"
        "-r requirements/base.txt\n"
        "-c constraints.txt\n"
        "idna ; python_version >= '3.8'\n"
        "tomli ; python_version < '3.0'\n"
        "./libs/${LIB_NAME}\n"
        "six @ https://files.pythonhosted.org/packages/${SIX_PATH}\n"
    )
    config = {"INDEX_HOST": "pypi.org", "LIB_NAME": "greeting", "SIX_PATH": SIX_WHEEL,
              "PYBUILDPACK_INSTALLER": installer}
    result = heroku.build(app, config=config)
    assert result.ok, result.output
    installed = distributions(result.build_dir)
    assert {"flask", "asgiref", "six", "greeting", "idna"} <= set(installed)
    assert "tomli" not in installed
    assert SIX_WHEEL not in result.output  # config var values are masked in the log
    slug = heroku.deploy(result)
    check = slug.run("python -c 'import six, idna, greeting; print(six.__version__, idna.__version__, greeting.WORD)'")
    assert check.stdout.split() == ["1.17.0", "3.7", "hi"], check


def test_editable_install_of_the_app_works_from_app_dir(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "src" / "mylib").mkdir(parents=True)
    (app / "src" / "mylib" / "__init__.py").write_text("NAME = 'mylib'\n")
    (app / "pyproject.toml").write_text(
        '[project]\nname = "myapp"\nversion = "1.0"\n'
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[tool.setuptools.packages.find]\nwhere = ["src"]\n')
    (app / "requirements.txt").write_text("Flask\n-e .\n")
    result = heroku.build(app)
    assert result.ok, result.output
    slug = heroku.deploy(result)
    check = slug.run("python -c 'import mylib; print(mylib.__file__)'")
    assert check.stdout.strip() == str(slug.app_dir / "src" / "mylib" / "__init__.py"), check


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_private_extra_index_named_in_requirements_txt_installs_with_either_installer(heroku, fixture_app,
                                                                                       tmp_path, installer):
    from harness.index import PASSWORD, USERNAME, PrivateIndex

    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    with PrivateIndex({"greeting-lib": "WORD = 'Hello from requirements.txt'\n"}) as index:
        url = index.url.replace("http://", "http://${INDEX_USER}:${INDEX_PASSWORD}@")
        (app / "requirements.txt").write_text(f"--extra-index-url {url}\n--trusted-host {index.url.split('/')[2]}\n"
                                              "flask\ngreeting-lib==1.0.0\n")
        result = heroku.build(app, config={"INDEX_USER": USERNAME, "INDEX_PASSWORD": PASSWORD,
                                           "PYBUILDPACK_INSTALLER": installer})
        assert result.ok, result.output
        assert any(path.endswith(".whl") and ok for path, ok in index.requests), index.requests
    assert PASSWORD not in result.output
    assert "greeting-lib" in distributions(result.build_dir)
    assert PASSWORD not in (result.build_dir / ".heroku" / "pybuildpack").joinpath("requirements.lock.txt").read_text() \
        if installer == "pip" else True
