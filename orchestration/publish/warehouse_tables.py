"""Read the published tables of the warehouse (DuckDB schema `marts`), check their keys, fix their order.

Every table and view of the schema is published; contract tables must keep their grain (primary key)
and their foreign keys, or no release is cut: a release that declares a key its data breaks would
mislead every user who joins on it. The key checks are SQL run by DuckDB.

Rows never come into Python a table at a time: each table is streamed from DuckDB once, in canonical
order, as Arrow record batches (`batch_rows` rows each), which are hashed and written to a Parquet file
in the staging folder and then dropped. Python holds one batch and one Parquet row group, whatever the
size of the table or the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .consumer_thread import ConsumerThread
from .errors import KeyViolation, ReleaseError
from .parquet_files import ParquetStreamWriter, WrittenFile
from .snapshot import Column, TableHasher, order_by_columns
from .table_keys import CONTRACT_TABLES, ForeignKey, keys_for

_EXAMPLES = 5
DEFAULT_BATCH_ROWS = 65_536


@dataclass(frozen=True)
class PublishedTable:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    order_by: tuple[str, ...]
    rows: int
    content_hash: str
    staged: WrittenFile | None = None  # its Parquet file in the staging folder, when one was given


@dataclass(frozen=True)
class WarehouseContents:
    tables: tuple[PublishedTable, ...]
    warnings: tuple[str, ...]  # keys left out of extension tables, contract tables missing


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal (a file path given to read_parquet)."""
    return "'" + text.replace("'", "''") + "'"


def published_columns(
    connection: duckdb.DuckDBPyConnection, schema: str = "marts"
) -> dict[str, tuple[Column, ...]]:
    """Every table and view of `schema` with its columns, in name order."""
    names = _table_names(connection, schema)
    if not names:
        raise ReleaseError(
            f"the warehouse has no tables in schema {schema!r}: build it (dbt build) before publishing"
        )
    return {name: _columns(connection, schema, name) for name in names}


def read_published_tables(
    connection: duckdb.DuckDBPyConnection,
    schema: str = "marts",
    batch_rows: int = DEFAULT_BATCH_ROWS,
    staging: Path | None = None,
    reused: Mapping[str, tuple[int, str]] | None = None,
    splice: Splice | None = None,
    columns: Mapping[str, tuple[Column, ...]] | None = None,
) -> WarehouseContents:
    """Every table and view of `schema`: keys checked (all tables first), then each table streamed once
    in canonical order to count its rows and compute its content hash and, when `staging` is given,
    written on the way to `staging/<table>.parquet`. No rows are kept.

    `reused`: table -> (rows, content hash) of tables known to hold exactly a published table's rows
    (publish/document_scope.py). They are not streamed (`staged` stays None) and their primary key is
    not checked again (the published rows passed it); their foreign keys are, as their parents may have
    changed.

    `splice`: tables that may be rebuilt from a previous release's file and the changed documents' rows
    (`splice_rows`) instead of read whole, when their canonical order is the one of that file.
    `columns`: `published_columns` when the caller has read them already."""
    columns = dict(columns) if columns is not None else published_columns(connection, schema)
    names = list(columns)
    reused = reused or {}
    checker = _KeyChecker(connection, schema, columns)
    keys = {
        name: (checker.primary_key(name, check_rows=name not in reused), checker.foreign_keys(name))
        for name in names
    }
    if checker.violations:
        raise KeyViolation(
            "the warehouse breaks keys that contract v1 promises; no release cut:\n- "
            + "\n- ".join(checker.violations)
        )
    tables = []
    for name in names:
        primary_key, foreign_keys = keys[name]
        order_by = tuple(order_by_columns((column.name for column in columns[name]), primary_key))
        if name in reused:
            rows, content_hash = reused[name]
            tables.append(
                PublishedTable(name, columns[name], primary_key, foreign_keys, order_by, rows, content_hash)
            )
            continue
        hasher = TableHasher(name, columns[name])
        path = None if staging is None else Path(staging) / f"{name}.parquet"
        rows = None
        if splice is not None and splice.order_by.get(name) == order_by:
            rows = _spliced_rows(connection, schema, name, order_by, splice, batch_rows)
        staged = _stream_table(connection, schema, name, order_by, batch_rows, hasher, path, rows)
        if rows is not None and hasher.rows != _count(connection, schema, name):
            # The previous file did not hold the other documents' rows as the warehouse does: read whole.
            hasher = TableHasher(name, columns[name])
            staged = _stream_table(connection, schema, name, order_by, batch_rows, hasher, path)
        tables.append(
            PublishedTable(
                name=name,
                columns=columns[name],
                primary_key=primary_key,
                foreign_keys=foreign_keys,
                order_by=order_by,
                rows=hasher.rows,
                content_hash=hasher.hexdigest(),
                staged=staged,
            )
        )
    missing = [name for name in CONTRACT_TABLES if name not in columns]
    warnings = list(checker.warnings)
    if missing:
        warnings.append(f"contract tables not in the warehouse (not in this release): {', '.join(missing)}")
    return WarehouseContents(tables=tuple(tables), warnings=tuple(warnings))


