# cnbudget — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT_DIR := dbt_project
# dbt needs a profile and a database path; both come from the one setting in orchestration/settings.py.
export DBT_PROFILES_DIR := $(CURDIR)/$(DBT_DIR)

.PHONY: run test ui lint manifest clean setup bench

setup: $(STAMP)

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "python3.11 not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# The dbt manifest that dagster-dbt reads is prepared here, by the build, never at import.
manifest: $(STAMP)
	$(BIN)/python -m orchestration.dbt_manifest

run: manifest
	$(BIN)/cnbudget refresh

lint: $(STAMP)
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks

test: manifest lint
	$(BIN)/python -m pytest -q

ui: manifest
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/warehouse/.dagster} $(BIN)/dagster dev -m orchestration.definitions

bench: $(STAMP)
	$(BIN)/python benchmarks/extraction_speed.py

clean:
	rm -rf $(DBT_DIR)/target $(DBT_DIR)/logs .pytest_cache .ruff_cache
