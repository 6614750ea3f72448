# Kyoso — the two commands: `make demo` and `make test`. See README.md.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= kyoso.settings.demo
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: demo test install install-test serve lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install the package with its pinned dependencies (constraints.txt) and compile translations.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed
	$(BIN)/kyoso compile-translations

install-test: $(VENV)/.installed-test
	$(BIN)/kyoso compile-translations

# Install, migrate the embedded SQLite database (var/), load reference data and the sample
# region, then serve on http://127.0.0.1:$(PORT) with a background task worker.
demo: install
	$(BIN)/kyoso migrate --noinput
	$(BIN)/kyoso load-reference
	$(BIN)/kyoso demo
	@echo ""
	@echo "  Kyoso is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo "  Sample logins are listed above (also in var/demo-logins.txt)."
	@echo ""
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/kyoso db_worker >var/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/kyoso runserver 127.0.0.1:$(PORT)

# Install what the tests need and run the whole suite (unit, integration, browser).
# `lint` runs first, so any lint finding fails `make test` (and CI, .ci/run).
test: install-test lint
	DJANGO_SETTINGS_MODULE=kyoso.settings.test $(BIN)/python -m pytest

# Style and bug patterns (ruff), the import-direction contracts ([tool.importlinter] in pyproject.toml:
# domain/ imports no Django, apps import only downward) and strict typing of the domain/ packages (mypy).
lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy --strict $(wildcard src/kyoso/*/domain)

# Benchmarks quoted in the issues' closing notes.
# Every app declares its benchmarks in its manifest (kyoso.common.registry); `kyoso bench --list` lists them.
bench: install
	$(BIN)/kyoso bench

clean:
	rm -rf $(VENV) var .pytest_cache
