"""Pandera schemas of the raw tables: what the extraction promises dbt, checked before dbt runs.

Each raw table gets two schemas, built from its DDL (warehouse/raw_schema.py) plus the rules below:
- `errors`: types, NOT NULL, code formats, the contract's enumerations, non-negative amounts where
  the template cannot print a negative number, the fiscal-year range, and "every printed numeric
  cell is a fact or quarantined". A failure blocks the dbt models: they must not build on rows that
  break the interface.
- `warnings`: plausible but suspicious rows (a negative amount in a final account, a readable
  document whose year or type could not be inferred). Reported, never blocking.

Rules are keyed by column name, so a raw table added later (the performance tables) is checked by
every rule whose column it has, with no change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import pandas as pd
import pandera.pandas as pa
import yaml

from ..extract.metadata import REQUIRED_FIELDS
from ..readers.grid import LAYOUTS

# --- Enumerations: the contract's codes (/work/shared/contract.md), and the raw tables' own. ---
PHASES = ("budget", "final_account")
DOC_TYPES = ("budget", "final_account", "performance_target", "performance_evaluation")
ADMIN_LEVELS = ("province", "prefecture", "county")
FUND_SCOPES = ("all", "fiscal", "general_public_budget", "government_fund", "state_capital")
# The raw tables keep three expenditure types the contract folds away (see raw_schema.py).
EXPENDITURE_TYPES = ("total", "basic", "project", "personnel", "public", "business", "remit", "subsidy")
COST_TYPES = ("total", "personnel", "public")
REVENUE_SOURCES = (
    "fiscal",
    "general_public_budget",
    "government_fund",
    "state_capital",
    "special_account",
    "unit_funds",
    "business",
    "operating",
    "superior_subsidy",
    "subordinate_remittance",
    "other",
    "carryover",
    "non_fiscal_surplus_used",
    # raw only: money carried over that is not fiscal (财政专户 + 单位资金 结转结余); never a fct_revenue line
    "non_fiscal",
)
THREE_PUBLIC_CATEGORIES = (
    "total",
    "overseas_travel",
    "official_reception",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_operation",
)
MEASURES = ("budget", "final")
SCHEMES = ("department", "government")
PERIODS = ("annual", "half_year", "implementation_period")
COMPARATORS = (">=", "<=", "=", ">", "<")
SEVERITIES = ("error", "warning", "info")


def registry_units() -> tuple[str, ...]:
    """The units a table may be printed in (table_kinds.yaml `units`): every one is converted to 万元."""
    from ..extract.registry import REGISTRY_PATH

    return tuple(yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))["units"]["sizes"])


UNITS = registry_units()
FACT_TABLES = (
    "expenditure_by_function",
    "expenditure_by_economic",
    "revenue",
    "revenue_by_function",
    "three_public_costs",
    "project_expenditure",
    "admin_operating_costs",
    # Cells the extraction keeps for reconciliation only (no contract fact of their own): the total lines
    # of 收支总表 (本年收入合计, 支出总计 ...; `category` names the line) and revenue split by unit.
    "summary_line",
    "revenue_by_unit",
    # 三公 sub-items the contract has no category for (其中：教学科研人员因公出国（境）费 ...)
    "three_public_costs_detail",
    # the value (万元) of each class of assets in 固定资产 / 国有资产占用情况表
    "fixed_assets",
)

# Enumerations of columns whose meaning depends on the table (`project_level` is 0/1/2 in raw.cells
# but the printed 项目级次 in raw.performance_project).
TABLE_COLUMN_ENUMS: dict[tuple[str, str], tuple] = {
    # 'failed': the extraction stopped on it; reported like an unreadable one, never blocking the others
    ("documents", "status"): ("read", "unreadable", "failed"),
    ("tables", "status"): ("recognised", "empty", "unrecognised"),
    ("cells", "project_level"): (0, 1, 2),
    ("performance_evaluation", "row_kind"): ("indicator", "task"),
    ("performance_funding", "flow"): ("revenue", "expenditure", "source"),
    ("performance_funding", "line_role"): (
        "total",
        "fiscal_subtotal",
        "fiscal_source",
        "source",
        "basic",
        "project",
        "executed",
        "item",
    ),  # fmt: skip
    ("performance_project", "table_kind"): (
        "performance_target_project",
        "performance_target_department",
        "performance_evaluation_project",
        "performance_evaluation_department",
    ),
}


@cache
def registry_categories(group: str) -> tuple[str, ...]:
    """The categories the table-kind registry's row aliases of `group` can give a cell."""
    from ..extract.registry import REGISTRY_PATH

    aliases = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))["row_aliases"][group]
    return tuple(sorted({alias["category"] for alias in aliases if "category" in alias}))


