"""A cold build fetches the app's wheels while CPython is installed (issue 14, item 1):
the log says so under the Python step, and a prefetch that fails changes nothing."""

from __future__ import annotations

import re
import tarfile
import textwrap

import pytest

from harness.apps import copy_app
from harness.heroku import slug_distributions

pytestmark = pytest.mark.slow

# A PEP 517 backend inside the sdist itself: building it needs no index.
BACKEND = textwrap.dedent('''\
    import base64, hashlib, os, zipfile

    NAME, VERSION = "tiny_sdist", "1.0"
    DIST = f"{NAME}-{VERSION}.dist-info"

    def get_requires_for_build_wheel(config_settings=None):
        return []

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        here = os.path.dirname(os.path.abspath(__file__))
        files = {f"{NAME}.py": open(os.path.join(here, f"{NAME}.py")).read(),
                 f"{DIST}/METADATA": f"Metadata-Version: 2.1\\nName: tiny-sdist\\nVersion: {VERSION}\\n",
                 f"{DIST}/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
        record = []
        for path, text in files.items():
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(text.encode())}")
        files[f"{DIST}/RECORD"] = "\\n".join(record + [f"{DIST}/RECORD,,"]) + "\\n"
        name = f"{NAME}-{VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
            for path, text in files.items():
                archive.writestr(path, text)
        return name
    ''')


def make_sdist(directory):
    """tiny_sdist-1.0.tar.gz: only a source distribution, built by its own backend."""
    source = directory / "tiny_sdist-1.0"
    source.mkdir(parents=True)
    (source / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: tiny-sdist\nVersion: 1.0\n")
    (source / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                                           'backend-path = ["."]\n')
    (source / "backend.py").write_text(BACKEND)
    (source / "tiny_sdist.py").write_text("WORD = 'built from source'\n")
    with tarfile.open(directory / "tiny_sdist-1.0.tar.gz", "w:gz") as archive:
        archive.add(source, arcname=source.name)
    return directory


# The runtime's own progress line, shown when its install runs past 5 s (a busy machine).
_RUNTIME_PROGRESS = re.compile(r"^ {7}Downloading and unpacking Python .* unpacked so far \(.*\)$")


def python_step(output: str) -> list:
    """The lines under `Installing Python`, without its progress lines."""
    lines = output.splitlines()
    start = lines.index("-----> Installing Python 3.12.1")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("-----> "))
    return [line for line in lines[start + 1:end] if not _RUNTIME_PROGRESS.match(line)]


def test_a_cold_build_fetches_the_wheels_while_python_is_installed_and_the_app_serves(heroku, fixture_app, tmp_path):
    app = copy_app(fixture_app("pinned_flask"), tmp_path)
    # An empty installer cache: every wheel is downloaded by this build.
    result = heroku.build(app, env={"PYBUILDPACK_INSTALLER_CACHE_DIR": str(tmp_path / "installer-cache")})
    assert result.ok, result.output
    step = python_step(result.output)
    assert len(step) == 2 and re.fullmatch(r"       Done \(\d+\.\d+s\)", step[0]), step
    # flask's seven pins and the gunicorn pybuildpack adds.
    assert re.fullmatch(r"       Fetched 8 packages while Python was installed \(\d+\.\d+s\)", step[1]), step
    assert "-----> Installing dependencies with uv" in result.output
    assert {"flask", "werkzeug", "gunicorn"} <= slug_distributions(result.build_dir)
    dyno = heroku.deploy(result).start("web")
    try:
        assert dyno.wait_until_serving("/").status == 200
    finally:
        dyno.terminate()


def test_a_prefetch_that_fails_says_nothing_and_the_install_builds_what_it_could_not(heroku, tmp_path):
    """The prefetch takes wheels only: an sdist-only requirement makes it fail.
    The install then builds it for the real interpreter, as it always did."""
    links = make_sdist(tmp_path / "links")
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("tiny-sdist==1.0\n")
    (app / "Procfile").write_text("web: python -m http.server $PORT\n")
    (app / ".python-version").write_text("3.12\n")
    result = heroku.build(app, config={"PIP_FIND_LINKS": str(links), "PIP_NO_INDEX": "1"},
                          env={"PYBUILDPACK_INSTALLER_CACHE_DIR": str(tmp_path / "installer-cache")})
    assert result.ok, result.output
    step = python_step(result.output)
    assert len(step) == 1 and step[0].startswith("       Done ("), step
    assert "Fetched" not in result.output and " !     " not in result.output
    assert "+ tiny-sdist==1.0" in result.output
    assert "tiny-sdist" in slug_distributions(result.build_dir)
