"""pybuildpack's record of what one build process used (steps/used_packages.py).

Put first on PYTHONPATH of the Django build processes only, with
PYBUILDPACK_USED_FILE naming where to write. It takes itself off the path and
out of the environment at once, so the process's children neither record nor
see it, and then runs the Python's own sitecustomize, if there is one. At exit
it writes JSON: the file of every module found (imported, or only looked up
with find_spec), the top-level names looked up and not found, the
distributions whose metadata was read, whether pkg_resources (which reads
them all) was imported, and every file opened (None before Python 3.8, which
has no audit hooks).
"""

import os
import sys

_METADATA_MODULES = ("importlib.metadata", "importlib_metadata")


def _record(out):
    import atexit
    import json

    found, missing, metadata, opened, state = set(), set(), set(), set(), {"everything": False}

    def audit(event, args):
        # Imports open their source too ("found" has those); bytecode says nothing more.
        if event == "open" and args and isinstance(args[0], (str, bytes)):
            try:
                path = os.fsdecode(args[0])
                if not path.endswith(".pyc"):
                    opened.add(os.path.abspath(path))
            except Exception:   # never the process's own open that fails
                opened.add(None)

    if hasattr(sys, "addaudithook"):
        sys.addaudithook(audit)
    else:
        opened = None

    def patch(module):
        # Every on-disk distribution's metadata is read through PathDistribution.read_text.
        try:
            cls = module.PathDistribution
            read = cls.read_text
        except AttributeError:
            state["everything"] = True
            return

        def read_text(self, filename):
            metadata.add(str(getattr(self, "_path", "")))
            return read(self, filename)

        cls.read_text = read_text

    def watch(spec):
        exec_module = spec.loader.exec_module

        def patched(module):
            exec_module(module)
            patch(module)

        spec.loader.exec_module = patched

    class Finder:
        """First on sys.meta_path: asks the others, and notes what they found."""

        @classmethod
        def find_spec(cls, name, path=None, target=None):
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                if finder is cls or find is None:
                    continue
                spec = find(name, path, target)
                if spec is not None:
                    if spec.origin:
                        found.add(spec.origin)
                    found.update(spec.submodule_search_locations or ())
                    if name in _METADATA_MODULES and getattr(spec.loader, "exec_module", None):
                        watch(spec)
                    return spec
            if path is None:
                missing.add(name)
            return None

    for name in _METADATA_MODULES:
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, Finder)

    def dump():
        files = set(found)
        for module in list(sys.modules.values()):
            name = getattr(module, "__file__", None)
            if isinstance(name, str):
                files.add(name)
        data = {
            "files": sorted({os.path.realpath(f) for f in files if f not in ("built-in", "frozen")}),
            "missing": sorted(missing),
            "metadata": sorted({os.path.realpath(p) for p in metadata if p}),
            "everything": state["everything"] or "pkg_resources" in sys.modules,
            "prefixes": sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.base_exec_prefix)}),
            "opened": None if opened is None or None in opened else sorted({os.path.realpath(p) for p in list(opened)}),
        }
        with open(out, "w") as handle:
            json.dump(data, handle)

    atexit.register(dump)


def _start():
    out = os.environ.pop("PYBUILDPACK_USED_FILE", None)
    here = os.path.dirname(os.path.realpath(__file__))

    def ours(entry):
        return bool(entry) and os.path.realpath(entry) == here

    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if not ours(p)]
    if any(rest):
        os.environ["PYTHONPATH"] = os.pathsep.join(rest)
    else:
        os.environ.pop("PYTHONPATH", None)
    sys.path[:] = [p for p in sys.path if not ours(p)]
    if out:
        _record(out)
    # The Python's own sitecustomize, which this one hid.
    me = sys.modules.pop("sitecustomize", None)
    try:
        import sitecustomize  # noqa: F401
    except ImportError as exc:
        if exc.name != "sitecustomize":
            raise
        if me is not None:
            sys.modules["sitecustomize"] = me


_start()
