"""What each column of a table means: header rows apart from body rows, header paths to dimensions.

Two strategies, chosen by the layout:
- positional (PDF ruled tables, spreadsheets, Word, HTML, tab-separated text): here. A column's
  header path is read top to bottom, an upper header spanning the columns below it; Word tables lose
  the spans of merged cells, so a short upper row is laid over the full row beneath it
  (`_spread_short_row`).
- canonical order (pdftotext, whose header cells do not line up with body cells):
  columns_pdftotext.py, built on the header reading shared here (`header_tokens`, `combine_path`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..readers.grid import Row, squash
from .numbers import is_amount_like, is_decimal_amount
from .registry import Registry

LABEL_ROLES = frozenset(
    {"code", "name", "name2", "unit", "project_category", "project_level1", "project_level2"}
)
CODE = re.compile(r"^\d{3}(\d{1,4})?$")
# Which header-alias group each family reads its columns with.
ALIAS_GROUP = {
    "function_table": "function_table",
    "economic_table": "economic_table",
    "revenue_table": "revenue",
    "summary": "summary",
    "three_public": "three_public",
    "project_table": "revenue",
    "admin_operating": "admin_operating",
    "fixed_assets": "fixed_assets",
}
_CHINESE_NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")


@dataclass
class Column:
    index: int
    label: str  # header path as printed, " / " between header rows
    role: str  # a label role, "structural", "amount" or "unknown"
    dims: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why the column's meaning is ambiguous


@dataclass
class Block:
    """A side-by-side part of a table (收入 | 支出), or the whole table."""

    columns: list[Column]

    @property
    def label_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role in LABEL_ROLES]

    @property
    def amount_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role in ("amount", "unknown")]


def _first_label(row: Row, structural: set[int]) -> str:
    """The cell of the first non-structural column: where a body row prints its label."""
    for index, cell in enumerate(row.cells):
        if index in structural:
            continue
        return squash(cell)
    return ""


def is_body_row(row: Row, structural: set[int], registry: Registry) -> bool:
    """A row of the table's body: it prints an amount, or its label is a total, a code or numbered."""
    if squash(row.cells[0] if row.cells else "") in registry.structural_headers:
        return False
    if any(is_decimal_amount(cell) for i, cell in enumerate(row.cells) if i not in structural):
        return True
    label = _first_label(row, structural)
    others = [c for i, c in enumerate(row.cells) if i not in structural and c.strip()][1:]
    if others and not all(is_amount_like(c) or CODE.match(squash(c)) for c in others):
        # a header row whose first cell happens to read 合计 (a merged label column above it)
        return bool(CODE.match(label) or _CHINESE_NUMBERING.match(label))
    return bool(registry.is_total_label(label) or CODE.match(label) or _CHINESE_NUMBERING.match(label))


def split_header_body(rows: list[Row], registry: Registry) -> tuple[list[Row], list[Row], set[int]]:
    """Header rows, body rows, and the columns that are 序号 / 行次 (never amounts)."""
    structural: set[int] = set()
    for position, row in enumerate(rows):
        for index, cell in enumerate(row.cells):
            if squash(cell) in registry.structural_headers and squash(row.cells[0]) not in ("栏次",):
                structural.add(index)
        if is_body_row(row, structural, registry):
            return rows[:position], rows[position:], structural
    return rows, [], structural


def _header_role(family: str, text: str, registry: Registry) -> tuple[str | None, dict[str, str]]:
    if not text:
        return None, {}
    if squash(text) in registry.structural_headers:
        return "structural", {}
    alias = registry.header_meaning(family, text)
    if alias is None:
        return None, {}
    return alias.role, dict(alias.assign)


def _refines(child: str, parent: str, registry: Registry) -> bool:
    if parent in ("total", "yes"):
        return True
    seen = child
    while seen in registry.refines:
        seen = registry.refines[seen]
        if seen == parent:
            return True
    return False


def combine_path(family: str, path: list[str], registry: Registry) -> tuple[str, dict[str, str], str | None]:
    """The role and dimensions of a header path, top to bottom; a problem when the path conflicts."""
    role: str | None = None
    dims: dict[str, str] = {}
    for text in path:
        text_role, assign = _header_role(family, text, registry)
        if text_role:
            role = text_role
        for key, value in assign.items():
            previous = dims.get(key)
            if previous is None or previous == value or _refines(value, previous, registry):
                dims[key] = value
            elif _refines(previous, value, registry) and value in ("total", "yes"):
                continue  # a total below a specific group: the group's meaning stands ("基本支出 / 合计")
            else:
                return "amount", dims, f"header path {' / '.join(path)!r} mixes {key}={previous} and {value}"
    if role is None:
        role = "amount" if dims else "unknown"
    return role, dims, None


def _spread_short_row(short: Row, leaf: Row, width: int, family: str, registry: Registry) -> list[str]:
    """Lay an upper header row that lost its merged-cell spans (Word) over the full row below it.

    An upper cell above an empty lower cell is a vertical merge (one column); otherwise it spans a
    run of filled lower cells, split between neighbours where a new block starts (a name column
    after an amount) or where label columns give way to amount columns.
    """
    texts = list(short.cells)
    leaf_cells = list(leaf.cells) + [""] * (width - len(leaf.cells))
    roles = [_header_role(family, cell, registry)[0] for cell in leaf_cells]
    slots: list[tuple[int, int]] = []  # an empty lower cell, or a run of filled ones
    col = 0
    while col < width:
        end = col
        if leaf_cells[col].strip():
            while end + 1 < width and leaf_cells[end + 1].strip():
                end += 1
        slots.append((col, end))
        col = end + 1
    out = [""] * width
    i = 0
    for position, (start, end) in enumerate(slots):
        if i >= len(texts):
            break
        remaining_slots = len(slots) - position - 1
        sharing = max(1, min(end - start + 1, len(texts) - i - remaining_slots))
        cuts = _choose_cuts(start, end, sharing - 1, roles)
        for lo, hi in zip([start] + cuts, [c - 1 for c in cuts] + [end], strict=True):
            for c in range(lo, hi + 1):
                out[c] = texts[i]
            i += 1
    return out


