"""Raw rows per document: one Parquet file per document and raw table, outside DuckDB's single writer.

Each document's extraction writes `<raw root>/<table>/<document_key>.parquet` for every raw table it
has rows for, then `<raw root>/_documents/<document_key>.json`, its marker: the document's input
version (bytes, manifest entry, extraction code), its row counts and the pandera failures of its rows.
The marker is written last, so a document counts as extracted only once all its files are there;
extraction workers (processes, or machines with the root on object storage) never touch DuckDB and
hold one chunk of documents in memory at a time.

The raw root is a local folder (default `<warehouse>/raw_files`) or any fsspec URL
(`CNBUDGET_RAW_LOCATION`, e.g. `s3://bucket/cnbudget/raw` or `memory://raw` in tests). The Parquet
schema of each table is derived from its DDL in raw_schema.py / raw_schema_performance.py, so a
column added there flows through unchanged here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..settled_files import SettledFileMemo
from ..storage import is_local, protocols
from .raw_schema import all_raw_tables

MARKERS = "_documents"
_COLUMN = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+([A-Z]+(?:\(\d+,\s*\d+\))?)", re.MULTILINE)
# Byte-deterministic files: the same rows give the same bytes.
_WRITE_OPTIONS = {"compression": "zstd", "version": "2.6", "use_dictionary": True, "write_statistics": True}


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
        "DOUBLE": pa.float64(),
        "DATE": pa.date32(),
    }[sql_type]


@cache
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a raw table, from its DDL (the one definition of its columns)."""
    return pa.schema(
        [(name, _arrow_type(sql_type)) for name, sql_type in raw_columns(all_raw_tables()[table])]
    )


