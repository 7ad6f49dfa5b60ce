"""Columns of a table read by pdftotext, whose header cells do not line up with its body cells.

The measures the header names are put in the registry's canonical order (`canonical_order`) and
matched to the amount cells of the usual body row; when their number differs from the number of
amount cells, the table cannot be read and its cells are quarantined rather than guessed. Side-by-side
summaries print a two-cell revenue part (项目 | amount) before the expenditure part.
"""

from __future__ import annotations

from ..readers.grid import Row
from .columns import ALIAS_GROUP, CODE, Block, Column, combine_path, header_tokens
from .numbers import is_amount_like
from .registry import Registry

# The dimension that tells one amount column from another, per family (for canonical ordering).
ORDER_GROUP = {
    "function_table": "function_table",
    "economic_table": "economic_table",
    "revenue_table": "revenue",
    "project_table": "revenue",
    "three_public": "three_public",
    "admin_operating": "admin_operating",
}


def _canonical_key(family: str, dims: dict[str, str]) -> str | None:
    if family == "function_table":
        return dims.get("expenditure_type")
    if family == "economic_table":
        return dims.get("cost_type")
    if family in ("revenue_table", "project_table"):
        source = dims.get("revenue_source")
        funding = dims.get("funding")
        if source in (None, "total") and funding == "carryover":
            return "carryover"
        if source in (None, "total") and funding == "current_year":
            return "current_year_total"
        return source
    if family in ("three_public", "admin_operating"):
        scope = dims.get("fund_scope")
        return "total" if scope == "fiscal" else scope
    return None


def _canonical_columns(
    family: str, registry: Registry, header: list[Row], n_amounts: int, start_index: int
) -> list[Column] | None:
    group = ALIAS_GROUP[family]
    order = registry.canonical_order.get(ORDER_GROUP.get(family, ""), ())
    found: dict[str, dict[str, str]] = {}
    printed: dict[str, str] = {}
    context: dict[str, str] = {}
    for token in header_tokens(header, group, registry):
        _, dims, _ = combine_path(group, [token], registry)
        key = _canonical_key(family, dims)
        if key is None:
            context.update({k: v for k, v in dims.items() if k in ("measure",)})
            continue
        found.setdefault(key, dims)
        printed.setdefault(key, token)
    keys = [k for k in order if k in found]
    # Group headers ("本年收入", "财政拨款" above 一般公共预算 …) name no column of their own.
    if len(keys) > n_amounts and "current_year_total" in keys:
        keys.remove("current_year_total")
    groups = [k for k in keys if any(registry.refines.get(other) == k for other in keys)]
    if len(keys) > n_amounts and len(keys) - len(groups) == n_amounts:
        keys = [k for k in keys if k not in groups]
    if len(keys) != n_amounts:
        return None
    return [
        Column(index=start_index + i, label=printed[key], role="amount", dims={**context, **found[key]})
        for i, key in enumerate(keys)
    ]


def label_width(row: Row) -> int:
    """How many leading cells of a row come before its first amount (empty ones included)."""
    width = 0
    for cell in row.cells:
        text = cell.strip()
        if text and is_amount_like(text) and not CODE.match(text):
            break
        width += 1
    return width


def _mode(values: list[int], default: int) -> int:
    if not values:
        return default
    return max(sorted(set(values)), key=values.count)


def _dedupe_dims(tokens: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
    """Right part of a summary: one column per distinct measure, a group header dropped. Each column
    keeps the header text as printed ("2024年合计", "当年预算安排") as its label."""
    out: list[tuple[str, dict[str, str]]] = []
    for token, dims in tokens:
        if not dims:
            continue
        if dims.get("measure_total") and any(d.get("measure_total") for _, d in out):
            continue
        out.append((token, dims))
    return out


def _summary_blocks(registry: Registry, header: list[Row]) -> list[Block]:
    group = ALIAS_GROUP["summary"]
    tokens = header_tokens(header, group, registry)
    names = [i for i, t in enumerate(tokens) if combine_path(group, [t], registry)[0] == "name"]
    left_tokens = tokens[names[0] + 1 : names[1]] if len(names) >= 2 else []
    right_tokens = tokens[names[1] + 1 :] if len(names) >= 2 else []
    left = [
        Column(0, "项目", "name"),
        Column(1, "/".join(left_tokens), "amount", combine_path(group, left_tokens[-1:], registry)[1]),
    ]
    right_dims = _dedupe_dims([(t, combine_path(group, [t], registry)[1]) for t in right_tokens])
    right = [Column(2, "项目", "name")] + [
        Column(3 + i, label, "amount", dims) for i, (label, dims) in enumerate(right_dims)
    ]
    return [Block(left), Block(right)]


def pdftotext_blocks(
    family: str, registry: Registry, header: list[Row], body: list[Row]
) -> list[Block] | None:
    """The table's blocks: labels first, then the amounts in canonical order. None when the header's
    measures do not line up with the body's amount cells."""
    if family == "summary":
        return _summary_blocks(registry, header)
    numeric_rows = [r for r in body if any(is_amount_like(c) and not CODE.match(c) for c in r.cells)]
    if not numeric_rows:
        return []  # an empty table: nothing to line up
    width = _mode([label_width(r) for r in numeric_rows], default=1)
    # the usual row, not the widest: pdftotext pads a row whose label spans two columns with spaces
    n_amounts = _mode([len(r.cells) - label_width(r) for r in numeric_rows], default=0)
    amounts = _canonical_columns(family, registry, header, n_amounts, width)
    if amounts is None:
        return None
    labels = [Column(i, "", "name" if i == width - 1 else "code") for i in range(width)]
    if family == "economic_table" and width == 2:
        labels = [Column(0, "", "name"), Column(1, "", "name2")]
    return [Block(labels + amounts)]


def normalise_rows(body: list[Row], blocks: list[Block]) -> list[Row]:
    """Put each row's label cells and amount cells under the table's columns.

    A total row prints one label cell where the table has two (code and name merged: "合计"), and a
    row whose first amounts are empty runs its empty cells into the label part; both are evened out.
    """
    if len(blocks) != 1:
        return body
    block = blocks[0]
    labels_count = len(block.label_columns)
    code_first = bool(block.label_columns) and block.label_columns[0].role == "code"
    out = []
    for row in body:
        cells = list(row.cells)
        while label_width(Row(row.line, tuple(cells))) > labels_count and cells and not cells[0].strip():
            cells.pop(0)  # a stray leading separator (page break) pushes the row one cell right
        lead = min(label_width(Row(row.line, tuple(cells))), labels_count) if labels_count else 0
        labels = cells[:lead]
        rest = cells[lead:]
        if lead < labels_count:
            padding = [""] * (labels_count - lead)
            labels = padding + labels if code_first else labels + padding
        out.append(Row(line=row.line, cells=tuple(labels + rest), origin=row.origin))
    return out
