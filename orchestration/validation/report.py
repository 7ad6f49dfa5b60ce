"""The data-quality report of a refresh: what every document held, what passed, what did not, and why.

Users must be able to see every problem a source has, so each refresh prints a summary (the CLI shows
`summary_lines()`) and writes `<warehouse>/data_quality_report.md`: per document, the tables found, the
facts published, the reconciliation checks passed and failed with their details, and every quarantined
cell with its reason, each finding and cell with the place it is printed (page, sheet cell, table cell
or line); documents that could not be read are listed first, each with its reason. Everything is read
from the warehouse dbt built (raw.*, marts.dq_issue, marts.quarantined_row, marts.fct_*,
intermediate.int_reconciliation_checks / int_table_status), opened read-only; a relation that is
missing (dbt did not get that far) is reported as missing, not guessed. The report holds no timestamp,
so the same warehouse gives the same file.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from ..warehouse.build import report_index_path
from ..warehouse.build_state import BuildInputs, warehouse_build_inputs

SEVERITIES = ("error", "warning", "info")
SEVERITY_HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Info (rounding gaps and notes)"}
REPORT_FILE_NAME = "data_quality_report.md"
# fct_source_cell lists the cells behind published facts; it is not a fact table of the contract.
NOT_FACT_TABLES = ("fct_source_cell",)


@dataclass(frozen=True)
class TableFound:
    table_seq: int
    source_table: str
    table_kind: str | None
    status: str
    numeric_cells: int
    facts: int
    quarantined: int
    published: bool | None  # None: the warehouse does not say (dbt did not run)
    failed_checks: str | None


@dataclass(frozen=True)
class Finding:
    severity: str
    check_name: str
    source_table: str | None
    detail: str
    source_page: int | None = None
    source_locator: str | None = None  # the printed cell the finding is about, when it names one


@dataclass(frozen=True)
class QuarantinedCell:
    source_table: str | None
    source_row: str | None
    column_label: str | None
    raw_value: str | None
    reason: str
    source_page: int | None = None
    source_locator: str | None = (
        None  # where it is printed: 'page 8, table 1, row 12, cell 5', 'line 120, cell 4'
    )


def not_read_line(source_name: str, status: str, error: str | None) -> str:
    """How every output names a document that yielded nothing, on one line: "unreadable: x.zip — a ZIP
    archive, not a document: …" (status `failed` when the extraction stopped on it). The reason as the
    reader gave it, without the file name it repeats."""
    reason = error or "no reason recorded"
    if reason.startswith(f"{source_name}: "):
        reason = reason[len(source_name) + 2 :]
    return f"{status}: {source_name} — {reason}"


@dataclass
class DocumentQuality:
    document_key: str
    source_name: str
    status: str  # read | unreadable | failed
    error: str | None
    description: str
    tables: list[TableFound] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)  # fact table -> rows published
    checks: dict[str, Counter] = field(default_factory=dict)  # check_name -> outcome -> count
    findings: list[Finding] = field(default_factory=list)
    quarantined: list[QuarantinedCell] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    @property
    def tables_held_back(self) -> list[TableFound]:
        return [table for table in self.tables if table.published is False]


# Documents named one by one in the printed summary; the rest are counted (the report lists them all).
SUMMARY_DOCUMENTS = 20
# Documents read from the warehouse and written at a time: memory follows a batch, not the corpus.
REPORT_BATCH = 500


@dataclass(frozen=True)
class DocumentWithErrors:
    source_name: str
    status: str
    error: str | None
    errors: int
    held_back: str  # "table 5 <title> (<checks>); ..." of the tables the errors hold back


@dataclass
class Overview:
    """The corpus in a few numbers, read from the warehouse with SQL (never document by document)."""

    documents: int = 0
    read: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    with_errors: list[DocumentWithErrors] = field(default_factory=list)
    by_check: list[tuple[str, str, int, int]] = field(default_factory=list)  # check, severity, n, documents
    missing_relations: list[str] = field(default_factory=list)

    def counts_by_severity(self) -> dict[str, int]:
        return {severity: self.by_severity.get(severity, 0) for severity in SEVERITIES}

    @property
    def not_read(self) -> list[DocumentWithErrors]:
        return [doc for doc in self.with_errors if doc.status != "read"]

    def summary_lines(self, limit: int = SUMMARY_DOCUMENTS) -> list[str]:
        """What the CLI prints after a refresh: counts by severity and the first `limit` documents with
        errors (the report lists every one)."""
        counts = self.counts_by_severity()
        lines = [
            f"data quality: {self.documents} documents ({self.read} read, {self.documents - self.read} "
            f"unreadable); {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info; "
            f"{self.quarantined} cells quarantined"
        ]
        for doc in self.with_errors[:limit]:
            if doc.status != "read":
                lines.append(f"  {not_read_line(doc.source_name, doc.status, doc.error)}")
                continue
            held = f"; held back: {doc.held_back}" if doc.held_back else ""
            lines.append(f"  {doc.source_name}: {doc.errors} errors{held}")
        if len(self.with_errors) > limit:
            lines.append(
                f"  … and {len(self.with_errors) - limit} more documents with errors "
                "(all in the report and in marts.dq_issue)"
            )
        if self.missing_relations:
            lines.append("  not in the warehouse: " + ", ".join(self.missing_relations))
        return lines

    def header_markdown(self, database_name: str) -> list[str]:
        counts = self.counts_by_severity()
        out = [
            "# Data-quality report",
            "",
            f"Warehouse `{database_name}`: {self.documents} documents; "
            f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info (rounding gaps "
            "and notes). A table with an error-level finding publishes no facts: its cells are quarantined. "
            "How the checks work: orchestration/validation/reconciliation.md.",
            "",
        ]
        if self.missing_relations:
            out += ["Not in the warehouse (dbt did not build them): " + ", ".join(self.missing_relations), ""]
        if self.by_check:
            out += [
                "## Findings by check",
                "",
                "| check | severity | findings | documents |",
                "|---|---|---|---|",
            ]
            out += [f"| {check} | {sev} | {n} | {docs} |" for check, sev, n, docs in self.by_check]
            out.append("")
        errors = self.with_errors
        out.append(
            "Documents with errors: " + (", ".join(d.source_name for d in errors) if errors else "none")
        )
        out.append("")
        not_read = self.not_read
        out += [f"## Documents that could not be read ({len(not_read)})", ""]
        if not_read:
            out += [
                "Each is skipped with an error in `dq_issue` and its reason in `dim_document.document_error`; "
                "the other documents are published, and `cnbudget refresh` says so in its exit status.",
                "",
            ]
            out += [f"- {_cell(not_read_line(d.source_name, d.status, d.error))}" for d in not_read]
        else:
            out.append("none")
        out.append("")
        return out


@dataclass
class DataQualityReport:
    """A report held in memory (tests, small warehouses); `write_report` streams one to a file."""

    duckdb_path: Path
    documents: list[DocumentQuality]
    overview: Overview

    @property
    def missing_relations(self) -> list[str]:
        return self.overview.missing_relations

    def counts_by_severity(self) -> dict[str, int]:
        return self.overview.counts_by_severity()

    def summary_lines(self) -> list[str]:
        return self.overview.summary_lines()

    def write_markdown(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.markdown(), encoding="utf-8")
        return path

    def markdown(self) -> str:
        out = self.overview.header_markdown(self.duckdb_path.name)
        for doc in self.documents:
            out += _document_markdown(doc)
        return "\n".join(out).rstrip() + "\n"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _document_markdown(doc: DocumentQuality) -> list[str]:
    out = [f"## {doc.source_name}", ""]
    if doc.status != "read":
        return out + [f"Not read and skipped ({doc.status}): {doc.error}", ""]
    out += [
        doc.description,
        "",
        f"{doc.count('error')} errors, {doc.count('warning')} warnings, {doc.count('info')} info; "
        f"{sum(doc.facts.values())} facts published; {len(doc.quarantined)} cells quarantined.",
        "",
        "### Tables found",
        "",
        "| # | table | kind | status | numeric cells | facts | quarantined | published |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in doc.tables:
        published = {True: "yes", False: f"no: {t.failed_checks}", None: "?"}[t.published]
        out.append(
            f"| {t.table_seq} | {_cell(t.source_table)} | {_cell(t.table_kind)} | {t.status} | "
            f"{t.numeric_cells} | {t.facts} | {t.quarantined} | {_cell(published)} |"
        )
    out += ["", "### Facts published", ""]
    out += [f"- {table}: {rows}" for table, rows in sorted(doc.facts.items()) if rows] or ["- none"]
    out += ["", "### Checks", "", "| check | passed | rounding gaps | failed |", "|---|---|---|---|"]
    for check, outcomes in sorted(doc.checks.items()):
        failed = sum(n for outcome, n in outcomes.items() if outcome not in ("pass", "rounding_gap"))
        out.append(f"| {check} | {outcomes.get('pass', 0)} | {outcomes.get('rounding_gap', 0)} | {failed} |")
    for severity in SEVERITIES:
        findings = [f for f in doc.findings if f.severity == severity]
        if findings:
            out += ["", f"### {SEVERITY_HEADINGS[severity]}: {len(findings)}", ""]
            out += [
                f"- `{f.check_name}` in {_cell(f.source_table or 'the document')}"
                + (f" at {_cell(f.source_locator)}" if f.source_locator else "")
                + f": {f.detail}"
                for f in findings
            ]
    out += ["", f"### Quarantined cells ({len(doc.quarantined)})", ""]
    if doc.quarantined:
        out += ["| table | row | column | printed at | value | reason |", "|---|---|---|---|---|---|"]
        out += [
            f"| {_cell(q.source_table)} | {_cell(q.source_row)} | {_cell(q.column_label)} | "
            f"{_cell(q.source_locator)} | {_cell(q.raw_value)} | {_cell(q.reason)} |"
            for q in doc.quarantined
        ]
    else:
        out.append("none")
    return out + [""]


# -- reading the warehouse ------------------------------------------------------------------------


class _Warehouse:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        self.relations = {f"{schema}.{name}" for schema, name in rows}
        self.keys: list[str] | None = None  # the documents read (None: all)

    def rows(self, relation: str, sql: str) -> list[tuple]:
        """Rows of `sql` (which reads `relation`), or none when the relation was never built (the
        overview names it: `_READS`). `sql` may say `{documents}` where it keeps only the documents of
        `keys`."""
        if relation not in self.relations:
            return []
        if self.keys is None:
            return self.con.execute(sql.replace("{documents}", "true")).fetchall()
        condition = "document_key in (select unnest($keys))"
        return self.con.execute(sql.replace("{documents}", condition), {"keys": self.keys}).fetchall()


def build_report(duckdb_path: Path | str) -> DataQualityReport:
    """Read the warehouse (read-only) into a report of every document it holds."""
    duckdb_path = Path(duckdb_path)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        warehouse = _Warehouse(con)
        overview = _overview(warehouse, _document_rows(warehouse))
        documents = _read_documents(warehouse)
    return DataQualityReport(duckdb_path, list(documents.values()), overview)


def write_report(
    duckdb_path: Path | str, path: Path | str, batch: int = REPORT_BATCH, previous: Path | str | None = None
) -> Overview:
    """Write the report of every document to `path`, reading and writing `batch` documents at a time
    (the same text as `build_report(...).write_markdown(path)`); return the overview.

    `previous`: the report of an earlier build of this warehouse. A document's section is a function of
    its own rows in per-document models alone, so the section of a document whose input version is the
    same under the same dbt project (warehouse/build_state.py `BuildInputs`) is copied from `previous`
    instead of read from the warehouse and rendered. Where each section is, and its sha256, is kept in
    an index beside the report (warehouse/build.py `report_index_path`); a section whose bytes do not
    match their hash (the index and the report from different runs) is rendered as if nothing were
    kept. The header (the overview) is always computed anew. On the 10,000-document corpus with one
    document changed: 10 s -> ~1 s.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        warehouse = _Warehouse(con)
        rows = _document_rows(warehouse)
        overview = _overview(warehouse, rows)
        inputs = warehouse_build_inputs(con)
        kept = _KeptSections(previous, inputs)
        sections: list[list] = []
        with path.open("wb") as out, kept:
            header = "\n".join(overview.header_markdown(Path(duckdb_path).name)).encode("utf-8")
            position = out.write(header)
            keys = [key for key, *_ in rows]
            last = b""
            for start in range(0, len(keys), batch):
                part = keys[start : start + batch]
                taken = {key: section for key in part if (section := kept.section(key)) is not None}
                warehouse.keys = [key for key in part if key not in taken]
                rendered = _read_documents(warehouse) if warehouse.keys else {}
                for key in part:
                    section = taken.get(key)
                    if section is None:
                        section = "\n".join(_document_markdown(rendered[key])).encode("utf-8")
                    position += out.write(b"\n")
                    version = inputs.documents.get(key) if inputs else None
                    sections.append([key, version, position, len(section), _sha256(section)])
                    position += out.write(section)
                    last = section
            # The text ends with one newline, as the in-memory report's (which strips the last section's
            # end). The index keeps that section's own bytes: if they differ here, it is rendered next time.
            end = (last or header).rstrip() + b"\n"
            out.seek(position - len(last or header))
            out.write(end)
            out.truncate()
    index = {
        "project": inputs.project if inputs else None,
        "renderer": renderer_version(),
        "sections": sections,
    }
    report_index_path(path).write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
    return overview


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def renderer_version() -> str:
    """The hash of this module, which renders the sections: a section written by other code is not
    copied (the dbt project and the input versions say nothing of how a section is written)."""
    return _sha256(Path(__file__).read_bytes())


