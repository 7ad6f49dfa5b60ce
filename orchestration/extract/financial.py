"""Recognisers: turn each financial table of a document into raw cells, quarantined cells and issues.

Every numeric cell printed in the body of a table ends up in exactly one place: `cells` (with its
canonical meaning) or `quarantine` (with the reason naming document, table, row and column). The
`TableAccount` of each table counts both, and `tables` rows carry the counts so that the accounting
can be checked at any time (tests/test_extraction_accounting.py).

The recognisers are one per table *family* (function table, economic table, revenue table,
side-by-side summary, 三公, project table, 机关运行经费); what differs between provinces and templates
is data in table_kinds.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..readers.grid import Grid, Row, squash
from ..reference import covered_years, load_reference
from .columns import (
    Block,
    Column,
    combine_path,
    header_tokens,
    positional_columns,
    split_blocks,
    split_header_body,
)
from .numbers import is_amount_like, is_code_cell, parse_amount, to_wan_yuan
from .registry import Registry, load_registry, strip_numbering
from .segment import TableBlock, find_tables

_CODE = re.compile(r"^\d{3}(\d{1,4})?$")
_LEADING_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})(\D.*)$")
EXPENDITURE_TYPES = {"total", "basic", "project", "personnel", "public", "business", "remit", "subsidy"}
CONTRACT_CATEGORIES = {
    "total",
    "overseas_travel",
    "official_reception",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_operation",
}
# Which header-alias group each family reads its columns with.
ALIAS_GROUP = {
    "function_table": "function_table",
    "economic_table": "economic_table",
    "revenue_table": "revenue",
    "summary": "summary",
    "three_public": "three_public",
    "project_table": "revenue",
    "admin_operating": "admin_operating",
    "fixed_assets": "fixed_assets",
}
# The dimension that tells one amount column from another, per family (for canonical ordering).
ORDER_GROUP = {
    "function_table": "function_table",
    "economic_table": "economic_table",
    "revenue_table": "revenue",
    "project_table": "revenue",
    "three_public": "three_public",
    "admin_operating": "admin_operating",
}


@dataclass
class BudgetProject:
    """A project of the department's project list, for linking performance targets to it."""

    name: str
    parent_name: str | None
    total: Decimal | None
    this_year: Decimal | None


@dataclass
class FinancialExtraction:
    tables: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    budget_projects: list[BudgetProject] = field(default_factory=list)


class _TableContext:
    """Everything a recogniser needs about the table it reads, and the sinks it writes to."""

    def __init__(
        self, block: TableBlock, meta, registry: Registry, out: FinancialExtraction, unit: str, reference
    ):
        self.block = block
        self.meta = meta
        self.registry = registry
        self.out = out
        self.unit = unit
        self.kind = block.kind
        self.facts = 0
        self.quarantined = 0
        self.numeric = 0
        self.row_seq = 0
        self.reference = reference
        self.economic_class: str | None = None  # the 类 an economic table's rows are under

    # -- sinks ---------------------------------------------------------------------------------
    def quarantine(self, row: Row, label: str, column: Column | None, raw: str, reason: str) -> None:
        self.numeric += 1
        self.quarantined += 1
        column_label = column.label if column else ""
        self.out.quarantine.append(
            {
                "document_key": self.meta.document_key,
                "table_seq": self.block.seq,
                "source_table": self.block.title,
                "source_row": label,
                "line_number": row.line,
                "column_label": column_label,
                "raw_value": raw,
                "reason": (
                    f"{self.meta.source_name}, table {self.block.title!r}, row {label!r}, "
                    f"column {column_label!r}, line {row.line}: {reason}"
                ),
                # a cell of unknown column is located by its row
                **row.provenance(column.index if column else None),
            }
        )

    def issue(self, check: str, severity: str, detail: str) -> None:
        self.out.issues.append(
            {
                "document_key": self.meta.document_key,
                "check_name": check,
                "severity": severity,
                "source_table": self.block.title,
                "table_seq": self.block.seq,
                "detail": detail,
            }
        )

    def emit(self, row: Row, label: str, column: Column, raw: str, fact_table: str, **dims) -> None:
        """One amount cell: quarantined if unreadable or its column is ambiguous, else a raw cell."""
        amount = parse_amount(raw)
        if amount.problem:
            self.quarantine(row, label, column, raw, amount.problem)
            return
        if amount.value is None:
            return  # blank, "-" or "—": the cell states nothing
        if column.problem:
            self.quarantine(row, label, column, raw, column.problem)
            return
        self.numeric += 1
        self.facts += 1
        record = {
            "document_key": self.meta.document_key,
            "table_seq": self.block.seq,
            "table_kind": self.kind.name,
            "kind_priority": self.kind.priority,
            "source_table": self.block.title,
            "source_row": label,
            "row_seq": self.row_seq,
            "line_number": row.line,
            "column_label": column.label,
            "col_seq": column.index + 1,
            "raw_value": raw,
            "amount": to_wan_yuan(amount.value, self.unit),
            "source_unit": self.unit,
            "fact_table": fact_table,
            "phase": self.meta.phase,
            "row_role": "item",
            "funding": "total",
            "code_inferred": False,
            **row.provenance(column.index),
        }
        record.update({k: v for k, v in dims.items() if v is not None})
        self.out.cells.append(record)

    def unplaceable(self, row: Row, label: str, columns: list[Column], reason: str) -> None:
        """Quarantine every printed amount of a row whose meaning cannot be established."""
        for column in columns:
            raw = _cell(row, column.index)
            if raw and is_amount_like(raw):
                self.quarantine(row, label, column, raw, reason)

    def unknown_row(self, row: Row, label: str, columns: list[Column], check: str, reason: str) -> None:
        """A row whose label the registry or the classification does not know: its printed amounts are
        quarantined and the table gets a warning, so a new wording shows up in the report."""
        if any(is_amount_like(_cell(row, c.index)) for c in columns):
            self.unplaceable(row, label, columns, reason)
            self.issue(check, "warning", f"row {label!r}: {reason}")

    def unmeasured(self, row: Row, label: str, column: Column, raw: str) -> None:
        """A printed amount under a header that names no canonical measure."""
        self.quarantine(row, label, column, raw, f"column {column.label!r} has no canonical measure")


