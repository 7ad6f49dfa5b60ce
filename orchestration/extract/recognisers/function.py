"""Function tables (支出总表, 一般公共预算支出表, 政府性基金 / 国有资本经营预算支出表 …): one row per
function code, one column per expenditure type."""

from __future__ import annotations

from ...readers.grid import Row
from ..columns import Block
from ..registry import strip_numbering
from . import recogniser
from .context import TableContext, cell_text, coded_row_cells
from .labels import FunctionHierarchy, RowLabel, row_label

EXPENDITURE_TYPES = {"total", "basic", "project", "personnel", "public", "business", "remit", "subsidy"}


def _observe_code(label: RowLabel, hierarchy: FunctionHierarchy) -> None:
    if label.code:
        hierarchy.observe(label.code)
    elif label.name:
        code = hierarchy.infer(strip_numbering(label.name))
        if code:
            hierarchy.observe(code)


@recogniser("function_table")
def function_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    hierarchy = FunctionHierarchy(ctx.reference)
    block = blocks[0]
    funding = ctx.registry.title_qualifiers.get(ctx.block.qualifier or "", "total")
    for row in body:
        ctx.row_seq += 1
        label = row_label(row, block)
        amounts = block.amount_columns
        if not any(cell_text(row, c.index) for c in amounts):
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
        name, cells = coded_row_cells(row, label.name, amounts)
        for column, raw in cells:
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
