"""The entry point: every performance table of a document grid, read into raw rows.

Tables are found by their titles (segment.py), each read by the reader for its form — a grid of
columns (000, 002, 004), the county form with implementation-period and annual columns side by side
(001), or a self-evaluation (003) — then every project is linked to the department's project list
(matching.py). Nothing is dropped: a row that cannot be placed is quarantined with its reason, a
table the document cuts off is reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...readers.grid import Grid, Row
from ..accounting import funding_amounts
from .evaluations import EvaluationReader
from .matching import BudgetProjectLike, link_projects
from .records import Sink, TableContext
from .segment import TableSpan
from .targets_county import CountyTargetReader, is_paired_header
from .targets_tabular import TabularTargetReader
from .vocabulary import Vocabulary, load_vocabulary


@dataclass
class PerformanceExtraction:
    """Rows for the raw tables, keyed by column name; money as Decimal in 万元."""

    targets: list[dict] = field(default_factory=list)  # raw.performance_target
    evaluations: list[dict] = field(default_factory=list)  # raw.performance_evaluation
    projects: list[dict] = field(default_factory=list)  # raw.performance_project
    funding: list[dict] = field(default_factory=list)  # raw.performance_funding
    quarantine: list[dict] = field(default_factory=list)  # raw.quarantine
    issues: list[dict] = field(default_factory=list)  # raw.dq_issue
    tables: list[dict] = field(default_factory=list)  # raw.tables
    # What each grid row of each table was read as (title, attribute, funding, header, indicator ...):
    # not a raw table, kept so the accounting of rows can be checked.
    row_roles: list[dict] = field(default_factory=list)


def _reader(grid: Grid, span: TableSpan, ctx: TableContext, sink: Sink, vocabulary: Vocabulary):
    if span.kind == "evaluation":
        return EvaluationReader(grid, span, ctx, sink, vocabulary)
    if any(is_paired_header(grid.rows[i], vocabulary) for i in range(span.start, span.stop)):
        return CountyTargetReader(grid, span, ctx, sink, vocabulary)
    return TabularTargetReader(grid, span, ctx, sink, vocabulary)


FUNDING_ROLES = frozenset({"funding", "funding_blank"})


def _account_funding(grid: Grid, ctx: TableContext, sink: Sink) -> None:
    """Every amount printed on a line the reader read as a funding line is a funding row or quarantined,
    counted from the grid (extract/accounting.py), not from what the reader did: an amount it left out is
    quarantined now and the table gets an error, as are rows that match no printed amount."""
    lines = {
        record["line_number"]: record["row_index"]
        for record in sink.row_roles
        if record["table_seq"] == ctx.table_seq and record["role"] in FUNDING_ROLES
    }
    printed = Counter(
        (line, raw) for line, index in lines.items() for raw in funding_amounts(grid.rows[index])
    )
    placed = Counter(
        (record["line_number"], (record["raw_value"] or "").strip())
        for record in [*sink.funding, *sink.quarantine]
        if record["table_seq"] == ctx.table_seq and record["line_number"] in lines
    )
    missing, extra = printed - placed, placed - printed
    for (line, raw), count in sorted(missing.items()):
        for _ in range(count):
            sink.quarantine_cell(
                ctx, line, grid.rows[lines[line]].text[:60], "funding", raw,
                "printed amount that the table's reader neither read nor set aside",
            )  # fmt: skip
    if missing:
        sink.issue(
            ctx,
            "amounts_accounted",
            "error",
            f"{sum(missing.values())} amounts printed on funding lines were neither funding rows nor "
            f"quarantined by the reader (first: {sorted(missing)[0]!r}); they are quarantined",
        )
    if extra:
        sink.issue(
            ctx,
            "amounts_accounted",
            "error",
            f"{sum(extra.values())} funding rows or quarantined cells match no amount printed on their line "
            f"(first: {sorted(extra)[0]!r})",
        )


def _locate(grid: Grid, tables: list[list[dict]]) -> None:
    """Give every row the page and locator of the grid row its `line_number` names.

    The readers of performance tables hand the sink line numbers, not rows, and read a row's values
    by content rather than by column, so the place is the row's: done here, once, for every table.
    Each grid row starts on its own line; a line no row starts on (never expected) keeps "line N".
    """
    rows = {row.line: row for row in grid.rows}
    for table in tables:
        for record in table:
            line = record["line_number"]
            row = rows.get(line)
            record.update(row.provenance() if row else Row(line, ()).provenance())


def extract_performance(
    grid: Grid,
    document_key: str,
    budget_projects: Sequence[BudgetProjectLike],
    spans: Sequence[TableSpan] | None = None,
) -> PerformanceExtraction:
    """`spans`: the document's performance tables as its one segmentation found and numbered them
    (extract.segment.segment_document); found here when not given."""
    vocabulary = load_vocabulary()
    sink = Sink(document_key)
    if spans is None:
        from ..segment import segment_document

        spans = segment_document(grid).performance
    for span in spans:
        title_line = grid.rows[span.title_index].line
        ctx = TableContext(
            document_key=document_key,
            table_seq=span.table_seq,
            source_table=span.title,
            table_kind=span.table_kind,
            unit=None,
            line_start=title_line,
            line_end=title_line,
        )
        sink.role(ctx, span.title_index, title_line, "title")
        ended = _reader(grid, span, ctx, sink, vocabulary).read()
        _account_funding(grid, ctx, sink)
        if ended == "span_end" and span.stop_reason == "end_of_document":
            sink.issue(
                ctx,
                "performance_table_truncated",
                "warning",
                f"the document ends inside this table (last row at line {ctx.line_end}, no closing row): "
                "rows after it may be missing",
            )
        sink.close_table(ctx)
    link_projects(sink, budget_projects)
    _locate(grid, [sink.targets, sink.evaluations, sink.projects, sink.funding, sink.quarantine])
    return PerformanceExtraction(
        targets=sink.targets,
        evaluations=sink.evaluations,
        projects=sink.projects,
        funding=sink.funding,
        quarantine=sink.quarantine,
        issues=sink.issues,
        tables=sink.tables,
        row_roles=sink.row_roles,
    )
