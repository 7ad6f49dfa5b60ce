# cnbudget — the two commands: `make run` and `make test` (plus `make ui` for the Dagster UI).
# A fresh clone needs only python3.11 and the package index: the virtualenv, the package with its
# extras and the dbt manifest are all prepared here.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PY_PATHS := orchestration tests benchmarks
# dbt reads its profile from the project folder; the DuckDB path comes from orchestration/settings.py.
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
# Only PyPI is reachable: no telemetry, no version checks.
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: run test ui lint validate-defs manifest setup bench clean

setup: $(STAMP)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "python3.11 not found; run: make PYTHON=/path/to/python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstalled when pyproject.toml changes (new dependency or extra).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# The dbt manifest dagster-dbt builds the asset graph from: `dbt parse`, prepared here, never at import.
# It is also the dbt project's lint: a model, test or YAML error stops the build here.
manifest: $(STAMP)
	$(BIN)/python -m orchestration.dbt_manifest

run: manifest
	$(BIN)/cnbudget refresh

lint: $(STAMP)
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)

# Dagster's own loader: the one Definitions loads and validates (schedule, sensor, checks, dbt assets).
validate-defs: manifest
	$(BIN)/dagster definitions validate -m orchestration.definitions

test: manifest lint validate-defs
	$(BIN)/python -m pytest -q

# The Dagster UI (webserver + daemon, so the schedule and the sensor run) on the same definitions.
# Runs are serialised (DuckDB has one writer): one run at a time, pool `duckdb_writer` limited to 1.
ui: manifest
	@mkdir -p $${DAGSTER_HOME:-$(CURDIR)/warehouse/.dagster}
	@home=$${DAGSTER_HOME:-$(CURDIR)/warehouse/.dagster}; [ -f $$home/dagster.yaml ] || printf '%s\n' \
	  'concurrency:' '  runs:' '    max_concurrent_runs: 1' '  pools:' '    default_limit: 1' \
	  'telemetry:' '  enabled: false' > $$home/dagster.yaml
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/warehouse/.dagster} $(BIN)/dagster dev -m orchestration.definitions

bench: $(STAMP)
	@for script in benchmarks/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache .ruff_cache
