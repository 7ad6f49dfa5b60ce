"""Revenue tables (收入总表, 收入决算表): one row per function code or unit, one column per source."""

from __future__ import annotations

from ...readers.grid import Row
from ..columns import Block
from ..registry import strip_numbering
from . import recogniser
from .context import TableContext, cell_text
from .labels import row_label


def revenue_dims(dims: dict[str, str]) -> tuple[str, str]:
    """(revenue_source, funding) of a column: a carry-over column without a source is the carry-over."""
    source = dims.get("revenue_source")
    funding = dims.get("funding")
    if source in (None, "total") and funding == "carryover":
        return "carryover", "carryover"
    if source is None:
        source = "total"
    if funding is None:
        funding = "total" if source == "total" else "current_year"
    return source, funding


@recogniser("revenue_table")
def revenue_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    block = blocks[0]
    for row in body:
        ctx.row_seq += 1
        label = row_label(row, block)
        amounts = block.amount_columns
        if not any(cell_text(row, c.index) for c in amounts):
            continue
        if ctx.registry.is_total_label(label.text) and not label.code:
            fact_table, extra = "revenue", {"row_role": "total"}
        elif label.code:
            fact_table, extra = (
                "revenue_by_function",
                {"function_code": label.code, "function_name": strip_numbering(label.name or "")},
            )
        elif label.name:
            fact_table, extra = "revenue_by_unit", {"unit_name": label.name}
        else:
            ctx.unplaceable(row, label.text, amounts, "row has amounts but no label")
            continue
        for column in amounts:
            raw = cell_text(row, column.index)
            if not raw:
                continue
            if column.role == "unknown":
                ctx.unmeasured(row, label.text, column, raw)
                continue
            source, funding = revenue_dims(column.dims)
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
