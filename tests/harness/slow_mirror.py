"""A slow mirror of the test runtimes: an HTTP server on 127.0.0.1 that sends
the first part of each file at once, then stalls, then sends the rest, as a
congested link does; and a downloads JSON that lists the runtimes there.

    with SlowMirror(downloads_json, head=4 << 20, stall=6.0) as mirror:
        mirror.downloads_json   # uv's format, every URL on the mirror, sha256s kept
        mirror.url              # a find-links page listing the runtimes and `extra` files
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Sequence
from urllib.parse import unquote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, mirror: "SlowMirror", **kwargs) -> None:
        self.mirror = mirror
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/":
            links = "".join(f'<a href="{html.escape(name)}">{html.escape(name)}</a>\n' for name in self.mirror.files)
            body = f"<html><body>\n{links}</body></html>\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)
            return
        path = self.mirror.files.get(self.path.lstrip("/"))
        if path is None:
            self.send_error(404)
            return
        self.mirror.requests.append(self.path)
        size = path.stat().st_size
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        with path.open("rb") as source:
            self.wfile.write(source.read(self.mirror.head))
            self.wfile.flush()
            time.sleep(self.mirror.stall)
            shutil.copyfileobj(source, self.wfile)

    def do_HEAD(self) -> None:  # noqa: N802 - uv asks a find-links file's size first
        path = self.mirror.files.get(self.path.lstrip("/"))
        if path is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(path.stat().st_size))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class SlowMirror:
    def __init__(self, downloads_json: Path, head: int, stall: float, extra: Sequence[Path] = ()) -> None:
        self.source = downloads_json
        self.head = head
        self.stall = stall
        self.files: dict = {path.name: path for path in extra}
        self.requests: list = []

    def __enter__(self) -> "SlowMirror":
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, mirror=self))
        self.server.daemon_threads = True
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = base + "/"
        listing = json.loads(self.source.read_text())
        for entry in listing.values():
            local = Path(unquote(urlsplit(entry["url"]).path))
            self.files[local.name] = local
            entry["url"] = f"{base}/{local.name}"
        self.scratch = Path(tempfile.mkdtemp(prefix="slow-mirror-"))
        self.downloads_json = self.scratch / "downloads.json"
        self.downloads_json.write_text(json.dumps(listing, indent=2))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.scratch, ignore_errors=True)
