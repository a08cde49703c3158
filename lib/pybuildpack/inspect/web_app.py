"""Find the app a web server should serve when there is no Procfile `web` line.

Everything is decided by reading the source with `ast`; nothing of the app is
imported at build time (its dependencies are not even installed yet). The
order, first match wins (`ORDER`, shown in the "No web process" warning):

1. an executable `app.sh` (run as it is);
2. a Django project: `ASGI_APPLICATION`, else `WSGI_APPLICATION`, else the
   project's `wsgi.py`/`asgi.py`, each checked to exist;
3. a PasteDeploy file, `paste.ini` or `production.ini` (Pyramid and friends);
4. a module-level app object (`app = Flask(__name__)`, `api = FastAPI()`,
   `def application(environ, start_response)`, ...) or an app factory
   (`def create_app(): ... return Flask(...)`) in the candidate files
   `FILES`, at the top of the app, then one level down in a package, then in
   `src/<package>/`;
5. last, one of those files that starts its own server (Tornado, aiohttp,
   `http.server`, ...), run with `python FILE`.

A file that neither defines an app nor starts a server is not a web process:
running it would exit at once and serve nothing.

Each finding is an `AppTarget` (or a command `Process`) with its origin
("main.py line 7") and notes: what was found, and what was left alone (a
development server started under `if __name__ == "__main__":`).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional, Union

from .. import errors
from .django import DjangoProject, module_file

if TYPE_CHECKING:   # processes.py imports this module
    from .processes import AppTarget, Process

# The files an app object is looked for in, in this order, at the top of the app
# and in each package one level down (where `__init__.py` comes last).
FILES = ("wsgi.py", "asgi.py", "app.py", "main.py", "application.py", "server.py")
PASTE_FILES = ("paste.ini", "production.ini")
# Names of app objects, most conventional first; any other module-level name
# bound to a framework's app counts too, after these.
APP_NAMES = ("application", "app", "api")
FACTORY_NAMES = ("create_app", "make_app", "build_app", "app_factory")
# Directories one level down that hold tests, docs or someone else's code, not the app.
SKIP_DIRS = {"tests", "test", "docs", "doc", "examples", "scripts", "migrations", "node_modules", "venv", "env",
             "site-packages", "staticfiles", "static", "templates", "build", "dist", "__pycache__", "src"}

ORDER = (
    "an executable app.sh",
    "a Django project (manage.py): its ASGI_APPLICATION or WSGI_APPLICATION",
    "a PasteDeploy file: " + " or ".join(PASTE_FILES),
    "an app object or app factory in " + ", ".join(FILES),
    "the same one level down in a package (app/main.py, app/__init__.py), then in src/<package>/",
    "a script that starts its own server (Tornado, aiohttp, http.server): " + ", ".join(FILES[2:]),
)
# What "an app object or app factory" means, for the warning.
APP_OBJECTS = ("An app object is a module-level name made by Flask(), FastAPI(), Starlette(), Litestar(),\n"
               "Quart(), Bottle(), falcon.App() or Pyramid's make_wsgi_app(), or a WSGI or ASGI function;\n"
               "a factory is create_app() or make_app() returning one; `app = get_application()` counts\n"
               "when the module's own get_application() makes and returns one.")

INTERFACE = {"wsgi": "WSGI", "asgi": "ASGI"}

# (top-level package, callable) -> (framework, interface): calls that make an app.
CONSTRUCTORS = {
    ("flask", "Flask"): ("Flask", "wsgi"),
    ("fastapi", "FastAPI"): ("FastAPI", "asgi"),
    ("starlette", "Starlette"): ("Starlette", "asgi"),
    ("litestar", "Litestar"): ("Litestar", "asgi"),
    ("quart", "Quart"): ("Quart", "asgi"),
    ("bottle", "Bottle"): ("Bottle", "wsgi"),
    ("bottle", "default_app"): ("Bottle", "wsgi"),
    ("falcon", "App"): ("Falcon", "wsgi"),
    ("falcon", "API"): ("Falcon", "wsgi"),
    ("django", "get_wsgi_application"): ("Django", "wsgi"),
    ("django", "get_asgi_application"): ("Django", "asgi"),
}
# Class names no one else uses, trusted even when their import is not seen (`from flask import *`).
_DISTINCT_NAMES = {"Flask", "FastAPI", "Starlette", "Litestar", "Quart", "Bottle"}
# `app = Flask(__name__)` (or `app: FastAPI = fastapi.FastAPI()`) as text, for a file ast cannot read.
_APP_LINE = re.compile(r"^(\w+)\s*(?::[^=]+)?=\s*(?:\w+\.)*(" + "|".join(sorted(_DISTINCT_NAMES)) + r")\(")
# What importing a package says about the module, when no constructor does.
IMPORTED = {
    "flask": ("Flask", "wsgi"), "fastapi": ("FastAPI", "asgi"), "starlette": ("Starlette", "asgi"),
    "litestar": ("Litestar", "asgi"), "quart": ("Quart", "asgi"), "bottle": ("Bottle", "wsgi"),
    "falcon": ("Falcon", "wsgi"), "pyramid": ("Pyramid", "wsgi"),
}
# The framework the dependencies name (inspect/framework.py's names) -> interface.
FRAMEWORK_INTERFACE = {
    "Django": "wsgi", "Flask": "wsgi", "Bottle": "wsgi", "Pyramid": "wsgi", "Falcon": "wsgi",
    "FastAPI": "asgi", "Starlette": "asgi", "Litestar": "asgi", "Quart": "asgi",
}
# Calls that start a server, by the last part of their dotted name:
# (what, one of these packages must be imported; none: any module).
SERVER_CALLS = {
    "serve_forever": ("http.server", ()),   # also socketserver, wsgiref, asyncio servers
    "run_app": ("aiohttp", ("aiohttp",)),
    "TCPSite": ("aiohttp", ("aiohttp",)),   # web.AppRunner + web.TCPSite(...).start()
    "listen": ("Tornado", ("tornado",)),
    "start": ("Tornado", ("tornado",)),     # IOLoop.current().start()
    "serve": ("a server", ("waitress", "hypercorn")),
    "run_simple": ("Werkzeug's development server", ("werkzeug",)),
}
DEV_RUNNERS = {"uvicorn": "uvicorn", "bottle": "Bottle's development server", "hypercorn": "hypercorn",
               "waitress": "waitress", "socketio": "Flask-SocketIO's development server"}


@dataclass(frozen=True)
class Found:
    """An app object or factory defined by a module."""

    name: str
    line: int
    kind: str                      # "object" or "factory"
    framework: Optional[str]
    interface: Optional[str]


@dataclass(frozen=True)
class ServerCall:
    """A call that starts a server: `context` is "import" (runs when the module
    is imported), "main" (under `if __name__ == "__main__":`) or "function"."""

    line: int
    what: str
    context: str


@dataclass
class ModuleScan:
    path: str                           # relative to the app
    module: str                         # dotted, importable from the chdir
    objects: dict = field(default_factory=dict)     # name -> Found, in source order
    subclasses: dict = field(default_factory=dict)  # class Application(FastAPI) -> (framework, interface)
    factories: dict = field(default_factory=dict)   # name -> Found
    # Module-level functions of any name that make an app and return it: a
    # module-level `app = get_application()` calling one is an app.
    makers: dict = field(default_factory=dict)      # name -> (framework, interface)
    imported: dict = field(default_factory=dict)    # local name -> (module, name, line), app names only
    servers: list = field(default_factory=list)     # ServerCall
    imports_framework: Optional[tuple] = None       # (framework, interface) from its imports
    reads_port: bool = False
    parsed: bool = True

    def best(self) -> Optional[Found]:
        """The app a server should load: an object, conventional names first, else a factory."""
        for name in APP_NAMES:
            if name in self.objects:
                return self.objects[name]
        if self.objects:
            return next(iter(self.objects.values()))
        for name in FACTORY_NAMES:
            if name in self.factories:
                return self.factories[name]
        return None


# -- reading one module ---------------------------------------------------------------------

def _imports(tree: ast.AST) -> dict:
    """Local name -> the dotted name it stands for."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST, imports: dict) -> Optional[str]:
    if isinstance(node, ast.Name):
        return imports.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, imports)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        base = _dotted(node.func, imports)
        return f"{base}()" if base else None
    return None