def _cell(row: Row, index: int) -> str:
    return row.cells[index].strip() if index < len(row.cells) else ""


# -- column layouts ----------------------------------------------------------------------------


def _canonical_key(family: str, dims: dict[str, str]) -> str | None:
    if family in ("function_table",):
        return dims.get("expenditure_type")
    if family == "economic_table":
        return dims.get("cost_type")
    if family in ("revenue_table", "project_table"):
        source = dims.get("revenue_source")
        funding = dims.get("funding")
        if source in (None, "total") and funding == "carryover":
            return "carryover"
        if source in (None, "total") and funding == "current_year":
            return "current_year_total"
        return source
    if family in ("three_public", "admin_operating"):
        scope = dims.get("fund_scope")
        return "total" if scope == "fiscal" else scope
    return None


def _canonical_columns(
    ctx: _TableContext, header: list[Row], n_amounts: int, start_index: int
) -> list[Column] | None:
    """pdftotext: the measures the header names, in the registry's canonical order."""
    family = ctx.kind.family
    group = ALIAS_GROUP[family]
    order = ctx.registry.canonical_order.get(ORDER_GROUP.get(family, ""), ())
    found: dict[str, dict[str, str]] = {}
    printed: dict[str, str] = {}
    context: dict[str, str] = {}
    for token in header_tokens(header, group, ctx.registry):
        _, dims, _ = combine_path(group, [token], ctx.registry)
        key = _canonical_key(family, dims)
        if key is None:
            context.update({k: v for k, v in dims.items() if k in ("measure",)})
            continue
        found.setdefault(key, dims)
        printed.setdefault(key, token)
    keys = [k for k in order if k in found]
    # Group headers ("本年收入", "财政拨款" above 一般公共预算 …) name no column of their own.
    if len(keys) > n_amounts and "current_year_total" in keys:
        keys.remove("current_year_total")
    groups = [k for k in keys if any(ctx.registry.refines.get(other) == k for other in keys)]
    if len(keys) > n_amounts and len(keys) - len(groups) == n_amounts:
        keys = [k for k in keys if k not in groups]
    if len(keys) != n_amounts:
        return None
    return [
        Column(index=start_index + i, label=printed[key], role="amount", dims={**context, **found[key]})
        for i, key in enumerate(keys)
    ]


def _label_width(row: Row) -> int:
    """pdftotext: how many leading cells of a row come before its first amount (empty ones included)."""
    width = 0
    for cell in row.cells:
        text = cell.strip()
        if text and is_amount_like(text) and not _CODE.match(text):
            break
        width += 1
    return width


