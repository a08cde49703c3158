# make test   installs what the tests need (apt packages, the dev virtualenv) and runs them.
# make lock   regenerates the hash-pinned locks of the buildpack's own tools (lib/pybuildpack/locks/).
# make bench  runs the build-speed benchmarks (benchmarks/run.py) and prints a table.
# make bench-serve  drives the default web process and hand-tuned servers with wrk
#             (benchmarks/serve.py) and prints a table; BENCH_SERVE_ARGS passes options.

PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv

.PHONY: test test-unit test-integration setup lock clean bench bench-serve

test: setup
	$(VENV)/bin/pytest -n 3

test-unit: setup
	$(VENV)/bin/pytest tests/unit

test-integration: setup
	$(VENV)/bin/pytest tests/integration

setup: $(VENV)/.ready
	@scripts/install-test-deps

$(VENV)/.ready: requirements/dev.in requirements/tools.in requirements/pip-tools.in
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.in
	touch $@

lock: setup
	$(UV) pip compile --universal --python-version 3.9 --generate-hashes requirements/tools.in -o lib/pybuildpack/locks/tools.txt
	$(UV) pip compile --universal --python-version 3.9 --generate-hashes requirements/pip-tools.in -o lib/pybuildpack/locks/pip-tools.txt

bench: setup
	$(VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

bench-serve: setup
	$(VENV)/bin/python benchmarks/serve.py $(BENCH_SERVE_ARGS)

clean:
	rm -rf $(VENV) tests/artifacts
