"""PDF with a text layer to one `Grid`: ruled tables as positional rows, the text around them as lines.

Per page (pdf_page.py reads characters and rules with PDFium; pdf_tables.py builds the ruled tables):
- each ruled table becomes rows of cells, a merged cell's text in its top-left column;
- the text outside tables (titles, 单位：万元, 编制部门 lines, paragraphs) becomes rows in reading order,
  split into cells only at wide gaps ("编制部门：…      单位：万元"), because the metadata and the unit
  come from those lines; page numbers in the margins are left out;
- a run of text lines that line up in columns without rules (a borderless table) is cut into the
  columns its gaps show, so its cells are positional too.
Across pages, a table continued on the next page (with or without its header repeated, with or without
续表) is one table: its rows follow on, the repeated header rows and the 续表 line left out.

A PDF that cannot be read says why: encrypted (a password is needed), damaged, or without a text layer
(scanned: OCR needed). Pages without text in an otherwise readable PDF are listed in `Grid.details`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from .decoding import UnreadableDocument
from .grid import Grid, Origin, Row, squash
from .limits import MAX_PDF_PAGES
from .pdf_page import Char, PageContent, read_page
from .pdf_tables import Table, assign_chars, find_tables, group_lines, line_text

# Page furniture in the top and bottom margins: "3", "- 3 -", "第3页", "第 3 页 共 25 页", "3/25".
_PAGE_NUMBER = re.compile(
    r"^(第?[-—–－]?\d{1,4}[-—–－]?页?(共\d{1,4}页)?|\d{1,4}/\d{1,4}|[-—–－]\d{1,4}[-—–－])$"
)
_MARGIN = 0.08
# A line that only announces the continuation of the table before it: 续表, （续表2）, 收入决算表（续）,
# or the unit printed again above the rest of the table.
_CONTINUED = re.compile(
    r"^([（(]?续(表|上表|前表)?[\d一二三四五六七八九十]*[)）]?[:：]?|.{2,40}[（(]续表?[)）]|.{2,40}续表|单位[:：](万元|元|千元))$"
)
# At most this many leading rows of a table can be a header repeated on its continuation pages.
_HEADER_ROWS = 6
# A cell cut by a page break: a text at least this long, continued at the top of the next page, in a
# row that fills at most half the cells of the row it continues.
_LONG_TEXT = 4
_NUMBER = re.compile(r"^[-\d,.%]+$")
_OPENS_ROW = re.compile(
    r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|\d{3,}|合计|总计|小计)"
)
# A gap wider than this many character heights separates two cells of a line.
_CELL_GAP = 3.0


@dataclass
class _Item:
    """A table or a text line of a page, at its top position."""

    top: float
    table: Table | None = None
    cells: tuple[str, ...] = ()
    chunks: list[tuple[float, float, str]] = field(default_factory=list)  # x0, x1, text of a line


def read_pdf(data: bytes, name: str) -> Grid:
    document = _open(data, name)
    if len(document) > MAX_PDF_PAGES:
        pages = len(document)
        document.close()
        raise UnreadableDocument(f"{name}: {pages} pages, more than the {MAX_PDF_PAGES} a PDF may have here")
    try:
        pages = [read_page(document[index], index + 1) for index in range(len(document))]
        title = (document.get_metadata_dict().get("Title") or "").strip()
    finally:
        document.close()
    if not pages:
        raise UnreadableDocument(f"{name}: the PDF has no pages")
    without_text = [page.number for page in pages if not page.chars]
    image_only = [page.number for page in pages if not page.chars and page.images]
    if len(without_text) == len(pages):
        if any(page.images for page in pages):
            raise UnreadableDocument(f"{name}: no text layer: a scanned PDF, OCR needed")
        raise UnreadableDocument(f"{name}: the PDF prints no text")
    grid = Grid(source_name=name, layout="pdf", positional=True)
    grid.details["pages"] = str(len(pages))
    if title:
        grid.details["title"] = title
    if without_text:
        grid.details["pages_without_text"] = ", ".join(map(str, without_text))
    if image_only:
        # A scanned page inside a text PDF: whatever it prints is not read (the pipeline warns).
        grid.details["image_only_pages"] = ", ".join(map(str, image_only))
    _Builder(grid).add_pages(pages)
    return grid


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise UnreadableDocument(
                f"{name}: the PDF is encrypted: a password is needed to read it"
            ) from exc
        raise UnreadableDocument(f"{name}: a damaged PDF that cannot be opened ({exc})") from exc


def _chunks(line: list[Char]) -> list[tuple[float, float, str]]:
    """A text line cut at wide gaps: (x0, x1, text) of each piece."""
    pieces: list[list[Char]] = [[line[0]]]
    for char in line[1:]:
        previous = pieces[-1][-1]
        if char.x0 - previous.x1 > _CELL_GAP * max(char.height, previous.height, 1.0):
            pieces.append([char])
        else:
            pieces[-1].append(char)
    return [(piece[0].x0, piece[-1].x1, line_text(piece)) for piece in pieces]


def _in_margin(item: _Item, page: PageContent) -> bool:
    return item.table is None and (item.top < page.height * _MARGIN or item.top > page.height * (1 - _MARGIN))


def _margin_key(item: _Item) -> str:
    """A margin line with its digits blanked: "第 3 页" and "第 4 页" are the same running footer."""
    return re.sub(r"\d+", "#", squash(" ".join(item.cells)))


def _page_items(page: PageContent) -> list[_Item]:
    tables = find_tables(page.segments)
    outside = assign_chars(tables, page.chars)
    items = [_Item(top=table.top, table=table) for table in tables if table.rows()]
    for line in group_lines(outside):
        chunks = _chunks(line)
        items.append(_Item(top=min(c.top for c in line), cells=tuple(c[2] for c in chunks), chunks=chunks))
    items.sort(key=lambda item: item.top)
    return items


def _without_furniture(pages: list[PageContent], items: list[list[_Item]]) -> list[list[_Item]]:
    """Page numbers, and running headers and footers (the same margin line on several pages), left
    out: they are not part of what the page tells, and they would cut a table running over pages."""
    seen: dict[str, set[int]] = {}
    for page, page_items in zip(pages, items, strict=True):
        for item in page_items:
            if _in_margin(item, page):
                seen.setdefault(_margin_key(item), set()).add(page.number)
    running = {key for key, numbers in seen.items() if len(numbers) >= 2 and len(numbers) >= len(pages) / 3}
    return [
        [
            item
            for item in page_items
            if not (
                _in_margin(item, page)
                and (_margin_key(item) in running or _PAGE_NUMBER.match(squash(" ".join(item.cells))))
            )
        ]
        for page, page_items in zip(pages, items, strict=True)
    ]


def _aligned_columns(run: list[_Item]) -> list[float] | None:
    """Column cuts of a borderless table: x positions that no piece of any line of the run covers."""
    spans = sorted((x0, x1) for item in run for x0, x1, _ in item.chunks)
    cuts: list[float] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach:
            cuts.append((reach + x0) / 2)
        reach = max(reach, x1)
    return cuts or None


def _positional(item: _Item, cuts: list[float]) -> tuple[str, ...]:
    cells = [""] * (len(cuts) + 1)
    for x0, x1, text in item.chunks:
        column = sum(1 for cut in cuts if cut < (x0 + x1) / 2)
        cells[column] = f"{cells[column]} {text}".strip()
    return tuple(cells)


class _Builder:
    """Appends pages to the grid, joining a table that runs on from one page to the next."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.last_table: _OpenTable | None = None

    def _append(self, cells: tuple[str, ...], origin: Origin) -> None:
        self.grid.rows.append(Row(line=len(self.grid.rows) + 1, cells=cells, origin=origin))

    def add_pages(self, pages: list[PageContent]) -> None:
        items = _without_furniture(pages, [_page_items(page) for page in pages])
        for page, page_items in zip(pages, items, strict=True):
            self._add_page(page, page_items)

    def _continues(self, items: list[_Item]) -> bool:
        """Whether the page opens with the rest of the previous page's table: its first table comes
        after nothing but continuation marks (续表, a title with （续）, the unit repeated) and has as
        many columns."""
        if self.last_table is None:
            return False
        first = next((i for i, item in enumerate(items) if item.table is not None), None)
        if first is None:
            return False
        marks = all(_CONTINUED.match(squash(" ".join(item.cells))) for item in items[:first])
        return marks and items[first].table.n_cols == self.last_table.table.n_cols

    def _add_page(self, page: PageContent, items: list[_Item]) -> None:
        """A page's items in reading order; a run of three or more lines with several pieces each is
        a borderless table."""
        index = 0
        table_number = 0
        if self._continues(items):
            index = next(i for i, item in enumerate(items) if item.table is not None)
        else:
            self.last_table = None
        while index < len(items):
            item = items[index]
            if item.table is not None:
                table_number += 1
                self._add_table(page, item.table, table_number)
                index += 1
                continue
            end = index
            while end < len(items) and items[end].table is None and len(items[end].chunks) >= 2:
                end += 1
            if end - index >= 3:
                cuts = _aligned_columns(items[index:end])
                table_number += 1
                for row, line in enumerate(items[index:end], start=1):
                    cells = _positional(line, cuts) if cuts else line.cells
                    self._append(cells, Origin(page=page.number, table=table_number, row=row))
                self.last_table = None
                index = end
                continue
            self._append(item.cells, Origin(page=page.number))
            self.last_table = None
            index += 1

    def _add_table(self, page: PageContent, table: Table, number: int) -> None:
        """A table's rows; when it continues the previous page's table (`last_table` still open), its
        repeated header rows are left out, and the rest of a row the page break cut is joined to it."""
        rows = table.rows()
        previous = self.last_table
        if previous is not None and previous.table.n_cols == table.n_cols:
            header = previous.header
            skip = 0
            while skip < min(len(rows), len(header)) and _same(rows[skip][1], header[skip]):
                skip += 1  # the header repeated at the top of the continuation page
            rows = rows[skip:]
            if rows and self.grid.rows and self._cut_row_goes_on(previous, rows[0][1]):
                above = self.grid.rows[-1]
                joined = tuple(a + b for a, b in zip(above.cells, rows[0][1], strict=True))
                self.grid.rows[-1] = Row(line=above.line, cells=joined, origin=above.origin)
                rows = rows[1:]
            self.last_table = _OpenTable(table, header, rows[-1][0] if rows else -1, previous.patterns)
        else:
            header = [cells for _, cells in rows[:_HEADER_ROWS]]
            self.last_table = _OpenTable(table, header, rows[-1][0] if rows else -1, set())
        for index, cells in rows:
            self.last_table.patterns.add(_pattern(cells))
            self._append(cells, Origin(page=page.number, table=number, row=index + 1))

    def _cut_row_goes_on(self, previous: _OpenTable, cells: tuple[str, ...]) -> bool:
        """Whether the first row of a continuation page is the rest of the row the page break cut.

        Its cells must read as the rest of texts (`_is_row_fragment`), and the row must show it is not a
        row of its own: either the cut row wraps its texts over several lines (a tall row, the kind a
        page break cuts), or no row of the table so far fills the same columns as this one.
        """
        if not _is_row_fragment(cells, self.grid.rows[-1].cells):
            return False
        tall = previous.table.lines_in_row(previous.last_row) >= 2
        return tall or _pattern(cells) not in previous.patterns