# -- row labels ------------------------------------------------------------------------------


@dataclass
class RowLabel:
    text: str  # as printed (white space removed)
    code: str | None = None
    name: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _row_label(row: Row, block: Block) -> RowLabel:
    code = name = None
    extra: dict[str, str] = {}
    parts = []
    for column in block.label_columns:
        text = squash(_cell(row, column.index))
        if not text:
            continue
        parts.append(text)
        if column.role == "code":
            code = text
        elif column.role in ("name", "project_category", "project_level1", "project_level2"):
            name = name or text
            if column.role != "name":
                extra["level_role"] = column.role
        else:
            extra[column.role] = text
    if name is None and extra.get("unit"):
        name = extra["unit"]  # a table whose rows are units (收入总表 by 部门(单位))
    if code and not _CODE.match(code):
        # a total row spans the code and name columns ("合计") or a name sits in the code column
        name, code = (name or code), None
    if name and code is None:
        match = _LEADING_CODE.match(name)
        if match:
            code, name = match.group(1), match.group(2)
    text = " ".join(p for p in parts if p != extra.get("unit")) or " ".join(parts)
    return RowLabel(text=text, code=code, name=name, extra=extra)


# -- recognisers -----------------------------------------------------------------------------


class FunctionHierarchy:
    """Tracks the current 类 and 款 so a name printed without its code can be resolved under them."""

    def __init__(self, reference):
        self.reference = reference
        self.economic_class: str | None = None  # the 类 an economic table's rows are under
        self.class_code: str | None = None
        self.kuan_code: str | None = None

    def observe(self, code: str) -> None:
        if len(code) == 3:
            self.class_code, self.kuan_code = code, None
        elif len(code) == 5:
            self.class_code, self.kuan_code = code[:3], code
        elif len(code) == 7:
            self.class_code, self.kuan_code = code[:3], code[:5]

    def infer(self, name: str) -> str | None:
        """Under the current 款 first, then the current 类, then as a 类 of its own."""
        for parent in [p for p in (self.kuan_code, self.class_code) if p] + [None]:
            code = self.reference.find_function_code(name, parent)
            if code:
                return code
        return None


def _function_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    hierarchy = FunctionHierarchy(ctx.reference)
    block = blocks[0]
    funding = ctx.registry.title_qualifiers.get(ctx.block.qualifier or "", "total")
    for row in body:
        ctx.row_seq += 1
        label = _row_label(row, block)
        amounts = block.amount_columns
        if not any(_cell(row, c.index) for c in amounts):
            _observe_code(label, hierarchy)
            continue
        role = "item"
        code = label.code
        inferred = False
        if ctx.registry.is_total_label(label.text) and not code:
            role, code = "total", None
        elif code:
            hierarchy.observe(code)
        elif label.name:
            code = hierarchy.infer(strip_numbering(label.name))
            inferred = True
            if code is None:
                ctx.unknown_row(
                    row, label.text, amounts, "function_code_known", "no function code in the classification"
                )
                continue
            hierarchy.observe(code)
        else:
            ctx.unplaceable(row, label.text, amounts, "row has amounts but no label")
            continue
        name = strip_numbering(label.name) if label.name else None
        for column in amounts:
            raw = _cell(row, column.index)
            if not raw:
                continue
            expenditure_type = column.dims.get("expenditure_type")
            if expenditure_type not in EXPENDITURE_TYPES:
                ctx.unmeasured(row, label.text, column, raw)
                continue
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "expenditure_by_function",
                row_role=role,
                funding=funding,
                fund_scope=column.dims.get("fund_scope", ctx.kind.fund_scope),
                function_code=code,
                function_name=name,
                code_inferred=inferred and code is not None,
                expenditure_type=expenditure_type,
            )


def _observe_code(label: RowLabel, hierarchy: FunctionHierarchy) -> None:
    if label.code:
        hierarchy.observe(label.code)
    elif label.name:
        code = hierarchy.infer(strip_numbering(label.name))
        if code:
            hierarchy.observe(code)


