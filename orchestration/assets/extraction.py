"""Stage 2, extracted raw tables: every document of the folder into DuckDB schema `raw`.

One multi-asset writes all raw tables in one transaction (they are one consistent snapshot of the
folder), and shows each as its own asset `raw/<table>`: those keys are the dbt sources' keys, so
the dbt models hang under the tables they read in the asset graph.
"""

from collections import Counter
from functools import cache

import dagster as dg

from ..resources import DUCKDB_POOL, WarehouseResource
from ..warehouse.raw_schema import RAW_SCHEMA, all_raw_tables
from .sources import SOURCES_ASSET_KEY


def raw_asset_key(table: str) -> dg.AssetKey:
    """The key dagster-dbt gives the dbt source `raw.<table>`."""
    return dg.AssetKey([RAW_SCHEMA, table])


def summarise_extractions(extractions) -> dict[str, object]:
    """What the run extracted, in the numbers the CLI summary and the asset metadata show."""
    documents = [extraction.document for extraction in extractions]
    tables = [table for extraction in extractions for table in extraction.tables]
    issues = [issue for extraction in extractions for issue in extraction.issues]
    return {
        "documents": len(documents),
        "unreadable_documents": sorted(d["source_name"] for d in documents if d.get("status") != "read"),
        "tables_found": len(tables),
        "tables_recognised": sum(1 for table in tables if table.get("status") == "recognised"),
        "cells": sum(len(extraction.cells) for extraction in extractions),
        "quarantined_cells": sum(len(extraction.quarantine) for extraction in extractions),
        "issues_by_severity": dict(sorted(Counter(issue["severity"] for issue in issues).items())),
    }


def _table_metadata(table: str, rows: int, summary: dict[str, object]) -> dict[str, object]:
    metadata: dict[str, object] = {"dagster/row_count": rows}
    if table == "documents":
        metadata["unreadable"] = dg.MetadataValue.json(summary["unreadable_documents"])
    elif table == "tables":
        metadata["recognised"] = summary["tables_recognised"]
    elif table == "dq_issue":
        metadata["by_severity"] = dg.MetadataValue.json(summary["issues_by_severity"])
    return metadata


@cache
def build_raw_tables_asset() -> dg.AssetsDefinition:
    """The extraction multi-asset; built on demand so that importing this module does nothing."""
    tables = list(all_raw_tables())
    specs = [
        dg.AssetSpec(
            raw_asset_key(table),
            deps=[SOURCES_ASSET_KEY],
            group_name="raw",
            kinds={"duckdb", "python"},
            description=f"DuckDB table {RAW_SCHEMA}.{table}, rebuilt whole from the sources folder.",
        )
        for table in tables
    ]

    @dg.multi_asset(name="extracted_raw_tables", specs=specs, pool=DUCKDB_POOL, can_subset=False)
    def extracted_raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        """Read every document, recognise its tables, and replace the raw tables in one transaction."""
        from ..extract.pipeline import extract_sources
        from ..validation.report import not_read_line
        from ..warehouse.load import write_raw

        settings = warehouse.settings()
        extractions = extract_sources(settings.sources_dir)
        summary = summarise_extractions(extractions)
        for extraction in extractions:
            document = extraction.document
            if document.get("status") != "read":
                line = not_read_line(document["source_name"], document["status"], document.get("error"))
                context.log.warning(f"{line}; the other documents go on")
        with warehouse.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                counts = write_raw(con, extractions)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        context.log.info(f"extraction: {summary}")
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(table),
                metadata=_table_metadata(table, counts.get(table, 0), summary),
            )

    return extracted_raw_tables