def three_public_categories() -> tuple[str, ...]:
    """The 三公 categories the table-kind registry can read (contract ones and sub-items)."""
    return registry_categories("three_public")


@cache
def summary_lines() -> tuple[str, ...]:
    """The total lines the table-kind registry knows (its `summary_line` values), e.g. revenue_grand_total."""
    from ..extract.registry import REGISTRY_PATH

    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "summary_line" and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8")))
    return tuple(sorted(found))


FUNCTION_CODE = r"^\d{3}(\d{2}){0,2}$"
ECONOMIC_CODE = r"^\d{3}(\d{2})?$"
# Disclosures start with the 2010s reforms; the bounds are fixed so that validation is reproducible.
FISCAL_YEARS = (2000, 2100)
# Tables whose template has no place for a negative number, whatever the phase.
NEVER_NEGATIVE_FACT_TABLES = (
    "three_public_costs",
    "project_expenditure",
    "admin_operating_costs",
    "fixed_assets",
)
ECONOMIC_SCHEME_PREFIX = {"department": "3", "government": "5"}

# Columns that identify a failing row in the source, shown next to each failure.
LOCATOR_COLUMNS = (
    "document_key",
    "source_name",
    "table_seq",
    "source_table",
    "source_row",
    "line_number",
    "source_page",
    "source_locator",
    "column_label",
    "raw_value",
)

_DDL_COLUMN = re.compile(
    r"^\s*([a-z_][a-z0-9_]*)\s+([A-Z]+(?:\(\d+,\s*\d+\))?)(\s+NOT\s+NULL)?", re.MULTILINE
)


@dataclass(frozen=True)
class DdlColumn:
    name: str
    sql_type: str
    not_null: bool


def ddl_columns(columns_sql: str) -> list[DdlColumn]:
    """The columns of a raw table's DDL, with their type and whether NULL is allowed."""
    return [DdlColumn(m.group(1), m.group(2), bool(m.group(3))) for m in _DDL_COLUMN.finditer(columns_sql)]


def _is_decimal(series: pd.Series) -> pd.Series:
    return series.map(lambda value: value is None or pd.isna(value) or isinstance(value, Decimal)).astype(
        bool
    )


def _non_negative(series: pd.Series) -> pd.Series:
    return series.map(lambda value: value is None or pd.isna(value) or value >= 0).astype(bool)


def _enum(values: tuple[str, ...]) -> list[pa.Check]:
    return [pa.Check.isin(list(values))]


def _regex(pattern: str) -> list[pa.Check]:
    return [pa.Check.str_matches(pattern)]


def _at_least(minimum: int) -> list[pa.Check]:
    return [pa.Check.ge(minimum)]


# Error-level rules by column name, applied to every raw table that has the column.
COLUMN_RULES: dict[str, list[pa.Check]] = {
    "document_key": _regex(r"^[0-9a-f]{16}$"),
    "sha256": _regex(r"^[0-9a-f]{64}$"),
    "fiscal_year": [pa.Check.in_range(*FISCAL_YEARS)],
    "phase": _enum(PHASES),
    "doc_type": _enum(DOC_TYPES),
    "admin_level": _enum(ADMIN_LEVELS),
    "division_code": _regex(r"^\d{6}$"),
    "department_scope": _enum(("department", "unit")),
    "layout": _enum(LAYOUTS),
    "fund_scope": _enum(FUND_SCOPES),
    "function_code": _regex(FUNCTION_CODE),
    "economic_code": _regex(ECONOMIC_CODE),
    "expenditure_type": _enum(EXPENDITURE_TYPES),
    "cost_type": _enum(COST_TYPES),
    "scheme": _enum(SCHEMES),
    "revenue_source": _enum((*REVENUE_SOURCES, "total")),
    "fund_source": _enum((*REVENUE_SOURCES, "total")),
    "measure": _enum(MEASURES),
    "period": _enum(PERIODS),
    "comparator": _enum(COMPARATORS),
    "severity": _enum(SEVERITIES),
    "unit": _enum(UNITS),
    "source_unit": _enum(UNITS),
    "fact_table": _enum(FACT_TABLES),
    "row_role": _enum(("item", "total")),
    "funding": _enum(("total", "current_year", "carryover")),
    "cell_reading": _enum(("positional", "by_content", "split")),
    "table_seq": _at_least(1),
    "row_seq": _at_least(1),
    "col_seq": _at_least(1),
    "line_number": _at_least(1),
    "source_page": _at_least(1),
    "source_locator": [pa.Check.str_length(min_value=1)],
    "line_start": _at_least(1),
    "line_end": _at_least(1),
    "numeric_cells": _at_least(0),
    "facts": _at_least(0),
    "quarantined": _at_least(0),
    "kind_priority": _at_least(0),
    "check_name": [pa.Check.str_length(min_value=1)],
    "detail": [pa.Check.str_length(min_value=1)],
    "reason": [pa.Check.str_length(min_value=1)],
    # 分值 and 得分 of the performance tables are points, never negative.
    "weight": [pa.Check(_non_negative, name="non_negative")],
    "score": [pa.Check(_non_negative, name="non_negative")],
}


