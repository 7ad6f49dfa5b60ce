"""Ruled tables of a PDF page: from the drawn rules to cells with their spans, and the text in each.

Nearly every disclosure prints fully ruled tables exported from Excel, Word, WPS or ONLYOFFICE. The
rules that touch each other form a table; the x and y positions of its rules cut it into a grid of
atomic cells; two neighbouring atomic cells with no rule between them are one merged cell (a header
spanning columns, 类/款/项 under 科目编码, a label spanning rows). A character belongs to the cell its
centre falls in, so an amount printed at the top of a tall cell still belongs to that cell, and a
cell's text is its lines in reading order ("本年支出合\\n计" is one header).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from .pdf_page import Char, Segment

# Rules closer than this (points) are the same rule: exporters draw borders twice, or 0.5 pt apart.
SNAP = 2.5
# Pieces of one rule with gaps up to this are one rule: borders drawn cell by cell, dotted rules.
_GAP = 4.0
# A table needs at least this many distinct rules in each direction.
MIN_RULES = 2


@dataclass
class Cell:
    row: int  # top-left atomic row and column
    col: int
    row_span: int
    col_span: int
    chars: list[Char] = field(default_factory=list)
    _text: str | None = field(default=None, repr=False)  # read once all characters are placed

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = lines_text(self.chars)
        return self._text


@dataclass
class Table:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[Cell]

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def lines_in_row(self, row: int) -> int:
        """The most printed lines in a cell of atomic row `row`: a tall row wraps its texts."""
        return max((len(group_lines(c.chars)) for c in self.cells if c.row == row and c.chars), default=0)

    def rows(self) -> list[tuple[int, tuple[str, ...]]]:
        """(atomic row index, cell texts) of each row that prints something: a merged cell's text in its
        top-left column, "" in the rest of its span. Call once all characters are placed."""
        grid = [[""] * self.n_cols for _ in range(len(self.ys) - 1)]
        for cell in self.cells:
            if cell.chars:
                grid[cell.row][cell.col] = cell.text
        return [(index, tuple(cells)) for index, cells in enumerate(grid) if any(cells)]


def lines_text(chars: list[Char]) -> str:
    """A cell's characters as lines top to bottom, each left to right, a wide gap a space; the lines
    joined as one text, because a line break inside a cell is where the cell's width ran out, not part
    of what is printed ("本年支出合" + "计", "12948." + "5"). Only two words of Latin letters get a
    space between them."""
    if not chars:
        return ""
    text = ""
    for line in group_lines(chars):
        piece = line_text(line)
        if text and text[-1].isascii() and text[-1].isalpha() and piece[0].isascii() and piece[0].isalpha():
            text += " "
        text += piece
    return text


def group_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into printed lines: a character joins the line its centre lies within, or
    whose extent covers at least half of its own height.

    Digits sit lower than Chinese glyphs of the same line, a year printed in another font is a little
    higher or lower, and quotation marks (“三公”) are small glyphs at the top of the line: comparing
    extents, not baselines, keeps them on one line.
    """
    lines: list[list[Char]] = []
    top = bottom = 0.0
    for char in sorted(chars, key=lambda c: (c.cy, c.x0)):
        overlap = min(bottom, char.bottom) - max(top, char.top)
        if lines and (
            top - 0.5 <= char.cy <= bottom + 0.5 or overlap >= 0.5 * min(char.height, bottom - top)
        ):
            lines[-1].append(char)
            top, bottom = min(top, char.top), max(bottom, char.bottom)
        else:
            lines.append([char])
            top, bottom = char.top, char.bottom
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def line_text(line: list[Char]) -> str:
    out = []
    previous: Char | None = None
    for char in line:
        if previous is not None:
            gap = char.x0 - previous.x1
            if gap > 0.8 * max(char.height, previous.height, 1.0):
                out.append(" ")
        out.append(char.text)
        previous = char
    return "".join(out)


def _cluster(values: list[float]) -> list[float]:
    """Positions within SNAP of each other collapsed to their mean."""
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= SNAP:
            out[-1].append(value)
        else:
            out.append([value])
    return [sum(group) / len(group) for group in out]


def _merge_collinear(segments: list[Segment]) -> list[Segment]:
    """Rules on the same line that touch or overlap become one rule."""
    by_line: dict[float, list[Segment]] = {}
    for at in _cluster([s.at for s in segments]):
        by_line[at] = []
    keys = sorted(by_line)
    for segment in segments:
        nearest = min(keys, key=lambda k: abs(k - segment.at))
        by_line[nearest].append(segment)
    merged = []
    for at, group in by_line.items():
        group.sort(key=lambda s: s.start)
        start, end = group[0].start, group[0].end
        for segment in group[1:]:
            if segment.start <= end + _GAP:
                end = max(end, segment.end)
            else:
                merged.append(Segment(group[0].horizontal, at, start, end))
                start, end = segment.start, segment.end
        merged.append(Segment(group[0].horizontal, at, start, end))
    return merged


