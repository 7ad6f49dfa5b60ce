"""Funding blocks of target tables: 项目资金 / 部门整体资金, 收入 and 支出 lines by period.

Header lines name the flow (收入 / 支出) and the periods of the amount columns ("半年（程） 计划执行数",
"全年（程） 预算数"); a header may be split over lines (002's 干部工作经费 prints the annual column
header on a line of its own). Amount lines are read by content, because cells shift from line to line
(002 prints the same column one cell further left on the next line): a line with as many amounts as
periods takes them in order. A 收入 line with fewer takes the rightmost periods (the revenue side states
the annual budget, the last column). A 支出 line with fewer has a blank cell, and content cannot tell
which: its amount is the last column only when nothing follows it, the first only when it follows the
label directly with blank cells after it (002 line 304 "支出 | 36 | " is the half-year figure with the
annual one blank, never an annual 36); otherwise it is quarantined rather than guessed. A cell
printed as a letter where a digit belongs ("O" for 0) is an amount cell that cannot be read. Every
amount becomes a funding row or is quarantined.
"""

from __future__ import annotations

import re

from ...readers.grid import Row
from ..numbers import is_amount_like, is_digit_lookalike
from .records import Sink, TableContext
from .text import label_key, squash_name
from .vocabulary import Vocabulary

_UNIT_IN_LABEL = re.compile(r"\((万元|元)\)")


class FundingReader:
    def __init__(self, ctx: TableContext, sink: Sink, vocabulary: Vocabulary):
        self.ctx, self.sink, self.vocabulary = ctx, sink, vocabulary
        self.flow: str | None = None
        self.periods: list[str] = []
        self.unit = ctx.unit or "万元"
        self.label: str | None = None
        self.seen_periods: list[str] = []  # every period a header of this block named, in order

    def _period_of(self, text: str) -> str | None:
        key = label_key(text)
        for word, period in self.vocabulary.funding_period_words.items():
            if word in key:
                return period
        return None

    def _flow_of(self, text: str) -> str | None:
        return self.vocabulary.funding_flows.get(label_key(text))

    def is_header(self, row: Row) -> bool:
        texts = [text for _, text in row.filled]
        if not texts or any(is_amount_like(text) for text in texts):
            return False
        first = label_key(texts[0])
        if self.vocabulary.funding_block_label in first and _UNIT_IN_LABEL.search(first):
            return True
        return any(self._period_of(text) for text in texts)

    def read_header(self, row: Row) -> str:
        periods = []
        for _, text in row.filled:
            key = label_key(text)
            unit = _UNIT_IN_LABEL.search(key)
            if unit:
                self.unit = unit.group(1)
            flow = self._flow_of(text)
            if flow:
                self.flow = flow
            period = self._period_of(text)
            if period:
                periods.append(period)
        if periods:
            self.periods = periods
            self.seen_periods += [p for p in periods if p not in self.seen_periods]
        if self.unit and self.ctx.unit is None:
            self.ctx.unit = self.unit
        return "funding_header"

    def read_line(self, row: Row) -> str:
        texts, amounts, positions = [], [], []
        for position, text in row.filled:
            if is_amount_like(text) or (texts and is_digit_lookalike(text)):
                amounts.append(text)
                positions.append(position)
            else:
                texts.append(text)
        flows = [self._flow_of(text) for text in texts]
        for flow in flows:
            if flow:
                self.flow = flow
        labels = [squash_name(t) for t, flow in zip(texts, flows, strict=True) if not flow]
        if not labels and texts:
            labels = [squash_name(texts[0])]
        label = "/".join(label for label in labels if label) or self.label or "资金"
        self.label = label
        if not amounts:
            return "funding_blank"
        flow = self.flow or "revenue"
        periods = self.periods or ["annual"]
        if len(amounts) > len(periods) and len(self.seen_periods) >= len(amounts):
            # The header of this column sat on another header line (002: 半年 under 支出, 全年 under 收入).
            order = list(self.vocabulary.funding_period_words.values())
            periods = sorted(self.seen_periods, key=order.index)
        if len(amounts) > len(periods):
            for raw in amounts[len(periods) :]:
                self.sink.quarantine_cell(
                    self.ctx,
                    row.line,
                    label,
                    "funding",
                    raw,
                    f"more amounts than the {len(periods)} period column(s)",
                )
            amounts = amounts[: len(periods)]
        placed = (
            self._periods_of_fewer(row, positions, periods, flow) if len(amounts) < len(periods) else periods
        )
        if placed is None:
            for raw in amounts:
                self.sink.quarantine_cell(
                    self.ctx,
                    row.line,
                    label,
                    f"{flow}/{'|'.join(periods)}",
                    raw,
                    f"{len(amounts)} amount(s) for the {len(periods)} period columns ({', '.join(periods)}) and a "
                    "blank cell: which period it belongs to cannot be told",
                )
            return "funding"
        paired = list(zip(placed[len(placed) - len(amounts) :], amounts, strict=True))
        block = self.ctx.block
        for period, raw in paired:
            amount = self.sink.funding_line(self.ctx, row.line, label, flow, label, period, raw, self.unit)
            if amount is None:
                continue
            is_total = label_key(label) in self.vocabulary.funding_total_labels
            if is_total and period == "annual" and "budget_amount" not in block.fields:
                block.fields["budget_amount"] = amount
            if is_total and period == "half_year" and flow == "expenditure":
                block.fields.setdefault("half_year_amount", amount)
        return "funding"

    @staticmethod
    def _periods_of_fewer(row: Row, positions: list[int], periods: list[str], flow: str) -> list[str] | None:
        """The periods of a line that prints fewer amounts than its header has periods, or None when
        the blank cell could be any of them (see the module's docstring)."""
        if flow != "expenditure" or not row.cells[positions[-1] + 1 :]:
            return periods[len(periods) - len(positions) :]
        after = row.cells[positions[-1] + 1 :]
        before = row.cells[positions[0] - 1] if positions[0] > 0 else ""
        contiguous = positions == list(range(positions[0], positions[0] + len(positions)))
        missing = len(periods) - len(positions)
        if contiguous and before.strip() and not any(c.strip() for c in after) and len(after) >= missing:
            return periods[: len(positions)]
        return None