def _economic_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    scheme = "department"
    for row in body:
        ctx.row_seq += 1
        carried: tuple[RowLabel, Block] | None = None
        for block in blocks:
            label = _row_label(row, block)
            amounts = block.amount_columns
            has_amounts = any(_cell(row, c.index) for c in amounts)
            if not label.text and has_amounts and carried:
                label = carried[0]  # a total whose amount is printed in the next block (003)
            elif label.text and not has_amounts:
                carried = (label, block)
                _economic_observe(ctx, label, scheme)
                continue
            if not has_amounts:
                continue
            carried = None
            _economic_row(ctx, row, label, amounts, scheme)


def _economic_observe(ctx: _TableContext, label: RowLabel, scheme: str) -> None:
    code = _resolve_economic(ctx, label, scheme)[0]
    if code and len(code) == 3:
        ctx.economic_class = code


def _resolve_economic(ctx: _TableContext, label: RowLabel, scheme: str) -> tuple[str | None, bool]:
    name = strip_numbering(label.name) if label.name else ""
    code = label.code
    if code and len(code) in (3, 5):
        return code, False
    if code and len(code) == 4:
        repaired = ctx.reference.find_economic_code(name, scheme, prefix=code)
        return repaired, True
    if not name:
        return None, False
    parent = ctx.economic_class
    code = ctx.reference.find_economic_code(name, scheme, parent_code=parent) if parent else None
    if code is None:
        code = ctx.reference.find_economic_code(name, scheme)
    return code, code is not None


def _economic_row(ctx: _TableContext, row: Row, label: RowLabel, amounts: list[Column], scheme: str) -> None:
    if label.extra.get("name2"):
        ctx.unplaceable(
            row,
            label.text,
            amounts,
            "row is cross-classified (department × government economic class): no contract grain for it",
        )
        return
    role = "item"
    code: str | None = None
    inferred = False
    if ctx.registry.is_total_label(label.text):
        role = "total"
    else:
        code, inferred = _resolve_economic(ctx, label, scheme)
        if code is None:
            ctx.unknown_row(
                row, label.text, amounts, "economic_code_known", "no economic code in the classification"
            )
            return
        if len(code) == 3:
            ctx.economic_class = code
    name = strip_numbering(label.name) if label.name else None
    for column in amounts:
        raw = _cell(row, column.index)
        if not raw:
            continue
        cost_type = column.dims.get("cost_type")
        if cost_type is None:
            ctx.unmeasured(row, label.text, column, raw)
            continue
        ctx.emit(
            row,
            label.text,
            column,
            raw,
            "expenditure_by_economic",
            row_role=role,
            fund_scope=ctx.kind.fund_scope,
            scheme=scheme,
            economic_code=code,
            economic_name=name,
            code_inferred=inferred,
            cost_type=cost_type,
        )


def _revenue_dims(dims: dict[str, str]) -> tuple[str, str]:
    source = dims.get("revenue_source")
    funding = dims.get("funding")
    if source in (None, "total") and funding == "carryover":
        return "carryover", "carryover"
    if source is None:
        source = "total"
    if funding is None:
        funding = "total" if source == "total" else "current_year"
    return source, funding


def _revenue_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    block = blocks[0]
    for row in body:
        ctx.row_seq += 1
        label = _row_label(row, block)
        amounts = block.amount_columns
        if not any(_cell(row, c.index) for c in amounts):
            continue
        if ctx.registry.is_total_label(label.text) and not label.code:
            fact_table, extra = "revenue", {"row_role": "total"}
        elif label.code:
            fact_table, extra = (
                "revenue_by_function",
                {
                    "function_code": label.code,
                    "function_name": strip_numbering(label.name or ""),
                },
            )
        elif label.name:
            fact_table, extra = "revenue_by_unit", {"unit_name": label.name}
        else:
            ctx.unplaceable(row, label.text, amounts, "row has amounts but no label")
            continue
        for column in amounts:
            raw = _cell(row, column.index)
            if not raw:
                continue
            if column.role == "unknown":
                ctx.unmeasured(row, label.text, column, raw)
                continue
            source, funding = _revenue_dims(column.dims)
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                fact_table,
                revenue_source=source,
                funding=funding,
                fund_scope=ctx.kind.fund_scope,
                **extra,
            )


def _summary_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    if len(blocks) < 2:
        for row in body:
            ctx.row_seq += 1
            ctx.unplaceable(
                row, squash(row.text), blocks[0].columns, "summary table without its 收入 | 支出 parts"
            )
        return
    revenue_block, expenditure_blocks = blocks[0], blocks[1:]
    has_funding_columns = any("funding" in c.dims for c in revenue_block.amount_columns)
    section = "current"
    for row in body:
        ctx.row_seq += 1
        label = _row_label(row, revenue_block)
        if label.text:
            section = _summary_revenue_row(ctx, row, label, revenue_block, has_funding_columns, section)
        for block in expenditure_blocks:
            _summary_expenditure_row(ctx, row, _row_label(row, block), block)