def _constructor(call: ast.Call, imports: dict, subclasses: Optional[dict] = None) -> Optional[tuple]:
    """(framework, interface) when `call` makes a framework's app (`subclasses`:
    the module's own subclasses of a framework's app class)."""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "make_wsgi_app":
        return ("Pyramid", "wsgi")   # Configurator(...).make_wsgi_app() or config.make_wsgi_app()
    if subclasses and isinstance(call.func, ast.Name) and call.func.id in subclasses:
        return subclasses[call.func.id]
    return _framework_class(call.func, imports)


def _framework_class(func: ast.AST, imports: dict) -> Optional[tuple]:
    """(framework, interface) when `func` names a framework's app class or app-making function."""
    dotted = _dotted(func, imports)
    if not dotted:
        return None
    parts = dotted.replace("()", "").split(".")
    top, last = parts[0], parts[-1]
    if top == "falcon" and last in ("App", "API"):
        return ("Falcon", "asgi" if "asgi" in parts else "wsgi")
    found = CONSTRUCTORS.get((top, last))
    if found is None and len(parts) == 1:
        # A bare name imported with `*` (or not at all): trust a framework's class name.
        found = next((v for (_, name), v in CONSTRUCTORS.items() if name == last and name in _DISTINCT_NAMES), None)
    return found


