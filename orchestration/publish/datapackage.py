"""The release's `datapackage.json` (Frictionless Data Package v1).

Each table is a resource: its Parquet path, bytes, sha256, and a Table Schema whose field types map the
DuckDB types (DECIMAL keeps its exact SQL type in `cnbudget:sql_type`; amounts carry `unit: 万元`), with
the dbt docs' descriptions and the keys of `table_keys.py`. Custom properties are prefixed `cnbudget:`.
`created` is the only time-dependent property and it is not part of `cnbudget:content_hash`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from . import snapshot
from .dbt_docs import ModelDocs, column_description
from .parquet_files import PARQUET_MEDIATYPE, WrittenFile
from .snapshot import Column
from .sources import SourceDocument, sources_to_json
from .table_keys import is_money_column
from .warehouse_tables import PublishedTable

DATAPACKAGE_NAME = "datapackage.json"
PACKAGE_NAME = "cnbudget"
CONTENT_HASH = "cnbudget:content_hash"
HASH_ENCODING = "cnbudget:hash_encoding"
CONTRACT_VERSION = "cnbudget:contract_version"
FILES = "cnbudget:files"
PREVIOUS_VERSION = "cnbudget:previous_version"
ROWS = "cnbudget:rows"
SQL_TYPE = "cnbudget:sql_type"
# What the per-document rows were built from (publish/document_scope.py): the next release's evidence
# of which tables it can take unchanged. Not part of the content hash.
BUILD_INPUTS = "cnbudget:build_inputs"

LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    }
]
LICENSE_NOTE = (
    "The compiled tables are published under CC-BY-4.0. The source documents are public disclosures of "
    "Chinese government departments (部门预算, 部门决算, 绩效目标表, 绩效自评表) published under the "
    "Regulations on Open Government Information; cite the department and document alongside cnbudget."
)

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_INTEGER_TYPES |= {"UBIGINT", "UHUGEINT"}
_NUMBER_TYPES = {"FLOAT", "DOUBLE", "REAL"}


def frictionless_type(sql_type: str) -> str:
    """Table Schema type of a DuckDB type (the exact SQL type is kept next to it)."""
    upper = sql_type.upper()
    if upper.endswith("]"):
        return "array"
    if upper.startswith(("STRUCT", "MAP", "UNION")) or upper == "JSON":
        return "object"
    if upper.startswith(("DECIMAL", "NUMERIC")) or upper in _NUMBER_TYPES:
        return "number"
    if upper in _INTEGER_TYPES:
        return "integer"
    if upper == "BOOLEAN":
        return "boolean"
    if upper == "DATE":
        return "date"
    if upper.startswith("TIMESTAMP"):
        return "datetime"
    if upper.startswith("TIME"):
        return "time"
    if upper == "INTERVAL":
        return "duration"
    if upper in ("VARCHAR", "UUID") or re.match(r"^(VARCHAR|CHAR|TEXT|STRING)\b", upper):
        return "string"
    return "any"


def field_descriptor(column: Column, docs: ModelDocs | None) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": column.name, "type": frictionless_type(column.sql_type)}
    description = column_description(docs, column.name)
    if description:
        descriptor["description"] = description
    if is_money_column(column.name):
        descriptor["unit"] = "万元"
    descriptor[SQL_TYPE] = column.sql_type
    return descriptor


def resource_descriptor(
    table: PublishedTable, written: WrittenFile, docs: ModelDocs | None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [field_descriptor(column, docs) for column in table.columns]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(foreign_key.fields),
                "reference": {"resource": foreign_key.resource, "fields": list(foreign_key.reference_fields)},
            }
            for foreign_key in table.foreign_keys
        ]
    resource: dict[str, Any] = {"name": table.name, "path": written.name}
    if docs is not None and docs.description:
        resource["description"] = docs.description
    resource.update(
        {
            "format": "parquet",
            "mediatype": PARQUET_MEDIATYPE,
            "bytes": written.bytes,
            "hash": f"sha256:{written.sha256}",
            "schema": schema,
            ROWS: table.rows,
            CONTENT_HASH: table.content_hash,
            "cnbudget:order_by": list(table.order_by),
        }
    )
    return resource


def package_descriptor(
    *,
    version: str,
    created: str,
    contract_version: str,
    content_hash: str,
    previous_version: str | None,
    tables: Iterable[PublishedTable],
    written: Mapping[str, WrittenFile],
    docs: Mapping[str, ModelDocs],
    sources: Iterable[SourceDocument],
    other_files: Mapping[str, int],
    build_inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole descriptor; `other_files` are the release's files besides the tables (notes, DuckDB)."""
    tables = list(tables)
    files = {written[table.name].name: written[table.name].bytes for table in tables}
    files.update(other_files)
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "cnbudget: Chinese government departments' budgets, final accounts and performance data",
        "description": (
            "Star schema (contract "
            + contract_version
            + ") of Chinese government department budget disclosures: one Parquet file per table; "
            "cnbudget.duckdb holds views over them. " + LICENSE_NOTE
        ),
        "version": version,
        "created": created,
        "licenses": LICENSES,
        "cnbudget:license_note": LICENSE_NOTE,
        "keywords": ["budget", "final accounts", "China", "fiscal transparency", "部门预算", "部门决算"],
        "sources": sources_to_json(sources),
        CONTRACT_VERSION: contract_version,
        CONTENT_HASH: content_hash,
        HASH_ENCODING: snapshot.HASH_ENCODING,
        PREVIOUS_VERSION: previous_version,
        FILES: dict(sorted(files.items())),
        "resources": [
            resource_descriptor(table, written[table.name], docs.get(table.name)) for table in tables
        ],
        **({BUILD_INPUTS: dict(build_inputs)} if build_inputs is not None else {}),
    }
