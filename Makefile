# Two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: demo test lint typecheck pytest bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[oci,emulator]"
	touch $@

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	touch $@ $(RUNTIME_STAMP)

demo: $(RUNTIME_STAMP)
	$(PY) examples/notebook_04_oci_dac.py

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests examples benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict src tests benchmarks

# The servers the tests need (PostgreSQL, pgserver with pgvector) start here and stop on
# exit, also on failure or Ctrl-C; when they were already started (scripts/test-services.sh
# start), they are left running. A server that cannot start fails its tests with the reason.
pytest: $(STAMP)
	@if [ -f .test-services/env ]; then $(PY) -m pytest $(PYTEST_ARGS); else \
	  trap 'scripts/test-services.sh stop' EXIT; trap 'exit 130' INT TERM; \
	  PYTHON=$(PY) scripts/test-services.sh start || true; \
	  $(PY) -m pytest $(PYTEST_ARGS); fi

bench: $(STAMP)
	$(PY) -m benchmarks --json bench-results.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
