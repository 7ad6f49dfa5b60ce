"""Whether the dbt models are up to date: the raw tables' documents and the dbt project, as one hash.

After a successful `dbt build` the hash of (each loaded document's input version, each dbt node's
checksum) is recorded in the warehouse (`raw_state.meta`); a refresh whose hash is the same has
nothing for dbt to do. A new warehouse file or raw schema has no record, so it is always built.

The per-document dbt models are incremental (dbt_project/macros/incremental_by_document.sql): a build
replaces the rows of the documents in `raw_state.pending` only. That holds while the dbt project is the
one that built them: the hash of the project alone is recorded too (`dbt_project`), and a build whose
project differs, or that finds no record (a new warehouse, raw tables loaded whole), is a full refresh.
A complete successful build empties `raw_state.pending`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from .load import PENDING_TABLE, STATE_SCHEMA, loaded_versions

_KEY = "dbt_build"
_PROJECT_KEY = "dbt_project"


def _project_checksums(manifest_path: Path) -> list[tuple[str, str, str]]:
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    checksums = []
    for section in ("nodes", "sources", "macros"):
        for unique_id, node in sorted(manifest.get(section, {}).items()):
            checksum = (
                node.get("checksum", {}).get("checksum")
                or hashlib.sha256(
                    json.dumps(node.get("macro_sql") or node.get("columns") or {}, sort_keys=True).encode()
                ).hexdigest()
            )
            # A node's configuration (materialization, contract, hooks) may come from dbt_project.yml,
            # which its file checksum does not cover.
            config = json.dumps(node.get("config") or {}, sort_keys=True, default=str)
            checksums.append((unique_id, checksum, hashlib.sha256(config.encode()).hexdigest()))
    return checksums


def project_fingerprint(manifest_path: Path) -> str:
    """The hash of the dbt project alone (models, tests, seeds, macros, sources)."""
    text = json.dumps(_project_checksums(manifest_path), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def build_fingerprint(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> str | None:
    """The hash of what dbt would build from, or None when the warehouse has no raw state."""
    try:
        loaded = con.execute(
            f"SELECT document_key, input_version FROM {STATE_SCHEMA}.loaded ORDER BY ALL"
        ).fetchall()
    except duckdb.CatalogException:
        return None
    text = json.dumps({"loaded": loaded, "project": _project_checksums(manifest_path)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _meta(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    try:
        rows = con.execute(f"SELECT value FROM {STATE_SCHEMA}.meta WHERE name = ?", [name]).fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


def last_build(con: duckdb.DuckDBPyConnection) -> str | None:
    return _meta(con, _KEY)


def needs_full_refresh(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> bool:
    """Whether the incremental models must be rebuilt whole: no pending list to build from, or no
    complete build of this warehouse by this very dbt project."""
    return pending_documents(con) is None or _meta(con, _PROJECT_KEY) != project_fingerprint(manifest_path)


def record_build(con: duckdb.DuckDBPyConnection, fingerprint: str | None) -> None:
    if fingerprint is None:
        return
    con.execute(f"DELETE FROM {STATE_SCHEMA}.meta WHERE name = ?", [_KEY])
    con.execute(f"INSERT INTO {STATE_SCHEMA}.meta VALUES (?, ?)", [_KEY, fingerprint])


def forget_build(con: duckdb.DuckDBPyConnection, *, full_refresh: bool = False) -> None:
    """Before a build: it is not the last good one until it succeeds. A full refresh that fails half-way
    must be done again whole (an incremental one need not: the pending documents stay pending)."""
    names = [_KEY, _PROJECT_KEY] if full_refresh else [_KEY]
    try:
        con.execute(f"DELETE FROM {STATE_SCHEMA}.meta WHERE list_contains(?, name)", [names])
    except duckdb.CatalogException:
        pass


def record_complete_build(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> None:
    """After a successful build of every model: the incremental models hold every document as this
    project builds it, so nothing is pending."""
    con.execute(f"DELETE FROM {PENDING_TABLE}")
    con.execute(f"DELETE FROM {STATE_SCHEMA}.meta WHERE name = ?", [_PROJECT_KEY])
    con.execute(
        f"INSERT INTO {STATE_SCHEMA}.meta VALUES (?, ?)", [_PROJECT_KEY, project_fingerprint(manifest_path)]
    )


# The steps after dbt record, per warehouse, the build they finished for: a refresh skips dbt only when
# the report and the release were made from the current build too (a release that failed is retried).
AFTER_BUILD_STEPS = ("report", "release")


def _done_path(warehouse_dir: Path, step: str) -> Path:
    return Path(warehouse_dir) / ".state" / f"{step}.done"


def mark_done(warehouse_dir: Path, step: str, fingerprint: str | None) -> None:
    if fingerprint is None:
        return
    path = _done_path(warehouse_dir, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(fingerprint, encoding="utf-8")
    temporary.replace(path)


def is_done(warehouse_dir: Path, step: str, fingerprint: str | None) -> bool:
    path = _done_path(warehouse_dir, step)
    return fingerprint is not None and path.is_file() and path.read_text(encoding="utf-8") == fingerprint


def up_to_date(
    con: duckdb.DuckDBPyConnection, manifest_path: Path, warehouse_dir: Path
) -> tuple[bool, str | None]:
    """(whether dbt, the report and the release are all current for what DuckDB holds, the fingerprint)."""
    fingerprint = build_fingerprint(con, manifest_path)
    current = (
        fingerprint is not None
        and last_build(con) == fingerprint
        and all(is_done(warehouse_dir, step, fingerprint) for step in AFTER_BUILD_STEPS)
    )
    return current, fingerprint


def current_fingerprint(duckdb_path: Path, manifest_path: Path) -> str | None:
    """The build fingerprint of a warehouse file, read-only (for the steps after dbt)."""
    if not Path(duckdb_path).is_file():
        return None
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return build_fingerprint(con, manifest_path)


def pending_documents(con: duckdb.DuckDBPyConnection) -> int | None:
    """How many documents the next incremental build rebuilds (None: no pending list, all of them)."""
    try:
        return con.execute(f"SELECT count(*) FROM {PENDING_TABLE}").fetchall()[0][0]
    except duckdb.CatalogException:
        return None


def complete_build_project(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the dbt project whose complete build the per-document models hold, or None when
    documents are pending (the last build was partial or failed) or no complete build is recorded."""
    return None if pending_documents(con) != 0 else _meta(con, _PROJECT_KEY)