class _KeptSections:
    """The sections of an earlier report that can be copied: documents built from the same inputs as
    then (same project, same input version), written by this code, read one at a time and only if their
    bytes match the index."""

    def __init__(self, previous: Path | str | None, inputs: BuildInputs | None) -> None:
        self.entries: dict[str, tuple[int, int, str]] = {}
        self.handle = None
        if previous is None or inputs is None:
            return
        try:
            index = json.loads(report_index_path(Path(previous)).read_text(encoding="utf-8"))
            if index.get("project") != inputs.project or index.get("renderer") != renderer_version():
                return
            for key, version, offset, length, digest in index.get("sections", []):
                if version is not None and inputs.documents.get(key) == version:
                    self.entries[key] = (int(offset), int(length), str(digest))
            self.handle = Path(previous).open("rb")
        except (OSError, ValueError, TypeError, AttributeError):
            self.entries = {}

    def section(self, key: str) -> bytes | None:
        entry = self.entries.get(key)
        if entry is None or self.handle is None:
            return None
        offset, length, digest = entry
        self.handle.seek(offset)
        section = self.handle.read(length)
        return section if len(section) == length and _sha256(section) == digest else None

    def __enter__(self) -> _KeptSections:
        return self

    def __exit__(self, *_exc) -> None:
        if self.handle is not None:
            self.handle.close()


