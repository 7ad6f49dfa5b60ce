"""Cut a versioned release of the warehouse: Parquet per table, datapackage.json, notes, cnbudget.duckdb.

A release is built in a local staging folder, uploaded into a temporary folder of the target and made
visible by ONE rename, then `LATEST` is replaced (temporary file + rename). A crash at any point leaves no
partial version visible and `LATEST` naming a complete release; the next publish removes leftovers and, if
a complete release was renamed into place but `LATEST` never reached it, points `LATEST` at it.

Releases are idempotent: the content hash (rows of every table, their schema, the source documents;
never a timestamp) is stored in `datapackage.json`, and when it equals LATEST's no release is cut.
One publisher at a time per target: concurrent publishers are not coordinated.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .. import clock
from ..settings import DBT_PROJECT_DIR
from . import datapackage as dp
from .catalog import TargetState, release_snapshot, scan_target
from .dbt_docs import ModelDocs, load_model_docs
from .diff import diff_snapshots
from .document_scope import ReleaseScope, release_scope
from .errors import ReleaseError, ReleaseExists
from .notes import NOTES_NAME, render_release_notes
from .parquet_files import WrittenFile, file_digest
from .release_database import DATABASE_NAME, build_release_database
from .snapshot import HASH_ENCODING, Snapshot, TableSnapshot, release_content_hash
from .sources import SourceDocument, documents_for_release
from .table_keys import CONTRACT_VERSION
from .target import LATEST_NAME, ReleaseTarget
from .versions import is_version, next_version, version_key
from .warehouse_tables import (
    DEFAULT_BATCH_ROWS,
    PublishedTable,
    WarehouseContents,
    published_columns,
    read_published_tables,
    stage_table,
)

__all__ = ["ReleaseOutcome", "SourceDocument", "publish_release", "ReleaseExists", "ReleaseError"]

DEFAULT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# DuckDB settings of the read-only connection a release opens. Sorting a table into canonical order
# (key, then every column) spills to a temporary folder beyond the limit instead of holding the table.
# Measured on the 10,000-document warehouse (2.6M rows in fct_source_cell), a first release: 256MB ran
# out of memory in that sort (two threads; one thread: 26 s, 0.96 GB peak); 512MB 19 s and 1.24 GB;
# 1GB 18 s and 1.61 GB. Results are ordered by their ORDER BY alone, so insertion order need not be
# kept. A connection passed in by the caller keeps its own settings.
WAREHOUSE_SETTINGS = {"memory_limit": "512MB", "preserve_insertion_order": False}


@dataclass(frozen=True)
class ReleaseOutcome:
    version: str | None  # the release holding this data: the new one, or LATEST's when unchanged
    path: str | None  # where it is (local path, or URL for remote targets)
    unchanged: bool  # True: the data equals LATEST's, no release was cut (version/path name LATEST's)
    row_counts: dict[str, int]  # rows per published table (of the warehouse as read)
    notes: str  # RELEASE_NOTES.md of the new release, or why no release was cut
    content_hash: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


def publish_release(
    duckdb_path: Path,
    target: str,
    sources: list[SourceDocument] | str | os.PathLike | None = None,
    today: datetime.date | None = None,
    schema: str = "marts",
    *,
    version: str | None = None,
    manifest_path: Path | None = DEFAULT_MANIFEST,
    connection: duckdb.DuckDBPyConnection | None = None,
    now: datetime.datetime | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> ReleaseOutcome:
    """Publish every table of `schema` as a new release in `target`, unless the data is unchanged.

    `sources` default to the warehouse's `raw.documents` (a sources folder may be passed: the documents
    are still the warehouse's, checked against the files there). `version` forces a version name (it must be
    new and newer than LATEST; an existing one raises `ReleaseExists`). `connection` lets a caller that
    already holds the warehouse open pass it instead of a second (read-only) connection.

    The version's date and `created` are one reading of `orchestration.clock` (Beijing time), `now`
    when given; `today` overrides the version's date alone (tests of the version sequence).

    Memory is bounded by a record batch of `batch_rows` rows (and a Parquet row group), not by a table:
    keys are checked in SQL, then each table is streamed once from DuckDB, hashed and written to a
    local staging folder. When the release's hash equals LATEST's the staging folder is discarded;
    otherwise a table whose hash equals the previous release's drops its staged file and links the
    previous one. One pass was measured against hashing every table first and writing the changed ones
    in a second pass (4.7M rows, 3M in fct_source_cell): first release 25 s against 32 s, one table
    changed 38 s of CPU against 47 s, but data equal to LATEST's 29 s against 15 s (all written, then
    dropped). That last case is rare: a refresh whose build did not change skips the release.
    """
    moment = (now or clock.now()).astimezone(clock.BEIJING)
    today = today or moment.date()
    store = ReleaseTarget(target)
    state, warnings = _prepare_target(store)
    previous = state.newest_complete
    if version is not None:
        if not is_version(version):
            raise ReleaseError(f"not a release version (YYYY.MM.DD or YYYY.MM.DD.N): {version!r}")
        if version in state.complete or version in state.incomplete or store.exists(version):
            raise ReleaseExists(
                f"release {version} already exists in {store.display()}: published versions are never modified"
            )

    with (
        _open_warehouse(duckdb_path, connection) as warehouse,
        tempfile.TemporaryDirectory(prefix="cnbudget-release-") as staging_dir,
    ):
        previous_snapshot = release_snapshot(store, previous, state.complete[previous]) if previous else None
        scratch = Path(staging_dir) / ".previous"
        scratch.mkdir()
        docs = load_model_docs(manifest_path, schema)
        columns = published_columns(warehouse, schema)
        scope = release_scope(
            warehouse,
            schema,
            frozenset(name for name, model in docs.items() if model.per_document),
            state.complete[previous] if previous else None,
            previous_snapshot,
            columns,
            scratch,
        )
        contents = read_published_tables(
            warehouse,
            schema,
            batch_rows,
            staging=Path(staging_dir),
            reused=scope.unchanged_tables,
            splice=scope.splice(scratch),
            columns=columns,
        )
        documents, source_warnings = documents_for_release(sources, warehouse)
        warnings += source_warnings + list(contents.warnings)
        row_counts = {table.name: table.rows for table in contents.tables}
        content_hash = release_content_hash(
            CONTRACT_VERSION, {table.name: table.content_hash for table in contents.tables}, documents
        )

        if previous is not None and state.complete[previous].get(dp.CONTENT_HASH) == content_hash:
            return ReleaseOutcome(
                version=previous,
                path=store.display(previous),
                unchanged=True,
                row_counts=row_counts,
                notes=f"No release cut: the data is identical to release {previous} (content hash sha256:{content_hash}).",
                content_hash=content_hash,
                warnings=tuple(warnings),
            )

        new_version = version or next_version(today, state.all_versions)
        if previous is not None and version_key(new_version) <= version_key(previous):
            raise ReleaseError(
                f"release {new_version} would not be newer than the latest release {previous}; "
                "LATEST must name the newest release (is the clock behind?)"
            )
        if previous is not None and state.complete[previous].get(dp.HASH_ENCODING) != HASH_ENCODING:
            warnings.append(
                f"content hashes are computed with the {HASH_ENCODING} definition since this release; release "
                f"{previous} used an earlier one, so this release is cut even if no row changed (the row "
                "comparison below says what did)"
            )
        reusable = _reusable_files(store, previous, state.complete[previous]) if previous else {}
        reused: dict[str, str] = {}
        notes = _build_release(
            store,
            Path(staging_dir),
            version=new_version,
            today=today,
            contents=contents,
            documents=documents,
            content_hash=content_hash,
            created=clock.timestamp(moment),
            previous=previous_snapshot,
            docs=docs,
            warnings=warnings,
            reusable=reusable,
            reused=reused,
            scope=scope,
            restage=lambda table: stage_table(warehouse, schema, table, Path(staging_dir), batch_rows),
        )
        shutil.rmtree(scratch, ignore_errors=True)
        temp_name = store.new_temp_name(new_version)
        store.upload_folder(Path(staging_dir), temp_name, reused=reused)
    store.publish_folder(temp_name, new_version)
    store.write_text_atomic(LATEST_NAME, new_version + "\n")
    return ReleaseOutcome(
        version=new_version,
        path=store.display(new_version),
        unchanged=False,
        row_counts=row_counts,
        notes=notes,
        content_hash=content_hash,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class _Reusable:
    """A table file of the previous release, with what the new release must say about it."""

    path: str  # relative to the target
    written: WrittenFile


def _reusable_files(store: ReleaseTarget, version: str, descriptor: dict) -> dict[str, tuple[str, _Reusable]]:
    """table name -> (content hash, file) of the previous release's tables."""
    files = {}
    for resource in descriptor.get("resources", []):
        content_hash, digest = resource.get(dp.CONTENT_HASH), str(resource.get("hash", ""))
        if not content_hash or not digest.startswith("sha256:") or "bytes" not in resource:
            continue
        written = WrittenFile(
            name=resource["path"], bytes=int(resource["bytes"]), sha256=digest[len("sha256:") :]
        )
        files[resource["name"]] = (content_hash, _Reusable(f"{version}/{resource['path']}", written))
    return files