def _is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":`, either way round."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and consts)


def _module_statements(body: list) -> Iterator[ast.stmt]:
    """The statements that run when the module is imported, in order: the
    top level and the bodies of its `with`, `try` and `if` blocks (except
    `if __name__ == "__main__":`)."""
    for node in body:
        if _is_main_guard(node):
            continue
        yield node
        if isinstance(node, (ast.With, ast.AsyncWith)):
            yield from _module_statements(node.body)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                yield from _module_statements(block)
        elif isinstance(node, ast.If):
            yield from _module_statements(node.body)
            yield from _module_statements(node.orelse)


def _positional(function: ast.AST) -> list:
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args)]


def _required(function: ast.AST) -> int:
    args = function.args
    positional = len(args.posonlyargs) + len(args.args) - len(args.defaults)
    keyword_only = sum(1 for d in args.kw_defaults if d is None)
    return positional + keyword_only


def _returns_value(function: ast.AST) -> bool:
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(function))


def _maker(function: ast.AST, imports: dict, subclasses: dict) -> Optional[tuple]:
    """(framework, interface) when `function` returns an app: its return
    annotation names a framework's app class (`-> FastAPI`), or it returns
    an app it makes (`return FastAPI()`, or a name bound to one)."""
    if not _returns_value(function):
        return None
    returns = function.returns
    if isinstance(returns, ast.Name) and returns.id in subclasses:
        return subclasses[returns.id]
    if isinstance(returns, (ast.Name, ast.Attribute)):
        made = _framework_class(returns, imports)
        if made:
            return made
    bound = {}   # name -> what the function binds it to, when that is an app it makes
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            found = _constructor(node.value, imports, subclasses)
            for target in node.targets:
                if found and isinstance(target, ast.Name):
                    bound[target.id] = found
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Call):
                found = _constructor(node.value, imports, subclasses)
                if found:
                    return found
            elif isinstance(node.value, ast.Name) and node.value.id in bound:
                return bound[node.value.id]
    return None


def _factory(function: ast.AST, imports: dict, fallback: Optional[tuple], subclasses: dict) -> Optional[tuple]:
    """(framework, interface) when `function` is an app factory: callable with no
    arguments, and returning an app it makes (or, in a module that imports a
    framework, returning something)."""
    if _required(function) or not _returns_value(function):
        return None
    return _maker(function, imports, subclasses) or _made_in(function, imports, subclasses) or fallback