@dataclass(frozen=True)
class BuildInputs:
    """What a warehouse's per-document rows were built from: the dbt project of its complete build and
    each document's input version. Rows of a per-document model (a mart, dq_issue, the report's sections)
    for a document with the same input version under the same project are the same rows; a release
    and the report record it to find, next time, what they can take over unchanged."""

    project: str  # fingerprint of the dbt project of the complete build
    documents: Mapping[str, str]  # document_key -> input version

    def to_json(self) -> dict[str, Any]:
        return {"project": self.project, "documents": [list(item) for item in sorted(self.documents.items())]}

    @classmethod
    def from_json(cls, value: Any) -> BuildInputs | None:
        try:
            return cls(str(value["project"]), {str(key): str(version) for key, version in value["documents"]})
        except (KeyError, TypeError, ValueError):
            return None


def warehouse_build_inputs(connection: duckdb.DuckDBPyConnection) -> BuildInputs | None:
    """The warehouse's build inputs, or None when its per-document models are not one complete build."""
    project = complete_build_project(connection)
    documents = loaded_versions(connection)
    if project is None or documents is None:
        return None
    return BuildInputs(project, documents)


def changed_documents(previous: BuildInputs | None, current: BuildInputs | None) -> frozenset[str] | None:
    """Documents whose rows may differ between the two builds; None when they are not comparable."""
    if previous is None or current is None or previous.project != current.project:
        return None
    keys = set(previous.documents) | set(current.documents)
    return frozenset(key for key in keys if previous.documents.get(key) != current.documents.get(key))
