"""Serve a Django app's collected static files from its ASGI process.

The ASGI counterpart of `static.py` (WhiteNoise for WSGI), with the same rules:
the app is wrapped only when DJANGO_SETTINGS_MODULE is set, STATIC_ROOT exists,
STATIC_URL is local (not a CDN) and the app does not use WhiteNoise's middleware
already. Files under STATIC_ROOT are answered at STATIC_URL; every other request,
and lifespan and websocket scopes, go to the app unchanged.

What a response carries: the type from the file name, Content-Length,
Last-Modified and an ETag (answered with 304 when the client has them),
`Cache-Control: public, max-age=31536000, immutable` for hashed names
(name.0123456789ab.css, as Django's manifest storage writes them) and a short
max-age for others, a pre-compressed `.br` or `.gz` sibling when the client
accepts it (with `Vary: Accept-Encoding`). GET and HEAD only; a path that
leaves STATIC_ROOT is never served. Files are read in a thread, so a slow
disk never blocks the event loop. Standard library only.
"""

import asyncio
import email.utils
import mimetypes
import os
import re
import stat

_HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
SHORT_MAX_AGE = 60
LONG_MAX_AGE = 31536000
CHUNK = 64 * 1024
# Encodings we look for next to a file, best first: (Content-Encoding, suffix).
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
_EXTRA_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
                ".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2",
                ".json": "application/json", ".webp": "image/webp", ".map": "application/json",
                ".wasm": "application/wasm", ".ico": "image/x-icon", ".txt": "text/plain"}


def is_hashed(path: str) -> bool:
    return bool(_HASHED.search(path))


def content_type(path: str) -> str:
    extension = os.path.splitext(path)[1].lower()
    found = _EXTRA_TYPES.get(extension) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if found.startswith("text/") or found in ("application/json", "image/svg+xml"):
        found += "; charset=utf-8"
    return found


def _accepts(header: str, coding: str) -> bool:
    """Whether an Accept-Encoding value allows `coding` (q=0 refuses it)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in (coding, "*"):
            quality = params.strip()
            if quality.startswith("q="):
                try:
                    return float(quality[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


class StaticFiles:
    """An ASGI app serving `root` under the URL `prefix` ("/static/"), passing
    everything else to `app`."""

    def __init__(self, app, root: str, prefix: str, short_max_age: int = SHORT_MAX_AGE) -> None:
        self.app = app
        self.root = os.path.realpath(root)
        self.prefix = "/" + prefix.strip("/") + "/"
        self.short_max_age = short_max_age

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        found = await asyncio.get_running_loop().run_in_executor(None, self._find, scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, [(b"allow", b"GET, HEAD"), (b"content-length", b"0")])
            return
        path, size, headers, not_modified = found
        if not_modified:
            await _respond(send, 304, [h for h in headers if h[0] != b"content-length"])
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if scope["method"] == "HEAD" or size == 0:
            await send({"type": "http.response.body", "body": b""})
            return
        await _send_file(send, path, size)

    def _find(self, scope):
        """(file to send, its size, response headers, whether 304) or None
        when the path names no file under root. Runs in a thread."""
        relative = scope["path"][len(self.prefix):]   # the server has percent-decoded it
        if not relative or "\x00" in relative or "\\" in relative:
            return None
        parts = relative.split("/")
        if any(part in ("", ".", "..") for part in parts):
            return None
        path = os.path.realpath(os.path.join(self.root, *parts))
        if not path.startswith(self.root + os.sep):
            return None   # a symlink or a trick pointing out of STATIC_ROOT
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        request = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
        sent, encoding = path, None
        for coding, suffix in ENCODINGS:
            if _accepts(request.get("accept-encoding", ""), coding):
                try:
                    compressed = os.stat(path + suffix)
                except OSError:
                    continue
                if stat.S_ISREG(compressed.st_mode):
                    sent, encoding, info_sent = path + suffix, coding, compressed
                    break
        else:
            info_sent = info
        etag = f'"{int(info.st_mtime):x}-{info.st_size:x}{"-" + encoding if encoding else ""}"'
        last_modified = email.utils.formatdate(info.st_mtime, usegmt=True)
        max_age = LONG_MAX_AGE if is_hashed(relative) else self.short_max_age
        cache = f"public, max-age={max_age}" + (", immutable" if max_age == LONG_MAX_AGE else "")
        headers = [
            (b"content-type", content_type(path).encode()),
            (b"content-length", str(info_sent.st_size).encode()),
            (b"last-modified", last_modified.encode()),
            (b"etag", etag.encode()),
            (b"cache-control", cache.encode()),
            (b"vary", b"Accept-Encoding"),
        ]
        if encoding:
            headers.append((b"content-encoding", encoding.encode()))
        return sent, info_sent.st_size, headers, _not_modified(request, etag, info.st_mtime)


def _not_modified(request: dict, etag: str, mtime: float) -> bool:
    if "if-none-match" in request:
        tags = [tag.strip() for tag in request["if-none-match"].split(",")]
        return "*" in tags or etag in tags or ("W/" + etag) in tags
    since = request.get("if-modified-since")
    if since:
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


async def _respond(send, status: int, headers: list) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _send_file(send, path: str, size: int) -> None:
    loop = asyncio.get_running_loop()
    handle = await loop.run_in_executor(None, open, path, "rb")
    try:
        remaining = size
        while remaining > 0:
            chunk = await loop.run_in_executor(None, handle.read, min(CHUNK, remaining))
            if not chunk:
                break   # the file shrank under us: end the body as it is
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
        if remaining > 0:
            await send({"type": "http.response.body", "body": b""})
    finally:
        handle.close()


def wrap(application):
    """`application` serving Django's collected static files, when the rules
    above allow it; else `application` itself."""
    from pybuildpack_launch.static import django_static_location

    location = django_static_location()
    if location is None:
        return application
    prefix, root = location
    return StaticFiles(application, root, prefix)
