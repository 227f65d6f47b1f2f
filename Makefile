# The two commands of the README: `make run` and `make test` (and `make lint`, which CI runs).
# Both create the virtual environment in .venv and install what they need.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint clean

run: $(VENV)/.installed-run
	$(BIN)/abm serve

# In parallel, one worker per core (docs/testing.md): a worker takes a whole test file, the
# end-to-end files first. PYTEST_WORKERS=0 runs in this one process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# Style (ruff), the import borders of docs/architecture.md (import-linter), types (mypy).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check abm tests workers bench migrations
	$(BIN)/lint-imports
	$(BIN)/mypy

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "abm needs Python 3.11 or newer on PATH (python3.11, python3.12, ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.installed-run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
