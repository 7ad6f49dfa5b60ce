"""The whole pipeline, as `cnbudget refresh` runs it: extraction, pandera checks, `dbt build`, release.

Two sets of sources, both copied to temporary folders:
- the five seed documents plus a garbage file (one refresh per test session, `seeds_refresh`);
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
from conftest import GARBAGE_NAME, MINI_SOURCES_DIR, SEEDS_DIR, Refresh, refresh, run_cli

from orchestration.checks import check_result, read_raw_table
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


# --- the five seeds and a garbage file ------------------------------------------------------------


def test_the_refresh_completes_with_a_line_per_stage_and_a_summary(seeds_refresh):
    result = seeds_refresh.result
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    positions = [result.stdout.find(line) for line in STAGE_LINES]
    assert all(p >= 0 for p in positions), [
        line for line, p in zip(STAGE_LINES, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions), "stages printed out of order"
    for started, done in AFTER_DBT_LINES:
        assert positions[-1] < result.stdout.find(started) < result.stdout.find(done), (started, done)
    assert re.search(r"documents read:\s+5 of 6", result.stdout)
    assert re.search(r"tables recognised:\s+\d+ of \d+ found", result.stdout)
    assert re.search(r"facts:\s+\d+", result.stdout)
    assert re.search(r"data issues:\s+\d+ error, \d+ warning, \d+ info", result.stdout)
    assert re.search(rf"release:\s+{re.escape(_latest(seeds_refresh))} published at ", result.stdout)


def test_the_warehouse_holds_the_raw_tables_of_every_document(seeds_refresh):
    assert seeds_refresh.duckdb_path.is_file()
    assert set(all_raw_tables()) <= _tables(seeds_refresh, "raw")
    documents = dict(_query(seeds_refresh, "SELECT source_name, status FROM raw.documents"))
    seeds = {path.name for path in SEEDS_DIR.iterdir()}
    assert documents == {**{name: "read" for name in seeds}, GARBAGE_NAME: "unreadable"}
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


def test_a_garbage_file_among_the_sources_is_reported_and_stops_nothing(seeds_refresh):
    assert GARBAGE_NAME in seeds_refresh.result.stdout
    report = seeds_refresh.warehouse / "data_quality_report.md"
    assert GARBAGE_NAME in report.read_text(encoding="utf-8")
    assert f"report:             {report}" in seeds_refresh.result.stdout
    issues = _query(
        seeds_refresh,
        "SELECT i.severity, i.detail FROM marts.dq_issue i JOIN raw.documents d USING (document_key) "
        "WHERE d.source_name = ?",
        (GARBAGE_NAME,),
    )
    assert any(severity == "error" and GARBAGE_NAME in detail for severity, detail in issues), issues


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
