"""Project tables (项目支出表): one row per project, its level by column or indentation, one column per
fund source. Every project is also listed (`BudgetProject`) so performance targets can be linked to it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...readers.grid import Row, squash
from ..columns import Block
from ..numbers import parse_amount, to_wan_yuan
from . import recogniser
from .context import TableContext, cell_text
from .labels import RowLabel, row_label
from .revenue import revenue_dims


@dataclass
class BudgetProject:
    """A project of the department's project list, for linking performance targets to it."""

    name: str
    parent_name: str | None
    total: Decimal | None
    this_year: Decimal | None


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


@recogniser("project_table")
def project_table(ctx: TableContext, blocks: list[Block], body: list[Row]) -> None:
    block = blocks[0]
    table_funding = ctx.registry.title_qualifiers.get(ctx.block.qualifier or "")
    rows = []
    for row in body:
        label = row_label(row, block)
        rows.append((row, label, _project_level(row, block, label)))
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
        amounts = [c for c in block.amount_columns if cell_text(row, c.index)]
        if not amounts:
            continue
        if not name:
            ctx.unplaceable(row, label.text, amounts, "project row without a name")
            continue
        is_total = ctx.registry.is_total_label(name) or level is None or level < leaf
        parent = parents.get(level - 1) if level else None
        category = parents.get(0) if level and level >= 1 else None
        values: dict[str, Decimal] = {}
        for column in amounts:
            raw = cell_text(row, column.index)
            if column.role == "unknown":
                ctx.unmeasured(row, label.text, column, raw)
                continue
            source, funding = revenue_dims(column.dims)
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
                values[f"{fund_source}|{funding}"] = to_wan_yuan(parsed, ctx.unit)
        if not is_total:
            ctx.out.budget_projects.append(_budget_project(name, parent, values))


def _budget_project(name: str, parent: str | None, values: dict[str, Decimal]) -> BudgetProject:
    total = values.get("total|total") or values.get("total|current_year")
    this_year = sum(
        (v for k, v in values.items() if k.endswith("|current_year") and not k.startswith("total")),
        Decimal(0),
    ) or (total - values.get("carryover|carryover", Decimal(0)) if total is not None else None)
    return BudgetProject(name=name, parent_name=parent, total=total, this_year=this_year)