@dataclass
class _OpenTable:
    """The table the next page may continue: its chain's first rows (a header the next page may
    repeat), its last printed atomic row (which a page break may have cut), and which columns each of
    its rows so far fills."""

    table: Table
    header: list[tuple[str, ...]]
    last_row: int
    patterns: set[tuple[int, ...]]


def _pattern(cells: tuple[str, ...]) -> tuple[int, ...]:
    """The columns a row fills."""
    return tuple(i for i, cell in enumerate(cells) if cell.strip())


def _is_row_fragment(cells: tuple[str, ...], above: tuple[str, ...]) -> bool:
    """Whether a row reads as the rest of the row above it, cut by a page break (Word and WPS let a
    tall row break across pages): it prints no amount, no numbered or
    coded label (一、…, （二）, 2080501: those open rows of their own), fills at most half as many cells
    as the row above, and only where the text above is a long text cut before its end."""
    if len(cells) != len(above):
        return False
    filled = [i for i, cell in enumerate(cells) if cell.strip()]
    if not filled or 2 * len(filled) > sum(1 for cell in above if cell.strip()):
        return False
    return all(
        not _NUMBER.match(squash(cells[i]))
        and not _OPENS_ROW.match(squash(cells[i]))
        and len(squash(above[i])) >= _LONG_TEXT
        and not squash(above[i]).endswith(("。", "；", ";"))
        for i in filled
    )


def _same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return [squash(x) for x in a] == [squash(x) for x in b]
