"""A snapshot is what a release holds (or would hold): tables in canonical order, their hashes, sources.

The warehouse about to be published and any published release are both read into this shape, so the
release notes and `cnbudget diff A B` compare them with the same code.
"""

from __future__ import annotations

import decimal
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pyarrow as pa

from .sources import SourceDocument


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type as DuckDB spells it, e.g. DECIMAL(18,4), VARCHAR


@dataclass(frozen=True)
class TableSnapshot:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]  # declared key; empty when the table has none
    content_hash: str
    rows: int
    loader: Callable[[], pa.Table] = field(repr=False, compare=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def load(self) -> pa.Table:
        """The rows, in canonical order (loaded only when a diff needs them)."""
        return self.loader()


@dataclass(frozen=True)
class Snapshot:
    version: str | None  # None for the warehouse before it is published
    tables: Mapping[str, TableSnapshot]
    sources: tuple[SourceDocument, ...]


def order_by_columns(columns: Iterable[str], primary_key: Iterable[str]) -> list[str]:
    """Rows are ordered by the primary key, then by every column: a total order, whatever the key."""
    key = list(primary_key)
    return key + [name for name in columns if name not in key]


def _canonical_value(value: Any) -> Any:
    """A JSON-able form that is the same for the same value in every run (Decimals keep their scale)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_canonical_value(item) for item in value]
    if isinstance(value, dict):
        return {
            str(key): _canonical_value(item) for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))
        }
    return str(value)


def table_content_hash(name: str, columns: Iterable[Column], data: pa.Table) -> str:
    """sha256 of the table's name, schema and rows (in canonical order), independent of any file format.

    Hashing rows rather than Parquet bytes means a new pyarrow version (which may write different bytes)
    does not make identical data look changed.
    """
    digest = hashlib.sha256()
    header = {"table": name, "columns": [[column.name, column.sql_type] for column in columns]}
    digest.update(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    digest.update(b"\n")
    for batch in data.to_batches(max_chunksize=65536):
        values = [column.to_pylist() for column in batch.columns]
        for row in zip(*values, strict=True):
            line = json.dumps(
                [_canonical_value(value) for value in row], ensure_ascii=False, separators=(",", ":")
            )
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def release_content_hash(
    contract_version: str, table_hashes: Mapping[str, str], sources: Iterable[SourceDocument]
) -> str:
    """The content hash of a whole release: contract, every table's hash and the source documents.

    Nothing time-dependent enters it, so the same warehouse and documents give the same hash every day.
    """
    payload = {
        "contract": contract_version,
        "tables": dict(sorted(table_hashes.items())),
        "sources": [[source.source_name, source.sha256, source.document_key] for source in sources],
    }
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
