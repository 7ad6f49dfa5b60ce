"""The row loop shared by tables of one block whose rows are named lines (三公, 机关运行经费, 资产)."""

from __future__ import annotations

from collections.abc import Iterator

from ...readers.grid import Row
from ..columns import Block, Column
from .context import TableContext, cell_text
from .labels import RowLabel, row_label


def rows_with_amounts(
    ctx: TableContext, block: Block, body: list[Row]
) -> Iterator[tuple[Row, RowLabel, list[Column]]]:
    """Each body row with its label and the amount columns it prints something in (rows without are
    skipped but still counted, so row_seq stays the printed order)."""
    for row in body:
        ctx.row_seq += 1
        amounts = [c for c in block.amount_columns if cell_text(row, c.index)]
        if amounts:
            yield row, row_label(row, block), amounts
