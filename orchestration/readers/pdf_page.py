"""What a PDF page holds, read with PDFium: its characters with their boxes, and its ruling lines.

PDFium (pypdfium2, Apache-2.0/BSD) parses a page in C, so reading the characters and the drawn paths
of a page costs a few milliseconds; pdfminer-based readers spend most of their time building layout
objects that a ruled table does not need. Everything is returned in *display* coordinates: origin at
the top-left of the page as it is shown (its /Rotate applied), y growing downwards, in points.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A line thinner than this (points) is a rule; a filled rectangle thinner than this is a rule drawn
# as a rectangle (Word and LibreOffice draw table borders that way).
RULE_THICKNESS = 3.0
# Two points closer than this lie on the same horizontal or vertical line.
STRAIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Segment:
    """A horizontal (`horizontal=True`: at y=`at`, from `start` to `end` in x) or vertical rule."""

    horizontal: bool
    at: float
    start: float
    end: float


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    segments: list[Segment]
    images: int


class _Display:
    """PDF user space to display space: /Rotate applied, y flipped, origin at the top-left."""

    def __init__(self, page: pdfium.PdfPage):
        left, bottom, right, top = page.get_cropbox()
        self.left, self.bottom, self.right, self.top = left, bottom, right, top
        self.rotation = page.get_rotation() % 360
        width, height = right - left, top - bottom
        self.size = (height, width) if self.rotation in (90, 270) else (width, height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        u, v = x - self.left, self.top - y  # unrotated, y down
        w, h = self.right - self.left, self.top - self.bottom
        if self.rotation == 90:
            return h - v, u
        if self.rotation == 180:
            return w - u, h - v
        if self.rotation == 270:
            return v, w - u
        return u, v

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        xa, ya = self.point(left, bottom)
        xb, yb = self.point(right, top)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)


def _page_text(raw, count: int) -> list[int]:
    """The code point of each character of the text page, in one call where the text has no surrogate
    pairs (nearly always), else one call per character."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) == count:
        return [ord(ch) for ch in text]
    return [pdfium_c.FPDFText_GetUnicode(raw, index) for index in range(count)]


def _chars(page: pdfium.PdfPage, display: _Display) -> list[Char]:
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        rect = pdfium_c.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        upright = display.rotation == 0
        left0, top0 = display.left, display.top
        out: list[Char] = []
        for index, code in enumerate(_page_text(raw, count)):
            if code in (0, 0xFFFE, 0xFFFF):
                continue
            text = chr(code)
            if text.isspace() or not text.isprintable():
                continue  # white space (and PDFium's generated spaces) is told from the gaps
            # The loose box spans the font's ascent to descent: every character of a line shares it,
            # however small its glyph ("“", "-", "."), so lines group by it and cells take it whole.
            if not loose_box(raw, index, rect_ref):
                continue
            if upright:
                x0, x1, y0, y1 = rect.left - left0, rect.right - left0, top0 - rect.top, top0 - rect.bottom
            else:
                x0, y0, x1, y1 = display.box(rect.left, rect.bottom, rect.right, rect.top)
            if y1 - y0 < 0.5:  # a glyph with no height: give it a nominal one
                y0, y1 = y0 - 2.5, y1 + 2.5
            out.append(Char(text, x0, y0, x1, y1))
        return out
    finally:
        textpage.close()


def _matrix(obj) -> tuple[float, float, float, float, float, float]:
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)


def _compose(inner, outer):
    """The matrix of `inner` applied first, then `outer` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _path_segments(obj, matrix, display: _Display) -> list[Segment]:
    """The straight horizontal and vertical pieces of a path, in display space.

    A stroked path contributes each of its straight pieces; a filled path only when it is thin (a rule
    drawn as a filled rectangle): its long middle line. A large filled shape is shading, not a rule.
    """
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke))
    count = pdfium_c.FPDFPath_CountSegments(obj)
    points: list[tuple[int, float, float, bool]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    for index in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        px, py = x.value * a + y.value * c + e, x.value * b + y.value * d + f
        points.append((kind, *display.point(px, py), bool(pdfium_c.FPDFPathSegment_GetClose(segment))))
    pieces: list[tuple[float, float, float, float]] = []
    start = previous = None
    for kind, px, py, closes in points:
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or previous is None:
            start = previous = (px, py)
            continue
        if kind == pdfium_c.FPDF_SEGMENT_LINETO:
            pieces.append((*previous, px, py))
        previous = (px, py)
        if closes and start is not None:
            pieces.append((px, py, *start))
    if not pieces:
        return []
    xs = [p for piece in pieces for p in (piece[0], piece[2])]
    ys = [p for piece in pieces for p in (piece[1], piece[3])]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if not stroke.value:
        if fill_mode.value and min(width, height) <= RULE_THICKNESS and max(width, height) > RULE_THICKNESS:
            if width >= height:
                return [Segment(True, (min(ys) + max(ys)) / 2, min(xs), max(xs))]
            return [Segment(False, (min(xs) + max(xs)) / 2, min(ys), max(ys))]
        return []
    out = []
    for x0, y0, x1, y1 in pieces:
        if abs(y0 - y1) <= STRAIGHT and abs(x1 - x0) > STRAIGHT:
            out.append(Segment(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x0 - x1) <= STRAIGHT and abs(y1 - y0) > STRAIGHT:
            out.append(Segment(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return out


def _walk(objects, matrix, display: _Display, segments: list[Segment], depth: int = 0) -> int:
    """Collect the rules of a list of page objects (form XObjects entered); returns the image count."""
    images = 0
    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            segments.extend(_path_segments(obj, _compose(_matrix(obj), matrix), display))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            inner = [
                pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(pdfium_c.FPDFFormObj_CountObjects(obj))
            ]
            images += _walk(inner, _compose(_matrix(obj), matrix), display, segments, depth + 1)
    return images


def read_page(page: pdfium.PdfPage, number: int) -> PageContent:
    display = _Display(page)
    raw = page.raw
    objects = [pdfium_c.FPDFPage_GetObject(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))]
    segments: list[Segment] = []
    # Path points of top-level objects are already in page space: their own matrix is applied in
    # _path_segments; a form's matrix is composed for the objects inside it.
    images = _walk(objects, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), display, segments)
    width, height = display.size
    return PageContent(number, width, height, _chars(page, display), segments, images)
