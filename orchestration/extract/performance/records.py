"""Where the readers of performance tables put what they read: rows for the raw tables.

Readers call `Sink` methods with what a row means (a target, an evaluation, an amount, a cell that
could not be placed); the sink builds the rows with exactly the raw tables' columns, numbers them
and keeps the per-table accounting that raw.tables reports (items read = facts + quarantined).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from ...warehouse.raw_schema_performance import performance_columns
from ..numbers import parse_amount, to_wan_yuan
from .indicator_values import IndicatorValue
from .levels import Levels
from .vocabulary import load_vocabulary


@dataclass
class Block:
    """One project (or the department) within a performance table."""

    block_seq: int
    line_number: int
    project_name: str | None
    is_department_wide: bool
    attributes: dict[str, str] = field(default_factory=dict)  # label as printed -> text
    fields: dict[str, object] = field(default_factory=dict)  # canonical column -> value
    indicator_rows: int = 0
    target_facts: int = 0
    evaluation_facts: int = 0


@dataclass
class TableContext:
    document_key: str
    table_seq: int
    source_table: str
    table_kind: str
    unit: str | None
    line_start: int
    line_end: int
    blocks: list[Block] = field(default_factory=list)
    items: int = 0  # printed values read: indicator values, amounts, scores
    facts: int = 0
    quarantined: int = 0
    notes: list[str] = field(default_factory=list)
    row_seq: int = 0

    @property
    def block(self) -> Block:
        return self.blocks[-1]

    def open_block(self, line: int, project_name: str | None, department_wide: bool) -> Block:
        block = Block(len(self.blocks) + 1, line, project_name, department_wide)
        self.blocks.append(block)
        return block

    def next_row_seq(self) -> int:
        self.row_seq += 1
        return self.row_seq


def _row(table: str, **values) -> dict:
    columns = performance_columns(table)
    unknown = set(values) - set(columns)
    if unknown:  # a programming error, never a data problem
        raise KeyError(f"{table}: unknown columns {sorted(unknown)}")
    return {column: values.get(column) for column in columns}


@dataclass
class Sink:
    document_key: str
    targets: list[dict] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    row_roles: list[dict] = field(default_factory=list)

    # --- bookkeeping --------------------------------------------------------------------------
    def role(self, ctx: TableContext, row_index: int, line: int, role: str) -> None:
        """What each grid row of a table was read as: the accounting test checks none is skipped."""
        self.row_roles.append(
            {"document_key": self.document_key, "table_seq": ctx.table_seq, "row_index": row_index,
             "line_number": line, "role": role}
        )  # fmt: skip

    def issue(self, ctx: TableContext | None, check: str, severity: str, detail: str) -> None:
        self.issues.append(
            {
                "document_key": self.document_key,
                "check_name": check,
                "severity": severity,
                "source_table": ctx.source_table if ctx else None,
                "table_seq": ctx.table_seq if ctx else None,
                "detail": detail,
            }
        )

    def quarantine_cell(
        self, ctx: TableContext, line: int, source_row: str, column: str, raw: str | None, reason: str
    ) -> None:
        ctx.items += 1
        ctx.quarantined += 1
        self.quarantine.append(
            {
                "document_key": self.document_key,
                "table_seq": ctx.table_seq,
                "source_table": ctx.source_table,
                "source_row": source_row,
                "line_number": line,
                "column_label": column,
                "raw_value": raw,
                "reason": f"{ctx.source_table} line {line} ({source_row}): {reason}",
            }
        )

    # --- facts --------------------------------------------------------------------------------
    def target(
        self,
        ctx: TableContext,
        line: int,
        period: str,
        levels: Levels,
        value: IndicatorValue,
        *,
        description: str | None = None,
        key_task: str | None = None,
        weight: Decimal | None = None,
        basis: str | None = None,
        reading: str = "positional",
    ) -> None:
        block = ctx.block
        ctx.items += 1
        ctx.facts += 1
        block.target_facts += 1
        self.targets.append(
            _row(
                "performance_target",
                **self._indicator_place(ctx, line, levels),
                project_amount=block.fields.get("budget_amount"),
                period=period,
                **levels.columns(),
                indicator_description=description,
                key_task=key_task,
                target_text=value.text,
                comparator=value.comparator,
                target_value=value.value,
                target_unit=value.unit,
                weight=weight,
                basis=basis,
                cell_reading=reading,
                note=levels.note,
            )
        )

    def _indicator_place(self, ctx: TableContext, line: int, levels: Levels) -> dict:
        """Where an indicator row of a target or evaluation table stands: document, table, block, row."""
        block = ctx.block
        return {
            "document_key": self.document_key,
            "table_seq": ctx.table_seq,
            "block_seq": block.block_seq,
            "row_seq": ctx.next_row_seq(),
            "source_table": ctx.source_table,
            "source_row": levels.level3_printed or levels.level2_printed or levels.level1_printed or "",
            "line_number": line,
            "project_name": block.project_name,
            "unit_name": block.fields.get("department_name"),
        }

    def evaluation(self, ctx: TableContext, line: int, row_kind: str, levels: Levels, **values) -> None:
        block = ctx.block
        ctx.items += 1
        ctx.facts += 1
        block.evaluation_facts += 1
        target: IndicatorValue = values.pop("target", IndicatorValue(None))
        self.evaluations.append(
            _row(
                "performance_evaluation",
                **self._indicator_place(ctx, line, levels),
                row_kind=row_kind,
                **levels.columns(),
                target_text=target.text,
                comparator=target.comparator,
                target_value=target.value,
                target_unit=target.unit,
                note=levels.note,
                **values,
            )
        )

    def amount(
        self, ctx: TableContext, line: int, source_row: str, column: str, raw: str, unit: str
    ) -> Decimal | None:
        """An amount cell in 万元, or None after quarantining it with the reason."""
        parsed = parse_amount(raw)
        if parsed.value is None:
            self.quarantine_cell(ctx, line, source_row, column, raw, parsed.problem or "no amount printed")
            return None
        return to_wan_yuan(parsed.value, unit)

    def funding_line(
        self,
        ctx: TableContext,
        line: int,
        source_row: str,
        flow: str,
        item_name: str,
        period: str,
        raw: str,
        unit: str,
    ) -> Decimal | None:
        amount = self.amount(ctx, line, source_row, f"{flow}/{period}", raw, unit)
        if amount is None:
            return None
        ctx.items += 1
        ctx.facts += 1
        block = ctx.block
        self.funding.append(
            _row(
                "performance_funding",
                document_key=self.document_key,
                table_seq=ctx.table_seq,
                block_seq=block.block_seq,
                source_table=ctx.source_table,
                source_row=source_row,
                line_number=line,
                project_name=block.project_name,
                flow=flow,
                item_name=item_name,
                line_role=load_vocabulary().funding_line_role(flow, item_name),
                period=period,
                raw_value=raw,
                amount=amount,
                source_unit=unit,
            )
        )
        return amount

    # --- tables and projects ------------------------------------------------------------------
    def close_table(self, ctx: TableContext) -> None:
        for block in ctx.blocks:
            fields = dict(block.fields)
            self.projects.append(
                _row(
                    "performance_project",
                    document_key=self.document_key,
                    table_seq=ctx.table_seq,
                    block_seq=block.block_seq,
                    source_table=ctx.source_table,
                    line_number=block.line_number,
                    table_kind=ctx.table_kind,
                    is_department_wide=block.is_department_wide,
                    project_name=block.project_name,
                    source_unit=ctx.unit,
                    attributes=json.dumps(block.attributes, ensure_ascii=False, sort_keys=True)
                    if block.attributes
                    else None,
                    indicator_rows=block.indicator_rows,
                    target_facts=block.target_facts,
                    evaluation_facts=block.evaluation_facts,
                    **fields,
                )
            )
        self.tables.append(
            {
                "document_key": self.document_key,
                "table_seq": ctx.table_seq,
                "source_table": ctx.source_table,
                "table_kind": ctx.table_kind,
                "status": "recognised",
                "unit": ctx.unit,
                "line_start": ctx.line_start,
                "line_end": ctx.line_end,
                "numeric_cells": ctx.items,
                "facts": ctx.facts,
                "quarantined": ctx.quarantined,
                "note": "; ".join(ctx.notes) if ctx.notes else None,
            }
        )
