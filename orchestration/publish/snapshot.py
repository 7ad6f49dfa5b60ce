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
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

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
    # Where the rows are, as a local Parquet file DuckDB can read: called with a scratch folder, into
    # which a file of a remote target is downloaded (streamed to disk, never into memory).
    locator: Callable[[Path], Path] = field(repr=False, compare=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def parquet_file(self, scratch: Path) -> Path:
        """The rows (a Parquet file, in canonical order), only when a diff needs them."""
        return self.locator(scratch)


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


def _json_line(values: Iterable[Any]) -> str:
    """One row as its JSON line: the definition of the content hash (see `TableHasher`)."""
    return json.dumps(
        [_canonical_value(value) for value in values], ensure_ascii=False, separators=(",", ":")
    )


def _json_value(value: Any) -> str:
    return json.dumps(_canonical_value(value), ensure_ascii=False, separators=(",", ":"))


# Arrow's decimal-to-string cast writes what str(Decimal) writes (plain notation) while the adjusted
# exponent stays >= -6, which holds for every value of a scale up to 6.
_MAX_VECTOR_DECIMAL_SCALE = 6
_NEEDS_JSON_ESCAPE = r"[\x00-\x1f]"  # control characters: json.dumps writes \n, \u0001, ...
_NULL = pa.scalar("null", pa.large_string())
_QUOTE = pa.scalar('"', pa.large_string())
_NOTHING = pa.scalar("", pa.large_string())
_COMMA = pa.scalar(",", pa.large_string())
_OPEN = pa.scalar("[", pa.large_string())
_CLOSE = pa.scalar("]\n", pa.large_string())


def _quoted(strings: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(_QUOTE, strings, _QUOTE, _NOTHING)


def _encode_column(column: pa.Array) -> pa.Array:
    """Each value of `column` as json.dumps(_canonical_value(value)) would write it, as large_string.

    Vectorised (Arrow compute) for the types the marts hold: integers, booleans, decimals, strings and
    dates; any other type, and a string column holding control characters, goes through json.dumps
    value by value, so the result is the same text either way.
    """
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        text = pc.cast(column, pa.large_string())
    elif pa.types.is_decimal(kind) and 0 <= kind.scale <= _MAX_VECTOR_DECIMAL_SCALE:
        text = _quoted(pc.cast(column, pa.large_string()))
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        strings = pc.cast(column, pa.large_string())
        if pc.any(pc.match_substring_regex(strings, _NEEDS_JSON_ESCAPE)).as_py():
            return _encode_in_python(column)
        escaped = pc.replace_substring(strings, "\\", "\\\\")
        escaped = pc.replace_substring(escaped, '"', '\\"')
        text = _quoted(escaped)
    elif pa.types.is_date32(kind) and _iso_years(column):
        text = _quoted(pc.cast(column, pa.large_string()))
    else:
        return _encode_in_python(column)
    return pc.fill_null(text, _NULL)


def _iso_years(column: pa.Array) -> bool:
    """Dates whose year has four digits, written by Arrow exactly as date.isoformat() writes them."""
    if column.null_count == len(column):
        return True
    bounds = pc.min_max(pc.year(column))
    return 1000 <= bounds["min"].as_py() and bounds["max"].as_py() <= 9999


def _encode_in_python(column: pa.Array) -> pa.Array:
    return pa.array([_json_value(value) for value in column.to_pylist()], type=pa.large_string())


def _string_bytes(strings: pa.Array) -> memoryview:
    """The concatenated UTF-8 bytes of a large_string array without nulls (no copy)."""
    _, offsets, data = strings.buffers()
    positions = memoryview(offsets).cast("q")
    first, last = positions[strings.offset], positions[strings.offset + len(strings)]
    return memoryview(data)[first:last] if data is not None else memoryview(b"")


class TableHasher:
    """The content hash of one table, fed record batch by record batch (rows in canonical order).

    Definition (unchanged since the first release, so equal data keeps comparing equal): sha256 over
    the UTF-8 bytes of one JSON line `{"table":…,"columns":[[name, SQL type], …]}`, then one JSON line per
    row, `[value, …]`, each value as `_canonical_value` makes it (NULL `null`, integers and booleans as
    JSON numbers and literals, DECIMAL as a string of its exact digits and scale, strings as JSON strings,
    dates as ISO text), written by `json.dumps(…, ensure_ascii=False, separators=(",", ":"))`, each line
    followed by `\n`. It depends neither on the file format, nor on the pyarrow version, nor on how the
    rows are split into batches. The lines are built with Arrow compute, a batch at a time; the per-row
    `json.dumps` (`_json_line`) remains the reference they are tested against.
    """

    def __init__(self, name: str, columns: Iterable[Column]) -> None:
        self.digest = hashlib.sha256()
        header = {"table": name, "columns": [[column.name, column.sql_type] for column in columns]}
        self.digest.update(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        self.digest.update(b"\n")
        self.rows = 0

    def update(self, batch: pa.RecordBatch | pa.Table) -> None:
        if batch.num_rows == 0:
            return
        if isinstance(batch, pa.Table):
            for part in batch.to_batches():
                self.update(part)
            return
        values = [_encode_column(column) for column in batch.columns]
        joined = pc.binary_join_element_wise(*values, _COMMA) if len(values) > 1 else values[0]
        lines = pc.binary_join_element_wise(_OPEN, joined, _CLOSE, _NOTHING)
        self.digest.update(_string_bytes(lines))
        self.rows += batch.num_rows

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def table_content_hash(
    name: str, columns: Iterable[Column], data: pa.Table | Iterable[pa.RecordBatch]
) -> str:
    """sha256 of the table's name, schema and rows (in canonical order), independent of any file format.

    Hashing rows rather than Parquet bytes means a new pyarrow version (which may write different bytes)
    does not make identical data look changed. `data` is a table or record batches, in order.
    """
    hasher = TableHasher(name, columns)
    for batch in [data] if isinstance(data, pa.Table) else data:
        hasher.update(batch)
    return hasher.hexdigest()


def reference_table_content_hash(name: str, columns: Iterable[Column], data: pa.Table) -> str:
    """The same hash, one `json.dumps` per row: the definition, slow, kept for tests and comparisons."""
    digest = hashlib.sha256()
    header = {"table": name, "columns": [[column.name, column.sql_type] for column in columns]}
    digest.update(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    digest.update(b"\n")
    for batch in data.to_batches(max_chunksize=65536):
        values = [column.to_pylist() for column in batch.columns]
        for row in zip(*values, strict=True):
            digest.update(_json_line(row).encode("utf-8"))
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
