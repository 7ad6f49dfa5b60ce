"""What a recogniser knows about the table it reads, and the one place its records are written.

Every printed amount a recogniser meets ends in exactly one of two calls: `emit` (a fact, or set
aside when the cell is unreadable or its column ambiguous) or `quarantine` (set aside with a reason).
Both build their record from the printed (row, column) in one method each — `cell_record` and
`quarantine_record` — so what a record says about where it was printed is decided in one place.
A cell that states a sum (table_kinds.yaml `sum_lines`) handed to `emit` blank is kept as a blank
total, so that reconciliation can say the total is missing where its parts carry amounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ...readers.grid import Row
from ..columns import Column
from ..numbers import is_amount_like, parse_amount, to_wan_yuan
from ..registry import Registry, TableKind, strip_numbering
from ..segment import TableBlock
from .records import DIMENSIONS, CellRecord, QuarantineRecord


def cell_text(row: Row, index: int) -> str:
    return row.cells[index].strip() if index < len(row.cells) else ""


def coded_row_cells(row: Row, name: str | None, columns: Iterable[Column]) -> tuple[str | None, Iterator]:
    """What a row of a coded table (function or economic classes) gives each of its cells: the row's
    name without its numbering (一、 …), and (column, cell as printed) for every column it prints in."""
    cells = ((column, cell_text(row, column.index)) for column in columns)
    return (strip_numbering(name) if name else None), ((column, raw) for column, raw in cells if raw)


@dataclass
class TableOutput:
    """What one table yields: its records and issues, gathered before they join the document's."""

    cells: list[CellRecord] = field(default_factory=list)
    quarantine: list[QuarantineRecord] = field(default_factory=list)
    # sums printed blank (amount None, raw_value "")
    blank_totals: list[CellRecord] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    budget_projects: list = field(default_factory=list)


class TableContext:
    """Everything a recogniser needs about the table it reads, and the sinks it writes to."""

    def __init__(self, block: TableBlock, meta, registry: Registry, unit: str, reference):
        self.block = block
        self.meta = meta
        self.registry = registry
        self.unit = unit
        self.kind: TableKind = block.kind
        self.reference = reference
        self.out = TableOutput()
        self.row_seq = 0
        self.economic_class: str | None = None  # the 类 an economic table's rows are under

    @property
    def facts(self) -> int:
        return len(self.out.cells)

    @property
    def quarantined(self) -> int:
        return len(self.out.quarantine)

    # -- the two records, each built in one place ---------------------------------------------------
    def quarantine_record(self, row: Row, label: str, column: Column | None, raw: str, reason: str):
        column_label = column.label if column else ""
        return QuarantineRecord(
            document_key=self.meta.document_key,
            table_seq=self.block.seq,
            source_table=self.block.title,
            source_row=label,
            line_number=row.line,
            column_label=column_label,
            raw_value=raw,
            reason=(
                f"{self.meta.source_name}, table {self.block.title!r}, row {label!r}, "
                f"column {column_label!r}, {row.locator()}: {reason}"
            ),
            # a cell of unknown column is located by its row
            **row.provenance(column.index if column else None),
        )

    def cell_record(self, row: Row, label: str, column: Column, raw: str, amount, fact_table: str, dims):
        unknown = set(dims) - DIMENSIONS
        if unknown:
            raise TypeError(f"not a dimension of a cell: {sorted(unknown)}")
        return CellRecord(
            document_key=self.meta.document_key,
            table_seq=self.block.seq,
            table_kind=self.kind.name,
            kind_priority=self.kind.priority,
            source_table=self.block.title,
            source_row=label,
            row_seq=self.row_seq,
            line_number=row.line,
            column_label=column.label,
            col_seq=column.index + 1,
            raw_value=raw,
            amount=None if amount is None else to_wan_yuan(amount, self.unit),
            source_unit=self.unit,
            fact_table=fact_table,
            phase=self.meta.phase,
            **row.provenance(column.index),
            **{k: v for k, v in dims.items() if v is not None},
        )

    # -- sinks ----------------------------------------------------------------------------------------
    def quarantine(self, row: Row, label: str, column: Column | None, raw: str, reason: str) -> None:
        """The one way to set a printed amount aside: a record naming where it was printed and why."""
        self.out.quarantine.append(self.quarantine_record(row, label, column, raw, reason))

    def emit(self, row: Row, label: str, column: Column, raw: str, fact_table: str, **dims) -> None:
        """One amount cell: quarantined if unreadable or its column is ambiguous, else a fact. A blank
        cell states nothing; where its meaning is a sum of other lines it is recorded as a blank total."""
        amount = parse_amount(raw)
        if amount.problem:
            self.quarantine(row, label, column, raw, amount.problem)
            return
        if amount.value is None:  # blank, "-" or "—": the cell states nothing
            if not raw.strip() and not column.problem and self.registry.states_a_sum(dims):
                self.out.blank_totals.append(self.cell_record(row, label, column, "", None, fact_table, dims))
            return
        if column.problem:
            self.quarantine(row, label, column, raw, column.problem)
            return
        self.out.cells.append(self.cell_record(row, label, column, raw, amount.value, fact_table, dims))

    def issue(self, check: str, severity: str, detail: str) -> None:
        self.out.issues.append(
            {
                "document_key": self.meta.document_key,
                "check_name": check,
                "severity": severity,
                "source_table": self.block.title,
                "table_seq": self.block.seq,
                "detail": detail,
            }
        )

    # -- setting aside whole rows or columns (all through `quarantine`) -------------------------------
    def unplaceable(self, row: Row, label: str, columns: list[Column], reason: str) -> None:
        """Quarantine every printed amount of a row whose meaning cannot be established."""
        for column in columns:
            raw = cell_text(row, column.index)
            if raw and is_amount_like(raw):
                self.quarantine(row, label, column, raw, reason)

    def unknown_row(self, row: Row, label: str, columns: list[Column], check: str, reason: str) -> None:
        """A row whose label the registry or the classification does not know: its printed amounts are
        quarantined and the table gets a warning, so a new wording shows up in the report."""
        if any(is_amount_like(cell_text(row, c.index)) for c in columns):
            self.unplaceable(row, label, columns, reason)
            self.issue(check, "warning", f"row {label!r}: {reason}")

    def unmeasured(self, row: Row, label: str, column: Column, raw: str) -> None:
        """A printed amount under a header that names no canonical measure."""
        amount = parse_amount(raw)
        if amount.value is not None or amount.problem:
            self.quarantine(row, label, column, raw, f"column {column.label!r} has no canonical measure")
