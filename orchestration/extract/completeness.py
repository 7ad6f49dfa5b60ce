"""Is the document whole? Warnings for a document cut short, from what the extraction found.

A download or a copy cut short still reads: the tables before the cut publish, the rest is simply
absent. Truncated copies of the seeds published with 0 facts and no warning, and one lost its last
two tables silently. This module looks at the extraction's result — the grid, the tables with their
kinds, statuses and line ranges, their cells — and says, as warnings in `dq_issue`:

- `document_truncated`, the file ends in the middle of a character (the reader noticed);
- `document_truncated`, the document ends inside a financial table whose closing rows never came:
  a 收支总表 without its 总计 row, a function or economic table whose printed total is not reached
  by its top-level rows, any table cut before its first number;
- `document_truncated`, the document ends with a table title that opened nothing (cut right after a
  title, before the table's header);
- `document_truncated`, tables the document's own contents (目录) list after the last one found;
- `document_tables_found`, a document of a known type in which no table at all was recognised.

One `document_truncated` finding per document, its detail giving every piece of evidence; and one
finding per cause: a performance table the document ends inside is reported by its own reader
(`performance_table_truncated`, which knows that table's closing rows); when it has, no second
"ends inside a table" finding is added here. A complete table never warns: each rule needs positive
evidence of a cut (the last row of the document inside the table, and the table's own closing row
or balance missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..readers.grid import Grid, squash
from .performance.segment import title_kind
from .performance.vocabulary import load_vocabulary
from .registry import Registry, load_registry, strip_numbering

TRUNCATED = "document_truncated"
NO_TABLES = "document_tables_found"
# The perf readers' own finding for a table the document ends inside (performance/extract.py).
PERFORMANCE_TRUNCATED = "performance_table_truncated"
_CONTENTS = "目录"
_PERFORMANCE = "performance"


def check_completeness(
    grid: Grid, meta, tables: list[dict], cells: list[dict], issues: list[dict]
) -> list[dict]:
    """The completeness warnings of one extracted document (possibly none)."""
    registry = load_registry()
    found: list[str] = []
    cut = grid.details.get("cut")
    if cut:
        found.append(cut)
    known = [t for t in tables if t.get("table_kind")]
    if not known:
        if meta.doc_type is not None or grid.rows:
            return [
                _issue(meta, NO_TABLES, _no_tables(meta, _contents(grid, registry, None))),
                *_as_issues(meta, found),
            ]
        return _as_issues(meta, found)
    already = any(issue["check_name"] == PERFORMANCE_TRUNCATED for issue in issues)
    if not already:
        ending = _ends_inside(grid, tables, cells, registry) or _dangling_title(grid, tables, registry)
        if ending:
            found.append(ending)
    missing = _missing_from_contents(grid, tables, registry)
    if missing:
        found.append(missing)
    return _as_issues(meta, found)


def _issue(meta, check: str, detail: str) -> dict:
    return {
        "document_key": meta.document_key,
        "check_name": check,
        "severity": "warning",
        "source_table": None,
        "table_seq": None,
        "detail": detail,
    }


def _as_issues(meta, details: Iterable[str]) -> list[dict]:
    """One `document_truncated` finding per document, with every piece of evidence of the cut."""
    details = list(details)
    return [_issue(meta, TRUNCATED, "; ".join(details))] if details else []


def _no_tables(meta, listed: list[tuple[int, str, str]]) -> str:
    kind = f"{meta.doc_type} document" if meta.doc_type else "document"
    promised = f"; its contents list {len(listed)} tables" if listed else ""
    return (
        f"no table recognised in this {kind}{promised}: it may be cut off before its tables, or printed "
        "in a layout not known yet (table_kinds.yaml); nothing was published from it"
    )


# --- the document ends inside a financial table -------------------------------------------------


def _is_performance(table: dict) -> bool:
    """A performance table (its kind says so: all tables share one numbering in document order)."""
    return (table.get("table_kind") or "").startswith("performance_")


def _ends_inside(grid: Grid, tables: list[dict], cells: list[dict], registry: Registry) -> str | None:
    """The last financial table, when the document's last row is inside it and it is not closed."""
    if not grid.rows:
        return None
    last_line = grid.rows[-1].line
    financial = [t for t in tables if not _is_performance(t)]
    performance_after = [t for t in tables if _is_performance(t)]
    if not financial:
        return None
    table = max(financial, key=lambda t: t["line_start"])
    if table["line_end"] < last_line or any(t["line_start"] > table["line_start"] for t in performance_after):
        return None
    if table.get("note"):  # notes print under a finished table
        return None
    own = [c for c in cells if c["table_seq"] == table["table_seq"]]
    why = _not_closed(table, own, registry)
    if why is None:
        return None
    return (
        f"the document ends inside table {table['source_table']!r} (lines {table['line_start']}–"
        f"{table['line_end']}): {why}; the rest of the table and any table after it are missing"
    )