def _read_documents(warehouse: _Warehouse) -> dict[str, DocumentQuality]:
    documents = _documents(warehouse)
    _add_tables(warehouse, documents)
    _add_facts(warehouse, documents)
    _add_checks(warehouse, documents)
    _add_findings(warehouse, documents)
    _add_quarantine(warehouse, documents)
    return documents


def _overview(warehouse: _Warehouse, document_rows: list[tuple]) -> Overview:
    """Counts, findings by check and the documents with errors (of `document_rows`, every document as
    `_document_rows` reads it), each in one query over the warehouse."""
    overview = Overview()
    for status, n in warehouse.rows("raw.documents", "select status, count(*) from raw.documents group by 1"):
        overview.documents += n
        overview.read += n if status == "read" else 0
    overview.by_severity = dict(
        warehouse.rows("marts.dq_issue", "select severity, count(*) from marts.dq_issue group by 1")
    )
    overview.quarantined = sum(
        n for (n,) in warehouse.rows("marts.quarantined_row", "select count(*) from marts.quarantined_row")
    )
    overview.by_check = warehouse.rows(
        "marts.dq_issue",
        "select check_name, severity, count(*), count(distinct document_key) from marts.dq_issue "
        "group by check_name, severity order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, "
        "3 desc, check_name",
    )
    errors = dict(
        warehouse.rows(
            "marts.dq_issue",
            "select document_key, count(*) from marts.dq_issue where severity = 'error' group by 1",
        )
    )
    held: dict[str, list[str]] = {}
    for key, seq, title, failed in warehouse.rows(
        "intermediate.int_table_status",
        "select s.document_key, s.table_seq, t.source_table, s.failed_checks "
        "from intermediate.int_table_status s join raw.tables t using (document_key, table_seq) "
        "where s.is_published = false order by s.document_key, s.table_seq",
    ):
        held.setdefault(key, []).append(f"table {seq} {title} ({failed})")
    for key, name, status, error, *_ in document_rows:
        if status != "read" or errors.get(key):
            overview.with_errors.append(
                DocumentWithErrors(name, status, error, errors.get(key, 0), "; ".join(held.get(key, [])))
            )
    overview.missing_relations = sorted(r for r in _READS if r not in warehouse.relations)
    return overview


