"""Word documents (.docx) to one positional `Grid`: paragraphs and tables in document order.

The body's block items are walked in order (not all paragraphs, then all tables), so a table's
title, unit line and notes stay around it as printed. python-docx opens the package; the body is
read from its XML so that what Word shows is what the grid holds:

- paragraph: one single-cell row per printed line (w:br splits lines), no origin: its `line` is
  its place in reading order. Deleted revisions, field codes and the fallback copy of a drawing are
  not text; a text box's paragraphs follow the paragraph that anchors them. Empty paragraphs are
  left out. Content controls (w:sdt) are read through.
- table: `Origin(table=<1-based index of the w:tbl in document order, nested ones counted>,
  row=<1-based row of that table>)`. w:gridSpan is a horizontal span (text in its first column,
  "" in the others), w:vMerge="continue" a cell merged with the one above ("" under the text),
  w:gridBefore shifts a row right. A cell's paragraphs are joined by "\\n".
- nested tables: a table holding tables in its cells is a layout frame, not data: its cells are
  read, row by row, as blocks of their own (paragraphs and tables) in document order.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from lxml import etree

from .blocks import GridBuilder
from .decoding import UnreadableDocument
from .grid import Grid


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _val(element, child: str) -> str | None:
    """The w:val of a property child (w:tcPr/w:gridSpan ...); "" when present without a value."""
    for node in element:
        if _local(node) == child:
            return next((v for k, v in node.attrib.items() if k.endswith("}val") or k == "val"), "")
    return None


def _children(element, *wanted: str):
    """Children named `wanted`, looking through content controls and custom XML wrappers."""
    for child in element:
        name = _local(child)
        if name in wanted:
            yield child
        elif name in ("sdt", "customXml", "sdtContent", "smartTag"):
            yield from _children(child, *wanted)


def _paragraph_text(paragraph, boxes: list) -> str:
    parts: list[str] = []

    def walk(node) -> None:
        for child in node:
            name = _local(child)
            if name == "t":
                parts.append(child.text or "")
            elif name in ("tab", "ptab"):
                parts.append(" ")
            elif name in ("br", "cr"):
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            elif name == "txbxContent":
                boxes.append(child)
            elif name in ("del", "moveFrom", "Fallback", "instrText", "delText", "rPr", "pPr"):
                continue
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


class _WordReader:
    def __init__(self, name: str):
        self.builder = GridBuilder(name, "docx")

    def blocks(self, container) -> None:
        for block in _children(container, "p", "tbl"):
            if _local(block) == "p":
                boxes: list = []
                self.builder.text(_paragraph_text(block, boxes))
                for box in boxes:
                    self.blocks(box)
            else:
                self.table(block)

    def table(self, table) -> None:
        index = self.builder.next_table()
        rows = list(_children(table, "tr"))
        cells_of = [list(_children(row, "tc")) for row in rows]
        if any(cell.find(".//{*}tbl") is not None for cells in cells_of for cell in cells):
            for cells in cells_of:  # a layout frame: its cells' content is the document's
                for cell in cells:
                    self.blocks(cell)
            return
        grid: list[list[str]] = []
        for row, cells in zip(rows, cells_of, strict=True):
            properties = next(_children(row, "trPr"), None)
            before = int(_val(properties, "gridBefore") or 0) if properties is not None else 0
            line = [""] * before
            for cell in cells:
                properties = next(_children(cell, "tcPr"), None)
                span, continued = 1, False
                if properties is not None:
                    span = max(1, int(_val(properties, "gridSpan") or 1))
                    vmerge = _val(properties, "vMerge")
                    hmerge = _val(properties, "hMerge")
                    continued = (vmerge is not None and vmerge != "restart") or (
                        hmerge is not None and hmerge != "restart"
                    )
                text = "" if continued else self.cell_text(cell)
                line += [text] + [""] * (span - 1)
            grid.append(line)
        self.builder.table(index, grid)

    def cell_text(self, cell) -> str:
        lines = []
        for paragraph in _children(cell, "p"):
            boxes: list = []
            lines.append(_paragraph_text(paragraph, boxes))
            lines += [_paragraph_text(p, []) for box in boxes for p in _children(box, "p")]
        return "\n".join(lines)


def read_docx(data: bytes, name: str) -> Grid:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "EncryptionInfo" in archive.namelist():
            raise UnreadableDocument(f"{name}: an encrypted (password-protected) Word document")
        body = docx.Document(io.BytesIO(data)).element.body
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        EOFError,
        zlib.error,
        etree.XMLSyntaxError,
    ) as exc:
        raise UnreadableDocument(f"{name}: a damaged Word document: {type(exc).__name__}: {exc}") from exc
    reader = _WordReader(name)
    reader.blocks(body)
    grid = reader.builder.grid
    if not grid.rows:
        raise UnreadableDocument(f"{name}: the Word document holds no text")
    grid.details["tables"] = str(reader.builder.tables)
    return grid
