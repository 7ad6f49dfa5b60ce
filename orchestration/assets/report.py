"""Beside the release: the data-quality report of the refresh, `<warehouse>/data_quality_report.md`.

Per document: the tables found, the facts published, the checks passed and failed, every finding and
every quarantined cell with its reason (orchestration/validation/report.py reads them from the
warehouse). It runs after dbt, in the UI and the schedule as in the CLI, so whoever refreshed can see
every problem a source has.

The report is written into the run's build (`.building/data_quality_report.md`) and becomes
`<warehouse>/data_quality_report.md` only when the whole run succeeds (orchestration/warehouse/build.py):
a failed or interrupted refresh leaves the previous report, never one of a half-built warehouse.
"""

from collections.abc import Sequence

import dagster as dg

from ..resources import DUCKDB_POOL, WarehouseResource

REPORT_ASSET_KEY = dg.AssetKey("data_quality_report")


def write_report(warehouse: WarehouseResource):
    """Write the report of the run's warehouse (read-only, a batch of documents at a time) where the run
    keeps it; return (its overview, the path it is published at)."""
    from ..publish.release import DEFAULT_MANIFEST
    from ..validation.report import write_report as write_report_file
    from ..warehouse.build_state import current_fingerprint, mark_done

    settings = warehouse.settings()
    database = warehouse.database_path()
    fingerprint = current_fingerprint(database, DEFAULT_MANIFEST)
    overview = write_report_file(database, warehouse.report_output_path(), previous=settings.report_path)
    mark_done(settings.warehouse_dir, "report", fingerprint)
    return overview, settings.report_path


def build_report_asset(upstream: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The report asset, downstream of every dbt model (it reads marts and intermediate tables)."""

    @dg.asset(
        key=REPORT_ASSET_KEY,
        deps=list(upstream),
        group_name="release",
        kinds={"markdown"},
        pool=DUCKDB_POOL,
        description="Per document: tables found, facts published, checks, findings and quarantined cells.",
    )
    def data_quality_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        report, path = write_report(warehouse)
        for line in report.summary_lines():
            context.log.info(line)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "summary": dg.MetadataValue.json(report.summary_lines()),
                "by_severity": dg.MetadataValue.json(report.counts_by_severity()),
            }
        )

    return data_quality_report
