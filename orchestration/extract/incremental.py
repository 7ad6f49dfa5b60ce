"""Which documents need extracting, and extracting a chunk of them into the raw files.

A document needs extracting when its input version (its bytes, its manifest entry, the extraction
code and the raw schema) differs from the one in its marker, or it has no marker; a marker whose
document left the folder is removed with its files. `extract_chunk` is what one worker does: it
extracts a few documents with `extract_document(source, manifest_entry)` (through the same
one-failure-does-not-stop-the-others wrapper as before, and the same safe listing of the folder:
extract/source_files.py), validates their rows with the raw tables'
pandera schemas, and writes each document's files and marker. It never opens DuckDB.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..warehouse.raw_files import RawStore, input_version, rows_to_arrow
from ..warehouse.raw_schema import all_raw_tables
from .manifest import load_manifest
from .metadata import document_key
from .pipeline import _extract_or_report, source_files
from .source_files import classify

# Documents per worker step: at least MIN_CHUNK (a step's start and its events cost about a second),
# at most MAX_CHUNK, and otherwise about CHUNKS_PER_WORKER steps per core, so that the steps spread
# over the workers and few of them are left at the end. Memory does not grow with the chunk: a step
# extracts, validates and writes BATCH documents at a time (pandera's cost is per call, so not one).
MIN_CHUNK, MAX_CHUNK, CHUNKS_PER_WORKER = 25, 250, 4
BATCH = 50


def chunk_size(documents: int, workers: int | None = None) -> int:
    workers = workers or os.cpu_count() or 1
    return max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(documents / (workers * CHUNKS_PER_WORKER))))


@dataclass
class ExtractionPlan:
    """The folder against the raw files: documents to extract (file name as on disk, input version,
    manifest entry), markers to remove (document keys), and how many documents are up to date."""

    to_extract: list[tuple[str, str, dict | None]] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)
    up_to_date: int = 0
    documents: dict[str, str] = field(default_factory=dict)  # file name -> sha256

    def chunks(self, size: int | None = None) -> list[list[tuple[str, str, dict | None]]]:
        size = size or chunk_size(len(self.to_extract))
        return [self.to_extract[i : i + size] for i in range(0, len(self.to_extract), size)]


def plan_extraction(
    sources_dir: Path, store: RawStore, markers: dict[str, dict] | None = None
) -> ExtractionPlan:
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise FileNotFoundError(f"sources folder not found: {sources_dir}")
    files = source_files(sources_dir)
    manifest = load_manifest(sources_dir, [entry.name for entry in files if entry.problem is None])
    markers = store.markers() if markers is None else markers
    plan = ExtractionPlan()
    keys = set()
    for entry in files:
        try:
            sha = entry.fingerprint()
        except OSError:  # vanished or unreadable since it was listed: the extraction says which
            sha = "unavailable"
        plan.documents[entry.name] = sha
        entry_manifest = manifest.get(entry.name)
        version = input_version(sha, entry_manifest)
        key = document_key(entry.name)
        keys.add(key)
        if markers.get(key, {}).get("input_version") == version:
            plan.up_to_date += 1
        else:
            plan.to_extract.append((os.fsdecode(entry.path.name), version, entry_manifest))
    plan.to_remove = sorted(set(markers) - keys)
    return plan


def _validate(tables: dict[str, pa.Table]) -> dict[str, dict[str, list[dict]]]:
    """Pandera on a chunk's rows of each raw table: table -> {'errors': [...], 'warnings': [...]}."""
    from ..checks import _pandas_type
    from ..validation.schemas import validate_raw_table

    outcomes = {}
    for table, columns_sql in all_raw_tables().items():
        df = tables[table].to_pandas(types_mapper=_pandas_type)
        outcome = validate_raw_table(table, columns_sql, df)
        outcomes[table] = {"errors": outcome.errors, "warnings": outcome.warnings}
    return outcomes


def extract_chunk(
    sources_dir: Path, chunk: Sequence[tuple[str, str, dict | None]], store: RawStore
) -> list[dict]:
    """Extract, validate and write the documents of `chunk` ((file name, input version, manifest
    entry) as planned), BATCH at a time; return their markers."""
    markers: list[dict] = []
    for start in range(0, len(chunk), BATCH):
        markers += _extract_batch(Path(sources_dir), chunk[start : start + BATCH], store)
    return markers


def _extract_batch(
    sources_dir: Path, batch: Sequence[tuple[str, str, dict | None]], store: RawStore
) -> list[dict]:
    extractions = []
    for name, version, manifest_entry in batch:
        source = classify(sources_dir / name, sources_dir)
        if source is None:  # became a folder since it was planned
            continue
        extraction = _extract_or_report(source, manifest_entry)
        extractions.append((extraction, version))
    per_document = {
        extraction.document_key: {
            table: rows_to_arrow(table, extraction.rows_for(table)) for table in all_raw_tables()
        }
        for extraction, _ in extractions
    }
    combined = {
        table: pa.concat_tables([tables[table] for tables in per_document.values()])
        for table in all_raw_tables()
    }
    failures = _validate(combined)
    first_key = extractions[0][0].document_key if extractions else None
    markers = []
    for extraction, version in extractions:
        key = extraction.document_key
        validation = {
            table: {
                severity: [f for f in found[severity] if f.get("document_key", first_key) == key]
                for severity in ("errors", "warnings")
            }
            for table, found in failures.items()
        }
        marker = {
            "document_key": key,
            "source_name": extraction.source_name,
            "sha256": extraction.document.get("sha256"),
            "status": extraction.document.get("status"),
            "error": extraction.document.get("error"),
            "input_version": version,
            "rows": {table: data.num_rows for table, data in per_document[key].items()},
            "validation": {t: v for t, v in validation.items() if v["errors"] or v["warnings"]},
        }
        store.write_document(key, per_document[key], marker)
        markers.append(marker)
    return markers