def stage_table(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: PublishedTable,
    folder: Path,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> WrittenFile:
    """Write a table that was not streamed (a reused one whose earlier file could not be taken) to
    `folder/<table>.parquet`, checking that its rows still have the content hash it was given."""
    hasher = TableHasher(table.name, table.columns)
    path = Path(folder) / f"{table.name}.parquet"
    written = _stream_table(connection, schema, table.name, table.order_by, batch_rows, hasher, path)
    if hasher.hexdigest() != table.content_hash:
        path.unlink(missing_ok=True)
        raise ReleaseError(f"{table.name}: its rows no longer have the content hash of the release it reused")
    return written


def _stream_table(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    order_by: tuple[str, ...],
    batch_rows: int,
    hasher: TableHasher,
    path: Path | None,
    rows: Iterator[pa.RecordBatch] | None = None,
) -> WrittenFile | None:
    """Feed every batch of `table` (or of `rows`, the same rows however obtained) to `hasher` and, when
    `path` is given, to a Parquet file there: reading, hashing and writing overlap, the last two each
    on a thread of its own (publish/consumer_thread.py)."""
    writer: ParquetStreamWriter | None = None
    consumers = [ConsumerThread(hasher.update, name=f"hash {table}")]
    try:
        for batch in (
            rows if rows is not None else stream_rows(connection, schema, table, order_by, batch_rows)
        ):
            if path is not None and writer is None:
                writer = ParquetStreamWriter(path, batch.schema)
                consumers.append(ConsumerThread(writer.write, name=f"write {table}"))
            for consumer in consumers:
                consumer.put(batch)
        for consumer in consumers:
            consumer.close()
        if path is None:
            return None
        if writer is None:  # no rows: the file still carries the schema
            writer = ParquetStreamWriter(path, _empty_schema(connection, schema, table))
    except BaseException:
        for consumer in consumers:
            consumer.stop()
        if writer is not None:
            writer.abort()
        raise
    return writer.close()


@dataclass(frozen=True)
class Splice:
    """What `splice_rows` needs: the documents whose rows changed, the previous release's files, and the
    canonical order of each table there."""

    documents: frozenset[str]
    previous_file: Callable[[str], Path]
    order_by: Mapping[str, tuple[str, ...]]


def _count(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return connection.execute(f"select count(*) from {quote(schema)}.{quote(table)}").fetchall()[0][0]


def _spliced_rows(
    connection, schema, table, order_by, splice: Splice, batch_rows
) -> Iterator[pa.RecordBatch]:
    return splice_rows(
        connection, schema, table, order_by, splice.documents, splice.previous_file(table), batch_rows
    )


def splice_rows(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    order_by: tuple[str, ...],
    documents: frozenset[str],
    previous: Path,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """The rows of a per-document table in canonical order, without sorting the table: `previous` (a
    published file of it, in the same canonical order, which begins with document_key) gives every
    other document's rows in their order, DuckDB the rows of `documents`, sorted; each changed
    document's rows go where its key falls among the others. Equal to `stream_rows` when the other
    documents' rows are the previous file's (publish/document_scope.py says when; the caller checks
    the row count). Strings compare by their bytes in Arrow as in DuckDB's ORDER BY."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not order_by or order_by[0] != "document_key":
        raise ReleaseError(f"{table}: its order does not begin with document_key")
    keys = sorted(documents)
    ordering = ", ".join(f"{quote(name)} asc nulls last" for name in order_by)
    file = pq.ParquetFile(previous)
    schema_arrow = file.schema_arrow.remove_metadata()
    changed = (
        connection.sql(
            f"select * from {quote(schema)}.{quote(table)} "
            f"where document_key in (select unnest(?::varchar[])) order by {ordering}",
            params=[keys],
        )
        .to_arrow_table()
        .cast(schema_arrow)
    )
    # The changed documents' rows, one slice per document, in key order.
    column = changed.column("document_key").to_pylist()
    pending: list[tuple[str, pa.Table]] = []
    start = 0
    for index in range(1, len(column) + 1):
        if index == len(column) or column[index] != column[start]:
            pending.append((column[start], changed.slice(start, index - start)))
            start = index
    pending.reverse()  # popped from the end, smallest key first
    value_set = pa.array(keys, pa.string())
    for batch in file.iter_batches(batch_size=batch_rows):
        batch = batch.replace_schema_metadata(None)
        kept = batch.filter(pc.invert(pc.is_in(batch.column("document_key"), value_set=value_set)))
        if not kept.num_rows:
            continue
        last = kept.column("document_key")[-1].as_py()
        position = 0
        while pending and (last is None or pending[-1][0] < last):
            key, rows = pending.pop()
            before = pc.sum(pc.less(kept.column("document_key"), key)).as_py() or 0
            if before > position:
                yield kept.slice(position, before - position)
                position = before
            yield from rows.to_batches()
        if position < kept.num_rows:
            yield kept.slice(position)
    for _, rows in reversed(pending):
        yield from rows.to_batches()


def stream_rows(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    order_by: tuple[str, ...],
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """All columns in table order, rows ordered by `order_by` (key first, then every column), as
    record batches of at most `batch_rows` rows, fetched as they are consumed."""
    reader = _ordered_query(connection, schema, table, order_by).to_arrow_reader(batch_rows)
    try:
        for batch in reader:
            if batch.num_rows:
                yield batch.replace_schema_metadata(None) if batch.schema.metadata else batch
    finally:
        reader.close()


def _ordered_query(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, order_by: tuple[str, ...]
) -> duckdb.DuckDBPyRelation:
    if not order_by:
        raise ReleaseError(f"table {schema}.{table} has no columns")
    ordering = ", ".join(f"{quote(name)} asc nulls last" for name in order_by)
    return connection.sql(f"select * from {quote(schema)}.{quote(table)} order by {ordering}")


def _empty_schema(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> pa.Schema:
    relation = connection.sql(f"select * from {quote(schema)}.{quote(table)} limit 0")
    return relation.to_arrow_table().schema.remove_metadata()


def _table_names(connection: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [row[0] for row in rows]


def _columns(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[Column, ...]:
    rows = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return tuple(Column(name, sql_type) for name, sql_type in rows)


class _KeyChecker:
    """Resolves the keys a table can declare; collects contract violations and extension warnings."""

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, schema: str, columns: dict[str, tuple[Column, ...]]
    ):
        self.connection = connection
        self.schema = schema
        self.columns = {name: {column.name for column in cols} for name, cols in columns.items()}
        self.violations: list[str] = []
        self.warnings: list[str] = []

    def _problem(self, table: str, message: str, contract: bool) -> None:
        if contract:
            self.violations.append(message)
        else:
            self.warnings.append(f"{message} (extension table {table}: key not declared)")

    def _relation(self, table: str) -> str:
        return f"{quote(self.schema)}.{quote(table)}"

    def primary_key(self, table: str, check_rows: bool = True) -> tuple[str, ...]:
        keys = keys_for(table)
        key = keys.primary_key
        if not key:
            return ()
        missing = [name for name in key if name not in self.columns[table]]
        if missing:
            self._problem(
                table, f"{table}: primary key column(s) missing: {', '.join(missing)}", keys.contract
            )
            return ()
        if not check_rows:
            return key
        cols = ", ".join(quote(name) for name in key)
        duplicates = self.connection.execute(
            f"select {cols}, count(*) as n from {self._relation(table)} group by {cols} having count(*) > 1 "
            f"order by n desc, {cols} limit {_EXAMPLES}"
        ).fetchall()
        if duplicates:
            total = self.connection.execute(
                f"select count(*) from (select 1 from {self._relation(table)} group by {cols} having count(*) > 1)"
            ).fetchall()[0][0]
            examples = "; ".join(
                ", ".join(f"{name}={value!r}" for name, value in zip(key, row[:-1], strict=True))
                + f" ({row[-1]} rows)"
                for row in duplicates
            )
            self._problem(
                table,
                f"{table}: {total} value(s) of the primary key ({', '.join(key)}) occur more than once, e.g. {examples}",
                keys.contract,
            )
            return ()
        return key

    def foreign_keys(self, table: str) -> tuple[ForeignKey, ...]:
        keys = keys_for(table)
        declared = []
        for foreign_key in keys.foreign_keys:
            if foreign_key.resource not in self.columns:
                continue  # the referenced table is not published: reported once as a missing table
            missing = [name for name in foreign_key.fields if name not in self.columns[table]] + [
                f"{foreign_key.resource}.{name}"
                for name in foreign_key.reference_fields
                if name not in self.columns[foreign_key.resource]
            ]
            if missing:
                self._problem(
                    table,
                    f"{foreign_key.describe(table)}: column(s) missing: {', '.join(missing)}",
                    keys.contract,
                )
                continue
            orphans = self._orphans(table, foreign_key)
            if orphans:
                self._problem(
                    table,
                    f"{foreign_key.describe(table)}: values with no match, e.g. {orphans}",
                    keys.contract,
                )
                continue
            declared.append(foreign_key)
        return tuple(declared)

    def _orphans(self, table: str, foreign_key: ForeignKey) -> str:
        fields = [f"c.{quote(name)}" for name in foreign_key.fields]
        not_null = " and ".join(f"{field} is not null" for field in fields)
        matches = " and ".join(
            f"p.{quote(parent)} = c.{quote(child)}"
            for child, parent in zip(foreign_key.fields, foreign_key.reference_fields, strict=True)
        )
        rows = self.connection.execute(
            f"select distinct {', '.join(fields)} from {self._relation(table)} c where {not_null} "
            f"and not exists (select 1 from {self._relation(foreign_key.resource)} p where {matches}) "
            f"order by all limit {_EXAMPLES}"
        ).fetchall()
        return "; ".join(
            ", ".join(f"{name}={value!r}" for name, value in zip(foreign_key.fields, row, strict=True))
            for row in rows
        )
