"""What a platform is: where a build puts things, and what it restores, saves and writes.

The orchestrator (orchestrator.py) runs the same phases on every platform
and asks the platform only these questions. A platform module (heroku.py,
cnb.py, local.py) implements them and contains no phase sequence of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # detect and release run on a bare python3: nothing heavy at import
    from ..build import Build, Layout
    from ..config import ConfigVars
    from ..environment_key import EnvironmentKey
    from ..launch_config import LaunchConfig
    from ..output import Log
    from ..cache import JsonRecord
    from ..steps.static_cache import StaticCache
    from ..tools import Tools


class Platform(ABC):
    """One platform's answers. `source_dir` is what the platform gave us (the
    repository); `app_dir` is where the app is built: the source directory, or
    the directory PYBUILDPACK_APP_ROOT names inside it (`use_app_dir`)."""

    app_dir: Path
    source_dir: Path
    # What a Python environment in the app's source is: "error" where the
    # source is what was committed and it would ship (Heroku refuses it, as
    # Heroku's own buildpack does), "warning" where it may be the developer's
    # own, not committed (`pack build` sends ignored files too), None where it
    # is theirs to keep (a local build in their checkout).
    committed_environment: Optional[str] = "error"
    # Directories of the app the platform installs into itself.
    owned_dirs: tuple = ()
    # A build for running the tests (Heroku CI's bin/test-compile): the plan
    # installs the test dependencies too (plan.make_plan's `test`).
    test: bool = False

    @abstractmethod
    def read_config(self) -> "ConfigVars":
        """The app's config vars (Heroku's ENV_DIR, CNB's platform env, a local .env)."""

    def use_app_dir(self, config: "ConfigVars") -> None:
        """Build the app in the directory the config names inside the source."""
        from ..app_root import VAR, resolve

        self.app_dir = resolve(self.source_dir, config.get(VAR), config.origin(VAR))

    def repository_dir(self) -> Path:
        """How far a path the app names may reach: the whole source, which ships."""
        return self.source_dir

    @abstractmethod
    def tools(self) -> "Tools":
        """uv and the installer caches."""

    @abstractmethod
    def layout(self) -> "Layout":
        """Where the runtime, the environment and the build's state go."""

    def prepare(self, build: "Build") -> None:
        """Anything to do before the first phase."""

    def choose_python(self, build: "Build") -> None:
        """Choose the CPython (sets build.outcome.python). The local platform may
        fall back to one on the machine; the others install the chosen one."""
        build.choose_python()

    @abstractmethod
    def environment_key(self, build: "Build") -> "EnvironmentKey":
        """What this platform's cached environment must match (build.environment_key())."""

    @abstractmethod
    def previous_lock(self) -> Optional[Path]:
        """Where the last build left its lock, if anywhere."""

    @abstractmethod
    def restore_environment(self, build: "Build", key: "EnvironmentKey") -> dict:
        """Put the cached environment in place when its stored key matches `key`
        and return its stored metadata; else say why it is not used and return {}.
        Either way the last good environment must outlive this build failing or
        being killed at any moment: only save_environment replaces it."""

    @abstractmethod
    def write_launch(self, build: "Build", launch: "LaunchConfig") -> None:
        """Write the processes and their environment in this platform's form."""

    def begin_save(self, build: "Build") -> None:
        """The environment's packages are all in (the launch package too): a
        platform that copies the environment to keep it may start now, beside
        the rest of the build; save_environment finishes it."""

    @abstractmethod
    def save_environment(self, build: "Build", key: "EnvironmentKey") -> None:
        """Keep the environment (with `key` and the install key) for the next build."""

    def static_cache(self, build: "Build") -> Optional["StaticCache"]:
        """Where collectstatic's output is kept between builds, so that an
        unchanged one is skipped (steps/static_cache.py); None: it always runs."""
        return None

    def django_record(self, build: "Build") -> Optional["JsonRecord"]:
        """Where the Django settings probe's result and the deployment check's
        findings are kept between builds, so that unchanged ones are skipped
        (steps/django_cache.py); None: they always run."""
        return None

    def server_check_record(self, build: "Build") -> Optional["JsonRecord"]:
        """Where the servers' import check keeps what it used between builds,
        so that it is skipped while none of that changed
        (build.start_server_check); None: it runs after every install."""
        return None

    def hook_environment(self, build: "Build") -> dict:
        """BUILD_DIR, CACHE_DIR and ENV_DIR for the app's hooks, as Heroku gives
        them to its hooks: the app, a directory kept between builds, and the
        config vars as one file each."""
        return {"BUILD_DIR": str(self.source_dir)}

    def finish(self, build: "Build", log: "Log") -> None:
        """Anything to say after the summary."""
