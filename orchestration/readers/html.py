"""Web pages (.html) to one positional `Grid`: block text and tables in document order (lxml).

- Encoding: a byte-order mark decides; otherwise bytes that are valid UTF-8 are UTF-8 (GBK text
  with Chinese in it practically never is, so this also reads a GBK-declared page saved as UTF-8);
  otherwise the `<meta charset>` / `http-equiv` (or XML) declaration, GBK and GB2312 read as their
  superset GB18030; otherwise GB18030, the usual undeclared encoding of Chinese government pages.
  `grid.details` records the encoding used and the one declared.
- Text outside tables: headings, paragraphs, list items, divs and `<br>` lines become single-cell
  rows without origin (the row's `line` is its place in reading order). White space runs collapse
  to one space as a browser shows them; `&nbsp;` is white space. Scripts, styles, `<head>` and
  elements hidden with `display:none` or `hidden` are not text.
- Tables: `Origin(table=<1-based index of the <table> in document order, nested ones counted>,
  row=<1-based row>)`; rowspan and colspan are laid out positionally (text in the first cell of
  the span, "" in the others); `<br>` and blocks inside a cell are "\\n"; a `<caption>` is a text
  row above its table. A table holding other tables is a layout frame: its cells are read as
  blocks in order, so the data tables inside it are tables of their own.
"""

from __future__ import annotations

import codecs
import re

from .blocks import GridBuilder
from .decoding import UnreadableDocument
from .grid import Grid

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_DECLARED = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_:.\-]+)""",
    re.I,
)
_GB_FAMILY = frozenset("gb2312 gbk gb18030 x-gbk cp936 ms936 windows-936 euc-cn gb_2312-80".split())
# Single-byte codes decode any bytes: declared on a Chinese page they are a misconfiguration.
_SINGLE_BYTE = {"latin_1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_WHITE = re.compile(r"[ \t\r\n\f\xa0]+")
_SKIP = frozenset(
    "script style noscript template head title meta link iframe object svg select button".split()
)
_BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer main aside nav blockquote pre center form fieldset address figure figcaption hr tr td th caption body legend".split()
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_DIGITS = re.compile(r"\d+")
_MAX_SPAN = 1000


def _codec(label: bytes | str | None) -> str | None:
    if not label:
        return None
    name = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes, name: str) -> tuple[str, dict[str, str]]:
    """The page's text and what was decided about its encoding (see the module docstring)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), {"encoding": codec.replace("-sig", "") + "-bom"}
    match = _DECLARED.search(data[:65536])
    declared = _codec(match.group(1) or match.group(2)) if match else None
    details = (
        {"declared_encoding": (match.group(1) or match.group(2)).decode("ascii", "ignore").lower()}
        if match
        else {}
    )
    candidates = ["utf-8"]
    if declared and declared not in _SINGLE_BYTE and declared != "utf-8":
        candidates.append(declared)
    candidates.append("gb18030")
    if declared in _SINGLE_BYTE:
        candidates.append(declared)
    for codec in candidates:
        try:
            return data.decode(codec), {**details, "encoding": codec}
        except UnicodeDecodeError:
            continue
    text = data.decode(declared or "gb18030", errors="replace")
    bad = text.count("\ufffd")
    return text, {**details, "encoding": declared or "gb18030", "undecodable_bytes": str(bad)}


def _int_attribute(element, name: str) -> int:
    match = _DIGITS.search(element.get(name) or "")
    return min(max(int(match.group()), 1), _MAX_SPAN) if match else 1


def _hidden(element) -> bool:
    return element.get("hidden") is not None or bool(_HIDDEN.search(element.get("style") or ""))


def _rows_of(table) -> list:
    rows = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows += [tr for tr in child if isinstance(tr.tag, str) and tr.tag.lower() == "tr"]
    return rows


class _HtmlReader:
    def __init__(self, name: str):
        self.builder = GridBuilder(name, "html")
        self.buffer: list[str] = []

    def flush(self) -> None:
        self.builder.text("".join(self.buffer))
        self.buffer.clear()  # in place: callers up the tree hold this list

    def content(self, element, buffer: list[str], pre: bool = False) -> None:
        """The element's text and children into `buffer`, as a browser lays it out."""
        if element.text:
            buffer.append(element.text if pre else _WHITE.sub(" ", element.text))
        for child in element:
            self.node(child, buffer, pre)
            if child.tail:
                buffer.append(child.tail if pre else _WHITE.sub(" ", child.tail))

    def node(self, element, buffer: list[str], pre: bool = False) -> None:
        if not isinstance(element.tag, str):
            return  # a comment or processing instruction
        tag = element.tag.lower()
        if tag in _SKIP or _hidden(element):
            return
        if tag == "br":
            buffer.append("\n")
        elif tag == "table" and buffer is self.buffer:
            self.flush()
            self.table(element)
        elif tag in _BLOCK or tag == "table":
            buffer.append("\n")
            self.content(element, buffer, pre or tag == "pre")
            buffer.append("\n")
        else:
            self.content(element, buffer, pre)

    def table(self, table) -> None:
        index = self.builder.next_table()
        for caption in table.iterchildren("caption"):
            self.builder.text(self._text(caption))
        rows = _rows_of(table)
        cells_of = [
            [c for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")] for row in rows
        ]
        if any(cell.find(".//table") is not None for cells in cells_of for cell in cells):
            for cells in cells_of:  # a layout frame: its cells' content is the document's
                for cell in cells:
                    self.content(cell, self.buffer)
                    self.buffer.append("\n")
            self.flush()
            return
        placed: dict[tuple[int, int], str] = {}
        taken: set[tuple[int, int]] = set()
        for number, cells in enumerate(cells_of):
            column = 0
            for cell in cells:
                if _hidden(cell):
                    continue
                while (number, column) in taken:
                    column += 1
                colspan, rowspan = _int_attribute(cell, "colspan"), _int_attribute(cell, "rowspan")
                rowspan = min(rowspan, len(rows) - number)
                taken.update((number + r, column + c) for r in range(rowspan) for c in range(colspan))
                placed[(number, column)] = self._text(cell)
                column += colspan
        width = max((c + 1 for (_, c), text in placed.items() if text.strip()), default=0)
        grid = [[placed.get((r, c), "") for c in range(width)] for r in range(len(rows))]
        self.builder.table(index, grid)

    def _text(self, element) -> str:
        buffer: list[str] = []
        self.content(element, buffer)
        return "".join(buffer)


def read_html(data: bytes, name: str) -> Grid:
    import lxml.html
    from lxml import etree

    text, details = decode_html(data, name)
    text = _XML_DECLARATION.sub("", text.replace("\x00", ""))
    try:
        document = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"{name}: a damaged web page: {exc}") from exc
    reader = _HtmlReader(name)
    body = document.find("body")
    reader.content(body if body is not None else document, reader.buffer)
    reader.flush()
    grid = reader.builder.grid
    if not grid.rows:
        raise UnreadableDocument(f"{name}: the web page holds no text")
    grid.details.update(details)
    grid.details["tables"] = str(reader.builder.tables)
    return grid