def _made_in(function: ast.AST, imports: dict, subclasses: dict) -> Optional[tuple]:
    """(framework, interface) of the first app `function` makes, whatever it returns."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            found = _constructor(node, imports, subclasses)
            if found:
                return found
    return None


def _calls(body: list, context: str) -> Iterator[tuple]:
    """(call, context, owner) for every call in `body`: the context is "import"
    or "main"; calls in a function or class are "function", with its name as owner."""
    for node in body:
        if _is_main_guard(node):
            for inner in node.body:
                for call in ast.walk(inner):
                    if isinstance(call, ast.Call):
                        yield call, "main", None
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for call in ast.walk(node):
                if isinstance(call, ast.Call):
                    yield call, "function", node.name
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _calls([child], context)
            else:
                for call in ast.walk(child):
                    if isinstance(call, ast.Call):
                        yield call, context, None


def _used_names(body: list) -> set:
    """The names module-level code (and `if __name__ == "__main__":`) refers to:
    a function that starts a server only counts when one of these calls it."""
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return names


def _server_call(call: ast.Call, imports: dict, scan: ModuleScan, packages: set) -> Optional[str]:
    """What server `call` starts, if it starts one."""
    func = call.func
    dotted = _dotted(func, imports) or ""
    top = dotted.split(".")[0]
    if isinstance(func, ast.Attribute) and func.attr == "run":
        receiver = func.value
        if isinstance(receiver, ast.Name) and receiver.id in scan.objects:
            framework = scan.objects[receiver.id].framework
            return f"{framework}'s development server" if framework else "a development server"
        if top in DEV_RUNNERS:
            return DEV_RUNNERS[top]
    if isinstance(func, ast.Name) and func.id == "run" and top == "bottle":
        return DEV_RUNNERS["bottle"]
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if last in SERVER_CALLS:
        what, needs = SERVER_CALLS[last]
        if not needs or any(package in packages for package in needs):
            if last == "start" and "IOLoop" not in dotted:
                return None
            return top if last == "serve" and top in needs else what
    return None


def scan_module(path: Path, relative: str, module: str) -> ModuleScan:
    """What `path` defines and starts, read with ast."""
    scan = ModuleScan(relative, module)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        scan.parsed = False
        return scan
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        # Newer syntax than the build's own Python reads, or a broken file: an
        # `app = Flask(__name__)` line is still an app.
        scan.parsed = False
        for number, line in enumerate(source.splitlines(), 1):
            match = _APP_LINE.match(line)
            if match and match.group(1) not in scan.objects:
                scan.objects[match.group(1)] = Found(match.group(1), number, "object",
                                                     *CONSTRUCTORS[(match.group(2).lower(), match.group(2))])
        return scan
    imports = _imports(tree)
    packages = {dotted.split(".")[0] for dotted in imports.values()}
    frameworks = [IMPORTED[p] for p in IMPORTED if p in packages]
    if "falcon" in packages and any(d.startswith("falcon.asgi") for d in imports.values()):
        frameworks = [("Falcon", "asgi") if f[0] == "Falcon" else f for f in frameworks]
    scan.imports_framework = frameworks[0] if len({f[1] for f in frameworks}) == 1 else None
    scan.reads_port = bool(re.search(r"""["']PORT["']""", source))

    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            made = next((m for m in (_framework_class(base, imports) for base in node.bases) if m), None)
            if made:
                scan.subclasses[node.name] = made
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in FACTORY_NAMES:
            made = _factory(node, imports, scan.imports_framework, scan.subclasses)
            if made:
                scan.factories[node.name] = Found(node.name, node.lineno, "factory", *made)
        elif isinstance(node, ast.FunctionDef):
            made = _maker(node, imports, scan.subclasses)
            if made:
                scan.makers[node.name] = made

    for node in _module_statements(tree.body):
        if isinstance(node, ast.FunctionDef) and node.name in APP_NAMES and len(_positional(node)) == 2:
            scan.objects[node.name] = Found(node.name, node.lineno, "object", None, "wsgi")
        elif isinstance(node, ast.AsyncFunctionDef) and node.name in APP_NAMES and len(_positional(node)) == 3:
            scan.objects[node.name] = Found(node.name, node.lineno, "object", None, "asgi")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                local = alias.asname or alias.name
                if local in APP_NAMES:
                    prefix = "." * node.level
                    scan.imported[local] = (prefix + (node.module or ""), alias.name, node.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            made = _app_value(node.value, scan, imports)
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                if made is not None:
                    scan.objects[target.id] = Found(target.id, node.lineno, "object", *made)
                else:
                    scan.objects.pop(target.id, None)   # rebound to something else
                    scan.imported.pop(target.id, None)

    used = _used_names(tree.body)
    for call, context, owner in _calls(tree.body, "import"):
        what = _server_call(call, imports, scan, packages)
        if what and (owner is None or owner in used):
            scan.servers.append(ServerCall(call.lineno, what, context))
    return scan


def _app_value(value: ast.AST, scan: ModuleScan, imports: dict) -> Optional[tuple]:
    """(framework, interface) -- either may be None -- when `value` is an app."""
    if isinstance(value, ast.Name):
        if value.id in scan.objects:       # application = app
            found = scan.objects[value.id]
            return found.framework, found.interface
        if value.id in scan.imported:
            return (None, None)
        return None
    if not isinstance(value, ast.Call):
        return None
    made = _constructor(value, imports, scan.subclasses)
    if made:
        return made
    func = value.func
    if isinstance(func, ast.Name) and func.id in scan.factories:
        found = scan.factories[func.id]
        return found.framework, found.interface
    if isinstance(func, ast.Name) and func.id in scan.makers:
        return scan.makers[func.id]          # app = get_application(), defined above
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in FACTORY_NAMES:
        return (None, None)                 # app = create_app(), the factory imported
    # A middleware wrapping an app: application = WhiteNoise(application).
    for arg in [*value.args, *[k.value for k in value.keywords]]:
        if isinstance(arg, ast.Name) and arg.id in scan.objects:
            found = scan.objects[arg.id]
            return found.framework, found.interface
    return None


# -- where to look -------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    path: Path
    relative: str
    module: str
    chdir: str


def _package_dirs(root: Path) -> list:
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []
    return [p for p in children if p.name not in SKIP_DIRS and not p.name.startswith((".", "_"))
            and p.name.isidentifier()]


def candidates(app_dir: Path) -> list:
    """The files an app is looked for in, in order, as lists per level: the top
    of the app, packages one level down, packages in src/."""
    top = [Candidate(app_dir / name, name, name[:-3], "") for name in FILES if (app_dir / name).is_file()]
    levels = [top]
    for base, chdir in ((app_dir, ""), (app_dir / "src", "src")):
        level = []
        for package in _package_dirs(base):
            for name in (*FILES, "__init__.py"):
                path = package / name
                if path.is_file():
                    module = package.name if name == "__init__.py" else f"{package.name}.{name[:-3]}"
                    level.append(Candidate(path, str(path.relative_to(app_dir)), module, chdir))
        levels.append(level)
    return levels


def _local_found(app_dir: Path, candidate: Candidate, module: str, name: str, depth: int) -> Optional[Found]:
    """What `name` is in the app's own module `module` (relative imports resolved), if it is an app."""
    if module.startswith("."):
        package = candidate.module.split(".")
        if not candidate.relative.endswith("__init__.py"):
            package = package[:-1]
        dots = len(module) - len(module.lstrip("."))
        package = package[:len(package) - (dots - 1)] if dots > 1 else package
        module = ".".join([*package, module.lstrip(".")]).strip(".")
    if not module:
        return None
    root = app_dir / candidate.chdir if candidate.chdir else app_dir
    path = module_file(root, module)
    if path is None:
        return None
    scan = _scan(app_dir, Candidate(path, str(path.relative_to(app_dir)), module, candidate.chdir), depth + 1)
    return scan.objects.get(name) or scan.factories.get(name)


def _scan(app_dir: Path, candidate: Candidate, depth: int = 0) -> ModuleScan:
    """scan_module, with names imported from the app's own modules looked up there."""
    scan = scan_module(candidate.path, candidate.relative, candidate.module)
    if depth < 2:
        for local, (module, name, _) in list(scan.imported.items()):
            if local in scan.objects:
                continue
            found = _local_found(app_dir, candidate, module, name, depth)
            if found is not None and found.kind == "object":
                scan.objects.setdefault(local, Found(local, scan.imported[local][2], "object",
                                                     found.framework, found.interface))
            elif candidate.relative.rsplit("/", 1)[-1] in ("wsgi.py", "asgi.py"):
                # wsgi.py / asgi.py exist to expose `application`: trust the convention.
                scan.objects.setdefault(local, Found(local, scan.imported[local][2], "object", None, None))
        # app = create_app() with create_app imported from the app: the factory's framework.
        for name, found in list(scan.objects.items()):
            if found.framework is None:
                scan.objects[name] = _framework_from_factory_call(app_dir, candidate, found, depth)
    return scan


def _parse(path: Path) -> Optional[ast.Module]:
    """`path` parsed, or None when it cannot be read or parsed."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _definition_line(path: Path, name: str) -> Optional[int]:
    """The line where module-level code last binds `name` (assignment, def or import), if any."""
    tree = _parse(path)
    if tree is None:
        return None
    line = None
    for node in _module_statements(tree.body):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets) \
                or isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name \
                or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name \
                or isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == name
                                                                          for a in node.names):
            line = node.lineno
    return line


def _assignment_call(tree: ast.Module, name: str) -> Optional[ast.Call]:
    for node in _module_statements(tree.body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    return None


def _framework_from_factory_call(app_dir: Path, candidate: Candidate, found: Found, depth: int) -> Found:
    tree = _parse(candidate.path)
    call = _assignment_call(tree, found.name) if tree is not None else None
    if call is None or not isinstance(call.func, ast.Name):
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == call.func.id for a in node.names):
            original = next(a.name for a in node.names if (a.asname or a.name) == call.func.id)
            made = _local_found(app_dir, candidate, "." * node.level + (node.module or ""), original, depth)
            if made is not None and made.framework:
                return Found(found.name, found.line, found.kind, made.framework, found.interface or made.interface)
    return found


# -- deciding ------------------------------------------------------------------------------

def _interface(found: Found, scan: ModuleScan, declared: Optional[str]) -> tuple:
    """(framework, interface): the constructor's, else the module's imports', else
    the dependencies' framework, else the file name's (asgi.py is ASGI)."""
    if found.interface:
        return found.framework, found.interface
    if scan.imports_framework:
        return scan.imports_framework
    if declared in FRAMEWORK_INTERFACE:
        return declared, FRAMEWORK_INTERFACE[declared]
    return None, "asgi" if scan.path.rsplit("/", 1)[-1] == "asgi.py" else "wsgi"


def _describe(found: Found, framework: Optional[str], interface: str) -> str:
    kind = INTERFACE[interface]
    if found.kind == "factory":
        what = f"{framework} app factory" if framework else f"{kind} app factory"
        return f"App: {what} `{found.name}()`, called once per worker ({kind})"
    if framework is None:
        return f"App: {kind} callable `{found.name}`"
    return f"App: {framework} app `{found.name}` ({kind})"


def _dev_server_notes(scan: ModuleScan, found: Found) -> tuple:
    notes = []
    for call in scan.servers:
        where = 'under `if __name__ == "__main__":`' if call.context == "main" else "inside a function"
        notes.append(f"Note: {scan.path} line {call.line} starts {call.what} {where}; left alone: "
                     f"a production server serves `{found.name}` instead")
    return tuple(notes)


def _app_target(scan: ModuleScan, candidate: Candidate, found: Found, declared: Optional[str]) -> "AppTarget":
    from .processes import AppTarget

    framework, interface = _interface(found, scan, declared)
    notes = (_describe(found, framework, interface), *_dev_server_notes(scan, found))
    if not scan.parsed:
        notes += (f"Note: {scan.path} could not be parsed by Python {sys.version_info[0]}.{sys.version_info[1]} "
                  f"(the build's); `{found.name}` was found by its text",)
    return AppTarget(interface, f"{candidate.module}:{found.name}", candidate.chdir,
                     f"{candidate.relative} line {found.line}", kind=found.kind, framework=framework,
                     notes=notes)


def _script(scan: ModuleScan) -> "Process":
    from .processes import Process

    first = scan.servers[0]
    notes = [f"App: a script that starts its own server ({first.what})"]
    found = scan.best()
    if found is not None and first.context == "import":
        notes.append(f"Note: {scan.path} line {first.line} starts {first.what} when the module is imported, "
                     f"so a production server cannot load `{found.name}`; put that call under "
                     '`if __name__ == "__main__":` to have one serve it')
    if not scan.reads_port:
        notes.append(f"Note: {scan.path} does not read PORT; the platform sends requests to $PORT only")
    return Process("web", f"python {scan.path}", f"{scan.path} line {first.line}", ("python", scan.path),
                   notes=tuple(notes))


def _paste(app_dir: Path, declared: Optional[str]) -> Optional["AppTarget"]:
    from .processes import AppTarget

    for name in PASTE_FILES:
        path = app_dir / name
        if not path.is_file():
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        section = next((n for n, line in enumerate(lines, 1)
                        if re.match(r"^\s*\[(app|pipeline|composite):main\]\s*$", line)), None)
        if section is None:
            continue
        text = "\n".join(lines).lower()
        framework = "Pyramid" if "pyramid" in text or declared == "Pyramid" else declared
        framework = framework if FRAMEWORK_INTERFACE.get(framework or "") == "wsgi" else None
        return AppTarget("wsgi", name, "", f"{name} line {section}", kind="paste", framework=framework,
                         notes=(f"App: a PasteDeploy app, [{lines[section - 1].strip()[1:-1]}]"
                                f"{' (' + framework + ', WSGI)' if framework else ' (WSGI)'}",))
    return None


def _django(app_dir: Path, django: DjangoProject) -> "AppTarget":
    from .processes import AppTarget

    root = app_dir / django.manage_dir if django.manage_dir else app_dir
    package = django.settings_module.rsplit(".", 1)[0] if "." in django.settings_module else ""
    settings = django.settings_file or django.settings_module

    def exists(dotted: str) -> bool:
        return module_file(root, dotted.rpartition(".")[0]) is not None

    def target(interface: str, dotted: str, origin: str, notes: tuple = ()) -> AppTarget:
        module, _, attribute = dotted.rpartition(".")
        return AppTarget(interface, f"{module}:{attribute}", django.manage_dir, origin, framework="Django",
                         notes=(f"App: Django's {INTERFACE[interface]} application `{dotted}`", *notes))

    def found_in(dotted: str) -> str:
        """Where the project's own module assigns the application: "mysite/asgi.py line 16"."""
        module, _, attribute = dotted.rpartition(".")
        path = module_file(root, module)
        line = _definition_line(path, attribute) if path else None
        where = str(path.relative_to(app_dir)) if path else django.manage_py
        return f"{where} line {line}" if line else f"Django project at {django.manage_py}"

    defaults = {kind: f"{package}.{kind}.application" if package else f"{kind}.application"
                for kind in ("wsgi", "asgi")}
    if django.asgi_application:
        origin = f"ASGI_APPLICATION in {settings} line {django.asgi_line}"
        if not exists(django.asgi_application):
            raise errors.DjangoApplicationMissing("ASGI_APPLICATION", django.asgi_application, settings,
                                                  django.asgi_line, django.manage_dir)
        return target("asgi", django.asgi_application, origin)
    if django.wsgi_application:
        origin = f"WSGI_APPLICATION in {settings} line {django.wsgi_line}"
        if exists(django.wsgi_application):
            return target("wsgi", django.wsgi_application, origin)
        if exists(defaults["asgi"]):
            return target("asgi", defaults["asgi"], found_in(defaults["asgi"]),
                          (f"Note: WSGI_APPLICATION in {settings} line {django.wsgi_line} names "
                           f"{django.wsgi_application}, which does not exist; {defaults['asgi']} does",))
        raise errors.DjangoApplicationMissing("WSGI_APPLICATION", django.wsgi_application, settings,
                                              django.wsgi_line, django.manage_dir)
    if not exists(defaults["wsgi"]) and exists(defaults["asgi"]):
        return target("asgi", defaults["asgi"], found_in(defaults["asgi"]))
    return target("wsgi", defaults["wsgi"], found_in(defaults["wsgi"]))


def find_web_app(app_dir: Path, django: Optional[DjangoProject],
                 declared: Optional[str] = None) -> Union["AppTarget", "Process", None]:
    """The app to serve (an AppTarget), a script to run (a Process), or None,
    following ORDER after app.sh. `declared` is the framework the
    dependencies name (inspect/framework.py), used to classify an app whose
    own source does not say."""
    if django is not None:
        return _django(app_dir, django)
    paste = _paste(app_dir, declared)
    if paste is not None:
        return paste
    scripts = []
    for depth, level in enumerate(candidates(app_dir)):
        chosen, chosen_package, others, noted = None, None, [], []
        for candidate in level:
            scan = _scan(app_dir, candidate)
            found = scan.best()
            if any(call.context == "import" for call in scan.servers):
                scripts.append(scan)   # importing it starts a server: only `python FILE` can run it
                continue
            if found is None:
                if scan.servers:
                    scripts.append(scan)
                continue
            package = candidate.module.split(".")[0]
            if chosen is None:
                chosen, chosen_package = _app_target(scan, candidate, found, declared), package
            elif depth and package not in (chosen_package, *noted):
                # Another package one level down has an app too: say which one was not chosen.
                noted.append(package)
                others.append(f"{candidate.module}:{found.name}")
        if chosen is not None:
            if others:
                chosen = replace(chosen, notes=chosen.notes + (
                    f"Note: also found {', '.join(others)}; a Procfile `web` line can choose another",))
            return chosen
    for scan in scripts:
        if "/" not in scan.path and scan.path in FILES[2:]:
            return _script(scan)
    return None


# -- when nothing is found -----------------------------------------------------------------

EXAMPLES = {
    "Django": "web: gunicorn myproject.wsgi",
    "Flask": "web: gunicorn app:app",
    "Bottle": "web: gunicorn app:app",
    "Falcon": "web: gunicorn app:app",
    "Pyramid": "web: gunicorn --paste production.ini",
    "FastAPI": "web: uvicorn main:app --host 0.0.0.0 --port $PORT",
    "Starlette": "web: uvicorn main:app --host 0.0.0.0 --port $PORT",
    "Litestar": "web: uvicorn main:app --host 0.0.0.0 --port $PORT",
    "Quart": "web: uvicorn main:app --host 0.0.0.0 --port $PORT",
    "Sanic": "web: sanic main:app --host 0.0.0.0 --port $PORT",
    "aiohttp": "web: python -m aiohttp.web -H 0.0.0.0 -P $PORT main:init_app",
    "Tornado": "web: python app.py",
}


def procfile_line(target: str, interface: str, kind: str = "object") -> str:
    """A Procfile web line serving `target` with the default server of its interface."""
    if interface == "asgi":
        factory = " --factory" if kind == "factory" else ""
        return f"web: uvicorn {target}{factory} --host 0.0.0.0 --port $PORT"
    return f"web: gunicorn '{target}()'" if kind == "factory" else f"web: gunicorn {target}"


def no_web_hint(app_dir: Path, declared: Optional[str]) -> tuple:
    """(what the build saw, a ready Procfile line, or None) for the warning when
    no web process was found: an app in a file the order does not look in, a
    candidate file that defines nothing, else an example for the framework the
    dependencies name."""
    seen = []
    for level in candidates(app_dir):
        for candidate in level:
            scan = _scan(app_dir, candidate)
            if not scan.parsed:
                seen.append(f"{candidate.relative} could not be parsed as Python")
            elif scan.best() is None and not scan.servers and "/" not in candidate.relative:
                seen.append(f"{candidate.relative} neither defines an app object or factory nor starts a server")
    try:
        others = sorted(p for p in app_dir.glob("*.py") if p.name not in FILES)[:50]
    except OSError:
        others = []
    for path in others:
        candidate = Candidate(path, path.name, path.stem, "")
        scan = _scan(app_dir, candidate)
        found = scan.best()
        if found is not None and path.stem.isidentifier():
            framework, interface = _interface(found, scan, declared)
            what = f"a {framework} app" if framework else f"a {INTERFACE[interface]} app"
            kind = "factory" if found.kind == "factory" else "object"
            seen.append(f"{path.name} line {found.line} defines {what}, `{found.name}`, in a file not looked in")
            return tuple(seen), procfile_line(f"{path.stem}:{found.name}", interface, kind)
    return tuple(seen), EXAMPLES.get(declared or "")


def classify(app_dir: Path, module: str, attribute: str, declared: Optional[str]) -> tuple:
    """(framework, interface, line) of `module:attribute`, an app target the
    user named (OpenShift's APP_MODULE), read from the module's source as the
    finder reads its candidates. A module or name the source does not show is
    classified by the dependencies' framework, else as WSGI; line is then None."""
    for chdir in ("", "src"):
        path = module_file(app_dir / chdir if chdir else app_dir, module)
        if path is None:
            continue
        candidate = Candidate(path, str(path.relative_to(app_dir)), module, chdir)
        scan = _scan(app_dir, candidate)
        found = scan.objects.get(attribute) or scan.factories.get(attribute)
        if found is not None:
            framework, interface = _interface(found, scan, declared)
            return framework, interface, found.line
        if scan.imports_framework:
            return (*scan.imports_framework, None)
        break
    if declared in FRAMEWORK_INTERFACE:
        return declared, FRAMEWORK_INTERFACE[declared], None
    return None, "wsgi", None
