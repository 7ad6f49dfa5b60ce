"""The whole pipeline, as `cnbudget refresh` runs it: extraction, pandera checks, `dbt build`, release.

Two sets of sources, both copied to temporary folders:
- the five seed documents plus files no reader can use (one refresh per test session, `seeds_refresh`);
- tests/fixtures/mini_sources: the first three tables of seed 001 (稷山县委组织部 2024 budget), refreshed
  twice, to check figures printed in the document and that the same sources give an unchanged release.
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import MINI_SOURCES_DIR, SEEDS_DIR, UNREADABLE_REASONS, Refresh, refresh, run_cli

from orchestration.checks import check_result, read_raw_table
from orchestration.cli import EXIT_DOCUMENTS_NOT_READ
from orchestration.validation.schemas import validate_raw_table
from orchestration.warehouse.raw_schema import all_raw_tables

pytestmark = pytest.mark.e2e

# The published contract (/work/shared/contract.md): every one of these is in schema `marts` and in a release.
CONTRACT_TABLES = (
    "dim_department",
    "dim_year",
    "dim_function_code",
    "dim_economic_code",
    "dim_project",
    "dim_indicator",
    "dim_document",
    "fct_expenditure_by_function",
    "fct_expenditure_by_economic",
    "fct_revenue",
    "fct_three_public_costs",
    "fct_project_expenditure",
    "fct_performance_target",
    "fct_performance_evaluation",
    "dq_issue",
    "quarantined_row",
)
STAGE_LINES = (
    "[1/6] source documents: started",
    "[1/6] source documents: done",
    "[2/6] extraction: started",
    "[2/6] extraction: done",
    "[3/6] validation: started",
    "[3/6] validation: done",
    "[4/6] dbt build: started",
    "[4/6] dbt build: done",
)
# After dbt, in either order: the report and the release.
AFTER_DBT_LINES = (
    ("[5/6] data-quality report: started", "[5/6] data-quality report: done"),
    ("[6/6] release: started", "[6/6] release: done"),
)


def _query(refresh_: Refresh, sql: str, params=()):
    with duckdb.connect(str(refresh_.duckdb_path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _tables(refresh_: Refresh, schema: str) -> set[str]:
    rows = _query(
        refresh_, "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", (schema,)
    )
    return {name for (name,) in rows}


def _latest(refresh_: Refresh) -> str:
    return (refresh_.releases / "LATEST").read_text(encoding="utf-8").strip()


def _assert_complete_release(folder: Path) -> None:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["path"]: resource for resource in package["resources"]}
    for table in CONTRACT_TABLES:
        assert f"{table}.parquet" in resources, f"release {folder.name} lacks {table}"
    for path, resource in resources.items():
        file = folder / path
        assert file.is_file(), f"{path} listed in datapackage.json but missing"
        assert file.stat().st_size == resource["bytes"]
    assert (folder / "RELEASE_NOTES.md").is_file()


# --- the five seeds and files no reader can use ----------------------------------------------------


def test_the_refresh_completes_with_a_line_per_stage_and_a_summary(seeds_refresh):
    result = seeds_refresh.result
    # completed and published, but some documents could not be read: the documented exit status
    assert result.returncode == EXIT_DOCUMENTS_NOT_READ, result.stdout[-3000:] + result.stderr[-3000:]
    positions = [result.stdout.find(line) for line in STAGE_LINES]
    assert all(p >= 0 for p in positions), [
        line for line, p in zip(STAGE_LINES, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions), "stages printed out of order"
    for started, done in AFTER_DBT_LINES:
        assert positions[-1] < result.stdout.find(started) < result.stdout.find(done), (started, done)
    assert re.search(rf"documents read:\s+5 of {5 + len(UNREADABLE_REASONS)}", result.stdout)
    assert re.search(r"tables recognised:\s+\d+ of \d+ found", result.stdout)
    assert re.search(r"facts:\s+\d+", result.stdout)
    assert re.search(r"data issues:\s+\d+ error, \d+ warning, \d+ info", result.stdout)
    assert re.search(rf"release:\s+{re.escape(_latest(seeds_refresh))} published at ", result.stdout)


def test_the_warehouse_holds_the_raw_tables_of_every_document(seeds_refresh):
    assert seeds_refresh.duckdb_path.is_file()
    assert set(all_raw_tables()) <= _tables(seeds_refresh, "raw")
    documents = dict(_query(seeds_refresh, "SELECT source_name, status FROM raw.documents"))
    seeds = {path.name for path in SEEDS_DIR.iterdir()}
    assert documents == {
        **{name: "read" for name in seeds},
        **{name: "unreadable" for name in UNREADABLE_REASONS},
    }
    recognised = dict(
        _query(
            seeds_refresh,
            "SELECT d.source_name, count(t.table_seq) FROM raw.documents d LEFT JOIN raw.tables t "
            "ON t.document_key = d.document_key AND t.status = 'recognised' GROUP BY ALL",
        )
    )
    for name in seeds:
        assert recognised[name] > 0, f"no table of {name} was recognised"
    assert _query(seeds_refresh, "SELECT count(*) FROM raw.cells")[0][0] > 0


def test_the_marts_hold_the_contract_tables_with_facts_from_every_readable_document(seeds_refresh):
    assert set(CONTRACT_TABLES) <= _tables(seeds_refresh, "marts")
    fact_tables = [t for t in CONTRACT_TABLES if t.startswith("fct_")]
    union = " UNION ".join(f"SELECT DISTINCT document_key FROM marts.{t}" for t in fact_tables)
    with_facts = {key for (key,) in _query(seeds_refresh, union)}
    readable = {
        key
        for (key,) in _query(seeds_refresh, "SELECT document_key FROM raw.documents WHERE status = 'read'")
    }
    assert readable and readable <= with_facts


def test_latest_names_a_complete_release(seeds_refresh):
    latest = _latest(seeds_refresh)
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}(\.\d+)?", latest)
    _assert_complete_release(seeds_refresh.releases / latest)


def test_each_file_no_reader_can_use_is_one_error_naming_it_and_the_others_publish(seeds_refresh):
    """A .zip, an unknown type, a corrupt workbook, an empty .pdf and binary garbage among the seeds."""
    out = seeds_refresh.result.stdout
    assert seeds_refresh.result.returncode == EXIT_DOCUMENTS_NOT_READ
    assert re.search(
        rf"not read:\s+{len(UNREADABLE_REASONS)} \(the others are published; exit status 3\)", out
    )
    report = (seeds_refresh.warehouse / "data_quality_report.md").read_text(encoding="utf-8")
    assert f"## Documents that could not be read ({len(UNREADABLE_REASONS)})" in report
    assert f"report:             {seeds_refresh.warehouse / 'data_quality_report.md'}" in out
    for name, reason in UNREADABLE_REASONS.items():
        line = f"unreadable: {name} — {reason}"
        assert [
            row.strip() for row in out.splitlines() if row.strip().startswith(f"unreadable: {name} ")
        ] == [line]
        assert f"warning: {line}; the other documents go on" in out  # as the extraction stage says it
        assert f"- {line}" in report
        errors = _query(
            seeds_refresh,
            "SELECT i.check_name, i.detail FROM marts.dq_issue i JOIN marts.dim_document d USING (document_key) "
            "WHERE d.source_name = ? AND i.severity = 'error'",
            (name,),
        )
        assert errors == [
            ("document_readable", f"document {name} could not be read and was skipped: {name}: {reason}")
        ]
        document = _query(
            seeds_refresh,
            "SELECT document_status, document_error, doc_type, fiscal_year FROM marts.dim_document WHERE source_name = ?",
            (name,),
        )
        assert document == [("unreadable", f"{name}: {reason}", None, None)]
    # the readable documents are published, each with its facts (and nothing from the unreadable ones)
    published = dict(
        _query(
            seeds_refresh,
            "SELECT d.source_name, count(f.source_cell_key) FROM marts.dim_document d "
            "LEFT JOIN marts.fct_source_cell f USING (document_key) GROUP BY ALL",
        )
    )
    assert {name for name, cells in published.items() if cells} == {
        path.name for path in SEEDS_DIR.iterdir() if path.name != "002_0851205fe117d4ca.txt"
    }  # 002 is a performance-target document: no financial table, its facts are targets
    targets = _query(
        seeds_refresh,
        "SELECT count(*) FROM marts.fct_performance_target t JOIN marts.dim_document d USING (document_key) "
        "WHERE d.source_name = '002_0851205fe117d4ca.txt'",
    )
    assert targets[0][0] > 0
    release = seeds_refresh.releases / _latest(seeds_refresh)
    released = duckdb.sql(
        f"SELECT source_name, document_status FROM '{release}/dim_document.parquet' WHERE document_status <> 'read'"
    ).fetchall()
    assert sorted(released) == sorted((name, "unreadable") for name in UNREADABLE_REASONS)


def test_the_repository_sources_and_warehouse_are_untouched(seeds_refresh):
    assert seeds_refresh.repo_after == seeds_refresh.repo_before


def test_status_and_releases_read_the_refreshed_warehouse(seeds_refresh):
    latest = _latest(seeds_refresh)
    status = run_cli("status", "--warehouse", str(seeds_refresh.warehouse))
    assert status.returncode == 0, status.stderr
    assert f"latest release: {latest}" in status.stdout
    fct_rows = _query(seeds_refresh, "SELECT count(*) FROM marts.fct_expenditure_by_function")[0][0]
    assert f"marts.fct_expenditure_by_function: {fct_rows}" in status.stdout
    releases = run_cli("releases", "--warehouse", str(seeds_refresh.warehouse))
    assert releases.returncode == 0, releases.stderr
    assert latest in releases.stdout


def test_the_pandera_check_passes_on_the_seeds_and_names_the_rows_it_rejects(seeds_refresh):
    columns_sql = all_raw_tables()["cells"]
    with duckdb.connect(str(seeds_refresh.duckdb_path), read_only=True) as con:
        cells = read_raw_table(con, "cells")
    assert validate_raw_table("cells", columns_sql, cells).errors == []

    broken = cells.copy()
    coded = broken.index[broken["function_code"].notna()][0]
    budget = broken.index[(broken["phase"] == "budget") & (broken.index != coded)][0]
    broken.loc[coded, "function_code"] = "20A"
    broken.loc[budget, "amount"] = -broken.loc[budget, "amount"] - Decimal("1")
    outcome = validate_raw_table("cells", columns_sql, broken)
    failed = {(failure["check"], failure["row"]) for failure in outcome.errors}
    assert any(row == coded and "str_matches" in check for check, row in failed), outcome.errors
    assert ("amount_non_negative_where_template_requires", budget) in failed, outcome.errors
    located = next(failure for failure in outcome.errors if failure["row"] == coded)
    assert located["document_key"] == broken.loc[coded, "document_key"]
    assert located["line_number"] == broken.loc[coded, "line_number"]
    assert located["value"] == "20A"

    result = check_result(outcome)
    assert not result.passed and result.severity.value == "ERROR"
    assert len(result.metadata["failing_rows"].value) == len(outcome.errors) + len(outcome.warnings)


# --- the mini fixture: figures printed in the document, and an unchanged second release ------------


@pytest.fixture(scope="module")
def mini_refreshes(tmp_path_factory, dbt_manifest) -> tuple[Refresh, Refresh, Refresh]:
    """Three refreshes into one warehouse: the mini document, the same again, then a revised document."""
    root = tmp_path_factory.mktemp("mini_e2e")
    sources = root / "sources"
    shutil.copytree(MINI_SOURCES_DIR, sources)
    first = refresh(sources, root / "warehouse")
    second = refresh(sources, root / "warehouse")
    document = next(sources.iterdir())
    text = document.read_text(encoding="utf-8")
    # the department republishes its 收入总表 with 行政运行 at 211.70 (a revised figure)
    revised = text.replace("2013201 行政运行 211.60 211.60      ", "2013201 行政运行 211.70 211.70      ", 1)
    assert revised != text
    document.write_text(revised, encoding="utf-8")
    third = refresh(sources, root / "warehouse")
    return first, second, third


def test_the_mini_refresh_publishes_the_figures_printed_in_the_document(mini_refreshes):
    first, _, _ = mini_refreshes
    assert first.result.returncode == 0, first.result.stdout[-3000:] + first.result.stderr[-3000:]
    titles = dict(_query(first, "SELECT source_table, status FROM raw.tables"))
    assert titles == {
        "2024年预算收支总表": "recognised",
        "2024年预算收入总表": "recognised",
        "2024年预算支出总表": "recognised",
    }
    by_function = {
        (code, expenditure_type): amount
        for code, expenditure_type, amount in _query(
            first,
            "SELECT function_code, expenditure_type, amount FROM marts.fct_expenditure_by_function "
            "WHERE fund_scope = 'all'",
        )
    }
    # 2024年预算支出总表: 201 一般公共服务支出 388.14 = 基本 239.30 + 项目 148.84; 2013201 行政运行 211.60 (基本).
    assert by_function[("201", "total")] == Decimal("388.14")
    assert by_function[("201", "basic")] == Decimal("239.30")
    assert by_function[("201", "project")] == Decimal("148.84")
    assert by_function[("2013201", "basic")] == Decimal("211.60")
    assert ("2013201", "project") not in by_function  # printed blank: no fact, not a zero
    revenue = dict(_query(first, "SELECT revenue_source, amount FROM marts.fct_revenue"))
    assert revenue["general_public_budget"] == Decimal("450.05")  # 2024年预算收入总表, 合计 一般公共预算
    _assert_complete_release(first.releases / first.latest)


def test_a_second_refresh_of_the_same_sources_leaves_the_release_unchanged(mini_refreshes):
    first, second, _ = mini_refreshes
    assert second.result.returncode == 0, second.result.stdout[-3000:] + second.result.stderr[-3000:]
    assert re.search(rf"release:\s+unchanged \({re.escape(first.latest)}\)", second.result.stdout)
    assert second.latest == first.latest


def test_a_changed_source_document_cuts_a_new_version_whose_notes_name_it(mini_refreshes):
    first, _, third = mini_refreshes
    assert third.result.returncode == 0, third.result.stdout[-3000:] + third.result.stderr[-3000:]
    previous, latest = first.latest, third.latest
    assert latest == previous + ".2"
    versions = sorted(p.name for p in third.releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert versions == [previous, latest]
    notes = (third.releases / latest / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "001_jishan_budget_2024_first_three_tables.txt" in notes
    assert "changed" in notes
    # the revised 211.70 no longer adds up under 20132 (388.14): the new release quarantines the revised
    # table with the reason, and the previous release, never modified, keeps the figures it published
    quarantined = duckdb.sql(
        f"SELECT reason FROM '{third.releases / latest}/quarantined_row.parquet' WHERE raw_value = '211.70'"
    ).fetchall()
    assert quarantined and all("function_hierarchy" in reason for (reason,) in quarantined), quarantined
    kept = duckdb.sql(
        f"SELECT amount FROM '{third.releases / previous}/fct_revenue_by_function.parquet' "
        "WHERE function_code = '2013201' AND revenue_source = 'total'"
    ).fetchall()
    assert kept == [(Decimal("211.6000"),)]


# --- provenance: where every fact and quarantined cell is printed ----------------------------------

# Marts whose rows come from printed rows, and so name their place (source_page, source_locator).
PLACED_MARTS = (
    "fct_source_cell",
    "quarantined_row",
    "fct_expenditure_by_function",
    "fct_expenditure_by_economic",
    "fct_revenue",
    "fct_revenue_by_function",
    "fct_three_public_costs",
    "fct_project_expenditure",
    "fct_admin_operating_costs",
    "fct_fixed_assets",
    "fct_performance_target",
    "fct_performance_evaluation",
    "fct_unit_performance_target",
    "fct_unit_performance_evaluation",
    "fct_performance_project",
    "fct_performance_funding",
)
_TEXT_CELL = re.compile(r"^line (\d+), cell (\d+)$")


def test_every_printed_value_names_its_page_and_locator_in_the_marts_and_the_release(seeds_refresh):
    release = seeds_refresh.releases / _latest(seeds_refresh)
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    fields = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package["resources"]}
    for table in (*PLACED_MARTS, "dq_issue"):
        types = dict(
            _query(
                seeds_refresh,
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'marts' AND table_name = ? AND column_name LIKE 'source_%'",
                (table,),
            )
        )
        assert (types.get("source_page"), types.get("source_locator")) == ("INTEGER", "VARCHAR"), table
        parquet = duckdb.sql(f"DESCRIBE SELECT * FROM '{release}/{table}.parquet'").fetchall()
        assert {"source_page", "source_locator"} <= {row[0] for row in parquet}, table
        assert fields[table]["source_page"]["type"] == "integer"
        assert fields[table]["source_locator"]["type"] == "string"
        assert "page 8, table 1, row 12, cell 5" in fields[table]["source_locator"]["description"]
    for table in PLACED_MARTS:
        # the seeds are text: no page, and every row is located
        assert _query(
            seeds_refresh,
            f"SELECT count(*), count(source_locator), count(source_page) FROM marts.{table}",
        )[0][1:] == (_query(seeds_refresh, f"SELECT count(*) FROM marts.{table}")[0][0], 0), table


def test_a_text_seeds_cells_are_located_by_line_and_cell_where_they_are_printed(seeds_refresh):
    """000 is tab-separated: the locator's cell is the tab-separated field that prints the value."""
    name = "000_3dc14b99499346cd.txt"
    lines = (SEEDS_DIR / name).read_text(encoding="utf-8").split("\n")
    located = _query(
        seeds_refresh,
        "SELECT c.source_line, c.col_seq, c.raw_value, c.source_locator, c.published_in FROM marts.fct_source_cell c "
        "JOIN marts.dim_document d USING (document_key) WHERE d.source_name = ?",
        (name,),
    )
    assert len(located) > 100
    for line, col_seq, raw, locator, _ in located:
        match = _TEXT_CELL.match(locator)
        assert match and (int(match[1]), int(match[2])) == (line, col_seq), locator
        assert lines[line - 1].split("\t")[col_seq - 1].strip() == raw, locator
    # a published fact carries the locator of the cell that states it
    facts = _query(
        seeds_refresh,
        "SELECT f.source_locator, c.source_locator FROM marts.fct_expenditure_by_function f "
        "JOIN marts.fct_source_cell c USING (source_cell_key)",
    )
    assert facts and all(fact == cell for fact, cell in facts)
    # quarantined cells (004's 数量 column of 固定资产: quantities, not money) name their cell too
    quarantined = _query(
        seeds_refresh,
        "SELECT q.source_line, q.raw_value, q.source_locator FROM marts.quarantined_row q "
        "JOIN marts.dim_document d USING (document_key) WHERE d.source_name = '004_909d9174802cb080.txt' "
        "AND q.column_label = '数量' ORDER BY q.source_line",
    )
    assert quarantined and all(
        _TEXT_CELL.match(locator)[1] == str(line) for line, _, locator in quarantined
    ), quarantined
    # a performance row is located by its line: its values are read by content, not by column
    targets = _query(seeds_refresh, "SELECT source_line, source_locator FROM marts.fct_performance_target")
    assert targets and all(locator == f"line {line}" for line, locator in targets)


def test_the_report_shows_where_findings_and_quarantined_cells_are_printed(seeds_refresh):
    report = (seeds_refresh.warehouse / "data_quality_report.md").read_text(encoding="utf-8")
    assert "| table | row | column | printed at | value | reason |" in report
    # an error finding about a printed figure names the cell it judges
    findings = _query(
        seeds_refresh,
        "SELECT check_name, source_table, source_locator FROM marts.dq_issue WHERE severity = 'error' "
        "AND source_locator IS NOT NULL ORDER BY ALL",
    )
    assert findings
    for check, table, locator in findings:
        assert f"- `{check}` in {table} at {locator}: " in report
