"""A body row's label: its code and name, however the template prints them.

Codes come in one 科目编码 cell ("2080501"), in three cells 类 | 款 | 项 ("208" "05" "01", or "208"
"05" "" for a 款), inside the name ("2080501 行政单位离退休"), or not at all (resolved from the name
by the recogniser). A long name may wrap onto a row of its own, above or below the row that prints
the amounts; `join_wrapped_labels` puts such a row's text back into its row before any recogniser
reads the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...readers.grid import Row, squash
from ..columns import Block
from ..numbers import is_amount_like
from ..registry import Registry
from .context import cell_text

CODE = re.compile(r"^\d{3}(\d{1,4})?$")
_CODE_PART = re.compile(r"^\d{2}$")
_LEADING_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})(\D.*)$")
_SHORT_FRAGMENT = 4  # characters: the tail of a wrapped name ("出", "缴费支出")
_NUMBERED = re.compile(
    r"^(其中[:：])?\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|[①②③④⑤⑥⑦⑧⑨⑩])"
)


@dataclass
class RowLabel:
    text: str  # as printed (white space removed)
    code: str | None = None
    name: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _joined_code(parts: list[str]) -> str | None:
    """类 | 款 | 项 cells as one code: "208" "05" "01" -> "2080501"; "208" "05" "" -> "20805"."""
    printed = [p for p in parts if p]
    if not printed:
        return None
    if len(printed) == 1:
        return printed[0]
    head, rest = printed[0], printed[1:]
    if CODE.match(head) and len(head) == 3 and all(_CODE_PART.match(p) for p in rest):
        return head + "".join(rest)
    return "".join(printed)


def row_label(row: Row, block: Block) -> RowLabel:
    code_parts: list[str] = []
    name = None
    extra: dict[str, str] = {}
    parts = []
    for column in block.label_columns:
        text = squash(cell_text(row, column.index))
        if not text:
            continue
        parts.append(text)
        if column.role == "code":
            code_parts.append(text)
        elif column.role in ("name", "project_category", "project_level1", "project_level2"):
            name = name or text
            if column.role != "name":
                extra["level_role"] = column.role
        else:
            extra[column.role] = text
    if name is None and extra.get("unit"):
        name = extra["unit"]  # a table whose rows are units (收入总表 by 部门(单位))
    code = _joined_code(code_parts)
    if code and not CODE.match(code):
        # a total row spans the code and name columns ("合计"), a name sits in the code column, or the
        # code columns print their own header (类 款 项) on the row of the total
        words = [p for p in code_parts if not p.isdigit() and p not in ("类", "款", "项")]
        name, code = (name or "".join(words) or None), None
    if name and code is None:
        match = _LEADING_CODE.match(name)
        if match:
            code, name = match.group(1), match.group(2)
    printed = [p for p in parts if p not in ("类", "款", "项")]
    text = " ".join(p for p in printed if p != extra.get("unit")) or " ".join(printed)
    return RowLabel(text=text, code=code, name=name, extra=extra)


def _label_only(row: Row, block: Block) -> str | None:
    """The text of a row that prints nothing but part of a name: no code, no amount, one cell."""
    names = [c for c in block.label_columns if c.role == "name"]
    if len(names) != 1:
        return None
    filled = [(i, c) for i, c in row.filled]
    if len(filled) != 1 or filled[0][0] != names[0].index:
        return None
    return squash(filled[0][1])


def _is_fragment(text: str, registry: Registry) -> bool:
    """A piece of a wrapped name, not a row of its own: no numbering, no code, not a known line."""
    if not text or _NUMBERED.match(text) or _LEADING_CODE.match(text) or CODE.match(text):
        return False
    if registry.is_total_label(text):
        return False
    return not any(registry.row_meaning(group, text) for group in ("revenue_lines", "expenditure_lines"))


def _has_amounts(row: Row, block: Block) -> bool:
    return any(is_amount_like(cell_text(row, c.index)) for c in block.amount_columns)


def _label_empty(row: Row, block: Block) -> bool:
    return not any(cell_text(row, c.index) for c in block.label_columns)


def _with_name(row: Row, index: int, text: str) -> Row:
    cells = list(row.cells) + [""] * max(0, index + 1 - len(row.cells))
    cells[index] = text
    return Row(line=row.line, cells=tuple(cells), origin=row.origin)


def join_wrapped_labels(body: list[Row], block: Block, registry: Registry) -> list[Row]:
    """Rows whose name wrapped onto a row of its own, joined back into one row.

    A row that prints nothing but part of a name belongs to
    - the row below, when that row prints amounts and no name or only the rest of one (amounts on
      the last line; its codes may print there too);
    - else the row above, when that row prints amounts and this is a fragment: where the table prints
      codes, any name without one; without codes, only a short piece, since a whole row may print a
      name and no amount (amounts on the first line).
    A joined row keeps the line of the row that printed the amounts.
    """
    names = [c for c in block.label_columns if c.role == "name"]
    if len(names) != 1:
        return body
    index = names[0].index
    coded = any(c.role == "code" for c in block.label_columns)
    out: list[Row] = []
    head = ""  # the first part of a name whose amounts are on the row below
    for position, row in enumerate(body):
        text = _label_only(row, block)
        if text is None:
            if head:
                row = _with_name(row, index, head + squash(cell_text(row, index)))
                head = ""
            out.append(row)
            continue
        below = body[position + 1] if position + 1 < len(body) else None
        if below is not None and _label_only(below, block) is None and _has_amounts(below, block):
            rest = squash(cell_text(below, index))
            if not rest or _is_fragment(rest, registry):
                head = text
                continue
        previous = out[-1] if out else None
        short = coded or len(text) <= _SHORT_FRAGMENT
        if previous is not None and _has_amounts(previous, block) and _is_fragment(text, registry) and short:
            if cell_text(previous, index):
                out[-1] = _with_name(previous, index, squash(cell_text(previous, index)) + text)
                continue
        out.append(row)
    return out


class FunctionHierarchy:
    """Tracks the current 类 and 款 so a name printed without its code can be resolved under them."""

    def __init__(self, reference):
        self.reference = reference
        self.class_code: str | None = None
        self.kuan_code: str | None = None

    def observe(self, code: str) -> None:
        if len(code) == 3:
            self.class_code, self.kuan_code = code, None
        elif len(code) == 5:
            self.class_code, self.kuan_code = code[:3], code
        elif len(code) == 7:
            self.class_code, self.kuan_code = code[:3], code[:5]

    def infer(self, name: str) -> str | None:
        """Under the current 款 first, then the current 类, then as a 类 of its own."""
        for parent in [p for p in (self.kuan_code, self.class_code) if p] + [None]:
            code = self.reference.find_function_code(name, parent)
            if code:
                return code
        return None
