"""Find the performance tables of a document grid and the rows each one spans.

A performance table opens at a title row (a row with a single cell whose text ends with 绩效目标表
or 绩效自评表, numbering and a trailing year removed) and spans the rows up to the next such title,
the next part of the document (第三部分, 十一、…) or the end of the document. A title that no
indicator header follows (a table of contents entry, a sentence) opens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...readers.grid import Grid, Row
from .text import label_key
from .vocabulary import Vocabulary


@dataclass
class TableSpan:
    kind: str  # 'target' | 'evaluation'
    department_wide: bool
    title: str  # as printed
    title_index: int  # grid row index of the title
    start: int  # first grid row index after the title
    stop: int  # grid row index after the span
    stop_reason: str  # 'next_title' | 'stop_pattern' | 'end_of_document'
    # Order of the table among all the document's tables, financial ones included: set by
    # extract.segment.number_tables, which sees every title of the document.
    seq: int = 0

    @property
    def table_seq(self) -> int:
        return self.seq

    @property
    def table_kind(self) -> str:
        scope = "department" if self.department_wide else "project"
        return f"performance_{self.kind}_{scope}"


def _single_text(row: Row) -> str | None:
    filled = row.filled
    return filled[0][1] if len(filled) == 1 else None


def title_kind(text: str, vocabulary: Vocabulary) -> str | None:
    key = vocabulary.numbering_prefix.sub("", label_key(text))
    key = vocabulary.year_suffix.sub("", key)
    if key.endswith(vocabulary.target_titles):
        return "target"
    if key.endswith(vocabulary.evaluation_titles):
        return "evaluation"
    return None


def is_stop_row(row: Row, vocabulary: Vocabulary) -> bool:
    text = _single_text(row)
    if text is None:
        return False
    key = label_key(text)
    return any(pattern.search(key) for pattern in vocabulary.stop_patterns)


def is_indicator_header(row: Row, vocabulary: Vocabulary) -> bool:
    fields = [vocabulary.header_column(cell) for _, cell in row.filled]
    levels = {f.field for f in fields if f and f.field in ("level1", "level2", "level3")}
    return len(levels) >= vocabulary.min_level_columns


def find_performance_tables(grid: Grid, vocabulary: Vocabulary) -> list[TableSpan]:
    rows = grid.rows
    titles: list[tuple[int, str, str]] = []
    for index, row in enumerate(rows):
        text = _single_text(row)
        if text is None:
            continue
        kind = title_kind(text, vocabulary)
        if kind:
            titles.append((index, kind, text))
    spans: list[TableSpan] = []
    for number, (index, kind, text) in enumerate(titles):
        limit = titles[number + 1][0] if number + 1 < len(titles) else len(rows)
        stop, reason = limit, "next_title" if number + 1 < len(titles) else "end_of_document"
        for position in range(index + 1, limit):
            if is_stop_row(rows[position], vocabulary):
                stop, reason = position, "stop_pattern"
                break
        if not any(is_indicator_header(rows[i], vocabulary) for i in range(index + 1, stop)):
            continue
        department_wide = any(marker in text for marker in vocabulary.department_markers)
        spans.append(TableSpan(kind, department_wide, text.strip(), index, index + 1, stop, reason))
    return spans
