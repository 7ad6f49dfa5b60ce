"""A document in a layout no seed has (tests/fixtures/layouts, written from what real disclosures do)
is recognised whole; the same figures in 元, 千元 and 万元 give the same facts; the accounting of
printed amounts does not depend on the recognisers; tables are numbered in document order.

The fixture's figures are set in make_layouts.py (in 元, totals computed from their parts); the
amounts asserted below are those figures in 万元, read off the fixture by hand.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from helpers_extraction import matching_cells as _cells
from helpers_extraction import one_amount as _one
from helpers_extraction import table_seq_of_kind as _seq

from orchestration.extract import financial
from orchestration.extract.pipeline import extract_document
from orchestration.extract.recognisers import load_recognisers
from orchestration.extract.recognisers.records import CellRecord, QuarantineRecord
from orchestration.warehouse.load import raw_columns
from orchestration.warehouse.raw_schema import RAW_TABLES

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"
SOURCES = Path(__file__).resolve().parent.parent / "sources"
YUAN, THOUSAND, WAN = (
    "county_final_2024_yuan.tsv",
    "county_final_2024_thousand.tsv",
    "county_final_2024_wan.tsv",
)


def _generator():
    spec = importlib.util.spec_from_file_location("make_layouts", LAYOUTS / "make_layouts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def yuan():
    return extract_document(LAYOUTS / YUAN)


def test_the_fixtures_are_what_the_generator_writes():
    generator = _generator()
    for unit, name in generator.FILES.items():
        assert (LAYOUTS / name).read_text(encoding="utf-8") == generator.write(unit), name


def test_every_table_of_the_new_layout_is_recognised_by_what_it_is(yuan):
    kinds = [(t["table_kind"], t["status"]) for t in yuan.tables]
    assert kinds == [
        ("budget_summary", "recognised"),
        ("revenue", "recognised"),
        ("expenditure", "recognised"),
        ("fiscal_summary", "recognised"),
        ("general_public_budget_expenditure", "recognised"),
        ("general_public_budget_basic", "recognised"),
        ("three_public_costs", "recognised"),
        ("government_fund_expenditure", "empty"),
    ]
    assert [t["facts"] for t in yuan.tables] == [12, 34, 33, 15, 33, 20, 13, 0]
    # the one amount set aside: the 机关运行经费 budget figure of a final account, with its reason
    (set_aside,) = yuan.quarantine
    assert set_aside["raw_value"] == "950,000.00" and "机关运行经费" in set_aside["reason"]
    assert not [i for i in yuan.issues if i["severity"] == "error"]
    empty = yuan.tables[-1]
    assert empty["numeric_cells"] == 0 and "本表无数据" in empty["note"]
    assert {t["unit"] for t in yuan.tables} == {"元"}


def test_split_codes_wrapped_names_and_extra_columns(yuan):
    spending = _seq(yuan, "expenditure")
    # 类 | 款 | 项 in three cells: "208" "05" "05" -> 2080505, "208" "05" "" -> 20805
    assert _one(yuan, table_seq=spending, function_code="20805", expenditure_type="total") == Decimal(
        "72.0000"
    )
    # the name wrapped with the amounts on its first line, and with them (and the codes) on its last
    first = _cells(yuan, table_seq=spending, function_code="2080505", expenditure_type="basic")
    last = _cells(yuan, table_seq=spending, function_code="2080506", expenditure_type="basic")
    assert [(c["function_name"], c["amount"]) for c in first] == [
        ("机关事业单位基本养老保险缴费支出", Decimal("48.0000"))
    ]
    assert [(c["function_name"], c["amount"]) for c in last] == [
        ("机关事业单位职业年金缴费支出", Decimal("24.0000"))
    ]
    # 本年支出 over 合计 | 基本支出 | 项目支出
    assert _one(yuan, table_seq=spending, row_role="total", expenditure_type="project") == Decimal("123.4500")
    revenue = _seq(yuan, "revenue")
    assert _one(yuan, table_seq=revenue, function_code="2010804", revenue_source="other") == Decimal(
        "12.3500"
    )
    assert _one(yuan, table_seq=revenue, row_role="total", revenue_source="total") == Decimal("762.3500")


def test_two_block_summary_with_one_sided_rows(yuan):
    summary = _seq(yuan, "budget_summary")
    assert _one(yuan, table_seq=summary, revenue_source="other") == Decimal("12.3500")
    assert _one(yuan, table_seq=summary, function_code="221") == Decimal("36.0000")
    assert _one(yuan, table_seq=summary, category="revenue_grand_total") == Decimal("782.3500")
    fiscal = _seq(yuan, "fiscal_summary")
    assert _one(yuan, table_seq=fiscal, function_code="201", fund_scope="general_public_budget") == Decimal(
        "623.4400"
    )


def test_economic_blocks_and_three_public_budget_and_final(yuan):
    basic = _seq(yuan, "general_public_budget_basic")
    assert _one(yuan, table_seq=basic, economic_code="30101") == Decimal("200.0000")
    assert _cells(yuan, table_seq=basic, economic_code="30101")[0]["cost_type"] == "personnel"
    assert _cells(yuan, table_seq=basic, economic_code="30231")[0]["cost_type"] == "public"
    assert _one(yuan, table_seq=basic, row_role="total", cost_type="public") == Decimal("92.3400")
    three = {
        (c["category"], c["measure"]): c["amount"] for c in _cells(yuan, fact_table="three_public_costs")
    }
    assert three[("total", "budget")] == Decimal("30.0000") and three[("total", "final")] == Decimal(
        "20.0000"
    )
    assert three[("vehicle_operation", "final")] == Decimal("15.0000")
    assert three[("vehicle_purchase", "budget")] == Decimal("0.0000")  # a printed 0.00 is a fact of zero
    assert _one(yuan, fact_table="admin_operating_costs") == Decimal("92.3400")


def _meanings(extraction) -> Counter:
    """Every fact with what it means and where it was printed: all but the document and the printing."""
    return Counter(
        tuple((k, v) for k, v in sorted(c.items()) if k not in ("document_key", "raw_value", "source_unit"))
        for c in extraction.cells
    )


def test_the_same_figures_in_yuan_thousands_and_wan_give_the_same_facts(yuan):
    thousand = extract_document(LAYOUTS / THOUSAND)
    wan = extract_document(LAYOUTS / WAN)
    assert {c["source_unit"] for c in thousand.cells} == {"千元"}
    assert {c["source_unit"] for c in wan.cells} == {"万元"}
    assert len(yuan.cells) == 160
    assert _meanings(yuan) == _meanings(thousand) == _meanings(wan)
    assert _one(thousand, function_code="2010801", expenditure_type="total", fund_scope="all") == Decimal(
        "512.3400"
    )


def test_a_recogniser_that_drops_amounts_fails_the_accounting(monkeypatch):
    """The count of printed amounts is taken before any recogniser runs: a recogniser that silently
    drops a table's amounts (here: reads nothing of a 类|款|项 function table) cannot pass."""
    honest = extract_document(LAYOUTS / YUAN)
    assert not [i for i in honest.issues if i["check_name"] == "amounts_accounted"]
    recognisers = dict(load_recognisers())
    recognisers["function_table"] = lambda ctx, blocks, body: None
    monkeypatch.setattr(financial, "load_recognisers", lambda: recognisers)
    broken = extract_document(LAYOUTS / YUAN)
    spending = next(t for t in broken.tables if t["table_kind"] == "expenditure")
    assert spending["numeric_cells"] == 33 and spending["facts"] == 0
    errors = [i for i in broken.issues if i["check_name"] == "amounts_accounted" and i["severity"] == "error"]
    assert {i["table_seq"] for i in errors} == {
        t["table_seq"]
        for t in broken.tables
        if t["table_kind"] in ("expenditure", "general_public_budget_expenditure")
    }
    lost = [q for q in broken.quarantine if q["table_seq"] == spending["table_seq"]]
    assert len(lost) == 33 and all("neither read nor set aside" in q["reason"] for q in lost)


