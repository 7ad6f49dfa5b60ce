"""Attribute rows of a performance table: "label | value" pairs, several to a row.

002 prints "项目名称 | 部机关业务费 | 主管部门 | 中共江苏省委组织部", 003 prints "项目预算金额(万元) | | 96.41 |
| | 全年执行数(万元) | | | 96.41 | …". Each label is looked up in the vocabulary; its value is the next
filled cell that is not itself a label. Text goes to the project row (and, as printed, to its JSON
map of attributes); amounts are converted to 万元; rates and scores are read as numbers.
"""

from __future__ import annotations

from ...readers.grid import Row
from .indicator_values import to_rate
from .records import Block, Sink, TableContext
from .text import clean_text, label_key
from .vocabulary import Vocabulary

# Canonical attribute keys that are columns of raw.performance_project (the others live in its JSON map).
PROJECT_COLUMNS = frozenset(
    {
        "department_name",
        "competent_department",
        "implementing_unit",
        "project_type",
        "project_level",
        "start_date",
        "end_date",
        "necessity",
        "long_term_goal",
        "implementation_goal",
        "annual_goal",
        "actual_outcome",
    }
)


def is_attribute_row(row: Row, vocabulary: Vocabulary) -> bool:
    filled = row.filled
    return bool(filled) and vocabulary.attribute(filled[0][1]) is not None


def set_text_attribute(block: Block, key: str, label: str, text: str | None, joiner: str = "\n") -> None:
    """Record one text attribute: in the JSON map as printed, and in its column when it has one.

    A second call for the same label continues the text: on a new line, or (joiner "") where the
    source wraps lines in mid-sentence (pdftotext).
    """
    text = clean_text(text)
    if text is None:
        return
    printed = label_key(label)
    block.attributes[printed] = (
        f"{block.attributes[printed]}{joiner}{text}" if printed in block.attributes else text
    )
    if key == "project_name":
        if not block.is_department_wide and block.project_name is None:
            block.project_name = text
        return
    if key in PROJECT_COLUMNS:
        current = block.fields.get(key)
        block.fields[key] = f"{current}{joiner}{text}" if current else text


def read_attribute_row(
    row: Row, ctx: TableContext, sink: Sink, vocabulary: Vocabulary
) -> tuple[str, str] | None:
    """Read every label/value pair of the row; return (key, label) of the last text attribute."""
    block = ctx.block
    filled = row.filled
    last_text: tuple[str, str] | None = None
    position = 0
    while position < len(filled):
        _, label = filled[position]
        found = vocabulary.attribute(label)
        position += 1
        if found is None:
            continue
        kind, key, unit = found
        value = None
        if position < len(filled) and vocabulary.attribute(filled[position][1]) is None:
            value = filled[position][1]
            position += 1
        if kind == "text":
            set_text_attribute(block, key, label, value)
            last_text = (key, label)
            continue
        if value is None:
            continue
        block.attributes[label_key(label)] = value.strip()
        if kind == "money":
            if unit and ctx.unit is None:
                ctx.unit = unit
            flow = vocabulary.money_flows[key]
            amount = sink.funding_line(
                ctx, row.line, key, flow, key, "annual", value, unit or ctx.unit or "万元"
            )
            column = vocabulary.money_attributes[key]
            if amount is not None and column:
                block.fields[column] = amount
            continue
        rate = to_rate(value)
        if rate is None:
            sink.quarantine_cell(ctx, row.line, label_key(label), label_key(label), value, "not a number")
            continue
        block.fields[key] = rate  # a rate or score of the project row, not a fact of its own
        if key == "execution_rate":
            block.fields["execution_rate_text"] = value.strip()
        if key == "total_score":
            block.fields["total_score_text"] = value.strip()
    return last_text
