"""What changed between two snapshots: documents, tables, and rows added / removed / changed by key.

Used for the release notes (warehouse vs previous release) and for `cnbudget diff A B` (two releases).
Rows are matched by the table's primary key; a table without one (or whose key does not hold on both
sides) is compared as a multiset of whole rows. Tables whose content hash is unchanged are not read.

The comparison is SQL run by DuckDB over the two Parquet files (`read_parquet`), with a memory limit
(DuckDB spills to disk beyond it): no table is loaded into Python, only the counts and the first
MAX_LISTED keys or rows come back.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .document_scope import DOCUMENT_COLUMN
from .snapshot import Snapshot, TableSnapshot
from .sources import SourceDocument
from .warehouse_tables import literal, quote

MAX_LISTED = 20
# DuckDB settings of the connection that compares two tables: its joins and set operations spill to a
# temporary folder beyond the limit instead of growing the process.
DIFF_MEMORY_LIMIT = "512MB"
DIFF_THREADS = 2


@dataclass(frozen=True)
class DocumentChange:
    source_name: str
    old_sha256: str
    new_sha256: str


@dataclass(frozen=True)
class ChangedRow:
    key: tuple[Any, ...]
    changes: tuple[tuple[str, Any, Any], ...]  # (column, old value, new value)


@dataclass
class TableDiff:
    table: str
    rows_before: int
    rows_after: int
    key_columns: tuple[
        str, ...
    ] = ()  # what identifies a listed row: the primary key, or every compared column
    keyed: bool = False
    added: int = 0
    removed: int = 0
    changed: int = 0
    added_rows: list[tuple[Any, ...]] = field(default_factory=list)  # first MAX_LISTED keys (or rows)
    removed_rows: list[tuple[Any, ...]] = field(default_factory=list)
    changed_rows: list[ChangedRow] = field(default_factory=list)
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    columns_retyped: tuple[tuple[str, str, str], ...] = ()
    note: str | None = None

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added or self.removed or self.changed or self.columns_added or self.columns_removed
        ) or bool(self.columns_retyped)


@dataclass
class ReleaseDiff:
    old_version: str | None
    new_version: str | None
    documents_added: list[SourceDocument] = field(default_factory=list)
    documents_removed: list[SourceDocument] = field(default_factory=list)
    documents_changed: list[DocumentChange] = field(default_factory=list)
    tables_added: list[tuple[str, int]] = field(default_factory=list)  # (table, rows)
    tables_removed: list[tuple[str, int]] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)  # tables in both snapshots, by name

    @property
    def has_changes(self) -> bool:
        return bool(
            self.documents_added
            or self.documents_removed
            or self.documents_changed
            or self.tables_added
            or self.tables_removed
            or any(table.has_changes for table in self.tables)
        )

    def format(self) -> str:
        """Markdown: documents, tables, then rows per table with the keys of what changed."""
        from .diff_format import format_diff

        return format_diff(self)


def diff_snapshots(old: Snapshot | None, new: Snapshot, max_listed: int = MAX_LISTED) -> ReleaseDiff:
    result = ReleaseDiff(old_version=old.version if old else None, new_version=new.version)
    old_tables = dict(old.tables) if old else {}
    _diff_documents(result, old.sources if old else (), new.sources)
    with tempfile.TemporaryDirectory(prefix="cnbudget-diff-") as scratch:
        for name in sorted(set(old_tables) | set(new.tables)):
            if name not in old_tables:
                result.tables_added.append((name, new.tables[name].rows))
            elif name not in new.tables:
                result.tables_removed.append((name, old_tables[name].rows))
            else:
                result.tables.append(
                    diff_table(old_tables[name], new.tables[name], max_listed, Path(scratch))
                )
    return result


def _diff_documents(
    result: ReleaseDiff, old: tuple[SourceDocument, ...], new: tuple[SourceDocument, ...]
) -> None:
    old_by_name = {source.source_name: source for source in old}
    new_by_name = {source.source_name: source for source in new}
    for name in sorted(set(old_by_name) | set(new_by_name)):
        before, after = old_by_name.get(name), new_by_name.get(name)
        if before is None:
            result.documents_added.append(after)
        elif after is None:
            result.documents_removed.append(before)
        elif before.sha256 != after.sha256:
            result.documents_changed.append(DocumentChange(name, before.sha256, after.sha256))


def diff_table(
    old: TableSnapshot, new: TableSnapshot, max_listed: int = MAX_LISTED, scratch: Path | None = None
) -> TableDiff:
    old_types = {column.name: column.sql_type for column in old.columns}
    new_types = {column.name: column.sql_type for column in new.columns}
    common = [name for name in new.column_names if name in old_types]
    result = TableDiff(
        table=new.name,
        rows_before=old.rows,
        rows_after=new.rows,
        columns_added=tuple(name for name in new.column_names if name not in old_types),
        columns_removed=tuple(name for name in old.column_names if name not in new_types),
        columns_retyped=tuple(
            (name, old_types[name], new_types[name]) for name in common if old_types[name] != new_types[name]
        ),
    )
    if old.content_hash and old.content_hash == new.content_hash and old.columns == new.columns:
        result.key_columns, result.keyed = new.primary_key, bool(new.primary_key)
        return result
    retyped = {name for name, _, _ in result.columns_retyped}
    if scratch is None:
        with tempfile.TemporaryDirectory(prefix="cnbudget-diff-") as folder:
            return _diff_rows(old, new, result, retyped, max_listed, Path(folder))
    return _diff_rows(old, new, result, retyped, max_listed, scratch)


def _diff_rows(
    old: TableSnapshot,
    new: TableSnapshot,
    result: TableDiff,
    retyped: set[str],
    max_listed: int,
    scratch: Path,
) -> TableDiff:
    old_types = {column.name: column.sql_type for column in old.columns}
    common = [name for name in new.column_names if name in old_types]
    spill = scratch / f"duckdb-{new.name}"
    connection = duckdb.connect(
        config={
            "memory_limit": DIFF_MEMORY_LIMIT,
            "threads": DIFF_THREADS,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        }
    )
    try:
        scope = _document_scope(connection, old, new)
        for view, snapshot in (("old_rows", old), ("new_rows", new)):
            path = snapshot.parquet_file(scratch).as_posix()
            connection.execute(
                f"create temp view {view} as select * from read_parquet({literal(path)}) {scope}"
            )
        key = new.primary_key
        usable = bool(key) and all(name in old_types and name not in retyped for name in key)
        if usable and _unique(connection, "old_rows", key) and _unique(connection, "new_rows", key):
            _diff_by_key(
                connection, result, key, [name for name in common if name not in key], retyped, max_listed
            )
        else:
            if key:
                result.note = (
                    f"key ({', '.join(key)}) not comparable across the two releases: rows compared whole"
                )
            _diff_whole_rows(connection, result, common, retyped, max_listed)
    finally:
        connection.close()
    return result


def _document_scope(connection: duckdb.DuckDBPyConnection, old: TableSnapshot, new: TableSnapshot) -> str:
    """The WHERE clause limiting both sides to the documents the new table can differ in, if known."""
    documents = new.documents
    if documents is None or not all(DOCUMENT_COLUMN in table.column_names for table in (old, new)):
        return ""
    connection.register(
        "diff_document_list", pa.table({DOCUMENT_COLUMN: pa.array(sorted(documents), pa.string())})
    )
    connection.execute("create temp table diff_documents as select * from diff_document_list")
    connection.unregister("diff_document_list")
    return f"where {quote(DOCUMENT_COLUMN)} in (select {quote(DOCUMENT_COLUMN)} from diff_documents)"


def _unique(connection: duckdb.DuckDBPyConnection, relation: str, key: tuple[str, ...]) -> bool:
    cols = ", ".join(quote(name) for name in key)
    duplicates = connection.execute(
        f"select count(*) from (select 1 from {relation} group by {cols} having count(*) > 1)"
    ).fetchone()[0]
    return duplicates == 0


def _expr(alias: str, name: str, retyped: set[str]) -> str:
    column = f"{alias}.{quote(name)}"
    return f"cast({column} as varchar)" if name in retyped else column


def _count_and_list(
    connection: duckdb.DuckDBPyConnection, query: str, max_listed: int
) -> tuple[int, list[tuple]]:
    if max_listed <= 0:
        return connection.execute(f"select count(*) from ({query})").fetchone()[0], []
    # One evaluation of the query for both (it joins two versions of a whole table): the count rides
    # along as a window over all its rows.
    rows = connection.execute(
        f"select *, count(*) over () as listed_total from ({query}) order by all limit {max_listed}"
    ).fetchall()
    if not rows:
        return 0, []
    return rows[0][-1], [row[:-1] for row in rows]


def _diff_by_key(
    connection: duckdb.DuckDBPyConnection,
    result: TableDiff,
    key: tuple[str, ...],
    compared: list[str],
    retyped: set[str],
    max_listed: int,
) -> None:
    result.key_columns, result.keyed = key, True
    match = " and ".join(f"o.{quote(name)} is not distinct from n.{quote(name)}" for name in key)
    n_key = ", ".join(f"n.{quote(name)}" for name in key)
    o_key = ", ".join(f"o.{quote(name)}" for name in key)
    result.added, result.added_rows = _count_and_list(
        connection,
        f"select {n_key} from new_rows n where not exists (select 1 from old_rows o where {match})",
        max_listed,
    )
    result.removed, result.removed_rows = _count_and_list(
        connection,
        f"select {o_key} from old_rows o where not exists (select 1 from new_rows n where {match})",
        max_listed,
    )
    if not compared:
        return
    # Rows matched by key are compared through DuckDB's 64-bit hash of their other columns, computed in
    # one narrow pass per side: joining the two wide tables would build a hash table of every column and,
    # beyond DuckDB's memory limit, spill. Measured on fct_source_cell, 3M rows: the wide join 49 s, md5
    # of each row's JSON 15 s, hash() 1.6 s. A changed row goes unlisted only if its two hashes collide
    # (about 1 in 2^64 per row); this is the notes' account of rows, whereas whether a table changed at
    # all is decided by its sha256 content hash. Only the listed keys are then read again, whole, to name
    # the columns that changed.
    for alias, source in (("o", "old_rows"), ("n", "new_rows")):
        keys = ", ".join(f"{alias}.{quote(name)}" for name in key)
        digest = f"hash({', '.join(_expr(alias, name, retyped) for name in compared)})"
        connection.execute(
            f"create or replace temp table {source}_digest as "
            f"select {keys}, {digest} as row_digest from {source} {alias}"
        )
    changed_query = (
        f"select {n_key} from old_rows_digest o join new_rows_digest n on {match} "
        "where o.row_digest <> n.row_digest"
    )
    result.changed = connection.execute(f"select count(*) from ({changed_query})").fetchall()[0][0]
    if not result.changed:
        return
    connection.execute(
        f"create or replace temp table listed as {changed_query} order by {n_key} limit {max_listed}"
    )
    listed = " and ".join(f"l.{quote(name)} is not distinct from {{alias}}.{quote(name)}" for name in key)
    distinct = [
        f"{_expr('o', name, retyped)} is distinct from {_expr('n', name, retyped)}" for name in compared
    ]
    values = ", ".join(f"{_expr('o', name, retyped)}, {_expr('n', name, retyped)}" for name in compared)
    flags = ", ".join(distinct)
    rows = connection.execute(
        f"with o as (select * from old_rows o where exists (select 1 from listed l where {listed.format(alias='o')})), "
        f"n as (select * from new_rows n where exists (select 1 from listed l where {listed.format(alias='n')})) "
        f"select {n_key}, {values}, {flags} from o join n on {match} order by {n_key}"
    ).fetchall()
    width = len(key)
    for row in rows:
        pairs = row[width : width + 2 * len(compared)]
        flags_row = row[width + 2 * len(compared) :]
        changes = tuple(
            (name, pairs[2 * index], pairs[2 * index + 1])
            for index, name in enumerate(compared)
            if flags_row[index]
        )
        result.changed_rows.append(ChangedRow(key=tuple(row[:width]), changes=changes))


def _diff_whole_rows(
    connection: duckdb.DuckDBPyConnection,
    result: TableDiff,
    common: list[str],
    retyped: set[str],
    max_listed: int,
) -> None:
    result.key_columns, result.keyed = tuple(common), False
    if not common:
        result.added, result.removed = result.rows_after, result.rows_before
        return
    new_cols = ", ".join(_expr("n", name, retyped) for name in common)
    old_cols = ", ".join(_expr("o", name, retyped) for name in common)
    new_rows = f"select {new_cols} from new_rows n"
    old_rows = f"select {old_cols} from old_rows o"
    result.added, result.added_rows = _count_and_list(
        connection, f"{new_rows} except all {old_rows}", max_listed
    )
    result.removed, result.removed_rows = _count_and_list(
        connection, f"{old_rows} except all {new_rows}", max_listed
    )
