"""The refresh job and its executor.

The job is the whole asset graph, checks included. Its executor is the Definitions' default:
Dagster's multiprocess executor, one process per step and as many at once as there are cores, so the
extraction steps (one per chunk of documents, no DuckDB) spread over every core, while the steps that
open DuckDB (tagged `cnbudget/duckdb`) run one at a time: DuckDB has a single writer. A cluster
executor (dagster-celery, dagster-docker, dagster-k8s) can be passed to `build_definitions(executor=…)`
instead: the job is the same, with the raw files on object storage (`CNBUDGET_RAW_LOCATION`). The CLI,
the UI, the schedule and the sensor all launch this same job.
"""

from __future__ import annotations

import os

import dagster as dg

from .assets.sources import DOCUMENT_ASSET_KEY
from .resources import DUCKDB_OP_TAGS, DUCKDB_TAG

REFRESH_JOB_NAME = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    # source_document is the per-document partitions' catalog, recorded by the extraction steps.
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(DOCUMENT_ASSET_KEY),
    description="Sources -> raw tables -> validation -> dbt models and tests -> release.",
)


def default_executor(max_concurrent: int | None = None) -> dg.ExecutorDefinition:
    """The multiprocess executor on every core, with one DuckDB step at a time."""
    return dg.multiprocess_executor.configured(
        {
            "max_concurrent": max_concurrent or os.cpu_count() or 1,
            "tag_concurrency_limits": [{"key": DUCKDB_TAG, "value": DUCKDB_OP_TAGS[DUCKDB_TAG], "limit": 1}],
            # Step processes forked from a server that has already imported the code and built the
            # definitions: a step starts in milliseconds instead of re-importing Dagster, dbt and the
            # asset graph (seconds each).
            "start_method": {"forkserver": {"preload_modules": ["orchestration.preload"]}},
        },
        name="cnbudget_multiprocess",
    )


def resolved_refresh_job() -> dg.JobDefinition:
    """The `refresh` job of the one Definitions, as `dg.reconstructable` needs it (a module-level
    function): the multiprocess executor's step processes load the same job through it."""
    from .definitions import build_definitions

    return build_definitions().resolve_job_def(REFRESH_JOB_NAME)
