"""The one grid model every reader produces and every recogniser consumes.

A disclosure arrives as a PDF, a spreadsheet, a Word file, a web page or extracted text. Readers
differ only in how they find rows and cells; once a document is a `Grid`, nothing downstream needs to
know which format it came from, so a new format is a new reader and nothing else.

Rows are positional where the format has real cells (PDF ruled tables, spreadsheets, Word and HTML
tables, tab-separated text): a merged cell's text sits in its first (top-left) column and the columns
it spans are empty, the way a spreadsheet shows it. Each row keeps where it was printed (`Origin`), so
every fact and quarantined cell can name its page, sheet and cell address, table index or line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

_SPACES = re.compile(r"[\s\u3000\xa0]+")


@lru_cache(maxsize=1 << 16)
def squash(text: str) -> str:
    """Remove every kind of white space: PDF extraction puts spaces inside words ("项 目"). Cached: the
    same labels and headers recur in every table of every document."""
    return _SPACES.sub("", text)


def column_letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": a spreadsheet's column name."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Origin:
    """Where a row was printed, in its format's own terms (all 1-based, as a reader would cite them).

    - PDF: `page`, and `table`/`row` when the row belongs to a ruled table of that page;
    - spreadsheet: `sheet` and `row` (the sheet's own row number, so cells read "Sheet1!C5"); no
      `row` for a title row made from the sheet's name;
    - Word, HTML: `table` (index in the document) and `row`;
    - text: none of them: the row's `line` says it all.
    """

    page: int | None = None
    sheet: str | None = None
    table: int | None = None
    row: int | None = None

    def cell(self, index: int) -> str:
        """The address of the cell in column `index` (0-based) of this row."""
        if self.sheet is not None:
            if self.row is None:  # a title row a reader made from the sheet's name
                return f"{self.sheet} (sheet name)"
            return f"{self.sheet}!{column_letters(index)}{self.row}"
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.table is not None:
            parts.append(f"cell {index + 1}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Row:
    """One printed row: its cells as printed (trimmed) and where it starts in the source."""

    line: int  # 1-based: the line of text, or the row's place in the document's reading order
    cells: tuple[str, ...]
    origin: Origin | None = None

    @cached_property
    def filled(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c.strip()]

    @cached_property
    def text(self) -> str:
        """The row's printed text, cells joined by a single space."""
        return " ".join(c for c in self.cells if c.strip())

    @property
    def is_single(self) -> bool:
        """A row with at most one filled cell: a title, a unit line, a note or a paragraph."""
        return len(self.filled) <= 1

    @property
    def page(self) -> int | None:
        return self.origin.page if self.origin else None

    def locator(self, index: int | None = None) -> str:
        """Where the row (or its cell `index`, 0-based) was printed: "page 3, table 1, row 4, cell 2",
        "收入决算表!C7", "table 2, row 5, cell 3", or for text "line 120" and "line 120, cell 4".

        A text row's cell is counted among the row's cells as read (tab-separated fields; for
        pdftotext, the cells once evened out under the table's columns), so the same text always
        gives the same address."""
        if self.origin is None:
            return f"line {self.line}" if index is None else f"line {self.line}, cell {index + 1}"
        if index is None:
            if self.origin.sheet is not None:
                return (
                    self.origin.cell(0)
                    if self.origin.row is None
                    else f"{self.origin.sheet}!{self.origin.row}"
                )
            return self.origin.cell(0).rsplit(", cell", 1)[0]
        return self.origin.cell(index)

    def provenance(self, index: int | None = None) -> dict[str, int | str | None]:
        """The two provenance columns of a raw row printed here (cell `index`, or the whole row when
        the column is unknown): `source_page` (NULL for formats without pages) and `source_locator`.
        Recognisers call this one method, so every fact and quarantined cell names its place alike."""
        return {"source_page": self.page, "source_locator": self.locator(index)}


# The layouts a grid can come in: the text layouts the seeds use, and one per file format.
TEXT_LAYOUTS = ("tsv", "pdftotext", "cell_per_line")
LAYOUTS = TEXT_LAYOUTS + ("pdf", "xlsx", "xls", "docx", "html")


@dataclass
class Grid:
    """A whole document as rows of cells, with the layout it was read from."""

    source_name: str
    layout: str  # one of LAYOUTS
    rows: list[Row] = field(default_factory=list)
    # True when cell positions line up with the header; pdftotext's do not.
    positional: bool = True
    # The format the file was read as, and what the reader noticed (e.g. "encoding": "gb18030").
    details: dict[str, str] = field(default_factory=dict)
