"""An .xlsx workbook's sheets read straight from its XML parts, numbers as the decimal text stored.

An .xlsx cell stores a number as decimal text in `<v>` ("1503.52"). Libraries that open workbooks
hand it back as a binary float, which cannot hold most amounts exactly; reading the XML with lxml
keeps the stored text, turned into `Decimal` and shown through the cell's number format
(number_format.py). The parts read: the workbook (sheet names, order, visibility, 1904 dates), its
relationships, shared strings, styles (number formats) and each worksheet (cells, merged ranges).
Element names are matched whatever their namespace, so Strict OOXML files read like Transitional.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from .number_format import display_date, display_number, format_code, is_date_format

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_BOOLEANS = {"0": "FALSE", "1": "TRUE"}


@dataclass
class SheetContent:
    """One sheet: its texts by (row, column) (0-based), merged ranges (inclusive) and visibility."""

    name: str
    state: str = "visible"
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def _xml(archive: zipfile.ZipFile, path: str) -> etree._Element:
    return etree.fromstring(archive.read(path), _PARSER)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _attr(element: etree._Element, local_name: str) -> str | None:
    """An attribute by its local name: r:id is `{namespace}id`, whichever namespace it is."""
    for key, value in element.attrib.items():
        if key == local_name or key.endswith("}" + local_name):
            return value
    return None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target path in the archive) of a part."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in archive.namelist():
        return {}
    result = {}
    for rel in _xml(archive, rels_path):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        result[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return result


def unescape(text: str) -> str:
    """OOXML writes control characters as _xHHHH_ ("_x000D_" for a carriage return)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _rich_text(element: etree._Element) -> str:
    """The text of a shared or inline string: its runs, without phonetic guides (rPh)."""
    parts = []
    for node in element.iter("{*}t"):
        if any(_local(a) == "rPh" for a in node.iterancestors()):
            continue
        parts.append(node.text or "")
    return unescape("".join(parts))


def column_index(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1


def _cell_position(ref: str | None) -> tuple[int, int] | None:
    match = _REF.match(ref or "")
    if not match:
        return None
    return int(match.group(2)) - 1, column_index(match.group(1))


class Workbook:
    """The parts of one .xlsx archive needed to show its sheets' cells."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        root_rels = _relationships(archive, "")
        self.path = next(
            (path for kind, path in root_rels.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        self.rels = _relationships(archive, self.path)
        workbook = _xml(archive, self.path)
        properties = next(workbook.iter("{*}workbookPr"), None)
        self.date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        self.sheets = [
            (sheet.get("name", ""), sheet.get("state", "visible"), self.rels.get(_attr(sheet, "id") or ""))
            for sheet in workbook.iter("{*}sheet")
        ]
        self.strings = self._shared_strings()
        self.formats = self._cell_formats()

    def _part(self, kind_suffix: str) -> str | None:
        return next((path for kind, path in self.rels.values() if kind.endswith(kind_suffix)), None)

    def _shared_strings(self) -> list[str]:
        path = self._part("/sharedStrings")
        if path is None:
            return []
        return [_rich_text(item) for item in _xml(self.archive, path).iterchildren("{*}si")]

    def _cell_formats(self) -> list[str]:
        """The number-format code of each cell style (cellXfs), by the style index cells carry."""
        path = self._part("/styles")
        if path is None:
            return []
        styles = _xml(self.archive, path)
        custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in styles.iter("{*}numFmt")}
        cell_xfs = next(styles.iter("{*}cellXfs"), None)
        if cell_xfs is None:
            return []
        return [format_code(int(xf.get("numFmtId", "0")), custom) for xf in cell_xfs.iterchildren("{*}xf")]

    def read_sheet(self, name: str, state: str, target: tuple[str, str] | None) -> SheetContent | None:
        """A worksheet's cells as shown; None for a chart sheet or a sheet whose part is missing."""
        if target is None or not target[0].endswith("/worksheet"):
            return None
        content = SheetContent(name=name, state=state)
        root = _xml(self.archive, target[1])
        row_index = -1
        for row in root.iter("{*}row"):
            row_index = int(row.get("r")) - 1 if row.get("r") else row_index + 1
            column = -1
            for cell in row.iterchildren("{*}c"):
                position = _cell_position(cell.get("r"))
                row_number, column = position if position else (row_index, column + 1)
                text = self._cell_text(cell)
                if text:
                    content.cells[(row_number, column)] = text
        for merge in root.iter("{*}mergeCell"):
            first, _, last = (merge.get("ref") or "").partition(":")
            start, end = _cell_position(first), _cell_position(last or first)
            if start and end:
                content.merges.append((start[0], start[1], end[0], end[1]))
        return content

    def _cell_text(self, cell: etree._Element) -> str:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = next(cell.iterchildren("{*}is"), None)
            return "" if inline is None else _rich_text(inline)
        value = next(cell.iterchildren("{*}v"), None)
        raw = (value.text or "") if value is not None else ""
        if raw == "":
            return ""
        if kind == "s":
            return self.strings[int(raw)]
        if kind in ("str", "e"):
            return unescape(raw)
        if kind == "b":
            return _BOOLEANS.get(raw, raw)
        if kind == "d":
            return raw.replace("T00:00:00", "").rstrip("Z")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return raw
        style = int(cell.get("s", "0"))
        code = self.formats[style] if style < len(self.formats) else "General"
        if is_date_format(code):
            return display_date(number, code, self.date1904)
        return display_number(number, code)
