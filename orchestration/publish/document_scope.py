"""Which tables of a new release provably hold the previous release's rows, found without reading them.

A per-document model (dbt_project/macros/incremental_by_document.sql) rebuilds only the rows of the
documents whose raw rows changed; every other document's rows stay as they were. So a release records
what its per-document rows were built from (`cnbudget:build_inputs` in datapackage.json: the dbt project
of the complete build, and each document's input version: its bytes, manifest entry and extraction
code), and the next release compares:

- same project, nothing pending in either: the rows can differ only for the documents whose input
  version differs, or that were added or removed (the *changed documents*);
- for each per-document table the rows of the changed documents are compared, in DuckDB, with the
  previous release's file (EXCEPT ALL both ways, exact), and the row counts with its descriptor;
- a table where nothing differs is the previous release's table: its content hash, row count and file
  are reused, and it is neither sorted, hashed, written nor diffed again;
- a table where something differs, whose canonical order begins with `document_key`, is rebuilt from
  the previous file (the other documents' rows, in their order) and DuckDB (the changed documents' rows)
  instead of being sorted whole again (warehouse_tables.splice_rows).

Anything not provable this way (another project, pending documents, no record, a table that is not
per-document, changed columns) is read whole as before. The release notes' row comparison of a changed
per-document table is also limited to the changed documents' rows, for the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..warehouse.build_state import BuildInputs, changed_documents, warehouse_build_inputs
from .datapackage import BUILD_INPUTS, HASH_ENCODING
from .snapshot import HASH_ENCODING as CURRENT_ENCODING
from .snapshot import Snapshot, TableSnapshot, order_by_columns
from .table_keys import keys_for
from .warehouse_tables import Splice, literal, quote

DOCUMENT_COLUMN = "document_key"


@dataclass(frozen=True)
class ReleaseScope:
    """What the release may take from the previous one."""

    inputs: BuildInputs | None  # of the warehouse being published (recorded in the new release)
    changed_documents: frozenset[str] | None = None  # None: not comparable with the previous release
    # table -> (rows, content hash) of the previous release's table, which it holds unchanged
    unchanged_tables: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    per_document_tables: frozenset[str] = field(default_factory=frozenset)
    # The changed per-document tables whose previous file is in the same canonical order (beginning with
    # document_key), table -> that order: rebuilt from that file (warehouse_tables.splice_rows).
    spliceable: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    previous: Snapshot | None = field(default=None, compare=False)

    def diff_documents(self, table: str) -> frozenset[str] | None:
        """The documents whose rows a diff of `table` must compare (None: every row)."""
        if self.changed_documents is None or table not in self.per_document_tables:
            return None
        return self.changed_documents

    def splice(self, scratch) -> Splice | None:
        """What `read_published_tables` needs to rebuild the spliceable tables (files of a remote target
        are downloaded into `scratch` when asked)."""
        if self.changed_documents is None or self.previous is None or not self.spliceable:
            return None
        tables = self.previous.tables
        return Splice(
            self.changed_documents, lambda name: tables[name].parquet_file(scratch), self.spliceable
        )


def release_scope(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    per_document: frozenset[str],
    previous_descriptor: Mapping[str, Any] | None,
    previous: Snapshot | None,
    current_columns: Mapping[str, tuple],
    scratch,
) -> ReleaseScope:
    """Compare the warehouse with the previous release (see the module docstring).

    `per_document`: the models built by document (dbt_docs.ModelDocs.per_document); `previous` the
    previous release as a snapshot and `previous_descriptor` its datapackage.json (build inputs, hash
    encoding); `current_columns`: table name -> its columns in the warehouse. A table is compared only
    when its columns, its declared primary key and its hash encoding are the previous release's."""
    inputs = warehouse_build_inputs(connection)
    if (
        previous is None
        or previous_descriptor is None
        or previous_descriptor.get(HASH_ENCODING) != CURRENT_ENCODING
    ):
        return ReleaseScope(inputs)
    changed = changed_documents(BuildInputs.from_json(previous_descriptor.get(BUILD_INPUTS)), inputs)
    if changed is None:
        return ReleaseScope(inputs)
    unchanged: dict[str, tuple[int, str]] = {}
    spliceable: dict[str, tuple[str, ...]] = {}
    for name in sorted(per_document & set(current_columns)):
        table, columns = previous.tables.get(name), tuple(current_columns[name])
        if (
            table is None
            or DOCUMENT_COLUMN not in {column.name for column in columns}
            or table.columns != columns
            or table.primary_key != keys_for(name).primary_key
            or not table.content_hash
        ):
            continue
        if _same_rows(connection, schema, table, changed, scratch):
            unchanged[name] = (table.rows, table.content_hash)
            continue
        order_by = tuple(order_by_columns(table.column_names, table.primary_key))
        if order_by[0] == DOCUMENT_COLUMN:
            spliceable[name] = order_by
    return ReleaseScope(inputs, changed, unchanged, frozenset(per_document), spliceable, previous)


def _same_rows(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    previous: TableSnapshot,
    documents: frozenset[str],
    scratch,
) -> bool:
    """The warehouse's table has the previous release's row count, and the same rows (as a multiset)
    for `documents`."""
    relation = f"{quote(schema)}.{quote(previous.name)}"
    rows = connection.execute(f"select count(*) from {relation}").fetchall()[0][0]
    if rows != previous.rows:
        return False
    if not documents:
        return True
    names = ", ".join(quote(name) for name in previous.column_names)
    scope = f"{quote(DOCUMENT_COLUMN)} in (select unnest(?::varchar[]))"
    path = literal(previous.parquet_file(scratch).as_posix())
    now = f"select {names} from {relation} where {scope}"
    before = f"select {names} from read_parquet({path}) where {scope}"
    keys = sorted(documents)
    differing = connection.execute(
        f"select count(*) from (({now} except all {before}) union all ({before} except all {now}))",
        [keys, keys, keys, keys],
    ).fetchall()[0][0]
    return differing == 0
