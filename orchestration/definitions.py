"""The one Dagster `Definitions` of cnbudget, assembled here and nowhere else.

Stages, as the asset graph shows them: source documents -> extracted raw tables -> validation
checks -> dbt models (dbt tests as asset checks) -> release (and, beside it, the data-quality report). The CLI (`cnbudget refresh`), the UI
(`make ui`), the daily schedule and the sources sensor all run the `refresh` job defined here.

Loading is lazy: `defs` is a `@dg.definitions` function that Dagster calls when it loads the code
location, and `build_definitions()` is cached, so importing this module builds nothing, reads no
manifest, runs no dbt command and opens no database.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import dagster as dg

from .assets.dbt import build_dbt_assets
from .assets.extraction import build_raw_tables_asset
from .assets.release import build_release_asset
from .assets.report import build_report_asset
from .assets.sources import source_document, source_documents
from .checks import build_raw_table_checks
from .jobs import default_executor, refresh_job
from .resources import WarehouseResource, dbt_cli_resource
from .run_scope import run_scoped
from .schedules import daily_refresh_schedule
from .sensors import sources_changed_sensor
from .settings import DBT_PROJECT_DIR


@cache
def build_definitions(
    dbt_project_dir: Path = DBT_PROJECT_DIR, executor: dg.ExecutorDefinition | None = None
) -> dg.Definitions:
    """`executor`: the refresh job's executor; default the multiprocess executor on every core. A
    cluster executor (dagster-celery, dagster-docker, dagster-k8s) runs the same job on other machines,
    the raw files then on object storage (CNBUDGET_RAW_LOCATION)."""
    dbt_models = build_dbt_assets(dbt_project_dir)
    return dg.Definitions(
        assets=[
            source_documents,
            source_document,
            build_raw_tables_asset(),
            dbt_models,
            build_report_asset(sorted(dbt_models.keys)),
            build_release_asset(sorted(dbt_models.keys)),
        ],
        asset_checks=list(build_raw_table_checks()),
        jobs=[refresh_job],
        schedules=[daily_refresh_schedule],
        sensors=[sources_changed_sensor],
        # Whatever the executor, one run is one refresh: lock, private build, swap on success.
        executor=run_scoped(executor or default_executor()),
        resources={
            # Paths are decided per run by Settings (CLI arguments, CNBUDGET_* variables, defaults).
            "warehouse": WarehouseResource(),
            "dbt": dbt_cli_resource(dbt_project_dir),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