def _rows_where(df: pd.DataFrame, columns: tuple[str, ...], rule) -> pd.Series:
    """A dataframe-level check that passes trivially when the table lacks the columns it needs."""
    if not set(columns) <= set(df.columns):
        return pd.Series(True, index=df.index)
    return rule(df).astype(bool)


def _amount_not_negative_where_template_requires(df: pd.DataFrame) -> pd.Series:
    def rule(frame: pd.DataFrame) -> pd.Series:
        must_be_non_negative = (frame["phase"] == "budget") | frame["fact_table"].isin(
            NEVER_NEGATIVE_FACT_TABLES
        )
        return ~must_be_non_negative.fillna(False) | _non_negative(frame["amount"])

    return _rows_where(df, ("amount", "phase", "fact_table"), rule)


def _economic_code_matches_scheme(df: pd.DataFrame) -> pd.Series:
    def rule(frame: pd.DataFrame) -> pd.Series:
        expected = frame["scheme"].map(ECONOMIC_SCHEME_PREFIX)
        first_digit = frame["economic_code"].str[:1]
        checked = expected.notna() & frame["economic_code"].notna()
        return ~checked | (first_digit == expected).fillna(False)

    return _rows_where(df, ("scheme", "economic_code"), rule)


def _category_matches_fact_table(df: pd.DataFrame) -> pd.Series:
    """`category` is a 三公 category in three_public_costs and a registry total line in summary_line."""

    def rule(frame: pd.DataFrame) -> pd.Series:
        allowed = {
            "three_public_costs": set(THREE_PUBLIC_CATEGORIES),
            "three_public_costs_detail": set(three_public_categories()) - set(THREE_PUBLIC_CATEGORIES),
            "fixed_assets": set(registry_categories("fixed_assets")),
            "summary_line": set(summary_lines()),
        }
        ok = [
            category in allowed.get(fact_table, ())
            for fact_table, category in zip(frame["fact_table"].fillna(""), frame["category"], strict=True)
        ]
        return pd.Series(ok, index=frame.index) | frame["category"].isna()

    return _rows_where(df, ("fact_table", "category"), rule)


def _funding_amount_not_negative(df: pd.DataFrame) -> pd.Series:
    """Performance funding lines are budgeted money (资金总额, 一般公共预算资金 ...): never negative."""
    return _rows_where(df, ("flow", "amount"), lambda frame: _non_negative(frame["amount"]))


def _every_numeric_cell_accounted_for(df: pd.DataFrame) -> pd.Series:
    """Nothing silently dropped: each printed numeric cell became a fact or was quarantined."""
    return _rows_where(
        df,
        ("numeric_cells", "facts", "quarantined"),
        lambda frame: (frame["facts"] + frame["quarantined"] == frame["numeric_cells"]).fillna(False),
    )


def _line_range_ordered(df: pd.DataFrame) -> pd.Series:
    return _rows_where(
        df, ("line_start", "line_end"), lambda frame: (frame["line_end"] >= frame["line_start"]).fillna(False)
    )


def _final_account_amount_not_negative(df: pd.DataFrame) -> pd.Series:
    """Only a final account may print a negative amount (an adjustment); worth a look, not an error."""
    return _rows_where(
        df,
        ("amount", "phase"),
        lambda frame: (frame["phase"] != "final_account").fillna(True) | _non_negative(frame["amount"]),
    )


