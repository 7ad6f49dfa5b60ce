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

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..warehouse.build_state import BuildInputs, changed_documents, warehouse_build_inputs
from .datapackage import BUILD_INPUTS, CONTENT_HASH, ROWS, SQL_TYPE

DOCUMENT_COLUMN = "document_key"
# The pre-hook every per-document model has (the incremental_by_document macro).
_PER_DOCUMENT_HOOK = "delete_changed_documents"


@dataclass(frozen=True)
class ReleaseScope:
    """What the release may take from the previous one."""

    inputs: BuildInputs | None  # of the warehouse being published (recorded in the new release)
    changed_documents: frozenset[str] | None = None  # None: not comparable with the previous release
    # table -> (rows, content hash) of the previous release's table, which it holds unchanged
    unchanged_tables: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    per_document_tables: frozenset[str] = field(default_factory=frozenset)
    # Changed per-document tables that can be rebuilt from the previous release's file, table -> its
    # canonical order there (`cnbudget:order_by`), used only if the new order is the same
    # (warehouse_tables.splice_rows).
    spliceable: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    previous_file: Callable[[str], Path] | None = field(default=None, compare=False)

    def diff_documents(self, table: str) -> frozenset[str] | None:
        """The documents whose rows a diff of `table` must compare (None: every row)."""
        if self.changed_documents is None or table not in self.per_document_tables:
            return None
        return self.changed_documents


def per_document_models(manifest_path: Path | None, schema: str) -> frozenset[str]:
    """The models of `schema` built by document (incremental, with the per-document delete pre-hook)."""
    if manifest_path is None or not Path(manifest_path).is_file():
        return frozenset()
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    names = set()
    for node in manifest.get("nodes", {}).values():
        config = node.get("config") or {}
        hooks = " ".join(str(hook.get("sql", "")) for hook in config.get("pre-hook") or [])
        if (
            node.get("resource_type") == "model"
            and node.get("schema") == schema
            and config.get("materialized") == "incremental"
            and _PER_DOCUMENT_HOOK in hooks
        ):
            names.add(node["name"])
    return frozenset(names)


def release_scope(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    manifest_path: Path | None,
    previous_descriptor: Mapping[str, Any] | None,
    previous_file: Callable[[str], Path],
    current_columns: Mapping[str, tuple],
) -> ReleaseScope:
    """Compare the warehouse with the previous release (see the module docstring).

    `previous_file`: table name -> local Parquet file of the previous release (downloaded from a remote
    target only when asked); `current_columns`: table name -> its columns in the warehouse (`Column`s,
    compared with the previous descriptor's). Tables whose hashes were computed another way (an older
    `cnbudget:hash_encoding`) or whose primary key was not declared are not reused."""
    from .datapackage import HASH_ENCODING
    from .snapshot import HASH_ENCODING as CURRENT_ENCODING
    from .table_keys import keys_for

    inputs = warehouse_build_inputs(connection)
    if previous_descriptor is None or previous_descriptor.get(HASH_ENCODING) != CURRENT_ENCODING:
        return ReleaseScope(inputs)
    changed = changed_documents(BuildInputs.from_json(previous_descriptor.get(BUILD_INPUTS)), inputs)
    if changed is None:
        return ReleaseScope(inputs)
    per_document = per_document_models(manifest_path, schema)
    resources = {resource["name"]: resource for resource in previous_descriptor.get("resources", [])}
    unchanged: dict[str, tuple[int, str]] = {}
    spliceable: dict[str, tuple[str, ...]] = {}
    for name in sorted(per_document & set(current_columns)):
        resource, columns = resources.get(name), current_columns[name]
        if resource is None or DOCUMENT_COLUMN not in {column.name for column in columns}:
            continue
        if _previous_columns(resource) != [(column.name, column.sql_type) for column in columns]:
            continue
        declared = (resource.get("schema") or {}).get("primaryKey") or []
        declared = (declared,) if isinstance(declared, str) else tuple(declared)
        if declared != keys_for(name).primary_key or not resource.get(CONTENT_HASH):
            continue
        rows = int(resource.get(ROWS, -1))
        if _same_rows(connection, schema, name, columns, lambda n=name: previous_file(n), changed, rows):
            unchanged[name] = (rows, str(resource[CONTENT_HASH]))
        elif (resource.get("cnbudget:order_by") or [None])[0] == DOCUMENT_COLUMN:
            spliceable[name] = tuple(resource["cnbudget:order_by"])
    return ReleaseScope(inputs, changed, unchanged, per_document, spliceable, previous_file)


def _previous_columns(resource: Mapping[str, Any]) -> list[tuple[str, str]]:
    fields = (resource.get("schema") or {}).get("fields") or []
    return [(field_["name"], field_.get(SQL_TYPE) or field_.get("type", "any")) for field_ in fields]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _same_rows(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: Iterable,
    previous_file: Callable[[], Path],
    documents: frozenset[str],
    previous_rows: int,
) -> bool:
    """The table has the previous file's row count, and the same rows (as a multiset) for `documents`."""
    relation = f"{_quote(schema)}.{_quote(table)}"
    rows = connection.execute(f"select count(*) from {relation}").fetchall()[0][0]
    if rows != previous_rows:
        return False
    if not documents:
        return True
    names = ", ".join(_quote(column.name) for column in columns)
    scope = f"{_quote(DOCUMENT_COLUMN)} in (select unnest(?::varchar[]))"
    path = "'" + Path(previous_file()).as_posix().replace("'", "''") + "'"
    now = f"select {names} from {relation} where {scope}"
    before = f"select {names} from read_parquet({path}) where {scope}"
    keys = sorted(documents)
    differing = connection.execute(
        f"select count(*) from (({now} except all {before}) union all ({before} except all {now}))",
        [keys, keys, keys, keys],
    ).fetchall()[0][0]
    return differing == 0
