"""Read the published tables of the warehouse (DuckDB schema `marts`), check their keys, fix their order.

Every table and view of the schema is published; contract tables must keep their grain (primary key)
and their foreign keys, or no release is cut: a release that declares a key its data breaks would
mislead every user who joins on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from .errors import KeyViolation, ReleaseError
from .snapshot import Column, TableSnapshot, order_by_columns, table_content_hash
from .table_keys import CONTRACT_TABLES, ForeignKey, keys_for

_EXAMPLES = 5


@dataclass(frozen=True)
class PublishedTable:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    order_by: tuple[str, ...]
    data: pa.Table  # rows in canonical order
    content_hash: str

    @property
    def rows(self) -> int:
        return self.data.num_rows

    def snapshot(self) -> TableSnapshot:
        data = self.data
        return TableSnapshot(
            name=self.name,
            columns=self.columns,
            primary_key=self.primary_key,
            content_hash=self.content_hash,
            rows=self.rows,
            loader=lambda: data,
        )


@dataclass(frozen=True)
class WarehouseContents:
    tables: tuple[PublishedTable, ...]
    warnings: tuple[str, ...]  # keys left out of extension tables, contract tables missing


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def read_published_tables(connection: duckdb.DuckDBPyConnection, schema: str = "marts") -> WarehouseContents:
    """Every table and view of `schema`, keys checked, rows fetched in canonical order."""
    names = _table_names(connection, schema)
    if not names:
        raise ReleaseError(
            f"the warehouse has no tables in schema {schema!r}: build it (dbt build) before publishing"
        )
    columns = {name: _columns(connection, schema, name) for name in names}
    checker = _KeyChecker(connection, schema, columns)
    tables = []
    for name in names:
        primary_key = checker.primary_key(name)
        foreign_keys = checker.foreign_keys(name)
        order_by = tuple(order_by_columns((column.name for column in columns[name]), primary_key))
        data = _fetch_ordered(connection, schema, name, order_by)
        tables.append(
            PublishedTable(
                name=name,
                columns=columns[name],
                primary_key=primary_key,
                foreign_keys=foreign_keys,
                order_by=order_by,
                data=data,
                content_hash=table_content_hash(name, columns[name], data),
            )
        )
    if checker.violations:
        raise KeyViolation(
            "the warehouse breaks keys that contract v1 promises; no release cut:\n- "
            + "\n- ".join(checker.violations)
        )
    missing = [name for name in CONTRACT_TABLES if name not in columns]
    warnings = list(checker.warnings)
    if missing:
        warnings.append(f"contract tables not in the warehouse (not in this release): {', '.join(missing)}")
    return WarehouseContents(tables=tuple(tables), warnings=tuple(warnings))


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


def _fetch_ordered(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, order_by: tuple[str, ...]
) -> pa.Table:
    """All columns in table order, rows ordered by `order_by` (key first, then every column)."""
    if not order_by:
        raise ReleaseError(f"table {schema}.{table} has no columns")
    ordering = ", ".join(f"{quote(name)} asc nulls last" for name in order_by)
    data = connection.sql(
        f"select * from {quote(schema)}.{quote(table)} order by {ordering}"
    ).to_arrow_table()
    return data.replace_schema_metadata(None)


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

    def primary_key(self, table: str) -> tuple[str, ...]:
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
        cols = ", ".join(quote(name) for name in key)
        duplicates = self.connection.execute(
            f"select {cols}, count(*) as n from {self._relation(table)} group by {cols} having count(*) > 1 "
            f"order by n desc, {cols} limit {_EXAMPLES}"
        ).fetchall()
        if duplicates:
            total = self.connection.execute(
                f"select count(*) from (select 1 from {self._relation(table)} group by {cols} having count(*) > 1)"
            ).fetchone()[0]
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
