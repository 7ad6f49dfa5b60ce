"""三公经费 tables, whichever way round they are printed.

Categories are rows (合计, 因公出国（境）费, 公务用车购置及运行费 with its two sub-items …) or columns
(a header of categories over 预算数 | 决算数 and one row of amounts); budget and final figures may sit
side by side; 机关运行经费 may share the table. A cell's category is its row's, else its column's.
"""

from __future__ import annotations

from ...readers.grid import Row
from ..columns import Block, Column
from ..numbers import parse_amount
from . import recogniser
from .context import TableContext, cell_text
from .labels import row_label

CONTRACT_CATEGORIES = {
    "total",
    "overseas_travel",
    "official_reception",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_operation",
}
ADMIN_OPERATING = "admin_operating_costs"  # 机关运行经费 printed in the 三公 table: its own fact table


def _category(row_meaning: dict | None, column: Column) -> str | None:
    """The row's category, unless the row is only the total line of categories printed as columns."""
    by_row = row_meaning.get("category") if row_meaning else None
    by_column = column.dims.get("category")
    if by_row in (None, "total") and by_column:
        return by_column
    return by_row


@recogniser("three_public")
def three_public_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    phase_measure = "final" if ctx.meta.phase == "final_account" else "budget"
    block = blocks[0]
    for row in body:
        ctx.row_seq += 1
        amounts = [c for c in block.amount_columns if cell_text(row, c.index)]
        label = row_label(row, block)
        if not amounts and not label.text:
            continue
        meaning = ctx.registry.row_meaning("three_public", label.text) if label.text else None
        if label.text and meaning is None and not ctx.registry.is_total_label(label.text):
            ctx.unknown_row(row, label.text, amounts, "row_recognised", "not a known 三公 category")
            continue
        # every column of a labelled row: a total printed blank is known (context.emit)
        for column in block.amount_columns if label.text else amounts:
            raw = cell_text(row, column.index)
            category = _category(meaning, column)
            if category is None and (not label.text or ctx.registry.is_total_label(label.text)):
                category = "total"
            measure = column.dims.get("measure", phase_measure)
            routed = (meaning or {}).get("fact_table") or column.dims.get("fact_table")
            if routed == ADMIN_OPERATING:
                _admin_operating(ctx, row, label.text, column, raw, measure == phase_measure)
                continue
            fact_table = (
                "three_public_costs" if category in CONTRACT_CATEGORIES else "three_public_costs_detail"
            )
            ctx.emit(
                row,
                label.text,
                column,
                raw,
                fact_table,
                row_role="total" if category == "total" else "item",
                category=category,
                measure=measure,
                fund_scope=column.dims.get("fund_scope", "fiscal"),
            )


def _admin_operating(
    ctx: TableContext, row: Row, label: str, column: Column, raw: str, of_phase: bool
) -> None:
    """机关运行经费 in a 三公 table: the figure of the document's phase is the department's 机关运行经费;
    the other (a final account's 预算数) has no grain in the contract and is set aside, saying so."""
    amount = parse_amount(raw)
    if amount.value is None and not amount.problem:
        return  # "-": nothing stated
    if of_phase:
        ctx.emit(row, label, column, raw, "admin_operating_costs", row_role="total", fund_scope="fiscal")
    else:
        reason = "机关运行经费 of the other phase (e.g. 预算数 in a final account): no contract grain for it"
        ctx.quarantine(row, label, column, raw, reason)
