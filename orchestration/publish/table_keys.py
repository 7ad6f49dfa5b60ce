"""Primary and foreign keys of the published tables: the grains of contract v1, as data.

Releases declare these keys in `datapackage.json`, order Parquet rows by them, and diff releases by them
(rows added / removed / changed per key). Contract tables must satisfy their keys or no release is cut
(`KeyViolation`); keys of extension tables are declared only when their columns exist and hold, otherwise
the release notes say why they were left out. Tables not listed here get no key: their rows are ordered
and compared by all columns.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTRACT_VERSION = "v1"


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]

    def describe(self, table: str) -> str:
        return f"{table}({', '.join(self.fields)}) -> {self.resource}({', '.join(self.reference_fields)})"


@dataclass(frozen=True)
class TableKeys:
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    contract: bool = True  # a contract v1 table: its keys are promises, checked before publishing


def _fk(
    field: str | tuple[str, ...], resource: str, reference: str | tuple[str, ...] | None = None
) -> ForeignKey:
    fields = (field,) if isinstance(field, str) else field
    reference = reference or fields
    references = (reference,) if isinstance(reference, str) else reference
    return ForeignKey(fields=fields, resource=resource, reference_fields=references)


# Every fact row carries its document, department and year.
_FACT_PROVENANCE = (
    _fk("document_key", "dim_document"),
    _fk("department_key", "dim_department"),
    _fk("fiscal_year", "dim_year"),
)
_FUNCTION = _fk("function_code", "dim_function_code")
_ECONOMIC = _fk(("economic_code", "scheme"), "dim_economic_code")
_PROJECT = _fk("project_key", "dim_project")
_INDICATOR = _fk("indicator_key", "dim_indicator")

TABLE_KEYS: dict[str, TableKeys] = {
    # Dimensions
    "dim_department": TableKeys(("department_key",)),
    "dim_year": TableKeys(("fiscal_year",)),
    "dim_function_code": TableKeys(("function_code",)),
    "dim_economic_code": TableKeys(("economic_code", "scheme")),
    "dim_project": TableKeys(
        ("project_key",), (_fk("department_key", "dim_department"), _fk("fiscal_year", "dim_year"))
    ),
    "dim_indicator": TableKeys(("indicator_key",)),
    "dim_document": TableKeys(
        ("document_key",), (_fk("department_key", "dim_department"), _fk("fiscal_year", "dim_year"))
    ),
    # Facts (grain per contract v1)
    "fct_expenditure_by_function": TableKeys(
        ("document_key", "fund_scope", "function_code", "expenditure_type"), (*_FACT_PROVENANCE, _FUNCTION)
    ),
    "fct_expenditure_by_economic": TableKeys(
        ("document_key", "scheme", "economic_code", "cost_type"), (*_FACT_PROVENANCE, _ECONOMIC)
    ),
    "fct_revenue": TableKeys(("document_key", "revenue_source"), _FACT_PROVENANCE),
    "fct_three_public_costs": TableKeys(("document_key", "category", "measure"), _FACT_PROVENANCE),
    "fct_project_expenditure": TableKeys(
        ("document_key", "project_key", "fund_source"), (*_FACT_PROVENANCE, _PROJECT)
    ),
    "fct_performance_target": TableKeys(
        ("document_key", "project_key", "indicator_key", "period"), (*_FACT_PROVENANCE, _PROJECT, _INDICATOR)
    ),
    "fct_performance_evaluation": TableKeys(
        ("document_key", "project_key", "indicator_key"), (*_FACT_PROVENANCE, _PROJECT, _INDICATOR)
    ),
    # Data quality: no natural key in the contract (rows are compared whole).
    "dq_issue": TableKeys((), (_fk("document_key", "dim_document"),)),
    "quarantined_row": TableKeys((), (_fk("document_key", "dim_document"),)),
    # Extensions (grains as the dbt models test them); declared only when their columns are there and hold.
    "fct_admin_operating_costs": TableKeys(("document_key", "fund_scope"), _FACT_PROVENANCE, contract=False),
    "fct_fixed_assets": TableKeys(("document_key", "asset_class"), _FACT_PROVENANCE, contract=False),
    "fct_revenue_by_function": TableKeys(
        ("document_key", "function_code", "revenue_source", "funding"),
        (*_FACT_PROVENANCE, _FUNCTION),
        contract=False,
    ),
    "fct_source_cell": TableKeys(
        ("document_key", "table_seq", "row_seq", "col_seq"), (*_FACT_PROVENANCE, _FUNCTION), contract=False
    ),
    "fct_performance_project": TableKeys(
        ("document_key", "table_seq", "block_seq"), (*_FACT_PROVENANCE, _PROJECT), contract=False
    ),
    "fct_performance_funding": TableKeys(
        ("document_key", "table_seq", "block_seq", "flow", "item_name", "period"),
        (*_FACT_PROVENANCE, _PROJECT),
        contract=False,
    ),
}

CONTRACT_TABLES: tuple[str, ...] = tuple(sorted(name for name, keys in TABLE_KEYS.items() if keys.contract))


def keys_for(table: str) -> TableKeys:
    """Registered keys of a table; an unknown table has none (and is not held to the contract)."""
    return TABLE_KEYS.get(table, TableKeys(contract=False))


def is_money_column(column: str) -> bool:
    """Amounts are in 万元 (contract convention); their datapackage fields say so with `unit`."""
    return column == "amount" or column.endswith("_amount")