def _readable_document_has_metadata(df: pd.DataFrame) -> pd.Series:
    """The fields every fact is keyed by (a document without them is held back by the extraction)."""

    def rule(frame: pd.DataFrame) -> pd.Series:
        readable = frame["status"] == "read"
        complete = frame[list(REQUIRED_FIELDS)].notna().all(axis=1)
        return ~readable.fillna(False) | complete

    return _rows_where(df, ("status", *REQUIRED_FIELDS), rule)


ERROR_TABLE_CHECKS = [
    pa.Check(
        _amount_not_negative_where_template_requires, name="amount_non_negative_where_template_requires"
    ),
    pa.Check(_economic_code_matches_scheme, name="economic_code_matches_scheme"),
    pa.Check(_category_matches_fact_table, name="category_matches_fact_table"),
    pa.Check(_funding_amount_not_negative, name="funding_amount_non_negative"),
    pa.Check(_every_numeric_cell_accounted_for, name="every_numeric_cell_is_fact_or_quarantined"),
    pa.Check(_line_range_ordered, name="line_end_not_before_line_start"),
]
WARNING_TABLE_CHECKS = [
    pa.Check(_final_account_amount_not_negative, name="final_account_amount_not_negative"),
    pa.Check(_readable_document_has_metadata, name="readable_document_has_year_type_and_department"),
]


def _dtype(sql_type: str):
    if sql_type.startswith("DECIMAL"):
        return object
    return {"VARCHAR": "string", "INTEGER": "Int64", "BIGINT": "Int64", "BOOLEAN": "boolean"}[sql_type]


def _column(table: str, column: DdlColumn) -> pa.Column:
    checks = list(COLUMN_RULES.get(column.name, []))
    if (table, column.name) in TABLE_COLUMN_ENUMS:
        checks += _enum(TABLE_COLUMN_ENUMS[(table, column.name)])
    if column.sql_type.startswith("DECIMAL"):
        checks.append(pa.Check(_is_decimal, name="is_decimal"))
    return pa.Column(_dtype(column.sql_type), checks=checks, nullable=not column.not_null, required=True)


@dataclass(frozen=True)
class RawTableSchemas:
    table: str
    errors: pa.DataFrameSchema
    warnings: pa.DataFrameSchema


def raw_table_schemas(table: str, columns_sql: str) -> RawTableSchemas:
    """The error and warning schemas of one raw table, from its DDL."""
    columns = {column.name: _column(table, column) for column in ddl_columns(columns_sql)}
    errors = pa.DataFrameSchema(columns, checks=ERROR_TABLE_CHECKS, name=f"raw.{table}", strict=True)
    warnings = pa.DataFrameSchema({}, checks=WARNING_TABLE_CHECKS, name=f"raw.{table} (warnings)")
    return RawTableSchemas(table=table, errors=errors, warnings=warnings)


@dataclass
class ValidationOutcome:
    """Failures of a table's rows, each a dict naming the check, the column, the value and the row."""

    table: str
    rows: int
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> list[dict]:
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failure_rows(exc.failure_cases, df)
    return []


def _plain(value):
    """A JSON-friendly value: Decimals as their printed text, missing values as None."""
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def _failure_rows(failure_cases: pd.DataFrame, df: pd.DataFrame) -> list[dict]:
    """One dict per failing (row, check), with the row's locator columns so it can be found again."""
    seen: set[tuple] = set()
    rows: list[dict] = []
    for case in failure_cases.to_dict("records"):
        index = _plain(case.get("index"))
        column = _plain(case.get("column"))
        check = str(case.get("check"))
        # A dataframe-level check yields one case per column of a failing row: report the row once.
        is_table_check = case.get("schema_context") == "DataFrameSchema" and index is not None
        key = (check, index) if is_table_check else (check, index, column)
        if key in seen:
            continue
        seen.add(key)
        failure = {"check": check, "column": None if is_table_check else column}
        failure["value"] = None if is_table_check else _plain(case.get("failure_case"))
        if index is not None and index in df.index:
            row = df.loc[index]
            failure["row"] = int(index)
            failure.update({name: _plain(row[name]) for name in LOCATOR_COLUMNS if name in df.columns})
        rows.append(failure)
    return sorted(rows, key=lambda r: (r.get("row") if r.get("row") is not None else -1, r["check"]))


def validate_raw_table(table: str, columns_sql: str, df: pd.DataFrame) -> ValidationOutcome:
    """Validate all rows (lazy: every failure is collected, not just the first)."""
    schemas = raw_table_schemas(table, columns_sql)
    return ValidationOutcome(
        table=table,
        rows=len(df),
        errors=_failures(schemas.errors, df),
        warnings=_failures(schemas.warnings, df),
    )
