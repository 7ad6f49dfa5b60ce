"""Economic tables (基本支出表): one row per economic code, in one block or side by side (人员经费 |
公用经费), the code printed whole, split 类 | 款, truncated ("3010") or not at all."""

from __future__ import annotations

from ...readers.grid import Row
from ..columns import Block, Column
from ..registry import strip_numbering
from . import recogniser
from .context import TableContext, cell_text, coded_row_cells
from .labels import RowLabel, row_label


def _block_cost_types(ctx: TableContext, blocks: list[Block], body: list[Row]) -> dict[int, str]:
    """The cost type of each side-by-side block that ends in its own total line (人员经费合计 |
    公用经费合计) and prints one amount column: its rows are that cost type, whatever the column is
    headed (决算数)."""
    found: dict[int, str] = {}
    for position, block in enumerate(blocks):
        if len(block.amount_columns) != 1:
            continue
        for row in body:
            meaning = ctx.registry.row_meaning("economic_totals", row_label(row, block).text)
            if meaning:
                found[position] = meaning["cost_type"]
    return found


@recogniser("economic_table")
def economic_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    scheme = "department"
    block_cost = _block_cost_types(ctx, blocks, body)
    for row in body:
        ctx.row_seq += 1
        carried: RowLabel | None = None
        for position, block in enumerate(blocks):
            label = row_label(row, block)
            amounts = block.amount_columns
            has_amounts = any(cell_text(row, c.index) for c in amounts)
            if not label.text and has_amounts and carried:
                label = carried  # a total whose amount is printed in the next block (003)
            elif label.text and not has_amounts:
                carried = label
                _observe(ctx, label, scheme)
                continue
            if not has_amounts:
                continue
            carried = None
            _economic_row(ctx, row, label, amounts, scheme, block_cost.get(position))


def _observe(ctx: TableContext, label: RowLabel, scheme: str) -> None:
    code = _resolve(ctx, label, scheme)[0]
    if code and len(code) == 3:
        ctx.economic_class = code


def _resolve(ctx: TableContext, label: RowLabel, scheme: str) -> tuple[str | None, bool]:
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


def _economic_row(
    ctx: TableContext, row: Row, label: RowLabel, amounts: list[Column], scheme: str, block_cost: str | None
) -> None:
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
        code, inferred = _resolve(ctx, label, scheme)
        if code is None:
            ctx.unknown_row(
                row, label.text, amounts, "economic_code_known", "no economic code in the classification"
            )
            return
        if len(code) == 3:
            ctx.economic_class = code
    name, cells = coded_row_cells(row, label.name, amounts)
    for column, raw in cells:
        cost_type = column.dims.get("cost_type")
        if block_cost and cost_type == "total":
            cost_type = block_cost  # a block of 人员经费 (or 公用经费) rows: its 决算数 column is that
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