def _choose_cuts(start: int, end: int, count: int, roles: list[str | None]) -> list[int]:
    if count <= 0:
        return []
    labelish = [r in LABEL_ROLES for r in roles]
    block_starts = [c for c in range(start + 1, end + 1) if labelish[c] and not labelish[c - 1]]
    transitions = [c for c in range(start + 1, end + 1) if labelish[c - 1] and not labelish[c]]
    candidates = block_starts + [c for c in transitions if c not in block_starts]
    candidates += [c for c in range(start + 1, end + 1) if c not in candidates]
    return sorted(candidates[:count])


def positional_columns(
    header: list[Row], body: list[Row], structural: set[int], family: str, registry: Registry
) -> list[Column]:
    width = max([len(r.cells) for r in header + body] or [0])
    label_rows = [r for r in header if squash(r.cells[0] if r.cells else "") != "栏次"]
    grid: list[list[str]] = []
    full_rows = [r for r in label_rows if len(r.cells) >= width]
    for row in label_rows:
        if len(row.cells) < width and full_rows:
            below = next((f for f in full_rows if f.line > row.line), full_rows[-1])
            grid.append(_spread_short_row(row, below, width, family, registry))
        else:
            grid.append(list(row.cells) + [""] * (width - len(row.cells)))
    # Forward-fill upper header cells over the columns they span (bounded by the span above them).
    filled: list[list[str]] = []
    bounds = [(0, width)]
    for depth, cells in enumerate(grid):
        is_leaf = depth == len(grid) - 1
        row_out = list(cells)
        new_bounds = []
        for lo, hi in bounds:
            current = ""
            start = lo
            for c in range(lo, hi):
                if cells[c].strip():
                    if c > start:
                        new_bounds.append((start, c))
                    current, start = cells[c], c
                elif not is_leaf and current:
                    row_out[c] = current
            new_bounds.append((start, hi))
        bounds = new_bounds
        filled.append(row_out)
    columns = []
    for c in range(width):
        path = [squash(row[c]) for row in filled if row[c].strip()]
        # Consecutive duplicates come from forward filling; keep one.
        path = [p for k, p in enumerate(path) if k == 0 or p != path[k - 1]]
        if c in structural:
            columns.append(Column(index=c, label=" / ".join(path), role="structural"))
            continue
        role, dims, problem = combine_path(family, path, registry)
        columns.append(Column(index=c, label=" / ".join(path), role=role, dims=dims, problem=problem))
    _mark_code_parts(columns, body)
    return columns


_CODE_PART = re.compile(r"^\d{2}$")


def _mark_code_parts(columns: list[Column], body: list[Row]) -> None:
    """款 and 项 columns whose header is merged into the 科目编码 cell beside them ("科目编码" over
    three cells, no 类 | 款 | 项 row): a column right of a code column, with no meaning of its own
    (only the upper headers the code column also has), whose body prints only 2-digit parts, is part
    of the code."""
    head: Column | None = None  # the code column a run of parts follows
    for column in columns:
        if column.role == "code":
            head = head if head and column.index == head.index + 1 else column
            continue
        shares_header = head is not None and (
            (column.role == "unknown" and not column.dims) or head.label.startswith(column.label + " / ")
        )
        printed = [squash(r.cells[column.index]) for r in body if column.index < len(r.cells)]
        printed = [p for p in printed if p and p not in ("类", "款", "项")]  # a header word on the total row
        if shares_header and printed and all(_CODE_PART.match(p) for p in printed):
            column.role = "code"
            column.dims = {}
        else:
            head = None


def split_blocks(columns: list[Column]) -> list[Block]:
    """Side-by-side parts: a new block starts at a label column that follows an amount column."""
    blocks: list[list[Column]] = [[]]
    seen_amount = False
    for column in columns:
        if column.role in LABEL_ROLES and seen_amount:
            blocks.append([])
            seen_amount = False
        if column.role in ("amount", "unknown"):
            seen_amount = True
        blocks[-1].append(column)
    return [Block(columns=b) for b in blocks if b]


def header_tokens(header: list[Row], family: str, registry: Registry) -> list[str]:
    """Header texts in reading order, with pdftotext's wrapped pieces joined back together.

    A piece that names nothing on its own ("政府性", "基金预", "算") is a fragment: fragments
    accumulate until they name something; a piece that completes the previous name ("上年结转" +
    "安排") is joined to it.
    """

    def known(text: str) -> bool:
        return registry.header_meaning(family, text) is not None

    tokens: list[str] = []
    fragment = False
    for row in header:
        if squash(row.cells[0] if row.cells else "") == "栏次":
            continue
        for _, cell in row.filled:
            text = squash(cell)
            if tokens and fragment and not known(text):
                tokens[-1] += text
                fragment = not known(tokens[-1])
            elif known(text):
                tokens.append(text)
                fragment = False
            elif tokens and known(tokens[-1] + text):
                tokens[-1] += text
                fragment = False
            else:
                tokens.append(text)
                fragment = True
    return tokens
