"""Target tables laid out as a grid: 000's project list table, 002's province forms, 004's sections.

One reader serves the three, because they differ only in which parts they print:
- 000 prints one table for all projects: a header with 单位名称 / 项目名称 / 年度资金总额 / 年度绩效目标
  before the indicator columns; a row that fills them starts a project, the rows below continue it;
- 002 prints one table per project (or for the department): attribute rows (项目名称, 主管部门, …),
  a funding block (收入 / 支出 by half-year and year), goals, then indicator rows with half-year and
  annual values (and a 重点工作 column in the department's 履职 rows);
- 004 prints one table per project, named by its numbered title, with a 绩效目标 row and indicator
  rows (指标值确定依据, no amounts); Word page breaks split some rows in two, joined back here.
"""

from __future__ import annotations

import re

from ...readers.grid import Grid, Row
from ..numbers import is_amount_like
from .attributes import is_attribute_row, read_attribute_row, set_text_attribute
from .funding import FundingReader
from .indicator_rows import HeaderSpec, RowReading, read_by_content, read_by_position, read_header
from .indicator_values import looks_like_value, parse_indicator_value, to_decimal
from .levels import LevelTracker
from .records import Sink, TableContext
from .segment import TableSpan, is_indicator_header
from .text import clean_text, label_key
from .vocabulary import Vocabulary


def project_name_from_title(title: str, vocabulary: Vocabulary) -> str | None:
    """004 names each table after its project: "1、“老党员驿站”维护运行经费绩效目标表"."""
    text = title.strip()
    numbering = vocabulary.numbering_prefix.match(text)
    if not numbering:
        return None
    text = text[numbering.end() :].strip()
    for suffix in vocabulary.data["titles"]["target"]:
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
    return text or None


def clean_cells(row: Row) -> list[tuple[int, str]]:
    cells = []
    for index, text in row.filled:
        cleaned = clean_text(text)
        if cleaned:
            cells.append((index, cleaned))
    return cells