# What the report reads; one that dbt did not build is named in the report, not guessed.
_READS = (
    "raw.documents",
    "raw.tables",
    "intermediate.int_table_status",
    "intermediate.int_reconciliation_checks",
    "marts.dq_issue",
    "marts.quarantined_row",
)


def _document_rows(warehouse: _Warehouse) -> list[tuple]:
    return warehouse.rows(
        "raw.documents",
        "select document_key, source_name, status, error, department_name, fiscal_year, doc_type "
        "from raw.documents where {documents} order by source_name, document_key",
    )


def _documents(warehouse: _Warehouse) -> dict[str, DocumentQuality]:
    documents = {}
    for key, name, status, error, department, year, doc_type in _document_rows(warehouse):
        description = " ".join(str(part) for part in (department, year, doc_type) if part) or "(no metadata)"
        documents[key] = DocumentQuality(key, name, status, error, description)
    return documents


def _add_tables(warehouse: _Warehouse, documents: dict[str, DocumentQuality]) -> None:
    status = {
        (key, seq): (published, failed)
        for key, seq, published, failed in warehouse.rows(
            "intermediate.int_table_status",
            "select document_key, table_seq, is_published, failed_checks from intermediate.int_table_status "
            "where {documents}",
        )
    }
    for key, seq, title, kind, table_status, numeric, facts, quarantined in warehouse.rows(
        "raw.tables",
        "select document_key, table_seq, source_table, table_kind, status, numeric_cells, facts, quarantined "
        "from raw.tables where {documents} order by document_key, table_seq",
    ):
        if key in documents:
            published, failed = status.get((key, seq), (None, None))
            documents[key].tables.append(
                TableFound(seq, title, kind, table_status, numeric, facts, quarantined, published, failed)
            )


