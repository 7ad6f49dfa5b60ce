"""机关运行经费 tables: the total (and per-unit rows) by fund scope."""

from __future__ import annotations

from ...readers.grid import Row
from ..columns import Block
from . import recogniser
from .context import TableContext, cell_text
from .single_block import rows_with_amounts


@recogniser("admin_operating")
def admin_operating_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    for row, label, amounts in rows_with_amounts(ctx, blocks[0], body):
        is_total = ctx.registry.is_total_label(label.text) or not label.text
        for column in amounts:
            ctx.emit(
                row,
                label.text,
                column,
                cell_text(row, column.index),
                "admin_operating_costs",
                row_role="total" if is_total else "item",
                unit_name=None if is_total else label.text,
                fund_scope=column.dims.get("fund_scope", "fiscal"),
            )
