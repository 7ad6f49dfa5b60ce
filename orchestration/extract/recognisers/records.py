"""The typed records a recogniser writes: one per printed amount, a fact (`CellRecord`) or set aside
(`QuarantineRecord`).

Their fields are exactly the columns of `raw.cells` and `raw.quarantine` (warehouse/raw_schema.py), so
`as_row()` is all the warehouse needs; a test holds the two in step. Typed fields instead of
hand-built dicts mean a misspelt dimension fails at once, where the recogniser writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal


@dataclass
class CellRecord:
    """One printed amount read as a fact, with the canonical meaning its recogniser gave it."""

    document_key: str
    table_seq: int
    table_kind: str
    kind_priority: int
    source_table: str
    source_row: str
    row_seq: int
    line_number: int
    column_label: str
    col_seq: int
    raw_value: str
    amount: Decimal | None  # None only for a sum printed blank (blank_total_row)
    source_unit: str
    fact_table: str
    phase: str | None
    row_role: str = "item"
    funding: str = "total"
    fund_scope: str | None = None
    function_code: str | None = None
    function_name: str | None = None
    code_inferred: bool = False
    expenditure_type: str | None = None
    scheme: str | None = None
    economic_code: str | None = None
    economic_name: str | None = None
    cost_type: str | None = None
    revenue_source: str | None = None
    category: str | None = None
    measure: str | None = None
    project_name: str | None = None
    parent_project_name: str | None = None
    project_category: str | None = None
    project_level: int | None = None
    unit_name: str | None = None
    fund_source: str | None = None
    source_page: int | None = None  # where it was printed: Row.provenance
    source_locator: str | None = None

    def as_row(self) -> dict:
        return _as_row(self)


@dataclass
class QuarantineRecord:
    """One printed amount that could not become a fact, with the reason naming where it was printed."""

    document_key: str
    table_seq: int | None
    source_table: str | None
    source_row: str | None
    line_number: int | None
    column_label: str | None
    raw_value: str | None
    reason: str
    source_page: int | None = None  # where it was printed: Row.provenance
    source_locator: str | None = None

    def as_row(self) -> dict:
        return _as_row(self)


def _as_row(record) -> dict:
    """The record's fields as a dict, shallow: every value is a str, int, bool, Decimal or None, so
    `dataclasses.asdict`'s recursive deep copy (a fifth of the extraction's time) buys nothing."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in fields(record))
    return {name: getattr(record, name) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


# What a cell states, which a sum printed blank does not (raw.blank_totals has every other column of raw.cells).
VALUE_FIELDS = ("raw_value", "amount", "source_unit")


def blank_total_row(record: CellRecord, table_prints_sums: bool) -> dict:
    """The raw.blank_totals row of a cell record made for a sum printed blank; `table_prints_sums`: whether
    its table prints any of its sums in some cell."""
    row = {name: value for name, value in record.as_row().items() if name not in VALUE_FIELDS}
    return {**row, "table_prints_sums": table_prints_sums}


# The dimensions a recogniser may give a cell (everything but where it was printed and its amount).
DIMENSIONS = frozenset(
    name
    for name in CellRecord.__dataclass_fields__
    if name
    not in {
        "document_key",
        "table_seq",
        "table_kind",
        "kind_priority",
        "source_table",
        "source_row",
        "row_seq",
        "line_number",
        "column_label",
        "col_seq",
        "raw_value",
        "amount",
        "source_unit",
        "phase",
        "source_page",
        "source_locator",
    }
)
