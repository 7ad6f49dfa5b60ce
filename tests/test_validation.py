"""Validation: reconciliation, quarantine and the data-quality report, on the seeds and on documents
derived from them.

Two warehouses, each built once per session:
- `seeds_refresh` (conftest): the five seed documents plus a garbage file, refreshed through the CLI as a
  user would run it;
- `derived`: four documents generated here from the seed text (never committed): 003 with one child
  amount changed, 004 with a cell printed as "4.5O", 001 re-encoded as GBK with CRLF line ends, and 000
  with one performance-target amount changed; extracted by the pipeline, built by dbt.
The real problems of the seeds (001's tables 5 and 6, pasted from another department) are read off the
documents: tables 1-4 of 001 state 450.05 where table 5 totals 234.12 and table 6 1705.54.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import GARBAGE_NAME, SEEDS_DIR, UNREADABLE_REASONS
from helpers_dbt import run_dbt

from orchestration.cli import EXIT_DOCUMENTS_NOT_READ
from orchestration.extract.metadata import document_key as document_key_for
from orchestration.extract.pipeline import extract_document, extract_sources
from orchestration.validation.report import REPORT_FILE_NAME, build_report, write_report
from orchestration.warehouse.load import write_raw

SEED = {
    "000": "000_3dc14b99499346cd.txt",
    "001": "001_c9601cb349fb6821.txt",
    "002": "002_0851205fe117d4ca.txt",
    "003": "003_fea1944156b82701.txt",
    "004": "004_909d9174802cb080.txt",
}
KEY = {seed: document_key_for(name) for seed, name in SEED.items()}

CHILD_CHANGED = "003_child_amount_changed.txt"
UNREADABLE_CELL = "004_cell_printed_13.5O.txt"
# 13.50 printed as "4.5O": a cell of one integer digit cannot explain the 13.50 its parent misses
UNREADABLE_TOO_SMALL = "004_cell_13.50_printed_4.5O.txt"
GBK_CRLF = "001_gbk_crlf.txt"
TARGET_AMOUNT_CHANGED = "000_target_amount_changed.txt"


def seed_text(seed: str) -> str:
    return (SEEDS_DIR / SEED[seed]).read_text(encoding="utf-8")


def rows(duckdb_path: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _replace_cell(line: str, index: int, old: str, new: str) -> str:
    cells = line.split("\t")
    assert cells[index] == old, (line, index, old)
    cells[index] = new
    return "\t".join(cells)


# -- documents derived from the seeds ----------------------------------------------------------------


def child_amount_changed() -> str:
    """003: in 支出决算表 (line 411), 2013201 行政运行's total 806.84 becomes 816.84; nothing else changes."""
    lines = seed_text("003").split("\n")
    title = lines.index("支出决算表")
    row = next(i for i in range(title, len(lines)) if lines[i].startswith("2013201\t"))
    lines[row] = _replace_cell(lines[row], 2, "806.84", "816.84")
    return "\n".join(lines)


def unreadable_cell(printed: str = "13.5O") -> str:
    """004: in the 基本支出表, 生活补助's total (13.50, line 1858) is printed as "13.5O" (an OCR slip), or as
    another unreadable text."""
    lines = seed_text("004").split("\n")
    title = next(i for i, line in enumerate(lines) if line.endswith("部门预算一般公共预算财政拨款基本支出表"))
    label = next(i for i in range(title, len(lines)) if lines[i] == "\t生活补助")
    assert lines[label + 1] == "\t13.50"
    lines[label + 1] = f"\t{printed}"
    return "\n".join(lines)


def target_amount_changed() -> str:
    """000: the 项目支出绩效目标表 gives 公务员培训经费 351 instead of the 350 its project table budgets this year."""
    lines = seed_text("000").split("\n")
    row = next(i for i, line in enumerate(lines) if "\t公务员培训经费\t350\t" in line)
    lines[row] = _replace_cell(lines[row], 2, "350", "351")
    return "\n".join(lines)


