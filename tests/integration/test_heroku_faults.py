"""Faults on a warm cache: a build killed at each step, a build that fails after
installing, and a package index that is down.

Whatever happens to one build, the next finds the last good environment in the
cache: it says it restored it, and installs only what changed. The cache entry
itself is never touched by a build that does not finish: it is restored as a
hardlink copy, so the build must replace files, never write into them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from pathlib import Path

import pytest

from harness.blocks import error_block, expected_block, normalized_lines
from harness.heroku import HerokuPlatform, free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
POST_COMPILE = '#!/usr/bin/env bash\nset -e\npython -c "import django; print(\'post_compile: Django\', django.get_version())"\n'
# The packages of the warm build, then one more: the install step has real work,
# and what was there before must not be installed again.
ADDED = "six==1.16.0"


def cache_entry(cache: Path) -> Path:
    return cache / "pybuildpack" / "env"


def entry_state(cache: Path) -> dict:
    """Every path of the cache entry with its inode, size, mtime and mode: any
    write into the entry, or a move or replacement of it, changes this."""
    root, state = cache_entry(cache), {}
    for directory, names, files in os.walk(root):
        for name in names + files:
            path = Path(directory) / name
            info = path.lstat()
            state[str(path.relative_to(root))] = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)
    return state


def entry_digest(cache: Path) -> str:
    """The contents of every file in the cache entry (slower than entry_state,
    and blind to nothing: a write that kept the size and mtime shows here)."""
    root, digest = cache_entry(cache), hashlib.sha256()
    for directory, names, files in sorted(os.walk(root)):
        names.sort()
        for name in sorted(files):
            path = Path(directory) / name
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
    return digest.hexdigest()


def copy_cache(template: Path, destination: Path) -> Path:
    """A copy of a warm cache for one test (hardlinked: a build that wrote into
    a file of its entry would change the template too, and fail every test)."""
    from pybuildpack.cache import copy_tree

    copy_tree(template, destination)
    return destination


@pytest.fixture(scope="module")
def warm_django(tmp_path_factory, build_env):
    """The Django example with a post_compile hook, built once; its changed
    copy (one package more, and a static setting changed, so that collectstatic
    runs again: six is not a package it uses); and the warm cache every test copies."""
    root = tmp_path_factory.mktemp("faults")
    app = root / "app"
    shutil.copytree(REPO / "examples" / "django", app)
    (app / ".python-version").write_text("3.12\n")
    hook = app / "bin" / "post_compile"
    hook.parent.mkdir()
    hook.write_text(POST_COMPILE)
    hook.chmod(0o755)
    platform = HerokuPlatform(root, build_env)
    cache = platform.new_cache()
    first = platform.build(app, cache_dir=cache)
    assert first.ok, first.output
    changed = root / "changed"
    shutil.copytree(app, changed)
    (changed / "requirements.txt").write_text((app / "requirements.txt").read_text() + ADDED + "\n")
    settings = changed / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace("STATIC_URL = 'static/'", "STATIC_URL = '/assets/'"))
    yield app, changed, cache
    platform.cleanup()


# The `-----> ` steps of a warm build whose requirements changed, in order.
STEPS = ["Using Python", "Installing dependencies", "Running collectstatic", "Running bin/post_compile",
         "Saving the environment to the build cache", "Build finished"]


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_a_step_leaves_the_environment_for_the_next_build(heroku, warm_django, tmp_path, step):
    _, changed, template = warm_django
    cache = copy_cache(template, tmp_path / "cache")
    before = entry_state(cache)
    killed = heroku.build_killed_at(changed, step, cache_dir=cache)
    assert killed.returncode == -signal.SIGKILL, killed.output
    assert killed.output.splitlines()[-1].startswith("-----> " + step)
    stored = step == "Build finished"  # the new entry is in place once the build says it finished
    if not step.startswith(("Saving", "Build finished")):
        # Killed before it saved anything: the entry is exactly the warm build's.
        assert entry_state(cache) == before

    again = heroku.build(changed, cache_dir=cache)
    assert again.ok, again.output
    assert "Restored the environment from the build cache" in again.output
    assert "Installing Python" not in again.output
    assert "+ django==" not in again.output.lower()
    installed = f"+ {ADDED}" in again.output
    if stored:
        assert "Dependencies unchanged since the last build (requirements.txt)" in again.output
    elif not step.startswith("Saving"):
        assert installed, again.output
    # Saving: killed during the copy (the old entry stays) or after it (the new one): either is whole.
    assert installed or "Dependencies unchanged since the last build" in again.output
    assert "post_compile: Django" in again.output
    # Beside the entry, at most the one it replaced, which the next build removes in the background.
    names = sorted(p.name for p in cache_entry(cache).parent.iterdir() if p.name.startswith("env"))
    assert names[0] == "env" and len(names) <= 2 and all(n.startswith("env.previous-") for n in names[1:]), names
    print(f"\nFAULT {step!r}: rebuild passed, environment restored, "
          f"{'installed ' + ADDED + ' only' if installed else 'install skipped'}, {again.duration:.1f}s")


@pytest.mark.parametrize("installer", ["uv", "pip"])
@pytest.mark.long
def test_a_build_failing_after_its_install_leaves_the_cache_entry_byte_for_byte(heroku, fixture_app, tmp_path,
                                                                               installer):
    """Upgrade, downgrade, removal and addition of packages in the restored
    (hardlinked) environment, then a failure: the entry is as it was."""
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    (app / "requirements.txt").write_text("Flask==3.0.3\nidna==3.6\nsix==1.16.0\n")
    hook = app / "bin" / "post_compile"
    hook.parent.mkdir()
    hook.write_text('#!/usr/bin/env bash\nif [ -n "${FAIL_AFTER_INSTALL:-}" ]; then echo "failing on purpose"; '
                    'exit 1; fi\n')
    hook.chmod(0o755)
    config = {"PYBUILDPACK_INSTALLER": installer}
    cache = heroku.new_cache()
    first = heroku.build(app, config=config, cache_dir=cache)
    assert first.ok, first.output
    digest, state = entry_digest(cache), entry_state(cache)

    (app / "requirements.txt").write_text("Flask==3.0.2\nidna==3.7\ncertifi==2024.2.2\n")
    failed = heroku.build(app, config={**config, "FAIL_AFTER_INSTALL": "1"}, cache_dir=cache)
    assert failed.returncode == 1, failed.output
    assert "Restored the environment from the build cache" in failed.output
    assert "failing on purpose" in failed.output
    assert entry_digest(cache) == digest
    assert entry_state(cache) == state

    again = heroku.build(app, config=config, cache_dir=cache)
    assert again.ok, again.output
    assert "Restored the environment from the build cache" in again.output
    assert "Installing Python" not in again.output
    slug = heroku.deploy(again)
    check = slug.run("python -c 'import flask, idna, certifi, importlib.metadata as m; "
                     "print(m.version(\"flask\"), idna.__version__); import six'")
    assert "3.0.2 3.7" in check.stdout and "No module named 'six'" in check.stderr, check


def test_an_index_that_is_down_fails_clearly_and_leaves_the_cache_for_the_next_build(heroku, fixture_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(fixture_app("flask_wsgi"), app)
    cache = heroku.new_cache()
    first = heroku.build(app, cache_dir=cache)
    assert first.ok, first.output
    before = entry_state(cache)

    (app / "requirements.txt").write_text((app / "requirements.txt").read_text() + ADDED + "\n")
    port = free_port()  # nothing listens on it: every connection is refused
    down = heroku.build(app, config={"PIP_INDEX_URL": f"http://deploy:tok3n-s3cret@127.0.0.1:{port}/simple/"},
                        cache_dir=cache, env={"UV_HTTP_RETRIES": "0"})
    assert down.returncode == 1, down.output
    assert "tok3n-s3cret" not in down.output
    assert "Traceback" not in down.output
    lines = normalized_lines(down.output, {"build_dir": down.build_dir, "cache_dir": cache}, {"port": str(port)})
    assert error_block(lines) == expected_block("""\
         !     Error: Could not reach the package index
         !
         !     The packages in requirements.txt could not be downloaded: the installer could not
         !     connect to the package index set in PIP_INDEX_URL:
         !         http://****@127.0.0.1:<port>/simple/
         !     (connection refused).
         !
         !     If the index is down, build again once it answers. If its address is wrong,
         !     fix it where it is set: the PIP_INDEX_URL or PIP_EXTRA_INDEX_URL config var,
         !     or the index in pyproject.toml or the lock file.
    """)
    assert entry_state(cache) == before

    back = heroku.build(app, cache_dir=cache)
    assert back.ok, back.output
    assert "Restored the environment from the build cache" in back.output
    assert f"+ {ADDED}" in back.output
    assert "+ flask==" not in back.output
