"""Stage 3, validation: a blocking pandera check on every raw table, before dbt reads it.

The rows are validated where they are extracted, a chunk of documents at a time, and each document's
marker keeps its failures (extract/incremental.py); the check of a table gathers them, so it never
loads a whole raw table into memory.

An error-level failure blocks the dbt models (they must not build on rows that break the raw
tables' promises) and the failing rows are in the check's metadata, each with the document, table,
row and line it comes from; warnings are reported the same way and block nothing.
"""

from functools import cache

import dagster as dg
import pandas as pd
import pyarrow as pa

from .assets.extraction import raw_asset_key
from .resources import WarehouseResource
from .validation.schemas import ValidationOutcome
from .warehouse.raw_schema import RAW_SCHEMA, all_raw_tables

CHECK_NAME = "pandera_schema"
# Failing rows kept in the metadata (the count is always complete).
MAX_FAILING_ROWS = 200


def _pandas_type(arrow_type: pa.DataType):
    """Nullable pandas types, so a NULL integer stays an integer and a Decimal stays a Decimal."""
    if (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
    ):
        return pd.StringDtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None  # decimals become Python Decimals (object), never floats


def read_raw_table(con, table: str) -> pd.DataFrame:
    """The whole raw table, in a stable order, with money as Decimal."""
    arrow_table = con.sql(f"SELECT * FROM {RAW_SCHEMA}.{table} ORDER BY ALL").to_arrow_table()
    return arrow_table.to_pandas(types_mapper=_pandas_type)


def name_documents(con, outcome: ValidationOutcome) -> None:
    """Add the document's file name to each failure, so a reader can open the document it comes from."""
    failures = [*outcome.errors, *outcome.warnings]
    if not any("document_key" in failure for failure in failures):
        return
    names = dict(con.sql(f"SELECT document_key, source_name FROM {RAW_SCHEMA}.documents").fetchall())
    for failure in failures:
        if failure.get("document_key") in names and "source_name" not in failure:
            failure["source_name"] = names[failure["document_key"]]


def _markdown(failures: list[dict]) -> str:
    if not failures:
        return "no failing rows"
    columns = list(dict.fromkeys(key for failure in failures for key in failure))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for failure in failures:
        cells = ("" if failure.get(c) is None else str(failure[c]).replace("|", "\\|") for c in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check_result(outcome: ValidationOutcome) -> dg.AssetCheckResult:
    """Errors fail the check at ERROR severity (blocking); warnings alone fail it at WARN."""
    failures = [{"severity": "error", **f} for f in outcome.errors] + [
        {"severity": "warning", **f} for f in outcome.warnings
    ]
    shown = failures[:MAX_FAILING_ROWS]
    severity = dg.AssetCheckSeverity.ERROR if outcome.errors else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        passed=not failures,
        severity=severity,
        metadata={
            "rows": outcome.rows,
            "errors": len(outcome.errors),
            "warnings": len(outcome.warnings),
            "failing_rows": dg.MetadataValue.json(shown),
            "failing_rows_table": dg.MetadataValue.md(_markdown(shown)),
            "failing_rows_truncated": len(failures) > len(shown),
        },
    )


def outcome_from_markers(table: str, markers: dict[str, dict]) -> ValidationOutcome:
    """The table's validation, gathered from the documents' markers (each chunk of documents was
    validated by its extraction step), each failure naming its document's file."""
    outcome = ValidationOutcome(table=table, rows=0)
    for marker in sorted(markers.values(), key=lambda m: m["source_name"]):
        outcome.rows += int(marker.get("rows", {}).get(table, 0))
        found = marker.get("validation", {}).get(table, {})
        for severity, into in (("errors", outcome.errors), ("warnings", outcome.warnings)):
            for failure in found.get(severity, []):
                into.append({**failure, "source_name": failure.get("source_name") or marker["source_name"]})
    return outcome


@cache
def build_raw_table_checks() -> tuple[dg.AssetChecksDefinition, ...]:
    """One step checks every raw table: the failures are already in the markers, so a step per table
    would only add a process start each."""
    tables = list(all_raw_tables())

    @dg.multi_asset_check(
        name="raw_tables_pandera",
        specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=raw_asset_key(table),
                blocking=True,
                description=f"pandera: types, codes, enumerations and amounts of {RAW_SCHEMA}.{table} (lazy, all rows).",
            )
            for table in tables
        ],
    )
    def raw_tables_pandera(warehouse: WarehouseResource):
        from .warehouse.raw_files import RawStore

        markers = RawStore(warehouse.settings().raw_root).markers()
        for table in tables:
            result = check_result(outcome_from_markers(table, markers))
            yield dg.AssetCheckResult(
                asset_key=raw_asset_key(table),
                check_name=CHECK_NAME,
                passed=result.passed,
                severity=result.severity,
                metadata=result.metadata,
            )

    return (raw_tables_pandera,)