def _summary_revenue_row(ctx, row, label: RowLabel, block: Block, has_funding: bool, section: str) -> str:
    amounts = [c for c in block.amount_columns if _cell(row, c.index)]
    meaning = ctx.registry.row_meaning("revenue_lines", label.text)
    if meaning is None:
        ctx.unknown_row(row, label.text, amounts, "row_recognised", "not a known revenue line")
        return section
    source = meaning["revenue_source"]
    summary_line = meaning.get("summary_line")
    in_carryover = section == "carryover" or meaning.get("section") == "carryover"
    for column in amounts:
        raw = _cell(row, column.index)
        funding = column.dims.get("funding")
        if funding is None:
            if has_funding and column.dims.get("measure_total"):
                funding = "total"
            else:
                funding = "carryover" if in_carryover else "current_year"
        if summary_line == "revenue_grand_total" and not has_funding:
            funding = "total"
        if source == "total" and funding == "carryover":
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "revenue",
                row_role="total",
                revenue_source="carryover",
                funding="carryover",
                fund_scope=ctx.kind.fund_scope,
            )
        elif source == "total":
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "summary_line",
                row_role="total",
                category=summary_line,
                funding=funding,
                fund_scope=ctx.kind.fund_scope,
                revenue_source="total",
            )
        else:
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "revenue",
                revenue_source=source,
                funding=funding,
                fund_scope=ctx.kind.fund_scope,
            )
    if meaning.get("section") == "carryover" or summary_line == "revenue_current_total":
        return "carryover"
    return section


def _summary_expenditure_row(ctx, row, label: RowLabel, block: Block) -> None:
    amounts = [c for c in block.amount_columns if _cell(row, c.index)]
    if not label.text:
        if amounts:
            ctx.unplaceable(row, "", amounts, "amounts without a row label")
        return
    meaning = ctx.registry.row_meaning("expenditure_lines", label.text)
    code = None
    if meaning is None:
        code = ctx.reference.find_function_code(strip_numbering(label.text), None)
        if code is None:
            ctx.unknown_row(row, label.text, amounts, "function_code_known", "not a function class")
            return
    for column in amounts:
        raw = _cell(row, column.index)
        funding = column.dims.get("funding", "total")
        scope = column.dims.get("fund_scope", ctx.kind.fund_scope)
        if meaning is not None:
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "summary_line",
                row_role="total",
                category=meaning["summary_line"],
                funding=funding,
                fund_scope=scope,
            )
        else:
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "expenditure_by_function",
                funding=funding,
                fund_scope=scope,
                function_code=code,
                function_name=strip_numbering(label.text),
                code_inferred=True,
                expenditure_type="total",
            )


def _rows_with_amounts(ctx: _TableContext, block: Block, body: list[Row]):
    """Each body row with its label and the amount columns it prints something in (rows without are skipped
    but still counted, so row_seq stays the printed order)."""
    for row in body:
        ctx.row_seq += 1
        amounts = [c for c in block.amount_columns if _cell(row, c.index)]
        if amounts:
            yield row, _row_label(row, block), amounts


def _three_public_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    default_measure = "final" if ctx.meta.phase == "final_account" else "budget"
    for row, label, amounts in _rows_with_amounts(ctx, blocks[0], body):
        meaning = ctx.registry.row_meaning("three_public", label.text)
        if meaning is None:
            ctx.unknown_row(row, label.text, amounts, "row_recognised", "not a known 三公 category")
            continue
        category = meaning["category"]
        fact_table = "three_public_costs" if category in CONTRACT_CATEGORIES else "three_public_costs_detail"
        for column in amounts:
            ctx.emit(
                row,
                label.text,
                column,
                _cell(row, column.index),
                fact_table,
                row_role="total" if category == "total" else "item",
                category=category,
                measure=column.dims.get("measure", default_measure),
                fund_scope=column.dims.get("fund_scope", "fiscal"),
            )


