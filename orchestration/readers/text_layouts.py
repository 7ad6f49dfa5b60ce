"""Readers for the three text layouts the seeds come in, each turning text into a `Grid`.

- tab-separated: one row per line, cells split on tabs (PDF tables extracted cell by cell);
- pdftotext: cells separated by one space, an empty cell shows as an extra space, long cells wrap
  onto lines of their own, and numbers can be glued to the next cell ("450.05一、一般公共服务");
- one cell per line: each cell on its own line behind a tab, rows separated by blank lines (Word
  tables); a line without the tab continues the cell above it.
"""

from __future__ import annotations

import re

from .grid import Grid, Row

# A number glued to the text of the next cell: "450.05一、一般公共服务支出" -> "450.05 一、…".
_GLUED_NUMBER = re.compile(r"(?<![\d.,])(\d[\d,]*\.\d+)(?=[^\d\s.,%])")
# The rest of a wrapped row: only amounts and separators.
_REST_OF_ROW = re.compile(r"^[\s\d.,\-—]*$")


def read_tsv(text: str, source_name: str) -> Grid:
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        rows.append(Row(line=number, cells=tuple(c.strip() for c in line.split("\t"))))
    return Grid(source_name=source_name, layout="tsv", rows=rows, positional=True)


def read_cell_per_line(text: str, source_name: str) -> Grid:
    rows: list[Row] = []
    cells: list[str] = []
    start = 0
    previous_was_cell = False

    def flush() -> None:
        nonlocal cells
        if cells:
            rows.append(Row(line=start, cells=tuple(c.strip() for c in cells)))
        cells = []

    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("\t"):
            if not cells:
                start = number
            cells.append(line[1:])
            previous_was_cell = True
        elif not line.strip():
            flush()
            previous_was_cell = False
        elif previous_was_cell and cells:
            # A cell whose text wraps onto a line of its own (no leading tab).
            cells[-1] = cells[-1] + "\n" + line
        else:
            flush()
            rows.append(Row(line=number, cells=(line.strip(),)))
            previous_was_cell = False
    flush()
    return Grid(source_name=source_name, layout="cell_per_line", rows=rows, positional=True)


def _split_pdftotext(line: str) -> tuple[str, ...]:
    line = _GLUED_NUMBER.sub(r"\1 ", line)
    if line.endswith(" "):
        # pdftotext ends a row whose last cell is empty with one separator too many.
        line = line[:-1]
    # Strip only ASCII white space: a leading ideographic space (\u3000) is indentation that shows
    # a row's level in a hierarchy (project tables).
    return tuple(c.strip(" \t\r") for c in line.split(" "))


def read_pdftotext(text: str, source_name: str) -> Grid:
    """Rows of pdftotext output, wrapped cells joined back into their row.

    A row whose label wraps prints as: a line of separators for the empty cells before the label,
    the label in pieces on the lines right below it, then (after a blank line) the rest of the row:
    its amounts, or only separators where they are empty.
    """
    rows: list[Row] = []
    pending: str | None = None
    pending_line = 0
    fragments_open = False

    def flush() -> None:
        nonlocal pending
        if pending is not None and pending.strip():
            rows.append(Row(line=pending_line, cells=_split_pdftotext(pending)))
        pending = None

    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            fragments_open = False
            continue
        if pending is not None:
            stripped = line.strip()
            if fragments_open and stripped and " " not in stripped and not _REST_OF_ROW.match(line):
                pending += stripped  # a piece of the wrapped label
                continue
            if pending.strip() and _REST_OF_ROW.match(line):
                rows.append(Row(line=pending_line, cells=_split_pdftotext(pending + " " + line)))
                pending = None
                continue
            flush()
        if not line.strip():
            pending, pending_line, fragments_open = line, number, True
            continue
        rows.append(Row(line=number, cells=_split_pdftotext(line)))
    flush()
    return Grid(source_name=source_name, layout="pdftotext", rows=rows, positional=False)


def detect_layout(text: str) -> str:
    """Tell the layout from the text itself: no document needs to declare it."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "tsv"
    lead_tab_single = sum(1 for line in lines if line.startswith("\t") and "\t" not in line[1:])
    multi_tab = sum(1 for line in lines if line.strip("\t").count("\t") >= 1)
    if lead_tab_single > 0.3 * len(lines) and lead_tab_single > multi_tab:
        return "cell_per_line"
    if multi_tab > 0.05 * len(lines):
        return "tsv"
    return "pdftotext"


READERS = {"tsv": read_tsv, "pdftotext": read_pdftotext, "cell_per_line": read_cell_per_line}


def read_text(text: str, source_name: str, layout: str | None = None) -> Grid:
    layout = layout or detect_layout(text)
    return READERS[layout](text, source_name)
