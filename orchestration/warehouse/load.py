"""Write extractions into the warehouse's raw tables, replacing what a previous run wrote.

The raw tables are rebuilt whole on every refresh (they are cheap: a few thousand rows per
document), so the warehouse always equals the sources folder and nothing stale survives a document
being removed. Rows go in through a pyarrow table so Decimals stay Decimals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

import duckdb
import pyarrow as pa

from ..extract.result import DocumentExtraction
from .raw_schema import RAW_SCHEMA, all_raw_tables, create_raw_tables_sql

_COLUMN = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+([A-Z]+(?:\(\d+,\s*\d+\))?)", re.MULTILINE)


def raw_columns(columns_sql: str) -> list[tuple[str, str]]:
    """(name, type) of each column of a raw table's DDL."""
    return [(m.group(1), m.group(2)) for m in _COLUMN.finditer(columns_sql)]


def _arrow_type(sql_type: str) -> pa.DataType:
    if sql_type.startswith("DECIMAL"):
        precision, scale = (int(x) for x in re.findall(r"\d+", sql_type))
        return pa.decimal128(precision, scale)
    return {
        "VARCHAR": pa.string(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "BOOLEAN": pa.bool_(),
    }[sql_type]


def _quantise(value, arrow_type: pa.DataType):
    if value is None or not pa.types.is_decimal(arrow_type):
        return value
    return Decimal(value).quantize(Decimal(1).scaleb(-arrow_type.scale))


def write_raw(con: duckdb.DuckDBPyConnection, extractions: Iterable[DocumentExtraction]) -> dict[str, int]:
    """Replace every raw table with the rows of these extractions; return row counts per table."""
    extractions = list(extractions)
    for statement in create_raw_tables_sql():
        con.execute(statement)
    counts: dict[str, int] = {}
    for table, columns_sql in all_raw_tables().items():
        columns = raw_columns(columns_sql)
        schema = pa.schema([(name, _arrow_type(sql_type)) for name, sql_type in columns])
        rows = [row for extraction in extractions for row in extraction.rows_for(table)]
        names = {name for name, _ in columns}
        for row in rows:
            unknown = set(row) - names
            if unknown:
                raise ValueError(
                    f"raw.{table}: row has columns the raw schema does not know: {sorted(unknown)}"
                )
        data = {
            name: [_quantise(row.get(name), schema.field(name).type) for row in rows] for name, _ in columns
        }
        arrow_table = pa.table(data, schema=schema)
        con.register("incoming_rows", arrow_table)
        con.execute(f"INSERT INTO {RAW_SCHEMA}.{table} SELECT * FROM incoming_rows")
        con.unregister("incoming_rows")
        counts[table] = len(rows)
    return counts
