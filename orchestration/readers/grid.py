"""The one grid model every reader produces and every recogniser consumes.

A disclosure arrives as text in one of several layouts (tab-separated cells, pdftotext's
single-space layout, one cell per line). Readers differ only in how they find rows and cells;
once a document is a `Grid`, nothing downstream needs to know which layout it came from, so a
new layout is a new reader and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACES = re.compile(r"[\s\u3000\xa0]+")


def squash(text: str) -> str:
    """Remove every kind of white space: PDF extraction puts spaces inside words ("项 目")."""
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class Row:
    """One printed row: its cells as printed (trimmed) and where it starts in the source."""

    line: int  # 1-based line number of the row's first physical line
    cells: tuple[str, ...]

    @property
    def filled(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c.strip()]

    @property
    def text(self) -> str:
        """The row's printed text, cells joined by a single space."""
        return " ".join(c for c in self.cells if c.strip())

    @property
    def is_single(self) -> bool:
        """A row with at most one filled cell: a title, a unit line, a note or a paragraph."""
        return len(self.filled) <= 1


@dataclass
class Grid:
    """A whole document as rows of cells, with the layout it was read from."""

    source_name: str
    layout: str  # "tsv" | "pdftotext" | "cell_per_line"
    rows: list[Row] = field(default_factory=list)
    # True when cell positions line up with the header (tsv, cell_per_line); pdftotext's do not.
    positional: bool = True
