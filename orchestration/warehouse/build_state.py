"""Whether the dbt models are up to date: the raw tables' documents and the dbt project, as one hash.

After a successful `dbt build` the hash of (each loaded document's input version, each dbt node's
checksum) is recorded in the warehouse (`raw_state.meta`); a refresh whose hash is the same has
nothing for dbt to do. A new warehouse file or raw schema has no record, so it is always built.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from .load import STATE_SCHEMA

_KEY = "dbt_build"


def _project_checksums(manifest_path: Path) -> list[tuple[str, str]]:
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
            checksums.append((unique_id, checksum))
    return checksums


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


def last_build(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute(f"SELECT value FROM {STATE_SCHEMA}.meta WHERE name = ?", [_KEY]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def record_build(con: duckdb.DuckDBPyConnection, fingerprint: str | None) -> None:
    if fingerprint is None:
        return
    con.execute(f"DELETE FROM {STATE_SCHEMA}.meta WHERE name = ?", [_KEY])
    con.execute(f"INSERT INTO {STATE_SCHEMA}.meta VALUES (?, ?)", [_KEY, fingerprint])


def forget_build(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute(f"DELETE FROM {STATE_SCHEMA}.meta WHERE name = ?", [_KEY])
    except duckdb.CatalogException:
        pass


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
