"""A Procfile with web and worker: each entry is a process type, run through bash -c."""

import pytest

pytestmark = pytest.mark.slow


def test_procfile_web_and_worker_become_processes_web_the_default(cnb, fixture_app):
    result = cnb.build(fixture_app("procfile"))
    assert result.ok, result.output
    assert "Added gunicorn" not in result.output
    assert "-----> Processes: web (default), worker" in result.output
    processes = {p["type"]: p for p in result.written["launch.toml"]["processes"]}
    assert processes["web"] == {"type": "web", "default": True,
                                "command": ["bash", "-c", "gunicorn --bind 0.0.0.0:$PORT service:app"]}
    assert processes["worker"] == {"type": "worker", "default": False,
                                   "command": ["bash", "-c", "python -c \"import service; print('worker ready')\""]}

    container = cnb.start()
    assert container.wait_until_serving("/").text == "Hello from the Procfile app"
    assert container.terminate() == 0
    worker = cnb.run(cnb.image.process("worker")["command"], process_type="worker")
    assert worker.stdout.strip() == "worker ready", worker