def derived_documents() -> dict[str, bytes]:
    return {
        CHILD_CHANGED: child_amount_changed().encode("utf-8"),
        UNREADABLE_CELL: unreadable_cell().encode("utf-8"),
        UNREADABLE_TOO_SMALL: unreadable_cell("4.5O").encode("utf-8"),
        GBK_CRLF: seed_text("001").replace("\n", "\r\n").encode("gbk"),
        TARGET_AMOUNT_CHANGED: target_amount_changed().encode("utf-8"),
    }


@pytest.fixture(scope="session")
def derived(tmp_path_factory) -> Path:
    """The derived documents, extracted by the pipeline and built by dbt (models and seeds) once."""
    root = tmp_path_factory.mktemp("validation_derived")
    sources = root / "sources"
    sources.mkdir()
    for name, data in derived_documents().items():
        (sources / name).write_bytes(data)
    duckdb_path = root / "cnbudget.duckdb"
    with duckdb.connect(str(duckdb_path)) as con:
        write_raw(con, extract_sources(sources))
    build = run_dbt(["build", "--exclude", "resource_type:test"], duckdb_path, root)
    assert build.returncode == 0, build.stdout[-4000:]
    return duckdb_path


@pytest.fixture(scope="session")
def seeds(seeds_refresh) -> Path:
    assert seeds_refresh.result.returncode == EXIT_DOCUMENTS_NOT_READ, (
        seeds_refresh.result.stdout[-4000:] + seeds_refresh.result.stderr
    )
    return seeds_refresh.duckdb_path


def issues(duckdb_path: Path, document_key: str, severity: str) -> list[tuple]:
    return rows(
        duckdb_path,
        "select table_seq, check_name, detail from marts.dq_issue where document_key = ? and severity = ? "
        "order by table_seq, check_name, detail",
        document_key,
        severity,
    )


def fact_tables(duckdb_path: Path) -> list[str]:
    return [
        name
        for (name,) in rows(
            duckdb_path,
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name like 'fct_%' order by table_name",
        )
    ]


# -- the seeds ---------------------------------------------------------------------------------------


def test_001_tables_5_and_6_are_errors_and_their_cells_quarantined(seeds):
    errors = issues(seeds, KEY["001"], "error")
    assert {(seq, check) for seq, check, _ in errors} == {
        (5, "same_figure_across_tables"),
        (6, "same_figure_across_tables"),
    }
    details = [detail for _, _, detail in errors]
    # table 5 totals 234.12 where tables 1, 3 and 4 state 450.05; table 6's basic total is 1705.54, table 3's 301.21
    assert any("expected 450.05, found 234.12" in d and "3 of the 4 tables" in d for d in details), details
    assert any("expenditure basic" in d and "expected 301.21, found 1705.54" in d for d in details), details
    # every printed number of tables 5 and 6 is in quarantine, none is a fact
    printed = rows(
        seeds,
        "select table_seq, numeric_cells from raw.tables where document_key = ? and table_seq in (5, 6) order by 1",
        KEY["001"],
    )
    assert printed == [(5, 53), (6, 89)]
    quarantined = rows(
        seeds,
        "select table_seq, count(*), count(*) filter (where reason like 'table failed same_figure_across_tables%') "
        "from marts.quarantined_row where document_key = ? and table_seq in (5, 6) group by 1 order by 1",
        KEY["001"],
    )
    assert quarantined == [
        (5, 53, 53),
        (6, 89, 9),
    ]  # table 6's 80 cross-classified cells were quarantined before
    for table in fact_tables(seeds):
        published = rows(
            seeds,
            f"select count(*) from marts.{table} where document_key = ? and table_seq in (5, 6)",
            KEY["001"],
        )
        assert published == [(0,)], table


def test_001_tables_1_to_4_and_12_publish(seeds):
    status = dict(
        rows(
            seeds,
            "select table_seq, is_published from intermediate.int_table_status where document_key = ?",
            KEY["001"],
        )
    )
    assert all(status[seq] for seq in (1, 2, 3, 4, 12)), status
    published = dict(
        rows(
            seeds,
            "select table_seq, count(*) from marts.fct_source_cell where document_key = ? group by 1",
            KEY["001"],
        )
    )
    assert all(published.get(seq, 0) > 0 for seq in (1, 2, 3, 4, 12)), published
    facts = rows(
        seeds,
        "select amount, table_seq from marts.fct_expenditure_by_function where document_key = ? "
        "and function_code = '201' and expenditure_type = 'total' and fund_scope = 'all'",
        KEY["001"],
    )
    assert facts == [(Decimal("388.14"), 3)]


