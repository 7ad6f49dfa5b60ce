"""Self-evaluation tables (003, 辽宁 朝阳): 部门（单位）整体绩效自评表 and 预算项目(政策)绩效自评表.

A department-wide table prints its budget, 年度主要任务 lines (对应项目 | 下达金额 | 执行金额 | 执行率 |
分值 | 得分), its goals, then indicators (运算符号 | 指标值 | 度量单位 | 全年完成值 | 完成程度 | 分值 | 得分 |
偏差原因 …) and 总评价得分. A project table prints 预算金额 / 全年执行数 / 执行率, goals, the same
indicator columns and a closing line of scores (指标自评得分小计, 预算执行率得分, 减分项, 绩效自评总得分).

Indicator cells shift freely from row to row, so rows are read by content, anchored on what is
unmistakable: the run of numbers at the end (全年完成值, 完成程度, 分值, 得分 — the first three-or-more
numbers in a row); what precedes is the target (a comparator cell, its number and unit, or a
qualitative text) and before it the level names; what follows is the reason for a deviation and
the improvement planned.
"""

from __future__ import annotations

from ...readers.grid import Grid, Row
from .attributes import is_attribute_row, read_attribute_row
from .indicator_values import (
    IndicatorValue,
    comparator_of,
    is_plain_number,
    is_rate_or_number,
    is_unit,
    parse_indicator_value,
    parse_split_value,
    to_decimal,
)
from .levels import LevelTracker, take_level_prefix
from .records import Sink, TableContext
from .segment import TableSpan, is_indicator_header
from .targets_tabular import clean_cells
from .text import clean_text, label_key
from .vocabulary import Vocabulary


