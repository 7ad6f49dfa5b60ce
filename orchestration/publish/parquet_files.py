"""Byte-deterministic Parquet files: the same rows give the same bytes, run after run.

pyarrow writes no timestamps into Parquet metadata; what could vary is fixed here: compression and its
level, row-group and page sizes, format version, dictionary use, statistics. The Arrow schema stored in
the file comes from the DuckDB types (DECIMAL(18,4) stays decimal128(18, 4), never float). A different
pyarrow version may write different bytes, which is why the release's content hash is computed from the
rows, not from these files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PARQUET_MEDIATYPE = "application/vnd.apache.parquet"

WRITE_OPTIONS = {
    "compression": "zstd",
    "compression_level": 9,
    "row_group_size": 1_000_000,
    "data_page_size": 1 << 20,
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
    "write_page_index": False,
    "store_schema": True,
}


@dataclass(frozen=True)
class WrittenFile:
    name: str
    bytes: int
    sha256: str


def file_digest(path: Path) -> WrittenFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return WrittenFile(name=path.name, bytes=path.stat().st_size, sha256=digest.hexdigest())


def write_parquet(data: pa.Table, path: Path) -> WrittenFile:
    """Write `data` (already in canonical row order) and return its size and sha256."""
    pq.write_table(data.replace_schema_metadata(None), path, **WRITE_OPTIONS)
    return file_digest(path)