def test_001_pasted_tables_print_function_codes_the_all_funds_table_lacks(seeds):
    warnings = issues(seeds, KEY["001"], "warning")
    missing = sorted(
        d.split(" ")[0] for seq, check, d in warnings if check == "function_code_in_all_funds_table"
    )
    assert missing == ["20128", "20134", "20807"]
    assert {seq for seq, check, _ in warnings if check == "function_code_in_all_funds_table"} == {5}


def test_rounding_gaps_are_info_not_errors(seeds):
    # 003: 社会保障和就业支出 is 124.99 in the two summary tables and 124.98 in the two expenditure tables
    info_003 = issues(seeds, KEY["003"], "info")
    gaps = [(seq, d) for seq, check, d in info_003 if check == "same_figure_across_tables"]
    assert sorted(seq for seq, _ in gaps) == [3, 5]
    assert all("expected 124.99" in d and "found 124.98" in d and "rounding gap" in d for _, d in gaps), gaps
    # 000: 组织事务 prints 11824.07, its four 项 add up to 11824.06 (in 支出预算总表 and 一般公共预算支出预算表)
    info_000 = issues(seeds, KEY["000"], "info")
    hierarchy = [d for _, check, d in info_000 if check == "function_hierarchy" and "20132" in d]
    assert len(hierarchy) == 2
    assert all(
        "expected 11824.06" in d and "found 11824.07" in d and "tolerance 0.03" in d for d in hierarchy
    )
    assert issues(seeds, KEY["003"], "error") == [] and issues(seeds, KEY["000"], "error") == []


def test_the_seeds_raise_no_error_but_the_real_problems_of_the_documents(seeds):
    errors = rows(
        seeds,
        "select distinct d.source_name, i.table_seq, i.check_name from marts.dq_issue i "
        "join raw.documents d using (document_key) where i.severity = 'error' and d.status = 'read' order by all",
    )
    assert errors == [
        (SEED["001"], 5, "same_figure_across_tables"),
        (SEED["001"], 6, "same_figure_across_tables"),
    ]
    held_back = rows(
        seeds,
        "select s.document_key, s.table_seq from intermediate.int_table_status s "
        "join raw.documents d using (document_key) where not s.is_published and d.status = 'read' order by all",
    )
    assert held_back == [(KEY["001"], 5), (KEY["001"], 6)]


def test_a_garbage_file_among_the_sources_is_reported_and_the_run_completes(seeds):
    documents = dict(rows(seeds, "select source_name, status from raw.documents"))
    assert documents == {
        **{name: "read" for name in SEED.values()},
        **{name: "unreadable" for name in UNREADABLE_REASONS},
    }
    errors = issues(seeds, document_key_for(GARBAGE_NAME), "error")
    assert [(check, GARBAGE_NAME in detail) for _, check, detail in errors] == [("document_readable", True)]
    summary = build_report(seeds).summary_lines()
    line = f"unreadable: {GARBAGE_NAME} — {UNREADABLE_REASONS[GARBAGE_NAME]}"
    assert [row.strip() for row in summary if GARBAGE_NAME in row] == [line], summary


