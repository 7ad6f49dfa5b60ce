"""Building a `Grid` from a document's blocks in reading order: text lines and positional tables.

Word and HTML documents are a flow of paragraphs and tables. Both readers hand their blocks, in
document order, to a `GridBuilder`: a paragraph becomes a single-cell row without origin (its
`line` is its place in reading order), a table becomes one row per non-empty table row with
`Origin(table=<1-based index of the table in the document>, row=<1-based row in that table>)`,
each table cut after its last non-empty column.
"""

from __future__ import annotations

import re

from .grid import Grid, Origin, Row

_SPACES = re.compile(r"[ \t\f\v\xa0\u2002\u2003\u2009\u200b]+")


def clean_cell(text: str) -> str:
    """Trimmed text, runs of spaces (and no-break spaces) as one, line breaks kept as "\\n"."""
    lines = (
        _SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line)


class GridBuilder:
    def __init__(self, source_name: str, layout: str):
        self.grid = Grid(source_name=source_name, layout=layout, positional=True)
        self.tables = 0  # every table seen, layout frames included: "table 3" is the document's third

    def text(self, text: str) -> None:
        """A paragraph, heading or other block of text outside tables: one row per printed line."""
        for line in clean_cell(text).split("\n"):
            if line:
                self.grid.rows.append(Row(len(self.grid.rows) + 1, (line,)))

    def next_table(self) -> int:
        self.tables += 1
        return self.tables

    def table(self, index: int, rows: list[list[str]]) -> None:
        """A table already laid out positionally (spans as "" after their first cell)."""
        cleaned = [[clean_cell(cell) for cell in row] for row in rows]
        width = max((i + 1 for row in cleaned for i, cell in enumerate(row) if cell), default=0)
        for number, row in enumerate(cleaned, start=1):
            if any(row):
                cells = tuple((row + [""] * width)[:width])
                self.grid.rows.append(Row(len(self.grid.rows) + 1, cells, Origin(table=index, row=number)))
