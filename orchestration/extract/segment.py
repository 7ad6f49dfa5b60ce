"""Find the financial tables of a document grid: where each starts, what kind it is, its unit.

A table starts at its title (a row on its own that names a table) and runs until the next title,
the next part of the document, or a performance table (those are read by extract.performance).
A title that ends in 表 but is not in the registry still opens a table — of unknown kind — so
that any number it prints is quarantined with a reason rather than lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..readers.grid import Grid, Row, squash
from .registry import Registry, TableKind, normalise_title

_UNIT = re.compile(r"单位[:：]\s*(万元|元|千元)")
_EMPTY_STATEMENT = re.compile(r"^(?!如).*(本表无数据|空表列示|故此表为空|此表为空|无数据)")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_NOTE = re.compile(r"^(注|说明|备注)[:：]|^如本表为空|^本表金额|^其中[:：]预算数为")


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
    if len(filled) == 1:
        return filled[0][1]
    if len(filled) == 2 and not row.cells[0]:
        return None
    return None


def _is_generic_title(text: str, rows: list[Row], index: int, registry: Registry) -> bool:
    """An unlisted title: ends in 表, short, and followed by a unit line or table rows."""
    title, _ = normalise_title(text)
    if not (title.endswith("表") and 4 <= len(title) <= 40) or title.startswith(("-", "—")):
        return False
    if re.match(r"^[一二三四五六七八九十]+、", title) or title.startswith("第"):
        return False
    return any(_UNIT.search(row.text.replace(" ", "")) for row in rows[index + 1 : index + 4])


def _ends_table(row: Row, registry: Registry) -> bool:
    text = _BOOKMARK.sub("", squash(row.text))
    return any(p.search(text) for p in registry.table_end)


def _is_meta(row: Row, registry: Registry) -> bool:
    if len(row.filled) > 3:
        return False
    return all(any(p.search(squash(cell)) for p in registry.meta) for _, cell in row.filled)


def find_tables(grid: Grid, registry: Registry) -> list[TableBlock]:
    rows = grid.rows
    starts: list[tuple[int, TableKind | None, str, str | None]] = []
    for index, row in enumerate(rows):
        text = _single_text(row)
        if text is None:
            continue
        if _ends_table(row, registry):
            continue
        kind, qualifier = registry.kind_for_title(text)
        if kind is not None or _is_generic_title(text, rows, index, registry):
            starts.append((index, kind, text, qualifier))

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
        block.line_start = rows[start].line
        block.line_end = rows[start].line
        in_notes = False
        for index in range(start + 1, stop):
            row = rows[index]
            if _ends_table(row, registry) and row.is_single:
                break
            block.line_end = row.line
            unit = _UNIT.search(row.text.replace(" ", ""))
            if unit and block.unit is None:
                block.unit = unit.group(1)
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
            if in_notes and row.is_single:
                block.notes.append(row.text)
                continue
            in_notes = False
            block.rows.append(row)
        blocks.append(block)
    return blocks