def test_the_data_quality_report_of_the_seeds(seeds, tmp_path):
    report = build_report(seeds)
    by_severity = dict(rows(seeds, "select severity, count(*) from marts.dq_issue group by 1"))
    assert report.counts_by_severity() == {s: by_severity.get(s, 0) for s in ("error", "warning", "info")}
    assert report.missing_relations == []
    # the overview (SQL over the whole warehouse) names the documents the per-document read finds
    with_errors = [d.source_name for d in report.overview.with_errors]
    assert with_errors == [d.source_name for d in report.documents if d.count("error") or d.status != "read"]
    assert with_errors == [
        SEED["001"],
        *sorted(UNREADABLE_REASONS),
    ]
    first = report.summary_lines()[0]
    documents = f"{5 + len(UNREADABLE_REASONS)} documents (5 read, {len(UNREADABLE_REASONS)} unreadable)"
    assert f"{by_severity['error']} errors" in first and documents in first
    doc_001 = next(d for d in report.documents if d.source_name == SEED["001"])
    assert [t.table_seq for t in doc_001.tables_held_back] == [5, 6]
    assert doc_001.checks["same_figure_across_tables"]["fail"] == doc_001.count("error")
    assert (
        len(doc_001.quarantined)
        == rows(seeds, "select count(*) from marts.quarantined_row where document_key = ?", KEY["001"])[0][0]
    )
    path = report.write_markdown(tmp_path / REPORT_FILE_NAME)
    text = path.read_text(encoding="utf-8")
    for name in [*SEED.values(), *UNREADABLE_REASONS]:
        assert f"## {name}" in text
    assert "expected 450.05, found 234.12" in text  # the finding, with where it is
    assert "row is cross-classified" in text  # a quarantined cell with its reason
    assert "| same_figure_across_tables |" in text  # checks passed and failed
    assert build_report(seeds).write_markdown(tmp_path / "again.md").read_text(encoding="utf-8") == text
    # what a refresh writes: the same text, read and written a few documents at a time
    overview = write_report(seeds, tmp_path / "streamed.md", batch=2)
    assert (tmp_path / "streamed.md").read_text(encoding="utf-8") == text
    assert overview.summary_lines() == report.summary_lines()
    (findings, documents), *_ = rows(
        seeds,
        "select count(*), count(distinct document_key) from marts.dq_issue "
        "where check_name = 'same_figure_across_tables' and severity = 'error'",
    )
    assert f"| same_figure_across_tables | error | {findings} | {documents} |" in text  # corpus-wide
    assert overview.summary_lines(limit=0)[1:] == [
        f"  … and {len(with_errors)} more documents with errors (all in the report and in marts.dq_issue)"
    ]


def test_a_report_takes_over_the_sections_of_documents_built_from_the_same_inputs(
    seeds, tmp_path, monkeypatch
):
    """A document's section is copied from the previous report when its input version and the dbt project
    are the same and its bytes match the index; anything else is rendered from the warehouse. The text
    is the same either way."""
    import json

    from orchestration.validation import report as report_module
    from orchestration.warehouse.build import report_index_path

    first = tmp_path / "first" / REPORT_FILE_NAME
    write_report(seeds, first, batch=2)
    text = first.read_text(encoding="utf-8")
    rendered: list[str] = []
    real = report_module._document_markdown
    monkeypatch.setattr(
        report_module, "_document_markdown", lambda doc: rendered.append(doc.source_name) or real(doc)
    )

    def again(previous: Path, name: str) -> str:
        rendered.clear()
        path = tmp_path / name / REPORT_FILE_NAME
        write_report(seeds, path, batch=2, previous=previous)
        return path.read_text(encoding="utf-8")

    assert again(first, "same") == text and rendered == []
    # a section whose bytes no longer match the index is rendered, not copied
    tampered = tmp_path / "tampered" / REPORT_FILE_NAME
    tampered.parent.mkdir()
    tampered.write_bytes(first.read_bytes().replace(b"found 234.12", b"found 999.99"))
    report_index_path(tampered).write_bytes(report_index_path(first).read_bytes())
    assert again(tampered, "after_tampered") == text and rendered == [SEED["001"]]
    # a document built from other inputs (its input version differs) is rendered
    index = json.loads(report_index_path(first).read_text(encoding="utf-8"))
    for section in index["sections"]:
        if section[0] == KEY["002"]:
            versions_002, section[1] = section[1], "another input"
    report_index_path(first).write_text(json.dumps(index), encoding="utf-8")
    assert again(first, "after_change") == text and rendered == [SEED["002"]]
    # sections written by other code (another version of validation/report.py): nothing is taken over
    for section in index["sections"]:
        if section[0] == KEY["002"]:
            section[1] = versions_002
    index["renderer"] = "another renderer"
    report_index_path(first).write_text(json.dumps(index), encoding="utf-8")
    assert again(first, "other_renderer") == text and len(rendered) == len(index["sections"])
    # another dbt project: nothing is taken over
    index["renderer"] = report_module.renderer_version()
    index["project"] = "another project"
    report_index_path(first).write_text(json.dumps(index), encoding="utf-8")
    assert again(first, "other_project") == text and len(rendered) == len(index["sections"])