def _not_closed(table: dict, cells: list[dict], registry: Registry) -> str | None:
    """Why the table is visibly unfinished, or None when it is closed (or that cannot be told)."""
    if table["numeric_cells"] == 0:
        return "it stops before its first number"
    kind = registry.kinds.get(table["table_kind"]) if table.get("table_kind") else None
    family = kind.family if kind else None
    if family == "summary":
        grand = [c for c in cells if c.get("category") in ("revenue_grand_total", "expenditure_grand_total")]
        return None if grand else "its 总计 (grand total) row is missing"
    code = {"function_table": "function_code", "economic_table": "economic_code"}.get(family or "")
    if code is None:
        return None  # other families print no closing row that would tell
    return None if _balances(cells, code) else "its printed total is not reached by its top-level rows"


def _balances(cells: list[dict], code: str) -> bool:
    """The table's total column (its leftmost column with a total row) equals the sum of the column's
    top-level rows, within rounding. A single column, not "any": in a table cut after its first 类,
    a column that class alone fills (project spending) would balance by chance."""
    columns = sorted({c["col_seq"] for c in cells if c["row_role"] == "total"})
    if not columns:
        return False
    column = [c for c in cells if c["col_seq"] == columns[0]]
    total = next(c["amount"] for c in column if c["row_role"] == "total")
    items = [c for c in column if c["row_role"] == "item" and c.get(code)]
    if not items:
        return False
    top = min(len(c[code]) for c in items)
    values = [c["amount"] for c in items if len(c[code]) == top]
    return abs(sum(values, Decimal(0)) - total) <= Decimal("0.01") * (len(values) + 1)


# --- a title that opened nothing, at the end -----------------------------------------------------


def _dangling_title(grid: Grid, tables: list[dict], registry: Registry) -> str | None:
    """A table title after the last table's rows: the document stops between a title and its table."""
    end = max(t["line_end"] for t in tables)
    vocabulary = load_vocabulary()
    for row in grid.rows:
        if row.line <= end or len(row.filled) != 1:
            continue
        text = row.filled[0][1]
        if registry.kind_for_title(text)[0] is not None or title_kind(text, vocabulary) is not None:
            return (
                f"the document ends right after the title {squash(text)!r} (line {row.line}), "
                "before that table's rows"
            )
    return None


# --- the contents promise tables that are not there ---------------------------------------------


def _contents(grid: Grid, registry: Registry, before_line: int | None) -> list[tuple[int, str, str]]:
    """(line, kind, title) of the tables the contents list: rows after 目录 naming a table kind."""
    vocabulary = load_vocabulary()
    listed: list[tuple[int, str, str]] = []
    inside = False
    for row in grid.rows:
        if before_line is not None and row.line >= before_line:
            break
        # A contents line is one cell, or a few where the text layout split it at its spaces ("目 录").
        if not row.filled or len(row.filled) > 3:
            continue
        text = squash(row.text).lstrip("-•·")
        if text == _CONTENTS:
            inside = True
            continue
        if not inside:
            continue
        title = strip_numbering(text)
        kind = registry.kind_for_title(title)[0]
        if kind is not None:
            listed.append((row.line, kind.name, title))
        elif title_kind(title, vocabulary) is not None:
            listed.append((row.line, _PERFORMANCE, title))
    return listed


def _missing_from_contents(grid: Grid, tables: list[dict], registry: Registry) -> str | None:
    """Tables the contents list after the last listed one the document holds: cut off after it."""
    first_table = min(t["line_start"] for t in tables)
    listed = _contents(grid, registry, first_table)
    if not listed:
        return None
    have = {t["table_kind"] for t in tables if t.get("table_kind")}
    if any(_is_performance(t) for t in tables):
        have.add(_PERFORMANCE)
    present = [index for index, (_, kind, _) in enumerate(listed) if kind in have]
    tail = listed[present[-1] + 1 :] if present else listed
    missing = [title for _, kind, title in tail if kind not in have]
    if not missing:
        return None
    return (
        f"the contents (目录) list {len(missing)} table(s) after the last one found that the document does "
        f"not hold: {', '.join(missing)}; it looks cut off after line {grid.rows[-1].line}"
    )
