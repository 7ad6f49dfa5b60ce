"""固定资产 / 国有资产占用情况表: the value of each class of assets (万元).

Its 数量 column counts buildings in m², vehicles and sets of equipment: not money, so those cells are
quarantined with that reason rather than published as amounts.
"""

from __future__ import annotations

from ...readers.grid import Row
from ..columns import Block
from ..numbers import is_amount_like
from . import recogniser
from .context import TableContext, cell_text
from .single_block import rows_with_amounts


@recogniser("fixed_assets")
def fixed_assets_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    for row, label, amounts in rows_with_amounts(ctx, blocks[0], body):
        meaning = ctx.registry.row_meaning("fixed_assets", label.text)
        if meaning is None:
            ctx.unknown_row(row, label.text, amounts, "row_recognised", "not a known asset class")
            continue
        for column in amounts:
            raw = cell_text(row, column.index)
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
