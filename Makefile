# make test   installs what the tests need (apt packages, the dev virtualenv) and runs them.
# make lock   regenerates the hash-pinned lock of the buildpack's own tools.

PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv

.PHONY: test test-unit test-integration setup lock clean

test: setup
	$(VENV)/bin/pytest -n 2

test-unit: setup
	$(VENV)/bin/pytest tests/unit

test-integration: setup
	$(VENV)/bin/pytest tests/integration

setup: $(VENV)/.ready
	@scripts/install-test-deps

$(VENV)/.ready: requirements/dev.in requirements/tools.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.in
	touch $@

lock: setup
	$(UV) pip compile --universal --python-version 3.9 --generate-hashes requirements/tools.in -o requirements/tools.txt

clean:
	rm -rf $(VENV) tests/artifacts