def _add_facts(warehouse: _Warehouse, documents: dict[str, DocumentQuality]) -> None:
    fact_tables = sorted(
        relation.split(".", 1)[1]
        for relation in warehouse.relations
        if relation.startswith("marts.fct_") and relation.split(".", 1)[1] not in NOT_FACT_TABLES
    )
    for table in fact_tables:
        sql = f"select document_key, count(*) from marts.{table} where {{documents}} group by document_key"
        for key, rows in warehouse.rows(f"marts.{table}", sql):
            if key in documents:
                documents[key].facts[table] = rows


def _add_checks(warehouse: _Warehouse, documents: dict[str, DocumentQuality]) -> None:
    for key, check, outcome, n in warehouse.rows(
        "intermediate.int_reconciliation_checks",
        "select document_key, check_name, outcome, count(*) from intermediate.int_reconciliation_checks "
        "where {documents} group by all order by all",
    ):
        if key in documents:
            documents[key].checks.setdefault(check, Counter())[outcome] += n


def _add_findings(warehouse: _Warehouse, documents: dict[str, DocumentQuality]) -> None:
    order = "case severity when 'error' then 0 when 'warning' then 1 else 2 end"
    for key, severity, check, table, detail, page, locator in warehouse.rows(
        "marts.dq_issue",
        "select document_key, severity, check_name, source_table, detail, source_page, source_locator "
        f"from marts.dq_issue where {{documents}} order by document_key, {order}, table_seq nulls first, "
        "check_name, detail",
    ):
        if key in documents:
            documents[key].findings.append(Finding(severity, check, table, detail, page, locator))


def _add_quarantine(warehouse: _Warehouse, documents: dict[str, DocumentQuality]) -> None:
    for key, table, row, column, raw, reason, page, locator in warehouse.rows(
        "marts.quarantined_row",
        "select document_key, source_table, source_row, column_label, raw_value, reason, source_page, "
        "source_locator from marts.quarantined_row where {documents} order by document_key, table_seq nulls first, "
        "source_line nulls first, column_label, raw_value, reason, source_locator",
    ):
        if key in documents:
            documents[key].quarantined.append(QuarantinedCell(table, row, column, raw, reason, page, locator))