class EvaluationReader:
    def __init__(self, grid: Grid, span: TableSpan, ctx: TableContext, sink: Sink, vocabulary: Vocabulary):
        self.grid, self.span, self.ctx, self.sink, self.vocabulary = grid, span, ctx, sink, vocabulary
        self.tracker = LevelTracker(vocabulary)
        self.unit_assumed = False
        ctx.open_block(grid.rows[span.title_index].line, None, span.department_wide)

    def read(self) -> str:
        rows, ctx, sink, vocabulary = self.grid.rows, self.ctx, self.sink, self.vocabulary
        phase = "attributes"
        for index in range(self.span.start, self.span.stop):
            row = rows[index]
            cells = clean_cells(row)
            texts = [t for _, t in cells]
            key = label_key(texts[0]) if texts else ""
            if not texts:
                role = "blank"
            elif vocabulary.is_closing(texts[0]):
                read_attribute_row(row, ctx, sink, vocabulary)
                sink.role(ctx, index, row.line, "closing")
                ctx.line_end = row.line
                self._finish()
                return "closing_row"
            elif len(texts) == 1 and (
                vocabulary.year_pattern.match(key) or vocabulary.unit_pattern.match(key)
            ):
                unit = vocabulary.unit_pattern.match(key)
                if unit:
                    ctx.unit = unit.group(1)
                role = "meta"
            elif is_indicator_header(row, vocabulary) or (
                phase == "indicators" and self._is_header_continuation(texts)
            ):
                phase, role = "indicators", "header"
            elif all(any(word == label_key(t) for t in texts) for word in vocabulary.task_header):
                phase, role = "tasks", "task_header"
            elif key in vocabulary.goal_header_first and any(
                label_key(t) in vocabulary.goal_header_second for t in texts
            ):
                phase, role = "goal", "goal_header"
            elif phase == "goal":
                self._goal_row(texts)
                phase, role = "after_goal", "goal"
            elif phase == "tasks":
                role = self._task_row(row, texts)
            elif phase == "indicators":
                role = self._indicator_row(row, texts)
            elif is_attribute_row(row, vocabulary):
                read_attribute_row(row, ctx, sink, vocabulary)
                role = "attribute"
            else:
                ctx.notes.append(row.text)
                role = "note"
            sink.role(ctx, index, row.line, role)
            ctx.line_end = row.line
        self._finish()
        return "span_end"

    def _is_header_continuation(self, texts: list[str]) -> bool:
        words = self.vocabulary.evaluation_header_words
        return not any(is_rate_or_number(t) for t in texts) and any(
            w in label_key(t) for t in texts for w in words
        )

    def _without_labels(self, texts: list[str]) -> list[str]:
        return [t for t in texts if label_key(t) not in self.vocabulary.section_labels]

    def _unit(self) -> str:
        if self.ctx.unit is None and not self.unit_assumed:
            self.unit_assumed = True
            self.ctx.notes.append(
                "amounts printed without a unit: 万元 assumed, as in the document's other tables"
            )
        return self.ctx.unit or "万元"

    def _goal_row(self, texts: list[str]) -> None:
        texts = self._without_labels(texts)
        block = self.ctx.block
        for key, label, text in zip(
            ("annual_goal", "actual_outcome"), ("年度目标", "全年完成情况"), texts, strict=False
        ):
            block.attributes[label] = clean_text(text)
            block.fields[key] = clean_text(text)

    # --- 年度主要任务 ------------------------------------------------------------------------------
    def _task_row(self, row: Row, texts: list[str]) -> str:
        texts = self._without_labels(texts)
        names = [t for t in texts if not is_rate_or_number(t)]
        numbers = [t for t in texts if is_rate_or_number(t)]
        ctx, sink = self.ctx, self.sink
        name = names[0] if names else row.text
        if len(numbers) != 5 or len(names) != 1:
            sink.quarantine_cell(
                ctx, row.line, name, "年度主要任务", row.text,
                f"task line with {len(names)} name(s) and {len(numbers)} numbers, 1 and 5 expected: not read",
            )  # fmt: skip
            return "task_unplaced"
        planned, executed, rate, weight, score = numbers
        unit = self._unit()
        levels = self.tracker.resolve(name)
        sink.evaluation(
            ctx,
            row.line,
            "task",
            levels,
            planned_amount=sink.amount(ctx, row.line, name, "项目下达金额", planned, unit),
            executed_amount=sink.amount(ctx, row.line, name, "项目执行金额", executed, unit),
            execution_rate_text=rate,
            weight=to_decimal(weight),
            score=to_decimal(score),
            cell_reading="by_content",
        )
        return "task"

    # --- indicators ---------------------------------------------------------------------------------
    def _indicator_row(self, row: Row, texts: list[str]) -> str:
        ctx, sink, vocabulary = self.ctx, self.sink, self.vocabulary
        texts = self._without_labels(texts)
        run = _number_run(texts)
        if run is None:
            ctx.block.indicator_rows += 1
            sink.quarantine_cell(
                ctx, row.line, texts[0] if texts else row.text, "绩效指标", row.text,
                "indicator line without its 完成程度 / 分值 / 得分 numbers: not read",
            )  # fmt: skip
            return "indicator_unplaced"
        start, end = run
        numbers = texts[start:end]
        completion, weight, score = numbers[-3:]
        if len(numbers) >= 4:
            actual = numbers[-4]
            left = texts[:start] + numbers[:-4]
        else:
            actual = texts[start - 1] if start > 0 else None
            left = texts[: max(start - 1, 0)]
        names, target = self._target(left)
        level1, level2, used = take_level_prefix(names, vocabulary, keep=0)
        names = names[used:]
        if len(names) >= 3 and level1 is None and level2 is None:
            level1, level2, names = names[0], names[1], names[2:]
        elif len(names) == 2 and level2 is None:
            level2, names = names[0], names[1:]
        if level1:
            self.tracker.set_level1(level1)
        if level2:
            self.tracker.set_level2(level2)
        level3 = " ".join(names) if names else None
        levels = self.tracker.resolve(level3)
        ctx.block.indicator_rows += 1
        reasons = [t for t in texts[end:] if t != vocabulary.reason_flag]
        sink.evaluation(
            ctx,
            row.line,
            "indicator",
            levels,
            target=target,
            actual_text=actual,
            actual_value=to_decimal(actual),
            completion_text=completion,
            weight=to_decimal(weight),
            score=to_decimal(score),
            deviation_reason=clean_text(reasons[0]) if reasons else None,
            improvement_measure=clean_text(" ".join(reasons[1:])) if len(reasons) > 1 else None,
            cell_reading="by_content",
        )
        if level3 is None:
            sink.issue(
                ctx,
                "performance_indicator_unnamed",
                "warning",
                f"line {row.line}: indicator without 三级指标 (levels {levels.level1_printed} / {levels.level2_printed}, "
                f"target {target.text})",
            )
        return "indicator"

    def _target(self, left: list[str]) -> tuple[list[str], IndicatorValue]:
        """Split the cells before 全年完成值 into names and the target (运算符号 | 指标值 | 度量单位)."""
        vocabulary = self.vocabulary
        for position, text in enumerate(left):
            if comparator_of(text, vocabulary):
                value = left[position + 1] if position + 1 < len(left) else None
                unit = left[position + 2] if position + 2 < len(left) else None
                return left[:position], parse_split_value(text, value, unit, vocabulary)
        if len(left) >= 3 and is_plain_number(left[-2]) and is_unit(left[-1], vocabulary):
            return left[:-2], parse_split_value(None, left[-2], left[-1], vocabulary)
        if len(left) >= 2:
            return left[:-1], parse_indicator_value(left[-1], vocabulary)
        return left, IndicatorValue(None)

    def _finish(self) -> None:
        if self.ctx.block.is_department_wide:
            return
        if self.ctx.block.project_name is None:
            self.ctx.block.project_name = self.span.title
            self.sink.issue(
                self.ctx,
                "performance_project_unnamed",
                "warning",
                "no project name printed: the title is used",
            )


def _number_run(texts: list[str]) -> tuple[int, int] | None:
    """(start, end) of the first run of three or more numbers: 全年完成值?, 完成程度, 分值, 得分."""
    start = None
    for position, text in enumerate([*texts, ""]):
        if text and is_rate_or_number(text):
            start = position if start is None else start
            continue
        if start is not None and position - start >= 3:
            return start, position
        start = None
    return None