def _project_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    block = blocks[0]
    table_funding = ctx.registry.title_qualifiers.get(ctx.block.qualifier or "")
    rows = []
    for row in body:
        label = _row_label(row, block)
        level = _project_level(row, block, label)
        rows.append((row, label, level))
    levels = [
        lvl for _, label, lvl in rows if lvl is not None and not ctx.registry.is_total_label(label.text)
    ]
    leaf = max(levels) if levels else 0
    parents: dict[int, str] = {}
    for row, label, level in rows:
        ctx.row_seq += 1
        name = squash(label.name or "")
        if level is not None and name:
            parents[level] = name
        amounts = [c for c in block.amount_columns if _cell(row, c.index)]
        if not amounts:
            continue
        if not name:
            ctx.unplaceable(row, label.text, amounts, "project row without a name")
            continue
        is_total = ctx.registry.is_total_label(name) or level is None or level < leaf
        parent = parents.get(level - 1) if level else None
        category = parents.get(0) if level and level >= 1 else None
        project_values: dict[str, Decimal] = {}
        for column in amounts:
            raw = _cell(row, column.index)
            if column.role == "unknown":
                ctx.unmeasured(row, label.text, column, raw)
                continue
            source, funding = _revenue_dims(column.dims)
            if table_funding:
                funding = table_funding if funding in ("total", "current_year") else funding
            fund_source = "carryover" if funding == "carryover" and source != "total" else source
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "project_expenditure",
                row_role="total" if is_total else "item",
                funding=funding,
                revenue_source=source,
                fund_source=fund_source,
                project_name=None if ctx.registry.is_total_label(name) else name,
                parent_project_name=parent if level == 2 else None,
                project_category=category,
                project_level=level,
                unit_name=label.extra.get("unit"),
                fund_scope=ctx.kind.fund_scope,
            )
            parsed = parse_amount(raw).value
            if parsed is not None and not column.problem:
                project_values[f"{fund_source}|{funding}"] = to_wan_yuan(parsed, ctx.unit)
        if not is_total:
            total = project_values.get("total|total") or project_values.get("total|current_year")
            this_year = sum(
                (
                    v
                    for k, v in project_values.items()
                    if k.endswith("|current_year") and not k.startswith("total")
                ),
                Decimal(0),
            ) or (
                total - project_values.get("carryover|carryover", Decimal(0)) if total is not None else None
            )
            ctx.out.budget_projects.append(
                BudgetProject(name=name, parent_name=parent, total=total, this_year=this_year)
            )


def _project_level(row: Row, block: Block, label: RowLabel) -> int | None:
    """The level of a project row: by the column its name sits in, or by its indentation."""
    role = label.extra.get("level_role")
    if role == "project_category":
        return 0
    if role == "project_level1":
        return 1
    if role == "project_level2":
        return 2
    for column in block.label_columns:
        raw = row.cells[column.index] if column.index < len(row.cells) else ""
        if raw.strip():
            return len(raw) - len(raw.lstrip("\u3000"))
    return None


def _admin_operating_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    for row, label, amounts in _rows_with_amounts(ctx, blocks[0], body):
        is_total = ctx.registry.is_total_label(label.text)
        for column in amounts:
            ctx.emit(
                row,
                label.text,
                column,
                _cell(row, column.index),
                "admin_operating_costs",
                row_role="total" if is_total else "item",
                unit_name=None if is_total else label.text,
                fund_scope=column.dims.get("fund_scope", "fiscal"),
            )


def _fixed_assets_table(ctx: _TableContext, blocks: list[Block], body: list[Row]) -> None:
    """固定资产 / 国有资产占用情况表: the value of each class of assets (万元). Its 数量 column counts
    buildings in m², vehicles and sets of equipment: not money, so those cells are quarantined with
    that reason rather than published as amounts."""
    for row, label, amounts in _rows_with_amounts(ctx, blocks[0], body):
        meaning = ctx.registry.row_meaning("fixed_assets", label.text)
        if meaning is None:
            ctx.unknown_row(row, label.text, amounts, "row_recognised", "not a known asset class")
            continue
        for column in amounts:
            raw = _cell(row, column.index)
            measure = column.dims.get("measure")
            if measure != "value":
                reason = "a quantity (数量), not money" if measure == "quantity" else "no canonical measure"
                if is_amount_like(raw):
                    ctx.quarantine(row, label.text, column, raw, f"column {column.label!r}: {reason}")
                continue
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                "fixed_assets",
                row_role="total" if meaning["category"] == "total" else "item",
                category=meaning["category"],
            )