class _Union:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _touch(h: Segment, v: Segment) -> bool:
    return h.start - SNAP <= v.at <= h.end + SNAP and v.start - SNAP <= h.at <= v.end + SNAP


def _components(
    horizontal: list[Segment], vertical: list[Segment]
) -> list[tuple[list[Segment], list[Segment]]]:
    """Rules that touch each other, transitively: one group per table."""
    segments = horizontal + vertical
    union = _Union(len(segments))
    offset = len(horizontal)
    vertical_by_x = sorted(range(len(vertical)), key=lambda i: vertical[i].at)
    xs = [vertical[i].at for i in vertical_by_x]
    for hi, h in enumerate(horizontal):
        lo = bisect_right(xs, h.start - SNAP - 1e-9)
        hi_index = bisect_right(xs, h.end + SNAP)
        for position in range(lo, hi_index):
            vi = vertical_by_x[position]
            if _touch(h, vertical[vi]):
                union.join(hi, offset + vi)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for index, segment in enumerate(segments):
        group = groups.setdefault(union.find(index), ([], []))
        group[0 if segment.horizontal else 1].append(segment)
    return list(groups.values())


def _covers(rules: dict[int, list[Segment]], boundary: int, lo: float, hi: float) -> bool:
    """Whether a rule on `boundary` covers the middle of the span lo..hi."""
    middle, margin = (lo + hi) / 2, (hi - lo) * 0.25
    return any(
        r.start - SNAP <= middle - margin and r.end + SNAP >= middle + margin for r in rules.get(boundary, ())
    )


def _build_table(horizontal: list[Segment], vertical: list[Segment]) -> Table | None:
    ys = _cluster([h.at for h in horizontal] + [p for v in vertical for p in (v.start, v.end)])
    xs = _cluster([v.at for v in vertical] + [p for h in horizontal for p in (h.start, h.end)])
    if len(xs) < 2 or len(ys) < 2:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1

    def nearest(values: list[float], at: float) -> int:
        return min(range(len(values)), key=lambda i: abs(values[i] - at))

    h_rules: dict[int, list[Segment]] = {}
    for h in horizontal:
        h_rules.setdefault(nearest(ys, h.at), []).append(h)
    v_rules: dict[int, list[Segment]] = {}
    for v in vertical:
        v_rules.setdefault(nearest(xs, v.at), []).append(v)
    union = _Union(rows * cols)
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covers(v_rules, c + 1, ys[r], ys[r + 1]):
                union.join(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and not _covers(h_rules, r + 1, xs[c], xs[c + 1]):
                union.join(r * cols + c, (r + 1) * cols + c)
    spans: dict[int, list[int]] = {}
    for index in range(rows * cols):
        root = union.find(index)
        r, c = divmod(index, cols)
        span = spans.setdefault(root, [r, c, r, c])
        span[0], span[1] = min(span[0], r), min(span[1], c)
        span[2], span[3] = max(span[2], r), max(span[3], c)
    cells = [Cell(r0, c0, r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in spans.values()]
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Table(xs=xs, ys=ys, cells=cells)


def find_tables(segments: list[Segment]) -> list[Table]:
    """The ruled tables of a page, top to bottom."""
    horizontal = _merge_collinear([s for s in segments if s.horizontal])
    vertical = _merge_collinear([s for s in segments if not s.horizontal])
    if not horizontal or not vertical:
        return []
    tables = []
    for group_h, group_v in _components(horizontal, vertical):
        if (
            len(_cluster([h.at for h in group_h])) < MIN_RULES
            or len(_cluster([v.at for v in group_v])) < MIN_RULES
        ):
            continue  # an underline, a box around a title, a lone rule
        table = _build_table(group_h, group_v)
        if table is not None and table.n_cols >= 1:
            tables.append(table)
    tables.sort(key=lambda t: (t.top, t.xs[0]))
    return tables


def assign_chars(tables: list[Table], chars: list[Char]) -> list[Char]:
    """Put each character into the cell its centre falls in; return the characters outside every table."""
    lookup = []
    for table in tables:
        grid: list[list[Cell | None]] = [[None] * table.n_cols for _ in range(len(table.ys) - 1)]
        for cell in table.cells:
            for r in range(cell.row, cell.row + cell.row_span):
                row = grid[r]
                for c in range(cell.col, cell.col + cell.col_span):
                    row[c] = cell
        lookup.append((*table.bbox, table.xs, table.ys, grid))
    outside = []
    for char in chars:
        cx, cy = (char.x0 + char.x1) / 2, (char.top + char.bottom) / 2
        for x0, y0, x1, y1, xs, ys, grid in lookup:
            if x0 <= cx <= x1 and y0 <= cy <= y1:
                r = min(max(bisect_right(ys, cy) - 1, 0), len(ys) - 2)
                c = min(max(bisect_right(xs, cx) - 1, 0), len(xs) - 2)
                grid[r][c].chars.append(char)
                break
        else:
            outside.append(char)
    return outside
