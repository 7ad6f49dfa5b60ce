"""Financial tables of a document: each table's columns understood, its body read by the recogniser of
its family (recognisers/), and every amount it prints accounted for.

For each table: the amounts it prints are counted from the grid alone (accounting.py) before any
recogniser runs; the header is read into columns (columns.py, or columns_pdftotext.py for pdftotext's
unaligned cells); the family's recogniser writes facts and quarantined cells; then every counted
amount must be one of them. `tables` rows carry the counts, so the accounting can be checked at any
time, in Python and in dbt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..readers.grid import Grid, Row, squash
from ..reference import covered_years, load_reference
from .accounting import code_cells, is_printed_amount, placed_amounts, printed_amounts, rows_by_line
from .columns import ALIAS_GROUP, CODE, Block, positional_columns, split_blocks, split_header_body
from .columns_pdftotext import normalise_rows, pdftotext_blocks
from .evidence import kind_by_structure
from .numbers import is_amount_like
from .recognisers import load_recognisers
from .recognisers.context import TableContext
from .recognisers.labels import join_wrapped_labels
from .recognisers.project import BudgetProject
from .recognisers.records import blank_total_row
from .registry import Registry, load_registry
from .segment import TableBlock, segment_document

__all__ = ["BudgetProject", "FinancialExtraction", "extract_financial"]


@dataclass
class FinancialExtraction:
    tables: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)  # raw.cells rows (CellRecord.as_row())
    quarantine: list[dict] = field(default_factory=list)  # raw.quarantine rows
    blank_totals: list[dict] = field(default_factory=list)  # raw.blank_totals rows
    issues: list[dict] = field(default_factory=list)
    budget_projects: list[BudgetProject] = field(default_factory=list)


def extract_financial(
    grid: Grid, meta, registry: Registry | None = None, blocks: list[TableBlock] | None = None
) -> FinancialExtraction:
    """`blocks`: the document's financial tables as its one segmentation found and numbered them
    (segment.segment_document); found here when not given."""
    registry = registry or load_registry()
    if blocks is None:
        blocks = segment_document(grid, registry).financial
    out = FinancialExtraction()
    units = [b.unit for b in blocks if b.unit]
    default_unit = max(set(units), key=units.count) if units else None
    reference = _reference_for(meta, out)
    for block in blocks:
        by_structure = block.kind is None and kind_by_structure(block.rows, registry)
        if by_structure:
            block.kind = by_structure
        ctx = TableContext(block, meta, registry, block.unit or default_unit or "万元", reference)
        if by_structure:
            ctx.issue(
                "table_recognised",
                "info",
                f"title names no kind: recognised as {by_structure.name} by its header",
            )
        table_row = _read_table(grid, ctx, default_unit)
        out.tables.append(table_row)
        out.cells += [c.as_row() for c in ctx.out.cells]
        out.quarantine += [q.as_row() for q in ctx.out.quarantine]
        prints_sums = any(registry.states_a_sum(vars(cell)) for cell in ctx.out.cells)
        out.blank_totals += [blank_total_row(b, prints_sums) for b in ctx.out.blank_totals]
        out.issues += ctx.out.issues
        out.budget_projects += ctx.out.budget_projects
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


def _read_table(grid: Grid, ctx: TableContext, default_unit: str | None) -> dict:
    block, registry, kind = ctx.block, ctx.registry, ctx.kind
    printed = printed_amounts(block, registry)  # before any recogniser runs
    header, body, structural = split_header_body(block.rows, registry)
    if kind is None or kind.family == "unmapped":
        _quarantine_table(ctx, body, structural)
        status = "unrecognised" if kind is None else "recognised"
    else:
        if block.unit is None and default_unit is None:
            ctx.issue("unit_printed", "warning", "no unit printed in the document: amounts read as 万元")
        elif block.unit is None:
            ctx.issue(
                "unit_printed", "info", f"no unit printed under the table: the document's {ctx.unit} is used"
            )
        _recognise(grid, ctx, header, body, structural)
        status = "recognised"
    _account(ctx, printed)
    numeric = sum(printed.values())
    if status == "recognised" and numeric == 0:
        status = "empty"
    return {
        "document_key": ctx.meta.document_key,
        "table_seq": block.seq,
        "source_table": block.title,
        "table_kind": kind.name if kind else None,
        "unit": block.unit,
        "line_start": block.line_start,
        "line_end": block.line_end,
        "note": " ".join(block.notes) or None,
        "status": status,
        "numeric_cells": numeric,
        "facts": ctx.facts,
        "quarantined": ctx.quarantined,
    }


def _quarantine_table(ctx: TableContext, body: list[Row], structural: set[int]) -> None:
    """A table of unknown kind, or of a kind without a canonical money measure: every amount set aside."""
    kind = ctx.kind
    reason = (
        f"table {ctx.block.title!r} is not a known kind"
        if kind is None
        else f"table kind {kind.name!r} has no canonical money measure"
    )
    for row in body:
        ctx.row_seq += 1
        codes = code_cells(row.cells)
        for index, raw in enumerate(row.cells):
            if (
                index not in structural
                and index not in codes
                and raw.strip()
                and is_printed_amount(raw.strip())
            ):
                ctx.quarantine(row, squash(row.cells[0] if row.cells else ""), None, raw.strip(), reason)
    if ctx.quarantined:
        ctx.issue("table_recognised", "warning", f"{reason}: {ctx.quarantined} numbers quarantined")


def _columns(grid: Grid, ctx: TableContext, header: list[Row], body: list[Row], structural: set[int]):
    family = ctx.kind.family
    if grid.positional:
        return split_blocks(positional_columns(header, body, structural, ALIAS_GROUP[family], ctx.registry))
    return pdftotext_blocks(family, ctx.registry, header, body)


def _recognise(
    grid: Grid, ctx: TableContext, header: list[Row], body: list[Row], structural: set[int]
) -> None:
    blocks = _columns(grid, ctx, header, body, structural)
    if blocks is None:
        for row in body:
            ctx.row_seq += 1
            label = squash(row.cells[0]) if row.cells else ""
            for raw in row.cells:
                if raw.strip() and is_amount_like(raw) and not CODE.match(raw.strip()):
                    ctx.quarantine(
                        row, label, None, raw.strip(), "the header's measures do not line up with the cells"
                    )
        ctx.issue("header_recognised", "error", "the header's measures do not line up with the body's cells")
        return
    if not grid.positional:
        body = normalise_rows(body, blocks)
    elif len(blocks) == 1:
        body = join_wrapped_labels(body, blocks[0], ctx.registry)
    if blocks:
        load_recognisers()[ctx.kind.family](ctx, blocks, body)
    _quarantine_uncovered(ctx, blocks, body, structural)


def _quarantine_uncovered(
    ctx: TableContext, blocks: list[Block], body: list[Row], structural: set[int]
) -> None:
    """A number printed outside every column the header defines is quarantined, never dropped."""
    covered = {c.index for b in blocks for c in b.columns} | structural
    for row in body:
        codes = code_cells(row.cells)
        for index, raw in enumerate(row.cells):
            text = raw.strip()
            if index in covered or index in codes or not text or CODE.match(text) or not is_amount_like(text):
                continue
            ctx.quarantine(
                row,
                squash(row.cells[0]) if row.cells else "",
                None,
                text,
                f"number in column {index + 1}, outside the columns the header defines",
            )


def _account(ctx: TableContext, printed) -> None:
    """Every amount the grid shows must be a fact or quarantined: what the recogniser left out is
    quarantined now and reported as an error; a fact of no printed amount is reported as an error."""
    placed = placed_amounts(ctx.out.cells, ctx.out.quarantine)
    missing = printed - placed
    extra = placed - printed
    rows = rows_by_line(ctx.block)
    for (line, raw), count in sorted(missing.items()):
        row = rows[line]
        for _ in range(count):
            ctx.quarantine(
                row,
                squash(row.text)[:60],
                None,
                raw,
                "printed amount that the table's recogniser neither read nor set aside",
            )
    if missing:
        ctx.issue(
            "amounts_accounted",
            "error",
            f"{sum(missing.values())} printed amounts were neither facts nor quarantined by the recogniser "
            f"(first: {sorted(missing)[0]!r}); they are quarantined",
        )
    if extra:
        ctx.issue(
            "amounts_accounted",
            "error",
            f"{sum(extra.values())} facts or quarantined cells match no printed amount "
            f"(first: {sorted(extra)[0]!r})",
        )
