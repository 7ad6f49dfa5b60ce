"""Find the tables of a document grid — financial and performance — in one pass, numbered in order.

A financial table starts at its title (a row on its own that names a table) and runs until the next
title, the next part of the document, or a performance table (read by extract.performance). A title
opens a table only when the rows under it bear it out — a unit line, rows of cells, or a statement
that the table is empty — so a table of contents or a part heading that happens to end in 表 opens
nothing. A title that ends in 表 but names no kind still opens a table, of unknown kind, so that any
number it prints is quarantined with a reason rather than lost.

Every table, financial or performance, is numbered by where its title is printed: `seq` 1, 2, … in
document order, as the contract's table_seq says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..readers.grid import Grid, Row, squash
from .numbers import is_decimal_amount
from .registry import Registry, TableKind, load_registry, normalise_title

_EMPTY_STATEMENT = re.compile(r"^(?!如).*(本表无数据|空表列示|故此表为空|此表为空|无数据)")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_NOTE = re.compile(r"^(注|说明|备注)[:：]|^如本表为空|^本表金额|^其中[:：]预算数为|^无.{2,40}的，仍保留")
# How many rows under a title may pass before the rows that bear it out (unit line, header).
_EVIDENCE_ROWS = 6
# A page number printed between the parts of a table continued over pages ("- 3 -", "第3页", "3/25").
_PAGE_NUMBER = re.compile(r"^([-—–]\s*\d{1,4}\s*[-—–]|第\d{1,4}页(共\d{1,4}页)?|\d{1,4}/\d{1,4})$")


@dataclass
class TableBlock:
    seq: int
    kind: TableKind | None
    title: str
    qualifier: str | None
    title_index: int
    rows: list[Row]  # body and header rows (meta lines and notes removed)
    unit: str | None = None
    notes: list[str] = field(default_factory=list)
    line_start: int = 0
    line_end: int = 0

    @property
    def empty_statement(self) -> str | None:
        for note in self.notes:
            if _EMPTY_STATEMENT.search(squash(note)):
                return note
        return None


def _single_text(row: Row) -> str | None:
    filled = row.filled
    return filled[0][1] if len(filled) == 1 else None


def _is_generic_title(text: str, rows: list[Row], index: int, registry: Registry) -> bool:
    """An unlisted title: ends in 表, short, and followed by a unit line."""
    title, _ = normalise_title(text)
    if not (title.endswith("表") and 4 <= len(title) <= 40) or title.startswith(("-", "—")):
        return False
    if re.match(r"^[一二三四五六七八九十]+、", title) or title.startswith("第"):
        return False
    return any(registry.unit_in(row.text) for row in rows[index + 1 : index + 4])


def _ends_table(row: Row, registry: Registry) -> bool:
    text = _BOOKMARK.sub("", squash(row.text))
    return any(p.search(text) for p in registry.table_end)


def _is_meta(row: Row, registry: Registry) -> bool:
    if len(row.filled) > 3:
        return False
    return all(any(p.search(squash(cell)) for p in registry.meta) for _, cell in row.filled)


def _borne_out(rows: list[Row], start: int, stop: int, registry: Registry) -> bool:
    """Rows under a title that make it a table: a unit line, a row of several cells, an empty statement."""
    for row in rows[start + 1 : min(stop, start + 1 + _EVIDENCE_ROWS)]:
        if _ends_table(row, registry) and len(row.filled) <= 2:
            return False  # the next part of the document ("第五部分 | 附件"): a contents entry, not a table
        text = squash(row.text)
        if len(row.filled) >= 2 or registry.unit_in(text) or _EMPTY_STATEMENT.search(text):
            return True
    return False


def _title_candidates(grid: Grid, registry: Registry) -> list[tuple[int, TableKind | None, str, str | None]]:
    rows = grid.rows
    found = []
    for index, row in enumerate(rows):
        text = _single_text(row)
        if text is None or _ends_table(row, registry):
            continue
        kind, qualifier = registry.kind_for_title(text)
        if kind is not None or _is_generic_title(text, rows, index, registry):
            found.append((index, kind, text, qualifier))
    # A title followed straight by another (a contents list, a part heading over its first table)
    # opens nothing; dropping it lets the title before it run on, so check again until none drops.
    while True:
        kept = []
        for number, candidate in enumerate(found):
            stop = found[number + 1][0] if number + 1 < len(found) else len(rows)
            if _borne_out(rows, candidate[0], stop, registry):
                kept.append(candidate)
        if len(kept) == len(found):
            return kept
        found = kept


def find_tables(grid: Grid, registry: Registry) -> list[TableBlock]:
    """The financial tables of a grid, numbered 1, 2, … among themselves (see `number_tables`)."""
    rows = grid.rows
    starts = _title_candidates(grid, registry)
    blocks: list[TableBlock] = []
    for number, (start, kind, title, qualifier) in enumerate(starts, start=1):
        stop = starts[number][0] if number < len(starts) else len(rows)
        block = TableBlock(
            seq=number,
            kind=kind,
            title=squash(_BOOKMARK.sub("", title)),  # Word's bookmark markup is not part of the title
            qualifier=qualifier,
            title_index=start,
            rows=[],
        )
        block.line_start = block.line_end = rows[start].line
        _fill(block, rows[start + 1 : stop], registry)
        blocks.append(block)
    return blocks


def _is_page_furniture(row: Row) -> bool:
    """A page number, or text a reader found outside every ruled table that is only a number: not a
    cell of the table whose parts it sits between."""
    if not row.is_single or not row.filled:
        return False
    text = squash(row.filled[0][1])
    outside = row.origin is not None and row.origin.page is not None and row.origin.table is None
    return bool(_PAGE_NUMBER.match(text)) or (outside and text.isdigit() and len(text) <= 4)


def _fill(block: TableBlock, rows: list[Row], registry: Registry) -> None:
    in_notes = False
    for row in rows:
        if _ends_table(row, registry) and row.is_single:
            break
        if _is_page_furniture(row):
            continue
        block.line_end = row.line
        # The unit: on a unit line, or in a header cell (金额（元）); never read off a row of amounts.
        unit = None if any(is_decimal_amount(c) for c in row.cells) else registry.unit_in(row.text)
        if unit and block.unit is None:
            block.unit = unit
        if not block.rows and _is_meta(row, registry):
            continue
        if unit and _is_meta(row, registry):
            continue  # a unit line ("部门名称：… 单位：万元"); a header cell that names its unit stays
        text = squash(row.text)
        if row.is_single and (_NOTE.search(text) or _EMPTY_STATEMENT.search(text) or in_notes):
            # Notes and explanations under a table are text, not cells of the table.
            block.notes.append(row.text)
            in_notes = True
            continue
        in_notes = False
        block.rows.append(row)


def number_tables(financial: list[TableBlock], performance: list) -> None:
    """Number every table of the document by where its title is printed: 1, 2, … in document order.

    `performance` holds the performance tables' spans (extract.performance.segment.TableSpan), whose
    `seq` is set here too, so the two kinds of tables share one sequence.
    """
    ordered = sorted(
        [(block.title_index, 0, block) for block in financial]
        + [(span.title_index, 1, span) for span in performance],
        key=lambda item: (item[0], item[1]),
    )
    for seq, (_, _, table) in enumerate(ordered, start=1):
        table.seq = seq


@dataclass
class DocumentTables:
    """Every table of one document, found in one pass and numbered in document order."""

    financial: list[TableBlock]
    performance: list  # extract.performance.segment.TableSpan


def segment_document(grid: Grid, registry: Registry | None = None) -> DocumentTables:
    from .performance.segment import find_performance_tables
    from .performance.vocabulary import load_vocabulary

    financial = find_tables(grid, registry or load_registry())
    performance = find_performance_tables(grid, load_vocabulary())
    number_tables(financial, performance)
    return DocumentTables(financial=financial, performance=performance)
