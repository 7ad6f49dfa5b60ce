"""What extracting one document yields: rows for each raw table, ready for the warehouse.

Rows are plain dicts keyed by the raw tables' column names (see warehouse/raw_schema.py), money as
`Decimal` in 万元. Keeping the result a plain container lets the same extraction feed the
warehouse, the tests and the benchmark without any of them knowing about the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocumentExtraction:
    source_name: str
    document: dict
    tables: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    blank_totals: list[dict] = field(default_factory=list)  # sums printed blank (raw.blank_totals)
    issues: list[dict] = field(default_factory=list)
    # raw performance tables (performance_target, performance_evaluation, performance_project) -> rows
    performance: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def document_key(self) -> str:
        return self.document["document_key"]

    def rows_for(self, raw_table: str) -> list[dict]:
        """The rows of one raw table, whichever part of the extraction produced them."""
        if raw_table == "documents":
            return [self.document]
        if raw_table in ("tables", "cells", "quarantine", "blank_totals"):
            return getattr(self, raw_table)
        if raw_table == "dq_issue":
            return self.issues
        return self.performance.get(raw_table, [])