def test_typed_records_are_exactly_the_raw_columns():
    assert list(CellRecord.__dataclass_fields__) == [n for n, _ in raw_columns(RAW_TABLES["cells"])]
    assert list(QuarantineRecord.__dataclass_fields__) == [
        n for n, _ in raw_columns(RAW_TABLES["quarantine"])
    ]


def test_financial_and_performance_tables_share_one_sequence_in_document_order():
    extraction = extract_document(SOURCES / "001_c9601cb349fb6821.txt")
    tables = extraction.tables
    kinds = {t["table_kind"] or "" for t in tables}
    assert any(k.startswith("performance_") for k in kinds) and "budget_summary" in kinds
    assert sorted(t["table_seq"] for t in tables) == list(range(1, len(tables) + 1))
    by_seq = sorted(tables, key=lambda t: t["table_seq"])
    assert [t["line_start"] for t in by_seq] == sorted(t["line_start"] for t in tables)
    performance_seqs = {t["table_seq"] for t in tables if (t["table_kind"] or "").startswith("performance_")}
    assert {r["table_seq"] for r in extraction.performance["performance_target"]} <= performance_seqs


@pytest.mark.e2e
def test_the_new_layout_reconciles_and_a_changed_child_amount_does_not(tmp_path, dbt_manifest):
    import duckdb
    from conftest import refresh

    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(LAYOUTS / YUAN, sources / YUAN)
    text = (LAYOUTS / YUAN).read_text(encoding="utf-8")
    changed = "201\t08\t01\t行政运行\t5,123,400.00\t5,123,400.00\t\t\t\t\n"
    assert text.count(changed) == 1  # in 表三 单位支出决算表 only
    (sources / "changed_child.tsv").write_text(
        text.replace(changed, changed.replace("5,123,400.00\t5,123,400.00", "5,123,400.00\t5,120,000.00")),
        encoding="utf-8",
    )
    outcome = refresh(sources, tmp_path / "warehouse")
    assert outcome.result.returncode == 0, outcome.result.stderr
    with duckdb.connect(str(outcome.duckdb_path), read_only=True) as con:
        errors = con.execute(
            "select d.source_name, i.table_seq from marts.dq_issue i join marts.dim_document d using (document_key) "
            "where i.severity = 'error'"
        ).fetchall()
        checks = con.execute("select count(*) from intermediate.int_reconciliation_checks").fetchone()[0]
    assert checks > 100  # the document was reconciled, not skipped
    assert {name for name, _ in errors} == {"changed_child.tsv"}
    assert {seq for _, seq in errors} == {3}