def test_every_refresh_writes_the_report_into_the_warehouse(seeds_refresh):
    path = seeds_refresh.warehouse / REPORT_FILE_NAME
    assert path.is_file(), "the refresh must write build_report(duckdb_path).write_markdown(<warehouse>/...)"
    assert f"## {SEED['001']}" in path.read_text(encoding="utf-8")


# -- documents derived from the seeds -------------------------------------------------------------------


def test_a_changed_child_amount_is_caught_by_hierarchy_and_across_tables_and_not_published(derived):
    key = document_key_for(CHILD_CHANGED)
    errors = issues(derived, key, "error")
    assert {seq for seq, _, _ in errors} == {3}  # 支出决算表 only
    by_check = {check: detail for _, check, detail in errors}
    assert "function code 20132" in by_check["function_hierarchy"]
    assert "2013201 816.84" in by_check["function_hierarchy"]
    assert "expected 1540.21" not in by_check["function_hierarchy"]  # the parent is the printed figure
    across = [d for _, check, d in errors if check == "same_figure_across_tables" and d.startswith("2013201")]
    assert len(across) == 1 and "expected 806.84, found 816.84" in across[0], across
    # the changed number is nowhere among the facts, and quarantined with the reason
    for table in fact_tables(derived):
        columns = {c for (c,) in rows(derived, f"select column_name from (describe marts.{table})")}
        if "amount" in columns:
            assert rows(
                derived, f"select count(*) from marts.{table} where document_key = ? and amount = 816.84", key
            ) == [(0,)], table
    reasons = rows(
        derived,
        "select reason from marts.quarantined_row where document_key = ? and raw_value = '816.84'",
        key,
    )
    assert len(reasons) == 1 and reasons[0][0].startswith("table failed ")
    assert "function_hierarchy" in reasons[0][0] and "same_figure_across_tables" in reasons[0][0]
    # the general-public-budget table that states 806.84 still publishes it
    gpb = rows(
        derived,
        "select amount, fund_scope from marts.fct_expenditure_by_function where document_key = ? "
        "and function_code = '2013201' and expenditure_type = 'total'",
        key,
    )
    assert gpb == [(Decimal("806.84"), "general_public_budget")]


def test_a_cell_printed_as_13_5O_is_quarantined_with_its_reason(derived):
    key = document_key_for(UNREADABLE_CELL)
    quarantined = rows(
        derived, "select source_row, reason from marts.quarantined_row where raw_value = '13.5O'"
    )
    assert len(quarantined) == 1
    row, reason = quarantined[0]
    assert "生活补助" in row and "unreadable number" in reason and "生活补助" in reason
    # the sums it belongs to cannot be verified: warnings, not errors; the rest of the table publishes
    assert issues(derived, key, "error") == []
    warnings = [d for _, check, d in issues(derived, key, "warning") if check == "economic_hierarchy"]
    assert len(warnings) == 1 and "economic code 303" in warnings[0] and "could not be read" in warnings[0]
    facts = rows(
        derived,
        "select cost_type, amount from marts.fct_expenditure_by_economic where document_key = ? "
        "and economic_code = '30305'",
        key,
    )
    assert facts == [("personnel", Decimal("13.50"))]


def test_a_sum_an_unreadable_cell_cannot_close_is_an_error(derived):
    """13.50 printed as "4.5O": whatever its last digit, a cell below 10 cannot make up the 13.50 that
    economic code 303 misses; the table's figures contradict each other, so it is held back."""
    key = document_key_for(UNREADABLE_TOO_SMALL)
    errors = [d for _, check, d in issues(derived, key, "error") if check == "economic_hierarchy"]
    assert len(errors) == 1, issues(derived, key, "error")
    assert "economic code 303" in errors[0] and "they cannot explain the difference" in errors[0]
    assert "below 10" in errors[0]
    held_back = rows(
        derived,
        "select count(*) from marts.fct_expenditure_by_economic where document_key = ? and table_seq = ?",
        key,
        errors_table := next(
            seq for seq, check, _ in issues(derived, key, "error") if check == "economic_hierarchy"
        ),
    )
    assert held_back == [(0,)], errors_table