@cache
def schema_fingerprint() -> str:
    """Changes whenever a raw table's DDL changes: rows written under another schema are stale."""
    text = json.dumps(all_raw_tables(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _quantise(value, arrow_type: pa.DataType):
    if value is None:
        return value
    return Decimal(value).quantize(Decimal(1).scaleb(-arrow_type.scale))


def rows_to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts keyed by column name) as an Arrow table of the raw schema; unknown columns refused."""
    schema = arrow_schema(table)
    names = set(schema.names)
    for row in rows:
        if not names.issuperset(row):
            unknown = sorted(set(row) - names)
            raise ValueError(f"raw.{table}: row has columns the raw schema does not know: {unknown}")
    data = {
        field.name: [_quantise(row.get(field.name), field.type) for row in rows]
        if pa.types.is_decimal(field.type)
        else [row.get(field.name) for row in rows]
        for field in schema
    }
    return pa.table(data, schema=schema)


@cache
def extraction_code_version() -> str:
    """A hash of the code and reference data an extraction depends on: new code, new extraction."""
    root = Path(__file__).resolve().parent.parent
    project = root.parent
    files = sorted(
        [
            *(root / "extract").rglob("*"),
            *(root / "readers").rglob("*"),
            *(root / "warehouse").glob("raw_schema*.py"),
            root / "validation" / "schemas.py",
            root / "reference.py",
            *(project / "dbt_project" / "seeds").rglob("*.csv"),
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".csv", ".json", ".txt", ".tsv"):
            digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def input_version(sha256: str, manifest_entry: dict | None) -> str:
    """What a document's raw rows depend on: its bytes, its manifest entry, the extraction code."""
    entry = json.dumps(manifest_entry or {}, sort_keys=True, default=str)
    text = "|".join((sha256, entry, extraction_code_version(), schema_fingerprint()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RawStore:
    """The raw files of one warehouse: a local folder or an fsspec URL."""

    root: str

    # Resolved once per store: a chunk writes a dozen files per document, and resolving the URL each
    # time cost more than writing them.
    @cached_property
    def _resolved(self):
        import fsspec

        fs, path = fsspec.core.url_to_fs(self.root)
        return fs, path.rstrip("/")

    @property
    def fs(self):
        return self._resolved[0]

    @property
    def base(self) -> str:
        return self._resolved[1]

    def table_path(self, table: str, document_key: str) -> str:
        return f"{self.base}/{table}/{document_key}.parquet"

    def marker_path(self, document_key: str) -> str:
        return f"{self.base}/{MARKERS}/{document_key}.json"

    def write_document(self, document_key: str, tables: dict[str, pa.Table], marker: dict) -> None:
        """Write a document's files (tables with rows), then its marker; files of tables it no longer
        has rows for are removed, so the folder holds exactly what the marker says."""
        for table in all_raw_tables():
            path = self.table_path(table, document_key)
            data = tables.get(table)
            if data is not None and data.num_rows:
                buffer = io.BytesIO()
                pq.write_table(data, buffer, **_WRITE_OPTIONS)
                self._write(path, buffer.getvalue())
            else:
                self._remove(path)
        text = json.dumps(marker, sort_keys=True, ensure_ascii=False, default=str)
        self._write(self.marker_path(document_key), text.encode("utf-8"))

    def _write(self, path: str, data: bytes) -> None:
        """Write a file, making its folder when it is not there (once per table, not per file)."""
        try:
            handle = self.fs.open(path, "wb")
        except FileNotFoundError:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            handle = self.fs.open(path, "wb")
        with handle:
            handle.write(data)

    def _remove(self, path: str) -> None:
        try:
            self.fs.rm(path)
        except FileNotFoundError:
            pass

    def remove_document(self, document_key: str) -> None:
        """The marker first (the document stops counting), then its files."""
        for path in (
            self.marker_path(document_key),
            *(self.table_path(t, document_key) for t in all_raw_tables()),
        ):
            self._remove(path)

    def markers(self) -> dict[str, dict]:
        """document_key -> marker of every extracted document."""
        fs = self.fs
        folder = f"{self.base}/{MARKERS}"
        if is_local(fs):
            return _local_markers(Path(folder))
        if not fs.exists(folder):
            return {}
        paths = sorted(p for p in fs.ls(folder, detail=False) if str(p).endswith(".json"))
        markers = {}
        for path in paths:
            with fs.open(path, "rb") as handle:
                marker = _parse_marker(handle.read())
            markers[marker["document_key"]] = marker
        return markers

    def table_urls(self, table: str, document_keys: Iterable[str]) -> list[str]:
        """The files of `table` of these documents as DuckDB's read_parquet takes them: local paths,
        or URLs of the store's fsspec file system (registered with the connection, `attach_to`)."""
        paths = [self.table_path(table, key) for key in document_keys]
        return paths if is_local(self.fs) else [self.fs.unstrip_protocol(path) for path in paths]

    def attach_to(self, con) -> None:
        """Let a DuckDB connection read this store's files (a remote store's fsspec file system)."""
        if not is_local(self.fs) and not con.filesystem_is_registered(protocols(self.fs)[0]):
            con.register_filesystem(self.fs)


# Markers parsed by this process (orchestration/settled_files.py says when one is reused).
_MARKERS_READ = SettledFileMemo()


def _parse_marker(data: bytes) -> dict:
    return json.loads(data.decode("utf-8"))


def _local_markers(folder: Path) -> dict[str, dict]:
    try:
        listing = os.scandir(folder)
    except FileNotFoundError:
        return {}
    with listing:
        entries = sorted((entry for entry in listing if entry.name.endswith(".json")), key=lambda e: e.name)
        markers = {}
        for entry in entries:
            marker = _MARKERS_READ.get(entry.stat())
            if marker is None:
                with open(entry.path, "rb") as handle:
                    status = os.fstat(handle.fileno())  # of the bytes read, whatever the listing saw
                    marker = _parse_marker(handle.read())
                _MARKERS_READ.put(status, marker)
            # A copy: a caller that changes its markers must not change what the next call returns.
            markers[marker["document_key"]] = dict(marker)
    return markers