RECOGNISERS = {
    "function_table": _function_table,
    "economic_table": _economic_table,
    "revenue_table": _revenue_table,
    "summary": _summary_table,
    "three_public": _three_public_table,
    "project_table": _project_table,
    "admin_operating": _admin_operating_table,
    "fixed_assets": _fixed_assets_table,
}


# -- the table loop ----------------------------------------------------------------------------


def _columns_for(ctx: _TableContext, grid: Grid, header: list[Row], body: list[Row], structural: set[int]):
    family = ctx.kind.family
    group = ALIAS_GROUP[family]
    if grid.positional:
        return split_blocks(positional_columns(header, body, structural, group, ctx.registry))
    # pdftotext: labels first, amounts after; side-by-side summaries have a 2-cell revenue part.
    if family == "summary":
        tokens = header_tokens(header, group, ctx.registry)
        names = [i for i, t in enumerate(tokens) if combine_path(group, [t], ctx.registry)[0] == "name"]
        left_tokens = tokens[names[0] + 1 : names[1]] if len(names) >= 2 else []
        right_tokens = tokens[names[1] + 1 :] if len(names) >= 2 else []
        left = [
            Column(0, "项目", "name"),
            Column(
                1, "/".join(left_tokens), "amount", combine_path(group, left_tokens[-1:], ctx.registry)[1]
            ),
        ]
        right_dims = _dedupe_dims([(t, combine_path(group, [t], ctx.registry)[1]) for t in right_tokens])
        right = [Column(2, "项目", "name")] + [
            Column(3 + i, label, "amount", dims) for i, (label, dims) in enumerate(right_dims)
        ]
        return [Block(left), Block(right)]
    numeric_rows = [r for r in body if any(is_amount_like(c) and not _CODE.match(c) for c in r.cells)]
    label_width = _mode([_label_width(r) for r in numeric_rows], default=1)
    # the usual row, not the widest: pdftotext pads a row whose label spans two columns with spaces
    n_amounts = _mode([len(r.cells) - _label_width(r) for r in numeric_rows], default=0)
    if not numeric_rows:
        return []  # an empty table: nothing to line up
    amounts = _canonical_columns(ctx, header, n_amounts, label_width)
    if amounts is None:
        return None
    labels = [Column(i, "", "name" if i == label_width - 1 else "code") for i in range(label_width)]
    if family == "economic_table" and label_width == 2:
        labels = [Column(0, "", "name"), Column(1, "", "name2")]
    return [Block(labels + amounts)]


def _mode(values: list[int], default: int) -> int:
    if not values:
        return default
    return max(sorted(set(values)), key=values.count)