def test_every_unit_passes_the_raw_schemas():
    """A 千元 table used to fail validation and stop the whole refresh."""
    import duckdb

    from orchestration.checks import read_raw_table
    from orchestration.validation.schemas import validate_raw_table
    from orchestration.warehouse.load import write_raw
    from orchestration.warehouse.raw_schema import all_raw_tables

    con = duckdb.connect()
    write_raw(con, [extract_document(LAYOUTS / name) for name in (YUAN, THOUSAND, WAN)])
    for table, columns_sql in all_raw_tables().items():
        outcome = validate_raw_table(table, columns_sql, read_raw_table(con, table))
        assert outcome.errors == [], (table, outcome.errors[:3])


_CATEGORIES_AS_COLUMNS = """云岭县审计局2024年度部门决算
表九 公务费用情况表
金额单位：元
因公出国（境）费\t\t公务用车购置及运行费\t\t\t\t\t\t公务接待费\t
\t\t小计\t\t公务用车购置费\t\t公务用车运行费\t\t\t
预算数\t决算数\t预算数\t决算数\t预算数\t决算数\t预算数\t决算数\t预算数\t决算数
0.00\t0.00\t200,000.00\t150,000.00\t0.00\t0.00\t200,000.00\t150,000.00\t100,000.00\t50,000.00
"""


def test_a_title_that_names_no_kind_is_recognised_by_its_header():
    """三公 categories printed as columns, under a title no pattern knows: the header decides."""
    from orchestration.extract.financial import extract_financial
    from orchestration.extract.metadata import infer_metadata
    from orchestration.extract.registry import load_registry
    from orchestration.readers import read_text

    assert load_registry().kind_for_title("表九 公务费用情况表")[0] is None
    grid = read_text(_CATEGORIES_AS_COLUMNS, "categories.tsv")
    extraction = extract_financial(
        grid, infer_metadata(grid, "categories.tsv", _CATEGORIES_AS_COLUMNS.encode())
    )
    (table,) = extraction.tables
    assert (table["table_kind"], table["numeric_cells"], table["facts"]) == ("three_public_costs", 10, 10)
    facts = {(c["category"], c["measure"]): c["amount"] for c in extraction.cells}
    assert facts == {
        ("overseas_travel", "budget"): Decimal("0.0000"),
        ("overseas_travel", "final"): Decimal("0.0000"),
        ("vehicle_total", "budget"): Decimal("20.0000"),
        ("vehicle_total", "final"): Decimal("15.0000"),
        ("vehicle_purchase", "budget"): Decimal("0.0000"),
        ("vehicle_purchase", "final"): Decimal("0.0000"),
        ("vehicle_operation", "budget"): Decimal("20.0000"),
        ("vehicle_operation", "final"): Decimal("15.0000"),
        ("official_reception", "budget"): Decimal("10.0000"),
        ("official_reception", "final"): Decimal("5.0000"),
    }
    assert any(
        i["check_name"] == "table_recognised" and "by its header" in i["detail"] for i in extraction.issues
    )
