"""The county target form (001, 山西 稷山县): implementation-period and annual columns side by side.

pdftotext prints each table as lines of space-separated words:
- attributes ("项目名称 X", "主管部门及代码 … 实施单位 …"), a funding block in 元 whose labels wrap
  ("市县（区）财政资" / "金" / "650,000 市县（区）财政资金 603,840"), free-text sections, and a two-column
  goal block ("实施期目标 年度目标" / "总体目标", the two texts one after the other);
- indicator lines "二级指标 三级指标 指标值 二级指标 三级指标 指标值", the second group for the year.
  Narrow cells are cut short and run together: "服务对象满意度指离任主干满意度" is 服务对象满意度指标 +
  离任主干满意度, "各项工作使用资金≤40万元" is a name and its value. Level-2 names (from the
  vocabulary, also with their last character cut) split a line into its two sides; a side's run-together
  text is split with the other side's indicator or the value pattern. A wrapped row prints its
  level-2 names on lines of their own (stacked), each followed by its side's indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...readers.grid import Grid, Row
from ..numbers import is_digit_lookalike
from .attributes import set_text_attribute
from .indicator_values import is_unit, parse_indicator_value, split_comparator
from .levels import resolve_levels
from .records import Sink, TableContext
from .segment import TableSpan
from .text import clean_text, label_key, squash_name
from .vocabulary import Vocabulary

_TRAILING_VALUE = re.compile(r"(\d[\d,.]*)(\D{0,4})$")
_NOT_A_LATIN_LETTER = re.compile(r"$|[^A-Za-z]")


def is_paired_header(row: Row, vocabulary: Vocabulary) -> bool:
    """A header with the level-2 column twice: two groups of indicator columns side by side."""
    fields = [vocabulary.header_column(text) for _, text in row.filled]
    return sum(1 for f in fields if f and f.field == "level2") >= 2


@dataclass
class Token:
    kind: str  # level1 | level2 | text
    text: str  # as printed (level2: the canonical name when cut short)
    printed: str
    run_together: bool = False  # found inside a longer cell


@dataclass
class SideIndicator:
    level3_printed: str | None
    level3_name: str | None
    value: str | None
    reading: str
    note: str | None = None


class CountyTargetReader:
    def __init__(self, grid: Grid, span: TableSpan, ctx: TableContext, sink: Sink, vocabulary: Vocabulary):
        self.grid, self.span, self.ctx, self.sink, self.vocabulary = grid, span, ctx, sink, vocabulary
        self.sides = vocabulary.county_sides
        self.level1: str | None = None
        self.level2: dict[str, str | None] = dict.fromkeys(self.sides)
        self.stacked_side: str | None = None
        self.last_stacked: str | None = None
        self.last_impl: SideIndicator | None = None
        self.empty_slots: list[str] = []
        self.one_sided: list[str] = []
        ctx.open_block(grid.rows[span.title_index].line, None, False)

    # --- the table --------------------------------------------------------------------------------
    def read(self) -> str:
        rows, vocabulary, sink, ctx = self.grid.rows, self.vocabulary, self.sink, self.ctx
        phase = "attributes"
        section: tuple[str, str] | None = None
        funding_rows: list[Row] = []
        goal_rows: list[Row] = []
        for index in range(self.span.start, self.span.stop):
            row = rows[index]
            texts = [t for _, t in row.filled]
            role = "note"
            key = label_key(texts[0]) if texts else ""
            if not texts:
                role = "blank"
            elif vocabulary.is_closing(texts[0]):
                self._finish(funding_rows, goal_rows)
                self._closing(row)
                sink.role(ctx, index, row.line, "closing")
                ctx.line_end = row.line
                return "closing_row"
            elif phase == "indicators":
                role = self._indicator_row(row)
            elif is_paired_header(row, vocabulary):
                self._finish(funding_rows, goal_rows)
                funding_rows, goal_rows = [], []
                phase, role = "indicators", "header"
            elif len(texts) == 1 and texts[0] in vocabulary.vertical_label_chars:
                role = "vertical_label"
            elif vocabulary.year_pattern.match(key):
                role = "meta"
            elif vocabulary.unit_pattern.match(key):
                ctx.unit = vocabulary.unit_pattern.match(key).group(1)
                role = "meta"
            elif phase == "funding" and vocabulary.attribute(texts[0]) is None:
                funding_rows.append(row)
                role = "funding"
            elif vocabulary.funding_block_title.match(key) and len(texts) == 1 and phase == "attributes":
                phase, role = "funding", "funding_header"
            elif tuple(label_key(t) for t in texts) == vocabulary.county_goal_header:
                phase, role = "goal", "goal_header"
            elif phase == "goal":
                if key != vocabulary.county_goal_label:
                    goal_rows.append(row)
                role = "goal"
            elif vocabulary.attribute(texts[0]) is not None:
                phase = "attributes"
                section = self._attribute_row(row)
                role = "attribute"
            elif section is not None:
                set_text_attribute(ctx.block, section[0], section[1], " ".join(texts), joiner="")
                role = "attribute_text"
            else:
                ctx.notes.append(row.text)
            sink.role(ctx, index, row.line, role)
            ctx.line_end = row.line
        self._finish(funding_rows, goal_rows)
        return "span_end"

    def _attribute_row(self, row: Row) -> tuple[str, str] | None:
        """Label/value pairs: each value runs to the next label (or the end of the line)."""
        filled = [t for _, t in row.filled]
        last = None
        position = 0
        while position < len(filled):
            found = self.vocabulary.attribute(filled[position])
            label = filled[position]
            position += 1
            if found is None:
                continue
            _, key, _ = found
            values = []
            # pdftotext splits a value on its spaces: the value runs to the next label
            while position < len(filled) and self.vocabulary.attribute(filled[position]) is None:
                values.append(filled[position])
                position += 1
            set_text_attribute(self.ctx.block, key, label, " ".join(values) if values else None)
            last = (key, label)
        return last

    def _closing(self, row: Row) -> None:
        texts = [t for _, t in row.filled]
        for label, value in zip(texts, texts[1:], strict=False):
            if label_key(label).startswith("填报日期") and re.fullmatch(r"\d+", value):
                self.ctx.block.attributes["填报日期"] = value

    # --- funding and goals --------------------------------------------------------------------------
    def _finish(self, funding_rows: list[Row], goal_rows: list[Row]) -> None:
        if funding_rows:
            self._funding(funding_rows)
        if goal_rows:
            self._goals(goal_rows)
        if self.empty_slots:
            self.ctx.notes.append(
                f"{len(self.empty_slots)} level-2 slot(s) printed without an indicator: {', '.join(self.empty_slots)}"
            )
            self.empty_slots = []
        if self.one_sided:
            self.sink.issue(
                self.ctx,
                "performance_value_missing",
                "info",
                f"{len(self.one_sided)} indicator(s) printed for one period only: {'; '.join(self.one_sided)}",
            )
            self.one_sided = []

    def _funding(self, rows: list[Row]) -> None:
        """Read the funding block as one squashed string, so wrapped labels join up again.

        What follows a label up to the next word is its cell: digits, or digits with letters that look
        like them ("6O3,840"), or such letters alone ("O" for 0) when they are not part of a Latin word. A cell that is not a well-formed amount is quarantined by the sink, never read as 0."""
        text, owner = "", []
        for row in rows:
            piece = label_key(row.text)
            text += piece
            owner += [row] * len(piece)
        totals = self.vocabulary.county_totals
        labels = sorted([*totals, *self.vocabulary.county_sources], key=len, reverse=True)
        label_pattern = "|".join(re.escape(x) for x in labels)
        pattern = re.compile(rf"({label_pattern}):?(-?[\dOoIl][\d,.OoIlS]*)?")
        seen: dict[str, int] = {}
        consumed: list[tuple[int, int]] = []
        unit = self.ctx.unit or "元"
        block = self.ctx.block
        for match in pattern.finditer(text):
            label, raw = match.group(1), match.group(2)
            occurrence = seen.get(label, 0)
            seen[label] = occurrence + 1
            if raw is not None and not any(ch.isdigit() for ch in raw):
                if not (is_digit_lookalike(raw) and _NOT_A_LATIN_LETTER.match(text, match.end(2))):
                    raw = None  # a word after the label, not a cell
            if raw is None:
                continue
            consumed.append(match.span(2))
            period = totals.get(label) or self.sides[min(occurrence, len(self.sides) - 1)]
            row = owner[match.start(2)]
            amount = self.sink.funding_line(self.ctx, row.line, label, "revenue", label, period, raw, unit)
            if amount is not None and label in totals:
                block.fields["budget_amount" if period == "annual" else "implementation_amount"] = amount
        for number in re.finditer(r"\d[\d,]*(?:\.\d+)?", text):
            if not any(start <= number.start() < end for start, end in consumed):
                row = owner[number.start()]
                self.sink.quarantine_cell(
                    self.ctx,
                    row.line,
                    row.text,
                    "项目资金",
                    number.group(0),
                    "amount without a funding label",
                )

    def _goals(self, rows: list[Row]) -> None:
        """The two goal texts print one after the other; the annual one restates the first's opening."""
        lines = [row.text for row in rows]
        opening = squash_name(lines[0])[:6]
        split = next((k for k in range(1, len(lines)) if squash_name(lines[k])[:6] == opening), None)
        block = self.ctx.block
        if split is None:
            set_text_attribute(block, "implementation_goal", "实施期目标", "".join(lines))
            self.ctx.notes.append(
                "the 实施期目标 and 年度目标 texts could not be told apart: both kept as 实施期目标"
            )
            return
        set_text_attribute(block, "implementation_goal", "实施期目标", "".join(lines[:split]))
        set_text_attribute(block, "annual_goal", "年度目标", "".join(lines[split:]))

    # --- indicators ---------------------------------------------------------------------------------
    def _tokens(self, row: Row) -> list[Token]:
        tokens: list[Token] = []
        for position, (_, cell) in enumerate(row.filled):
            kind = self.vocabulary.level_kind(cell)
            if position == 0 and kind == "level1":
                tokens.append(Token("level1", cell, cell))
            elif kind in ("level2", "both"):
                tokens.append(Token("level2", self.vocabulary.level2_entry(cell).name, cell))
            else:
                tokens += self._split_cell(cell)
        return tokens

    def _split_cell(self, cell: str) -> list[Token]:
        """A cell with level-2 names run into it, full or with their last character cut."""
        names = [
            (key, entry.name)
            for key, entry in self.vocabulary.level2_names_longest_first()
            if key.endswith("指标")
        ]
        minimum = self.vocabulary.truncation_min_length
        tokens: list[Token] = []
        text, start, position = cell, 0, 0
        while position < len(text):
            found = None
            for key, canonical in names:
                if text.startswith(key, position):
                    found = (key, canonical)
                    break
                cut = key[:-1]
                if len(cut) >= minimum and text.startswith(cut, position) and position + len(cut) < len(text):
                    found = (cut, canonical)
                    break
            if found is None:
                position += 1
                continue
            if position > start:
                tokens.append(Token("text", text[start:position], text[start:position], True))
            tokens.append(Token("level2", found[1], found[0], True))
            position += len(found[0])
            start = position
        if start < len(text):
            tokens.append(Token("text", text[start:], text[start:], start > 0))
        return tokens

    def _indicator_row(self, row: Row) -> str:
        tokens = self._tokens(row)
        if tokens and tokens[0].kind == "level1":
            self.level1 = tokens[0].printed
            self.level2 = dict.fromkeys(self.sides)
            self.stacked_side = self.last_stacked = None
            tokens = tokens[1:]
        if not tokens:
            return "level_heading"
        segments: list[tuple[Token | None, list[str]]] = []
        for token in tokens:
            if token.kind == "level2" or not segments:
                segments.append((token if token.kind == "level2" else None, []))
            if token.kind == "text":
                segments[-1][1].append(token.text)
        level2_segments = [s for s in segments if s[0] is not None]
        if len(level2_segments) == 1 and len(segments) == 1 and not segments[0][1]:
            # A level-2 name on a line of its own: the indicator below belongs to the next side.
            side = self.sides[1] if self.last_stacked == self.sides[0] else self.sides[0]
            self.level2[side] = segments[0][0].text
            self.stacked_side = self.last_stacked = side
            return "level_heading"
        by_side: dict[str, list[str]] = {}
        printed_sides: set[str] = set()
        if not level2_segments:
            texts = segments[0][1]
            if self.stacked_side is not None:
                by_side[self.stacked_side] = texts
                self.stacked_side = None
            else:
                by_side.update(self._split_sides(texts))
        else:
            self.stacked_side = self.last_stacked = None
            for side, (level2, texts) in zip(self.sides, level2_segments, strict=False):
                self.level2[side] = level2.text
                by_side[side] = texts
                printed_sides.add(side)
            if len(level2_segments) == 1:
                by_side.update(self._split_sides(by_side[self.sides[0]]))
        run_together = any(token.run_together for token in tokens)
        return self._emit_sides(row, by_side, printed_sides, run_together)

    def _split_sides(self, texts: list[str]) -> dict[str, list[str]]:
        """Words of both sides on one line: the annual side restates the indicator's name."""
        first = squash_name(texts[0]) if texts else ""
        for k in range(1, len(texts)):
            other = squash_name(texts[k])
            if first and (other.startswith(first) or (len(other) >= 4 and first.startswith(other))):
                return {self.sides[0]: texts[:k], self.sides[1]: texts[k:]}
        return {self.sides[0]: texts}

    def _emit_sides(
        self, row: Row, by_side: dict[str, list[str]], printed_sides: set[str], run_together: bool
    ) -> str:
        results: dict[str, SideIndicator] = {}
        for side in self.sides:
            texts = by_side.get(side)
            if not texts:
                continue
            first_side = side == self.sides[0]
            indicator = self._read_side(
                texts, None if first_side else (results.get(self.sides[0]) or self.last_impl)
            )
            if run_together and indicator.reading != "split":
                indicator.reading = "split"
            results[side] = indicator
            if first_side:
                self.last_impl = indicator
            self._emit(row, side, indicator)
        for side in sorted(printed_sides - set(results), key=self.sides.index):
            if results:
                name = next(iter(results.values())).level3_name
                self.one_sided.append(f"line {row.line} {name} (nothing for {side})")
            else:
                self.empty_slots.append(f"{self.level2[side]} ({side}, line {row.line})")
        return "indicator" if results else "empty_slot"

    def _read_side(self, texts: list[str], reference: SideIndicator | None) -> SideIndicator:
        if len(texts) >= 2:
            name = " ".join(texts[:-1])
            return SideIndicator(name, squash_name(name), texts[-1], "by_content")
        text = texts[0]
        if reference is not None and reference.level3_name:
            name, value = reference.level3_name, reference.value or ""
            squashed = squash_name(text)
            if value and squashed == name + squash_name(value):
                return SideIndicator(name, name, value, "split")
            if squashed.startswith(name) and len(squashed) > len(name):
                return SideIndicator(
                    name, name, text[len(name) :] if text.startswith(name) else squashed[len(name) :], "split"
                )
            if value and squashed.endswith(squash_name(value)):
                prefix = squashed[: -len(squash_name(value))]
                if prefix and name.startswith(prefix):
                    note = f"三级指标 printed cut short as {prefix}: completed from the other period"
                    return SideIndicator(prefix, name, value, "split", note)
            if squashed == name:
                return SideIndicator(text, name, None, "by_content")
        return self._split_by_value(text)

    def _split_by_value(self, text: str) -> SideIndicator:
        """A name run into its value: split at a comparator, or before a trailing number and unit."""
        for position in range(1, len(text)):
            comparator, _ = split_comparator(text[position:], self.vocabulary)
            if comparator:
                return SideIndicator(text[:position], squash_name(text[:position]), text[position:], "split")
        trailing = _TRAILING_VALUE.search(text)
        if (
            trailing
            and trailing.start() > 0
            and (not trailing.group(2) or is_unit(trailing.group(2), self.vocabulary))
        ):
            name = text[: trailing.start()]
            return SideIndicator(name, squash_name(name), text[trailing.start() :], "split")
        return SideIndicator(text, squash_name(text), None, "by_content")

    def _emit(self, row: Row, side: str, indicator: SideIndicator) -> None:
        ctx, sink = self.ctx, self.sink
        ctx.block.indicator_rows += 1
        levels = resolve_levels(
            self.vocabulary,
            self.level1,
            self.level2.get(side),
            indicator.level3_printed,
            indicator.level3_name,
            indicator.note,
        )
        if indicator.value is None:
            sink.quarantine_cell(
                ctx, row.line, indicator.level3_printed or row.text, "指标值", row.text,
                f"{side} indicator printed without a target value",
            )  # fmt: skip
            return
        value = parse_indicator_value(clean_text(indicator.value), self.vocabulary)
        sink.target(ctx, row.line, side, levels, value, reading=indicator.reading)
