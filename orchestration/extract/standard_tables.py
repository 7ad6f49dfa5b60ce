"""Standard tables a 部门预算 or 部门决算 leaves out, reported as `info`.

The national templates require nine tables of every department (standard_tables.yaml, in terms of
the registry's kinds). A department with no 政府性基金 money may print that table empty with a note,
or leave it out; either is a fact about the department, not a fault of the document. A user
comparing departments needs to tell "has none" from "printed nothing about it", so a left-out table
is a finding naming it, quoting the document's own note where it gives one (本单位无…); a table
printed empty (raw.tables status 'empty', 本表无数据) was published and gets no finding.

This runs in the extraction, beside the table recogniser, rather than as a dbt model: the note a
document prints instead of an omitted table is in its text, which only the grid holds; the tables'
kinds are those the recogniser wrote to raw.tables. Nothing is added to table_kinds.yaml: the sets
are their own data, checked against the registry's kinds when loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ..readers.grid import Grid, squash
from .metadata import DocumentMetadata
from .registry import load_registry

STANDARD_TABLES_PATH = Path(__file__).with_name("standard_tables.yaml")
CHECK_NAME = "standard_table_published"
_CLAUSE = re.compile(r"[^。；;！!]+")
_MAX_NOTE = 120


@dataclass(frozen=True)
class StandardSet:
    """The standard tables of one document type: registry kind -> national title."""

    name: str  # 部门预算, 部门决算
    tables: dict[str, str]


@dataclass(frozen=True)
class StandardTables:
    sets: dict[str, StandardSet]  # doc_type -> its set
    subjects: dict[str, str]  # kind -> what a note of absence names (政府性基金)
    absence: re.Pattern


@cache
def load_standard_tables(path: Path = STANDARD_TABLES_PATH) -> StandardTables:
    """The sets, checked against the registry: a kind it does not know would never be found."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = set(load_registry().kinds)
    sets = {
        doc_type: StandardSet(name=entry["name"], tables=dict(entry["tables"]))
        for doc_type, entry in data["document_types"].items()
    }
    subjects = dict(data.get("subjects") or {})
    unknown = sorted(({k for s in sets.values() for k in s.tables} | set(subjects)) - known)
    if unknown:
        raise ValueError(f"{path.name}: kinds not in the table-kind registry: {', '.join(unknown)}")
    markers = "|".join(map(re.escape, data["absence_markers"]))
    return StandardTables(sets=sets, subjects=subjects, absence=re.compile(markers))


def standard_table_issues(grid: Grid, metadata: DocumentMetadata, tables: list[dict]) -> list[dict]:
    """An `info` issue for each standard table of the document's type that it does not print.

    `tables` are the document's raw.tables rows; a table of the kind counts whatever its status
    (recognised or printed empty). Tables the recogniser could not name are listed in the finding,
    as one of them may be the table under a title the registry does not know yet.
    """
    standard = load_standard_tables()
    expected = standard.sets.get(metadata.doc_type or "")
    if expected is None:
        return []
    printed = {row["table_kind"] for row in tables if row.get("table_kind")}
    unnamed = [row["source_table"] for row in tables if not row.get("table_kind")]
    issues = []
    for kind, title in expected.tables.items():
        if kind in printed:
            continue
        note = _absence_note(grid, standard, kind)
        if note is not None:
            text, line = note
            why = f"the document says: '{text}' (line {line})"
        else:
            why = f"no table of kind {kind} among the document's {len(tables)} tables"
            if unnamed:
                why += f"; tables not recognised, one of which may be it: {', '.join(unnamed)}"
        issues.append(
            {
                "document_key": metadata.document_key,
                "check_name": CHECK_NAME,
                "severity": "info",
                "source_table": None,
                "table_seq": None,
                "detail": f"standard table {title} of a {expected.name} not published: {why}",
            }
        )
    return issues


def _absence_note(grid: Grid, standard: StandardTables, kind: str) -> tuple[str, int] | None:
    """The first clause of the document naming the kind's subject with a marker of absence."""
    subject = standard.subjects.get(kind)
    if subject is None:
        return None
    for row in grid.rows:
        text = squash(row.text)
        if subject not in text:
            continue
        for clause in _CLAUSE.findall(text):
            if subject in clause and standard.absence.search(clause):
                return clause[:_MAX_NOTE], row.line
    return None
