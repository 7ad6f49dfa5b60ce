"""The refresh job: the whole asset graph, checks included, in one process.

Steps run one after the other in the run's process: DuckDB has a single writer, the documents are
small, and the dbt step is one `dbt build` whatever the executor. The CLI, the UI, the schedule and
the sensor all launch this same job.
"""

from __future__ import annotations

import dagster as dg

REFRESH_JOB_NAME = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Sources -> raw tables -> validation -> dbt models and tests -> release.",
)
