"""收支总表 and 财政拨款收支总表: two side-by-side parts, 收入 | 支出, whose rows need not fill both.

The revenue part's lines are registry row aliases (revenue_lines); the expenditure part lists
function classes by name (一、一般公共服务支出 …) and summary lines (本年支出合计, 年末结转和结余 …).
"""

from __future__ import annotations

from ...readers.grid import Row, squash
from ..columns import Block
from ..registry import strip_numbering
from . import recogniser
from .context import TableContext, cell_text
from .labels import RowLabel, row_label


@recogniser("summary")
def summary_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
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
        label = row_label(row, revenue_block)
        if label.text:
            section = _revenue_row(ctx, row, label, revenue_block, has_funding_columns, section)
        else:
            amounts = [c for c in revenue_block.amount_columns if cell_text(row, c.index)]
            ctx.unplaceable(row, "", amounts, "amounts without a row label")
        for block in expenditure_blocks:
            _expenditure_row(ctx, row, row_label(row, block), block)


def _revenue_row(ctx, row, label: RowLabel, block: Block, has_funding: bool, section: str) -> str:
    amounts = [c for c in block.amount_columns if cell_text(row, c.index)]
    meaning = ctx.registry.row_meaning("revenue_lines", label.text)
    if meaning is None:
        ctx.unknown_row(row, label.text, amounts, "row_recognised", "not a known revenue line")
        return section
    source = meaning["revenue_source"]
    summary_line = meaning.get("summary_line")
    in_carryover = section == "carryover" or meaning.get("section") == "carryover"
    # a total line is read in every column, so that one printed blank is known (context.emit)
    for column in block.amount_columns if source == "total" else amounts:
        raw = cell_text(row, column.index)
        funding = column.dims.get("funding")
        if funding is None:
            if has_funding and column.dims.get("measure_total"):
                funding = "total"
            else:
                funding = "carryover" if in_carryover else "current_year"
        if summary_line == "revenue_grand_total" and not has_funding:
            funding = "total"
        if source == "total" and funding == "carryover":
            dims = {"row_role": "total", "revenue_source": "carryover", "funding": "carryover"}
            fact_table = "revenue"
        elif source == "total":
            fact_table = "summary_line"
            dims = {
                "row_role": "total",
                "category": summary_line,
                "funding": funding,
                "revenue_source": "total",
            }
        else:
            fact_table, dims = "revenue", {"revenue_source": source, "funding": funding}
        ctx.emit(row, label.text, column, raw, fact_table, fund_scope=ctx.kind.fund_scope, **dims)
    if meaning.get("section") == "carryover" or summary_line == "revenue_current_total":
        return "carryover"
    return section


def _expenditure_row(ctx, row, label: RowLabel, block: Block) -> None:
    amounts = [c for c in block.amount_columns if cell_text(row, c.index)]
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
    for column in block.amount_columns if meaning is not None else amounts:
        raw = cell_text(row, column.index)
        funding = column.dims.get("funding", "total")
        scope = column.dims.get("fund_scope", ctx.kind.fund_scope)
        if meaning is not None:
            dims = {"row_role": "total", "category": meaning["summary_line"]}
            ctx.emit(row, label.text, column, raw, "summary_line", funding=funding, fund_scope=scope, **dims)
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
