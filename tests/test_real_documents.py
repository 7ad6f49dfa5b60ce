"""Real 2024 部门决算 PDFs of a Shanghai district (tests/fixtures/real), read by the PDF reader and the
recognisers, no manifest: every table found and recognised, every printed amount a fact, no error.

Figures were read off the pages by eye (page numbers in comments).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from helpers_extraction import one_amount as _one
from helpers_extraction import table_seq_of_kind as _seq

from orchestration.extract.pipeline import extract_document

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
FINANCE_BUREAU = REAL / "上海市普陀区财政局2024年度部门决算.pdf"
SOCIAL_WORK = REAL / "中共上海市普陀区委社会工作部2024年度部门决算.pdf"
NINE_TABLES = [
    "budget_summary",
    "revenue",
    "expenditure",
    "fiscal_summary",
    "general_public_budget_expenditure",
    "general_public_budget_basic",
    "three_public_costs",
    "government_fund_expenditure",
    "state_capital_expenditure",
]


@pytest.fixture(scope="module")
def bureau():
    return extract_document(FINANCE_BUREAU)


@pytest.fixture(scope="module")
def social_work():
    return extract_document(SOCIAL_WORK)


@pytest.mark.parametrize("document", ["bureau", "social_work"])
def test_the_nine_tables_are_recognised_and_every_amount_is_a_fact(document, request):
    extraction = request.getfixturevalue(document)
    assert [t["table_kind"] for t in extraction.tables] == NINE_TABLES
    assert [t["table_seq"] for t in extraction.tables] == list(range(1, 10))
    assert extraction.quarantine == []
    assert [i for i in extraction.issues if i["severity"] == "error"] == []
    for table in extraction.tables:
        assert table["numeric_cells"] == table["facts"]


def test_finance_bureau_figures(bureau):
    assert [t["facts"] for t in bureau.tables] == [12, 45, 44, 19, 44, 29, 2, 0, 0]
    # p. 8 收入决算表: codes in three cells, the 合计 row on the line of 类 | 款 | 项
    revenue = _seq(bureau, "revenue")
    assert _one(bureau, table_seq=revenue, row_role="total", revenue_source="total") == Decimal("2946.25")
    assert _one(bureau, table_seq=revenue, function_code="2010602", revenue_source="other") == Decimal("6.19")
    # p. 10 支出决算表: a wrapped name, 20805 printed as 208 | 05 | (blank)
    spending = _seq(bureau, "expenditure")
    assert _one(bureau, table_seq=spending, function_code="2080505", expenditure_type="basic") == Decimal(
        "160.75"
    )
    assert _one(bureau, table_seq=spending, function_code="20805", expenditure_type="total") == Decimal(
        "326.72"
    )
    # p. 16-17 基本支出: 人员经费 | 公用经费 blocks, codes 类 | 款
    basic = _seq(bureau, "general_public_budget_basic")
    assert _one(bureau, table_seq=basic, economic_code="30101", cost_type="personnel") == Decimal("262.33")
    assert _one(bureau, table_seq=basic, economic_code="31002", cost_type="public") == Decimal("13.58")
    assert _one(bureau, table_seq=basic, row_role="total", cost_type="personnel") == Decimal("2152.26")
    assert _one(bureau, table_seq=basic, row_role="total", cost_type="public") == Decimal("184.65")
    # p. 18 三公: categories as columns, 预算数 | 决算数 under each
    three = _seq(bureau, "three_public_costs")
    assert _one(bureau, table_seq=three, category="total", measure="budget") == Decimal("0.95")
    assert _one(bureau, table_seq=three, category="official_reception", measure="budget") == Decimal("0.95")
    # p. 6 收入支出决算总表: two blocks, most rows filling one half
    summary = _seq(bureau, "budget_summary")
    assert _one(bureau, table_seq=summary, revenue_source="carryover") == Decimal("49.14")
    assert _one(bureau, table_seq=summary, function_code="221") == Decimal("445.69")


def test_empty_tables_are_reported_empty_not_as_zeros(social_work):
    empty = [t for t in social_work.tables if t["status"] == "empty"]
    assert [t["table_kind"] for t in empty] == NINE_TABLES[-3:]
    for table in empty:
        assert table["numeric_cells"] == table["facts"] == table["quarantined"] == 0
        assert "本表无数据" in table["note"]
    assert not [c for c in social_work.cells if c["table_seq"] in {t["table_seq"] for t in empty}]
    # a printed 0.00 is a fact of zero (p. 13: 30103 奖金)
    assert _one(social_work, economic_code="30103", cost_type="personnel") == Decimal("0.00")


@pytest.mark.e2e
def test_the_real_documents_reconcile_with_no_error(tmp_path, dbt_manifest):
    import duckdb
    from conftest import refresh

    sources = tmp_path / "sources"
    sources.mkdir()
    for path in (FINANCE_BUREAU, SOCIAL_WORK):
        shutil.copy(path, sources / path.name)
    outcome = refresh(sources, tmp_path / "warehouse")
    assert outcome.result.returncode == 0, outcome.result.stderr
    with duckdb.connect(str(outcome.duckdb_path), read_only=True) as con:
        errors = con.execute(
            "select check_name, detail from marts.dq_issue where severity = 'error'"
        ).fetchall()
        checks = con.execute("select count(*) from intermediate.int_reconciliation_checks").fetchone()[0]
        totals = con.execute(
            "select count(*) from marts.fct_expenditure_by_economic where cost_type = 'total'"
        ).fetchone()[0]
    assert errors == []
    assert checks > 100
    assert totals > 0  # each code printed in one block also states its total
