"""A private package index for tests: PEP 503 pages behind HTTP basic auth.

It serves wheels made here (one module each, no build backend needed) on
127.0.0.1, and answers 401 to any request without the right credentials, as a
private index (Gemfury, CodeArtifact, Artifactory) does.

    with PrivateIndex({"greeting-lib": "WORD = 'hi'"}) as index:
        index.url        # http://127.0.0.1:PORT/simple/
        index.requests   # the paths asked for, with whether they were authorised
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import shutil
import tempfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Mapping

USERNAME = "deploy"
PASSWORD = "s3cr3t-index-password"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def make_wheel(directory: Path, name: str, version: str, module_source: str) -> Path:
    """A pure-Python wheel of `name` whose one module holds `module_source`."""
    module = normalize(name).replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": module_source,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: pybuildpack-tests\nRoot-Is-Purelib: true\n"
                              "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return wheel


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, index: "PrivateIndex", **kwargs) -> None:
        self.index = index
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        authorised = self.headers.get("Authorization") == expected
        self.index.requests.append((self.path, authorised))
        if not authorised:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="private"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


class PrivateIndex:
    def __init__(self, packages: Mapping[str, str], version: str = "1.0.0") -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pybuildpack-index-"))
        self.requests: list = []
        (self.root / "files").mkdir()
        for name, source in packages.items():
            # A line unique to this index makes each index's wheel a different
            # file: an identical one, downloaded by another test into the shared
            # installer cache, would be installed without a request to this index.
            source += f"\n# built for {self.root.name}\n"
            wheel = make_wheel(self.root / "files", name, version, source)
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            page = self.root / "simple" / normalize(name)
            page.mkdir(parents=True)
            (page / "index.html").write_text(
                f'<html><body><a href="../../files/{html.escape(wheel.name)}#sha256={digest}">'
                f"{html.escape(wheel.name)}</a></body></html>\n")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, index=self, directory=str(self.root)))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"

    def __enter__(self) -> "PrivateIndex":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.root, ignore_errors=True)
