"""The web process under `pybuildpack start`: when it answers, when it died at start, what status we exit with."""

from __future__ import annotations

import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from pybuildpack import errors
from pybuildpack.platforms import local_serve

from .helpers import string_log


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, *args) -> None:
        pass


def test_a_port_answers_once_an_http_server_answers_any_status():
    server = HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.handle_request, daemon=True).start()
    try:
        assert local_serve.answers(server.server_address[1])
    finally:
        server.server_close()


def test_a_port_nothing_listens_on_does_not_answer():
    assert not local_serve.answers(free_port(), timeout=1)


def test_a_listener_that_never_speaks_http_does_not_answer():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not local_serve.answers(listener.getsockname()[1], timeout=0.5)


@pytest.mark.parametrize("code, stop, status", [
    (0, signal.SIGTERM, 0),                      # stopped cleanly on our signal
    (-signal.SIGTERM, signal.SIGTERM, 0),        # died of the signal it was sent
    (-signal.SIGINT, signal.SIGINT, 0),
    (1, signal.SIGTERM, 1),                      # failed while stopping: its status
    (3, None, 3),                                # exited on its own after serving
    (-signal.SIGKILL, None, 128 + signal.SIGKILL),
])
def test_exit_status_follows_the_process(code, stop, status):
    assert local_serve.exit_status(code, stop) == status


def test_a_process_that_exits_before_answering_fails_with_its_status_and_last_lines(tmp_path):
    script = "import sys; print('\\n'.join(f'line {n}' for n in range(30))); sys.exit(4)"
    with pytest.raises(errors.WebProcessExitedAtStart) as raised:
        local_serve.serve([sys.executable, "-c", script], {"PATH": "/usr/bin:/bin"}, str(tmp_path), free_port(),
                          "python worker.py", string_log())
    body = raised.value.body
    assert "`python worker.py` exited with status 4 before it answered on port" in body
    assert "    line 29" in body and "    line 10" in body and "    line 9\n" not in body


def test_a_process_that_serves_is_announced_and_its_status_returned(tmp_path):
    port = free_port()
    script = ("import http.server, sys\n"
              "class H(http.server.BaseHTTPRequestHandler):\n"
              "    def do_GET(self):\n"
              "        self.send_response(204); self.end_headers()\n"
              "    def log_message(self, *a): pass\n"
              f"s = http.server.HTTPServer(('127.0.0.1', {port}), H)\n"
              "s.handle_request(); sys.exit(7)\n")
    log = string_log()
    assert local_serve.serve([sys.executable, "-c", script], {"PATH": "/usr/bin:/bin"}, str(tmp_path), port,
                             "python server.py", log) == 7
    assert f"Serving on http://localhost:{port}" in log.stream.getvalue()
