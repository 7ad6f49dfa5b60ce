"""Excel workbooks (.xlsx, .xls) to one positional `Grid`: every sheet, in workbook order.

Each non-empty sheet row is one `Row` with `Origin(sheet=<name>, row=<the sheet's 1-based row>)`, so
a cell reads "收入决算表!C7"; `Row.line` runs on across sheets. Empty rows are left out and every
sheet is cut after its last non-empty column; leading empty columns stay so that addresses hold.
A merged range prints its text once, in its top-left cell: the other cells it covers are "", as in
a spreadsheet. Formula cells show their cached value.

Numbers are shown as the sheet prints them, exactly:
- .xlsx stores a number as decimal text; it is read as text (xlsx_parts.py, lxml) and formatted in
  `Decimal`, never through a binary float: 1503.52 is "1503.52", 2.675 with "0.00" is "2.68";
- .xls (BIFF) stores IEEE doubles. Python's shortest repr of a double is the one decimal that
  reads back to it, and both Excel and this reader keep 15 significant digits, so repr rounded to
  15 digits and then to the display format's decimals is the value stored and printed.

A sheet that prints no title of its own (its first non-empty row is already a header of several
cells, or only a unit line comes before it) gets its name as a title row at its top, when the name
is more than a default such as "Sheet1": governments often name a sheet `收入决算表` and start it
with the header. That row's origin is the sheet with no row number. Hidden sheets are read like the
others and listed in `grid.details["hidden_sheets"]`. A damaged or encrypted file, or one with no
text at all, raises `UnreadableDocument` naming the file.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from decimal import Decimal

from lxml import etree

from .decoding import UnreadableDocument
from .grid import Grid, Origin, Row, squash
from .number_format import display_date, display_number, is_date_format
from .xlsx_parts import SheetContent, Workbook

# Names a program gives a sheet by itself: they say nothing about the table.
_DEFAULT_SHEET_NAME = re.compile(r"^(sheet|工作表|表|页)\s*[0-9一二三四五六七八九十]*(\s*\(\d+\))?$", re.I)
# A line printed between a title and its header: unit, compiling department, date, table number.
_META_LINE = re.compile(
    r"^(金额)?单位[:：]|^(编制|填报|报送)?(部门|单位)(名称)?[:：]|^公开\d*表|^\d{4}年\d+月"
)
_MAX_TITLE = 60
_XLS_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


def clean_text(text: str) -> str:
    """A cell's text trimmed, line breaks kept as "\\n" (Excel writes "\\r\\n" too)."""
    return "\n".join(
        line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ).strip()


def _prints_title(rows: list[tuple[int, tuple[str, ...]]]) -> bool:
    """Whether a sheet prints a title above its first multi-cell row (not only unit/meta lines)."""
    for _, cells in rows:
        filled = [c for c in cells if c]
        if len(filled) > 1:
            return False
        text = squash(filled[0])
        if len(text) <= _MAX_TITLE and not _META_LINE.search(text):
            return True
    return True  # text only: a cover or notes sheet, nothing to title


def sheet_rows(sheet: SheetContent) -> list[tuple[int, tuple[str, ...]]]:
    """(1-based sheet row, cells) of every non-empty row; merged cells blank but their top-left."""
    cells = {position: clean_text(text) for position, text in sheet.cells.items()}
    for top, left, bottom, right in sheet.merges:
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    cells.pop((row, column), None)
    cells = {position: text for position, text in cells.items() if text}
    if not cells:
        return []
    width = max(column for _, column in cells) + 1
    return [
        (row + 1, tuple(cells.get((row, column), "") for column in range(width)))
        for row in sorted({row for row, _ in cells})
    ]


def workbook_grid(name: str, layout: str, sheets: list[SheetContent]) -> Grid:
    grid = Grid(source_name=name, layout=layout, positional=True)
    titled, hidden = [], []
    for sheet in sheets:
        rows = sheet_rows(sheet)
        if not rows:
            continue
        if sheet.state != "visible":
            hidden.append(f"{sheet.name} ({sheet.state})")
        if not _DEFAULT_SHEET_NAME.match(sheet.name.strip()) and not _prints_title(rows):
            grid.rows.append(Row(len(grid.rows) + 1, (sheet.name.strip(),), Origin(sheet=sheet.name)))
            titled.append(sheet.name)
        for number, cells in rows:
            grid.rows.append(Row(len(grid.rows) + 1, cells, Origin(sheet=sheet.name, row=number)))
    if not grid.rows:
        raise UnreadableDocument(f"{name}: the workbook holds no text (every sheet is empty)")
    grid.details["sheets"] = str(len(sheets))
    if hidden:
        grid.details["hidden_sheets"] = "; ".join(hidden)
    if titled:
        grid.details["sheet_names_as_titles"] = "; ".join(titled)
    return grid


def read_xlsx(data: bytes, name: str) -> Grid:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "EncryptionInfo" in archive.namelist():
            raise UnreadableDocument(f"{name}: an encrypted (password-protected) Excel workbook")
        workbook = Workbook(archive)
        sheets = [s for s in (workbook.read_sheet(*sheet) for sheet in workbook.sheets) if s is not None]
    except (
        zipfile.BadZipFile,
        KeyError,
        IndexError,
        ValueError,
        EOFError,
        zlib.error,
        etree.XMLSyntaxError,
    ) as exc:
        raise UnreadableDocument(f"{name}: a damaged Excel workbook: {type(exc).__name__}: {exc}") from exc
    return workbook_grid(name, "xlsx", sheets)


def _xls_text(book, cell) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    # A double's shortest repr is the decimal it was stored from (see the module docstring).
    number = Decimal(repr(cell.value))
    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
    code = book.format_map[xf.format_key].format_str if xf and xf.format_key in book.format_map else "General"
    if cell.ctype == xlrd.XL_CELL_DATE or is_date_format(code):
        return display_date(number, code, book.datemode == 1)
    return display_number(number, code)


def read_xls(data: bytes, name: str) -> Grid:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
    except Exception as exc:  # xlrd raises many kinds on a damaged file; all mean "cannot be read"
        if "encrypt" in str(exc).lower():
            raise UnreadableDocument(f"{name}: an encrypted (password-protected) Excel workbook") from exc
        raise UnreadableDocument(
            f"{name}: a damaged Excel 97-2003 workbook: {type(exc).__name__}: {exc}"
        ) from exc
    sheets = []
    for sheet in book.sheets():
        content = SheetContent(name=sheet.name, state=_XLS_STATES.get(sheet.visibility, "hidden"))
        for row in range(sheet.nrows):
            for column, cell in enumerate(sheet.row(row)):
                text = _xls_text(book, cell)
                if text:
                    content.cells[(row, column)] = text
        content.merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        sheets.append(content)
    return workbook_grid(name, "xls", sheets)