def _table_file(
    store: ReleaseTarget,
    table: PublishedTable,
    folder: Path,
    reusable: dict[str, tuple[str, _Reusable]],
    reused: dict[str, str],
    restage: Callable[[PublishedTable], WrittenFile],
) -> WrittenFile:
    """A table's Parquet file: the previous release's when its content is the same (linked into the new
    release, replacing the staged file), else the file staged while the table was hashed. A table that
    was not staged (known unchanged, publish/document_scope.py) whose previous file cannot be taken is
    staged now."""
    name = f"{table.name}.parquet"
    if table.staged is not None and not (folder / name).is_file():
        raise ReleaseError(f"{table.name}: no staged Parquet file")
    previous = reusable.get(table.name)
    if previous is not None and previous[0] == table.content_hash and previous[1].written.name == name:
        candidate = folder / f"{name}.previous"
        try:
            _fetch(store, previous[1].path, candidate)
            if file_digest(candidate).sha256 == previous[1].written.sha256:
                os.replace(candidate, folder / name)
                reused[name] = previous[1].path
                return previous[1].written
        except (OSError, FileNotFoundError):
            pass
        finally:
            candidate.unlink(missing_ok=True)
    return table.staged if table.staged is not None else restage(table)


def _fetch(store: ReleaseTarget, path: str, local: Path) -> None:
    """A file of the target into the staging folder: a hard link on a local target when possible."""
    if store.is_local:
        try:
            os.link(store.path(path), local)
            return
        except OSError:
            pass
    store.fs.get_file(store.path(path), str(local))


