"""A snapshot is what a release holds (or would hold): tables in canonical order, their hashes, sources.

The warehouse about to be published and any published release are both read into this shape, so the
release notes and `cnbudget diff A B` compare them with the same code.
"""

from __future__ import annotations

import decimal
import hashlib
import json
import struct
import sys
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
    # Set on a table of the release being cut whose rows can differ from the previous release's only
    # for these documents (publish/document_scope.py): a diff compares those documents' rows alone.
    documents: frozenset[str] | None = field(default=None, repr=False, compare=False)

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


HASH_ENCODING = "columns-v2"  # the definition below; recorded in datapackage.json (cnbudget:hash_encoding)

# Arrow's decimal-to-string cast writes what str(Decimal) writes (plain notation) while the adjusted
# exponent stays >= -6, which holds for every value of a scale up to 6.
_MAX_VECTOR_DECIMAL_SCALE = 6
_NULL_LENGTH = -1


def value_text(value: Any) -> str | None:
    """The canonical text of one value (None for NULL): the definition the vectorised hash follows.

    Strings as they are; integers in decimal digits; booleans `true`/`false`; DECIMAL its exact digits
    and scale (`str(Decimal)`: `5368.4600`, `-0.0001`, `0.0000`); dates ISO `YYYY-MM-DD`; any other type
    its JSON text (`json.dumps` of `_canonical_value`: floats by `repr`, timestamps ISO, lists as arrays).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if type(value) is date:
        return value.isoformat()
    return json.dumps(_canonical_value(value), ensure_ascii=False, separators=(",", ":"))


def _column_text(column: pa.Array) -> pa.Array:
    """`value_text` of every value of `column`, as a large_string array (NULL stays NULL)."""
    kind = column.type
    if (
        pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_string_view(kind)
        or (pa.types.is_decimal(kind) and 0 <= kind.scale <= _MAX_VECTOR_DECIMAL_SCALE)
        or (pa.types.is_date32(kind) and _iso_years(column))
    ):
        return pc.cast(column, pa.large_string())
    return pa.array([value_text(value) for value in column.to_pylist()], type=pa.large_string())


def _iso_years(column: pa.Array) -> bool:
    """Dates whose year has four digits, written by Arrow exactly as date.isoformat() writes them."""
    if column.null_count == len(column):
        return True
    bounds = pc.min_max(pc.year(column))
    return 1000 <= bounds["min"].as_py() and bounds["max"].as_py() <= 9999


def _lengths_le64(text: pa.Array) -> bytes | memoryview:
    """Each value's UTF-8 length (-1 for NULL) as 8-byte little-endian signed integers, row after row."""
    lengths = pc.fill_null(pc.cast(pc.binary_length(text), pa.int64()), _NULL_LENGTH)
    if sys.byteorder != "little":  # pragma: no cover - every supported platform is little-endian
        return b"".join(struct.pack("<q", length) for length in lengths.to_pylist())
    data = lengths.buffers()[1]
    return memoryview(data)[lengths.offset * 8 : (lengths.offset + len(lengths)) * 8]


def _text_bytes(text: pa.Array) -> memoryview:
    """The concatenated UTF-8 bytes of a large_string array's values, NULLs adding none (no copy)."""
    _, offsets, data = text.buffers()
    positions = memoryview(offsets).cast("q")
    first, last = positions[text.offset], positions[text.offset + len(text)]
    return memoryview(data)[first:last] if data is not None else memoryview(b"")


def _header(name: str, columns: Iterable[Column]) -> bytes:
    header = {
        "table": name,
        "columns": [[column.name, column.sql_type] for column in columns],
        "encoding": HASH_ENCODING,
    }
    return json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class TableHasher:
    """The content hash of one table, fed record batch by record batch (rows in canonical order).

    Definition (`HASH_ENCODING`, docs/contract.md): every value has a canonical text (`value_text`).
    Each column is two byte streams over the rows in canonical order: the lengths (8-byte little-endian,
    -1 for NULL, so NULL differs from the empty string) and the texts' UTF-8 bytes. The column's digest
    is sha256(sha256(lengths) + sha256(texts)); the table's hash is the sha256 of a JSON header line
    (name, columns with their SQL types, the encoding) followed by the column digests in table order.
    Streams are concatenations over rows, so the hash depends neither on how the rows are split into
    batches, nor on the file format or the pyarrow version. The texts are built with Arrow compute, a
    column of a batch at a time; `reference_table_content_hash` is the same definition value by value.
    """

    def __init__(self, name: str, columns: Iterable[Column]) -> None:
        self.columns = tuple(columns)
        self.header = _header(name, self.columns)
        self.streams = [(hashlib.sha256(), hashlib.sha256()) for _ in self.columns]
        self.rows = 0

    def update(self, batch: pa.RecordBatch | pa.Table) -> None:
        if batch.num_columns != len(self.streams):
            raise ValueError(f"{batch.num_columns} columns, the table has {len(self.streams)}")
        if batch.num_rows == 0:
            return
        if isinstance(batch, pa.Table):
            for part in batch.to_batches():
                self.update(part)
            return
        for (lengths, texts), column in zip(self.streams, batch.columns, strict=True):
            text = _column_text(column)
            lengths.update(_lengths_le64(text))
            texts.update(_text_bytes(text))
        self.rows += batch.num_rows

    def hexdigest(self) -> str:
        digest = hashlib.sha256(self.header)
        for lengths, texts in self.streams:
            digest.update(hashlib.sha256(lengths.digest() + texts.digest()).digest())
        return digest.hexdigest()


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
    """The same hash, value by value in plain Python: the definition, slow, kept for tests."""
    columns = tuple(columns)
    digest = hashlib.sha256(_header(name, columns))
    for values in (data.column(index).to_pylist() for index in range(data.num_columns)):
        lengths, texts = hashlib.sha256(), hashlib.sha256()
        for value in values:
            text = value_text(value)
            encoded = b"" if text is None else text.encode("utf-8")
            lengths.update(struct.pack("<q", _NULL_LENGTH if text is None else len(encoded)))
            texts.update(encoded)
        digest.update(hashlib.sha256(lengths.digest() + texts.digest()).digest())
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