class TabularTargetReader:
    def __init__(self, grid: Grid, span: TableSpan, ctx: TableContext, sink: Sink, vocabulary: Vocabulary):
        self.grid, self.span, self.ctx, self.sink, self.vocabulary = grid, span, ctx, sink, vocabulary
        self.tracker = LevelTracker(vocabulary)
        self.funding = FundingReader(ctx, sink, vocabulary)
        self.spec: HeaderSpec | None = None
        self.by_content_lines: list[int] = []
        self._last_text: tuple[str, str] | None = None
        self.inferred_levels = 0
        title_line = grid.rows[span.title_index].line
        name = None if span.department_wide else project_name_from_title(span.title, vocabulary)
        ctx.open_block(title_line, name, span.department_wide)

    def read(self) -> str:
        """Read the span's rows; return why the table ended (closing_row | single_row | span_end)."""
        rows = self.grid.rows
        phase = "pre"
        last_text: tuple[str, str] | None = None
        index = self.span.start
        while index < self.span.stop:
            row = rows[index]
            if phase == "indicators":
                merged = self._join_split_row(index)
                if merged is not None:
                    self.sink.role(self.ctx, index, row.line, "indicator")
                    self.sink.role(self.ctx, index + 1, rows[index + 1].line, "indicator_continuation")
                    self._indicator_row(merged)
                    self.ctx.line_end = rows[index + 1].line
                    index += 2
                    continue
            role = self._row(row, clean_cells(row), phase, last_text)
            if role == "end":
                break
            self.sink.role(self.ctx, index, row.line, role)
            self.ctx.line_end = row.line
            if role == "closing":
                self._finish()
                return "closing_row"
            if role == "header":
                phase = "indicators"
            elif role.startswith("funding") and phase == "pre":
                phase = "funding"
            if role == "attribute":
                last_text = self._last_text
            elif role != "attribute_text":
                last_text = None
            index += 1
        else:
            self._finish()
            return "span_end"
        self._finish()
        return "single_row"

    # --- rows ---------------------------------------------------------------------------------
    def _row(
        self, row: Row, cells: list[tuple[int, str]], phase: str, last_text: tuple[str, str] | None
    ) -> str:
        vocabulary = self.vocabulary
        if not cells:
            return "blank"
        first = cells[0][1]
        if vocabulary.is_closing(first):
            return "closing"
        if is_indicator_header(row, vocabulary):
            self.spec = read_header(row, vocabulary)
            return "header"
        if len(cells) == 1:
            key = label_key(first)
            if phase == "indicators":
                return "end"
            unit = vocabulary.unit_pattern.match(key)
            if unit:
                self.ctx.unit = unit.group(1)
                self.funding.unit = unit.group(1)
                return "meta"
            if vocabulary.year_pattern.match(key):
                return "meta"
            if phase == "funding" and vocabulary.attribute(first) is None:
                if self.funding.is_header(row):
                    return self.funding.read_header(row)
                return self.funding.read_line(row)
            if last_text is not None:
                set_text_attribute(self.ctx.block, last_text[0], last_text[1], first)
                return "attribute_text"
            if vocabulary.attribute(first) is None:
                self.ctx.notes.append(first)
                return "note"
        if phase == "indicators":
            self._indicator_row(row)
            return "indicator"
        if is_attribute_row(row, vocabulary):
            self._last_text = read_attribute_row(row, self.ctx, self.sink, vocabulary)
            return "attribute"
        if self.funding.is_header(row):
            return self.funding.read_header(row)
        if phase == "funding":
            return self.funding.read_line(row)
        if not any(is_amount_like(text) or looks_like_value(text, vocabulary) for _, text in cells):
            self.ctx.notes.append(row.text)
            return "note"
        self.sink.quarantine_cell(
            self.ctx, row.line, first, "row", row.text, "row with values not recognised before the indicators"
        )
        return "unplaced"

    def _join_split_row(self, index: int) -> Row | None:
        """A Word table row broken by a page: the two halves together have the header's width."""
        if self.grid.layout != "cell_per_line" or self.spec is None or index + 1 >= self.span.stop:
            return None
        row, following = self.grid.rows[index], self.grid.rows[index + 1]
        width = self.spec.width
        if len(row.cells) >= width or len(row.cells) + len(following.cells) != width:
            return None
        if is_indicator_header(following, self.vocabulary) or not row.filled or not following.filled:
            return None
        return Row(line=row.line, cells=row.cells + following.cells)

    # --- indicators ---------------------------------------------------------------------------
    def _indicator_row(self, row: Row) -> None:
        spec = self.spec
        cells = clean_cells(row)
        if spec.has_project_columns and self._starts_project(row, cells):
            self._open_project(row, cells)
            cells = [(i, t) for i, t in cells if i >= spec.first_indicator_column]
        # Cell positions mean something only in layouts that keep them (not pdftotext's).
        by_position = read_by_position(cells, spec, self.vocabulary) if self.grid.positional else None
        reading = by_position or read_by_content(cells, spec, self.vocabulary)
        self._emit(row, reading)

    def _starts_project(self, row: Row, cells: list[tuple[int, str]]) -> bool:
        by_column = dict(cells)
        name = by_column.get(self.spec.index_of("project_name"))
        amount_column = self.spec.index_of("project_amount")
        if not name or self.vocabulary.level_kind(name) is not None:
            return False
        # An amount with an OCR slip ("2OO") still opens the project: the amount is then quarantined.
        return amount_column is None or is_amount_like(by_column.get(amount_column) or "")

    def _open_project(self, row: Row, cells: list[tuple[int, str]]) -> None:
        spec, ctx = self.spec, self.ctx
        by_column = dict(cells)
        block = ctx.block
        if block.indicator_rows or block.project_name:
            block = ctx.open_block(row.line, None, False)
        block.line_number = row.line
        block.project_name = by_column.get(spec.index_of("project_name"))
        unit_name = (
            by_column.get(spec.index_of("unit_name")) if spec.index_of("unit_name") is not None else None
        )
        if unit_name:
            set_text_attribute(block, "department_name", "单位名称", unit_name)
        goal_column = spec.index_of("annual_goal")
        if goal_column is not None and by_column.get(goal_column):
            set_text_attribute(block, "annual_goal", "年度绩效目标", by_column[goal_column])
        amount_column = spec.index_of("project_amount")
        if amount_column is not None and by_column.get(amount_column):
            unit = spec.columns[amount_column].unit or ctx.unit or "万元"
            amount = self.sink.funding_line(
                ctx,
                row.line,
                block.project_name,
                "revenue",
                "年度资金总额",
                "annual",
                by_column[amount_column],
                unit,
            )
            if amount is not None:
                block.fields["budget_amount"] = amount
        self.tracker.reset()

    def _emit(self, row: Row, reading: RowReading) -> None:
        ctx, tracker, sink = self.ctx, self.tracker, self.sink
        if reading.level1:
            tracker.set_level1(reading.level1)
        if reading.level2:
            tracker.set_level2(reading.level2)
        if reading.key_task:
            tracker.key_task = reading.key_task
        if not reading.level3 and not reading.values:
            return  # a level name on its own
        ctx.block.indicator_rows += 1
        if reading.reading == "by_content":
            self.by_content_lines.append(row.line)
        levels = tracker.resolve(reading.level3)
        if levels.note:
            self.inferred_levels += 1
        label = levels.level3_printed or row.text
        if not reading.values:
            sink.quarantine_cell(
                ctx, row.line, label, "指标值", None, "indicator printed without a target value"
            )
            return
        weight = None
        if reading.weight is not None:
            weight = to_decimal(reading.weight)
            if weight is None:
                sink.quarantine_cell(ctx, row.line, label, "权重", reading.weight, "weight is not a number")
        periods = self.spec.periods or ["annual"]
        missing = [p for p in periods if p not in reading.values]
        for period in periods:
            if period not in reading.values:
                continue
            sink.target(
                ctx,
                row.line,
                period,
                levels,
                parse_indicator_value(reading.values[period], self.vocabulary),
                description=clean_text(reading.description),
                key_task=tracker.key_task,
                weight=weight,
                basis=clean_text(reading.basis),
                reading=reading.reading,
            )
        if missing:
            sink.issue(
                ctx,
                "performance_value_missing",
                "warning",
                f"line {row.line} ({label}): no {'/'.join(missing)} value printed "
                f"(row reads {' | '.join(t for _, t in row.filled)})",
            )
        if not reading.level3:
            sink.issue(
                ctx,
                "performance_indicator_unnamed",
                "warning",
                f"line {row.line}: indicator without 三级指标",
            )

    def _finish(self) -> None:
        ctx, sink = self.ctx, self.sink
        if self.by_content_lines:
            lines = ", ".join(str(n) for n in self.by_content_lines)
            sink.issue(
                ctx,
                "performance_cells_shifted",
                "info",
                f"{len(self.by_content_lines)} indicator row(s) do not line up with the header and were read by "
                f"content (level names from the vocabulary, values from the right): lines {lines}",
            )
        if self.inferred_levels:
            sink.issue(
                ctx,
                "performance_level_inferred",
                "info",
                f"{self.inferred_levels} indicator row(s) carry a level-1 name taken from their level-2 name "
                "(see the note column)",
            )
        for block in ctx.blocks:
            if not block.is_department_wide and block.project_name is None:
                block.project_name = re.sub(r"\s+", "", self.span.title)
                sink.issue(
                    ctx,
                    "performance_project_unnamed",
                    "warning",
                    "no project name printed: the title is used",
                )