def _prepare_target(store: ReleaseTarget) -> tuple[TargetState, list[str]]:
    """Remove leftovers of interrupted publishes and make LATEST name the newest complete release.

    Only what was provably never published is removed: temporary folders, and unfinished version folders
    newer than a valid LATEST (object stores, whose rename is a copy, can leave those). A complete release
    that was renamed into place before a crash hit LATEST is adopted: LATEST is pointed at it.
    """
    state = scan_target(store, newest_only=True)
    warnings: list[str] = []
    for name in state.temporary:
        store.remove(name)
    pointer = state.latest_pointer
    for name in state.incomplete:
        if pointer is not None and version_key(name) > version_key(pointer):
            store.remove(name)
            warnings.append(f"removed unfinished release folder {name} (an interrupted publish)")
    newest = state.newest_complete
    if newest is not None and (pointer is None or pointer not in state.complete or newest != pointer):
        store.write_text_atomic(LATEST_NAME, newest + "\n")
        warnings.append(f"LATEST repaired: it named {pointer or 'nothing'}, now {newest}")
    if state.temporary or warnings:
        state = scan_target(store, newest_only=True)
    return state, warnings


@contextmanager
def _open_warehouse(
    duckdb_path: Path, connection: duckdb.DuckDBPyConnection | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    if connection is not None:
        yield connection
        return
    path = Path(duckdb_path)
    if not path.is_file():
        raise ReleaseError(f"no warehouse at {path}: run the pipeline before publishing")
    with tempfile.TemporaryDirectory(prefix="cnbudget-release-spill-") as spill:
        opened = duckdb.connect(
            str(path), read_only=True, config={**WAREHOUSE_SETTINGS, "temp_directory": spill}
        )
        try:
            yield opened
        finally:
            opened.close()


def _build_release(
    store: ReleaseTarget,
    folder: Path,
    *,
    version: str,
    today: datetime.date,
    contents: WarehouseContents,
    documents: tuple[SourceDocument, ...],
    content_hash: str,
    created: str,
    previous: Snapshot | None,
    docs: dict[str, ModelDocs],
    warnings: list[str],
    reusable: dict,
    reused: dict[str, str],
    scope: ReleaseScope,
    restage: Callable[[PublishedTable], WrittenFile],
) -> str:
    """Write every file of the release into the local `folder`; returns the release notes. A table whose
    content equals the previous release's reuses its file (named in `reused`, linked when uploaded);
    `restage` writes a table taken over unread whose previous file cannot be had after all."""
    written: dict[str, WrittenFile] = {
        table.name: _table_file(store, table, folder, reusable, reused, restage) for table in contents.tables
    }
    build_release_database(
        folder,
        {name: file.name for name, file in written.items()},
        {name: model.description for name, model in docs.items()},
    )
    current = Snapshot(
        version=version,
        tables={
            table.name: _staged_snapshot(
                table, folder / written[table.name].name, scope.diff_documents(table.name)
            )
            for table in contents.tables
        },
        sources=documents,
    )
    notes = render_release_notes(
        version=version,
        today=today,
        contract_version=CONTRACT_VERSION,
        content_hash=content_hash,
        row_counts={table.name: table.rows for table in contents.tables},
        diff=diff_snapshots(previous, current),
        warnings=warnings,
    )
    (folder / NOTES_NAME).write_text(notes, encoding="utf-8")
    descriptor = dp.package_descriptor(
        version=version,
        created=created,
        contract_version=CONTRACT_VERSION,
        content_hash=content_hash,
        previous_version=previous.version if previous else None,
        tables=contents.tables,
        written=written,
        docs=docs,
        sources=documents,
        other_files={name: file_digest(folder / name).bytes for name in (NOTES_NAME, DATABASE_NAME)},
        build_inputs=scope.inputs.to_json() if scope.inputs is not None else None,
    )
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    (folder / dp.DATAPACKAGE_NAME).write_text(text, encoding="utf-8")
    return notes


def _staged_snapshot(table: PublishedTable, path: Path, documents: frozenset[str] | None) -> TableSnapshot:
    """The new release's table as a snapshot: its rows are the staged Parquet file (written or reused);
    `documents` limits a diff to those documents' rows (the others are the previous release's)."""
    return TableSnapshot(
        name=table.name,
        columns=table.columns,
        primary_key=table.primary_key,
        content_hash=table.content_hash,
        rows=table.rows,
        locator=lambda _scratch: path,
        documents=documents,
    )
