"""Reading one indicator row of a target table: by position when it lines up, by content when not.

The column header says where each field is (一级 / 二级 / 三级指标, 指标解释, 指标值 per period, 权重,
指标值确定依据). Most rows line up with it and are read by position. Some do not: a merged cell or
a PDF extraction shifts the cells left or right (000 prints "满意度指标 | 服务对象满意度指标 | … | ≥90% | 10"
starting in the 单位名称 column; 002 prints "纪检监察工作有效性 | | 有效 | 有效"). Those rows are read by
content: leading level names (from the vocabulary), then the names, and the values taken from the
right (a weight must be a number, a 指标值确定依据 is not a value). The reading is recorded per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...readers.grid import Row
from ..numbers import is_amount_like
from .indicator_values import looks_like_value
from .levels import take_level_prefix
from .vocabulary import HeaderColumn, Vocabulary

NAME_FIELDS = ("key_task", "level3", "description")
TAIL_FIELDS = ("value", "weight", "basis")
PROJECT_FIELDS = ("unit_name", "project_name", "project_amount", "annual_goal")


@dataclass
class HeaderSpec:
    columns: dict[int, HeaderColumn]

    def index_of(self, field_name: str) -> int | None:
        for index, column in sorted(self.columns.items()):
            if column.field == field_name:
                return index
        return None

    @property
    def name_fields(self) -> list[tuple[int, HeaderColumn]]:
        return [(i, c) for i, c in sorted(self.columns.items()) if c.field in NAME_FIELDS]

    @property
    def tail_fields(self) -> list[tuple[int, HeaderColumn]]:
        return [(i, c) for i, c in sorted(self.columns.items()) if c.field in TAIL_FIELDS]

    @property
    def periods(self) -> list[str]:
        return [c.period for _, c in sorted(self.columns.items()) if c.field == "value" and c.period]

    @property
    def has_project_columns(self) -> bool:
        return self.index_of("project_name") is not None

    @property
    def first_indicator_column(self) -> int:
        indexes = [i for i, c in self.columns.items() if c.field not in PROJECT_FIELDS]
        return min(indexes) if indexes else 0

    @property
    def width(self) -> int:
        return max(self.columns) + 1 if self.columns else 0


def read_header(row: Row, vocabulary: Vocabulary) -> HeaderSpec:
    columns = {}
    for index, text in row.filled:
        column = vocabulary.header_column(text)
        if column is not None:
            columns[index] = column
    return HeaderSpec(columns)


@dataclass
class RowReading:
    level1: str | None = None
    level2: str | None = None
    key_task: str | None = None
    level3: str | None = None
    description: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # period -> printed value
    weight: str | None = None
    basis: str | None = None
    reading: str = "positional"
    missing_values: bool = False


def read_by_position(
    cells: list[tuple[int, str]], spec: HeaderSpec, vocabulary: Vocabulary
) -> RowReading | None:
    """The row read column by column, or None when its cells do not line up with the header."""
    by_column = dict(cells)
    for index in by_column:
        if index not in spec.columns or spec.columns[index].field in PROJECT_FIELDS:
            return None
    reading = RowReading()
    for index, column in spec.columns.items():
        text = by_column.get(index)
        if not text:
            continue
        if column.field == "value":
            reading.values[column.period or "annual"] = text
        elif column.field in ("level1", "level2", "key_task", "level3", "description", "weight", "basis"):
            setattr(reading, column.field, text)
    if reading.level1 and vocabulary.level_kind(reading.level1) not in ("level1", "both"):
        return None
    if reading.level2 and vocabulary.level_kind(reading.level2) == "level1":
        return None
    if not reading.level3 or vocabulary.level_kind(reading.level3) is not None:
        return None
    if len(reading.values) < len(spec.periods):
        return None
    if spec.index_of("weight") is not None and (reading.weight is None or not is_amount_like(reading.weight)):
        return None  # a weight column left empty: the cells before it have moved (000 line 331)
    return reading


def read_by_content(cells: list[tuple[int, str]], spec: HeaderSpec, vocabulary: Vocabulary) -> RowReading:
    reading = RowReading(reading="by_content")
    texts = [text for _, text in cells]
    reading.level1, reading.level2, used = take_level_prefix(texts, vocabulary, keep=1)
    rest = cells[used:]
    tail = spec.tail_fields
    value_fields = [c for _, c in tail if c.field == "value"]
    if len(rest) >= 1 + len(value_fields):
        end = len(rest)
        for position, (_, column) in enumerate(reversed(tail)):
            if end <= 1:
                break
            text = rest[end - 1][1]
            if column.field == "weight" and not is_amount_like(text):
                continue  # no weight printed (an OCR slip such as "3O" still counts as one)
            remaining = tail[: len(tail) - 1 - position]
            if column.field == "basis" and looks_like_value(text, vocabulary) and remaining:
                continue
            _assign_tail(reading, column, text)
            end -= 1
        names = rest[:end]
    else:
        names = rest[:1]
        reading.missing_values = True
        for (_, text), column in zip(rest[1:], value_fields, strict=False):
            _assign_tail(reading, column, text)
    _assign_names(reading, names, spec, vocabulary)
    return reading


def _assign_tail(reading: RowReading, column: HeaderColumn, text: str) -> None:
    if column.field == "value":
        reading.values[column.period or "annual"] = text
    elif column.field == "weight":
        reading.weight = text
    else:
        reading.basis = text


def _assign_names(
    reading: RowReading, names: list[tuple[int, str]], spec: HeaderSpec, vocabulary: Vocabulary
) -> None:
    fields = [c.field for _, c in spec.name_fields] or ["level3"]
    surplus = len(names) - len(fields)
    if surplus > 0:
        # Leading extra cells are level names the vocabulary does not know (a new province's words).
        level1_column = spec.index_of("level1")
        for index, text in names[: min(surplus, 2)]:
            if reading.level1 is None and reading.level2 is None and (index == level1_column or surplus >= 2):
                reading.level1 = text
            else:
                reading.level2 = text
        names = names[min(surplus, 2) :]
        if len(names) > len(fields):  # more text than columns: the last field keeps it all
            names = names[: len(fields) - 1] + [
                (names[len(fields) - 1][0], " ".join(t for _, t in names[len(fields) - 1 :]))
            ]
    elif surplus < 0:
        # Fewer names than name columns: the indicator (三级指标) first, then its description; a
        # 重点工作 left blank is carried down from the row above.
        keep = [f for f in ("level3", "description", "key_task") if f in fields][: len(names)]
        fields = [f for f in fields if f in keep]
    for (_, text), field_name in zip(names, fields, strict=False):
        setattr(reading, field_name, text)