def _dedupe_dims(tokens: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
    """Right part of a pdftotext summary: one column per distinct measure, a group header dropped.

    Each column keeps the header text as printed ("2024年合计", "当年预算安排") as its label.
    """
    out: list[tuple[str, dict[str, str]]] = []
    for token, dims in tokens:
        if not dims:
            continue
        if dims.get("measure_total") and any(d.get("measure_total") for _, d in out):
            continue
        out.append((token, dims))
    return out


def _normalise_pdftotext_rows(body: list[Row], blocks: list[Block]) -> list[Row]:
    """pdftotext rows: put each row's label cells and amount cells under the table's columns.

    A total row prints one label cell where the table has two (code and name merged: "合计"), and a
    row whose first amounts are empty runs its empty cells into the label part; both are evened out.
    """
    if len(blocks) != 1:
        return body
    block = blocks[0]
    labels_count = len(block.label_columns)
    code_first = bool(block.label_columns) and block.label_columns[0].role == "code"
    out = []
    for row in body:
        cells = list(row.cells)
        while _label_width(Row(row.line, tuple(cells))) > labels_count and cells and not cells[0].strip():
            cells.pop(0)  # a stray leading separator (page break) pushes the row one cell right
        lead = min(_label_width(Row(row.line, tuple(cells))), labels_count) if labels_count else 0
        labels = cells[:lead]
        rest = cells[lead:]
        if lead < labels_count:
            padding = [""] * (labels_count - lead)
            labels = padding + labels if code_first else labels + padding
        out.append(Row(line=row.line, cells=tuple(labels + rest), origin=row.origin))
    return out


def _quarantine_uncovered(
    ctx: _TableContext, blocks: list[Block], body: list[Row], structural: set[int]
) -> None:
    """A number printed outside every column the header defines is quarantined, never dropped."""
    covered = {c.index for b in blocks for c in b.columns} | structural
    for row in body:
        for index, raw in enumerate(row.cells):
            text = raw.strip()
            if index in covered or not text or _CODE.match(text) or not is_amount_like(text):
                continue
            ctx.quarantine(
                row,
                squash(row.cells[0]) if row.cells else "",
                None,
                text,
                f"number in column {index + 1}, outside the columns the header defines",
            )


def _account_unit(block: TableBlock, default_unit: str | None) -> str | None:
    return block.unit or default_unit


def extract_financial(grid: Grid, meta, registry: Registry | None = None) -> FinancialExtraction:
    registry = registry or load_registry()
    out = FinancialExtraction()
    blocks = find_tables(grid, registry)
    units = [b.unit for b in blocks if b.unit]
    default_unit = max(set(units), key=units.count) if units else None
    reference = _reference_for(meta, out)
    for block in blocks:
        _extract_table(grid, block, meta, registry, out, default_unit, reference)
    return out


def _reference_for(meta, out: FinancialExtraction):
    """The classification of the document's year; the nearest year the reference covers, said aloud."""
    year = meta.fiscal_year
    covered = covered_years()
    if year in covered:
        return load_reference(year)
    nearest = min(covered, key=lambda y: abs(y - (year or max(covered))))
    out.issues.append(
        {
            "document_key": meta.document_key,
            "check_name": "classification_year_covered",
            "severity": "warning",
            "source_table": None,
            "table_seq": None,
            "detail": (
                f"fiscal year {year} is not covered by the classification reference "
                f"({min(covered)}–{max(covered)}): codes resolved with the {nearest} classification"
            ),
        }
    )
    return load_reference(nearest)


def _extract_table(
    grid, block: TableBlock, meta, registry, out: FinancialExtraction, default_unit, reference
) -> None:
    unit = _account_unit(block, default_unit)
    table_row = {
        "document_key": meta.document_key,
        "table_seq": block.seq,
        "source_table": block.title,
        "table_kind": block.kind.name if block.kind else None,
        "unit": block.unit,
        "line_start": block.line_start,
        "line_end": block.line_end,
        "note": " ".join(block.notes) or None,
    }
    kind = block.kind
    ctx = _TableContext(block, meta, registry, out, unit or "万元", reference)
    header, body, structural = split_header_body(block.rows, registry)
    if kind is None or kind.family == "unmapped":
        reason = (
            f"table {block.title!r} is not a known kind"
            if kind is None
            else f"table kind {kind.name!r} has no canonical money measure"
        )
        for row in body:
            ctx.row_seq += 1
            for index, raw in enumerate(row.cells):
                if index in structural or is_code_cell(row.cells, index):
                    continue
                if raw.strip() and is_amount_like(raw):
                    ctx.quarantine(row, squash(row.cells[0] if row.cells else ""), None, raw.strip(), reason)
        if ctx.quarantined:
            ctx.issue("table_recognised", "warning", f"{reason}: {ctx.quarantined} numbers quarantined")
        status = "unrecognised" if kind is None else "recognised"
    else:
        if unit is None:
            ctx.issue("unit_printed", "warning", "no unit printed in the document: amounts read as 万元")
        elif block.unit is None:
            ctx.issue(
                "unit_printed", "info", f"no unit printed under the table: the document's {unit} is used"
            )
        blocks = _columns_for(ctx, grid, header, body, structural)
        if blocks is None:
            for row in body:
                ctx.row_seq += 1
                label = squash(row.cells[0]) if row.cells else ""
                for raw in row.cells:
                    if raw.strip() and is_amount_like(raw) and not _CODE.match(raw.strip()):
                        ctx.quarantine(
                            row,
                            label,
                            None,
                            raw.strip(),
                            "the header's measures do not line up with the cells",
                        )
            ctx.issue(
                "header_recognised", "error", "the header's measures do not line up with the body's cells"
            )
        else:
            if not grid.positional:
                body = _normalise_pdftotext_rows(body, blocks)
            if blocks:
                RECOGNISERS[kind.family](ctx, blocks, body)
            _quarantine_uncovered(ctx, blocks, body, structural)
        status = "recognised" if ctx.numeric else "empty"
    table_row.update(
        {"status": status, "numeric_cells": ctx.numeric, "facts": ctx.facts, "quarantined": ctx.quarantined}
    )
    out.tables.append(table_row)