def test_a_seed_re_encoded_as_gbk_with_crlf_gives_identical_facts(derived, seeds):
    encoding = rows(derived, "select encoding from raw.documents where source_name = ?", GBK_CRLF)
    assert encoding == [("gb18030",)]
    compared = 0
    for table in fact_tables(seeds):
        columns = [
            c
            for (c,) in rows(seeds, f"select column_name from (describe marts.{table})")
            if c != "document_key" and not c.endswith("cell_key")
        ]
        select = f"select {', '.join(columns)} from marts.{table} where document_key = ? order by all"
        original = rows(seeds, select, KEY["001"])
        assert rows(derived, select, document_key_for(GBK_CRLF)) == original, table
        compared += len(original)
    assert compared > 300


def test_a_target_amount_that_differs_from_its_project_is_an_error(derived):
    """The project table passes its own checks and states 350: the target table's 351 is the odd one out."""
    key = document_key_for(TARGET_AMOUNT_CHANGED)
    errors = issues(derived, key, "error")
    assert [(check, "公务员培训经费" in d) for _, check, d in errors] == [
        ("performance_amount_equals_project", True)
    ]
    assert "expected 350.00" in errors[0][2] and "found 351.00" in errors[0][2]
    # the whole target table is held back; the project table publishes 350
    assert rows(
        derived,
        "select count(*) from marts.fct_performance_funding where document_key = ? and table_seq = ?",
        key,
        errors[0][0],
    ) == [(0,)]
    checked = rows(
        derived,
        "select outcome, count(*) from intermediate.int_reconciliation_checks where document_key = ? "
        "and check_name = 'performance_amount_equals_project' group by 1 order by 1",
        key,
    )
    assert checked == [("fail", 1), ("pass", 21)]


# -- reading documents -----------------------------------------------------------------------------------


def _extraction_content(extraction) -> dict:
    return {
        "tables": extraction.tables,
        "cells": extraction.cells,
        "quarantine": extraction.quarantine,
        "issues": extraction.issues,
        "performance": extraction.performance,
    }


VARIANTS = {
    "utf-8 crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "utf-8 bom lf": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "utf-8 bom crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "gbk crlf": lambda text: text.replace("\n", "\r\n").encode("gbk"),
    "gb18030 lf": lambda text: text.encode("gb18030"),
}


@pytest.mark.parametrize("seed", sorted(SEED))
def test_every_encoding_and_line_end_reads_the_same(seed, tmp_path):
    original = _extraction_content(extract_document(SEEDS_DIR / SEED[seed]))
    assert original["cells"] or original["performance"]
    for variant, encode in VARIANTS.items():
        folder = tmp_path / variant.replace(" ", "_")
        folder.mkdir()
        path = folder / SEED[seed]
        path.write_bytes(encode(seed_text(seed)))
        assert _extraction_content(extract_document(path)) == original, variant


def test_unreadable_documents_are_reported_and_skipped_while_the_others_are_read(tmp_path):
    (tmp_path / SEED["003"]).write_bytes((SEEDS_DIR / SEED["003"]).read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "latin1.txt").write_bytes(
        "Budget du département, résumé des dépenses\n".encode("latin-1") * 20
    )
    extractions = {x.source_name: x for x in extract_sources(tmp_path)}
    assert sorted(extractions) == sorted([SEED["003"], "empty.txt", "binary.txt", "latin1.txt"])
    assert extractions[SEED["003"]].document["status"] == "read" and extractions[SEED["003"]].cells
    for name in ("empty.txt", "binary.txt", "latin1.txt"):
        extraction = extractions[name]
        assert extraction.document["status"] == "unreadable" and name in extraction.document["error"]
        assert [(i["check_name"], i["severity"]) for i in extraction.issues] == [
            ("document_readable", "error")
        ]
        assert name in extraction.issues[0]["detail"] and not extraction.cells
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        counts = write_raw(con, extractions.values())
        assert counts["documents"] == 4
        statuses = Counter(status for (status,) in con.execute("select status from raw.documents").fetchall())
    assert statuses == {"read": 1, "unreadable": 3}
