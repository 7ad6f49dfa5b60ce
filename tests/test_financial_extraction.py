"""Financial tables of the five seeds: totals, a broad sample of rows of every kind, and the accounting.

The figures asserted here are read off the documents by hand (line numbers in comments), not off
the extraction's own output.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from helpers_extraction import SEED_FILES
from helpers_extraction import matching_cells as cells
from helpers_extraction import one_amount as one

from orchestration.extract.financial import extract_financial
from orchestration.extract.metadata import infer_metadata
from orchestration.extract.numbers import is_code_cell, parse_amount
from orchestration.extract.registry import load_registry
from orchestration.extract.segment import segment_document
from orchestration.readers import decode_document, read_text
from orchestration.readers.grid import squash

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEEDS = SEED_FILES


def _grid(seed: str):
    data = (SOURCES / SEEDS[seed]).read_bytes()
    text, _ = decode_document(data, SEEDS[seed])
    grid = read_text(text, SEEDS[seed])
    return grid, infer_metadata(grid, SEEDS[seed], data)


@pytest.fixture(scope="module")
def extracted():
    out = {}
    for seed in SEEDS:
        grid, meta = _grid(seed)
        out[seed] = extract_financial(grid, meta)
    return out


def table_seq(extraction, title_part: str) -> int:
    seqs = [t["table_seq"] for t in extraction.tables if t["source_table"] == title_part]
    seqs = seqs or [t["table_seq"] for t in extraction.tables if title_part in t["source_table"]]
    assert len(seqs) == 1, (title_part, [t["source_table"] for t in extraction.tables])
    return seqs[0]


# -- 000 Jilin province 2024 budget (tab-separated, names without codes) ------------------------


def test_000_function_codes_inferred_from_names(extracted):
    x = extracted["000"]
    gpb = table_seq(x, "一般公共预算支出预算表")
    row = cells(x, table_seq=gpb, function_code="2013299", expenditure_type="project")
    assert [c["amount"] for c in row] == [Decimal("5368.6400")]
    assert row[0]["code_inferred"] is True and row[0]["source_row"] == "其他组织事务支出"
    assert one(x, table_seq=gpb, function_code="2013201", expenditure_type="personnel") == Decimal("2468.13")
    assert one(x, table_seq=gpb, function_code="2013204", expenditure_type="total") == Decimal("861.93")
    assert one(x, table_seq=gpb, function_code="2210201", expenditure_type="basic") == Decimal("341.21")
    assert one(x, table_seq=gpb, row_role="total", expenditure_type="public") == Decimal("839.58")
    # 支出预算总表: all funds, with the 机关事业单位基本养老 保险缴费支出 name wrapped by the PDF
    total = table_seq(x, "支出预算总表")
    assert one(x, table_seq=total, function_code="2080505", expenditure_type="total") == Decimal("370.89")
    assert one(x, table_seq=total, row_role="total", expenditure_type="total") == Decimal("12948.50")


def test_000_economic_codes_from_names(extracted):
    x = extracted["000"]
    basic = table_seq(x, "一般公共预算基本支出预算表")
    assert one(x, table_seq=basic, economic_code="30101", cost_type="personnel") == Decimal("1001.36")
    assert one(x, table_seq=basic, economic_code="30239", cost_type="public") == Decimal("201.21")
    assert one(x, table_seq=basic, economic_code="31002", cost_type="total") == Decimal("34.42")
    assert one(x, table_seq=basic, economic_code="301", cost_type="total") == Decimal("3401.08")
    assert all(c["code_inferred"] for c in cells(x, table_seq=basic, row_role="item"))


def test_000_three_public_costs_and_revenue(extracted):
    x = extracted["000"]
    assert one(x, fact_table="three_public_costs", category="total") == Decimal("135.04")
    assert one(x, fact_table="three_public_costs", category="overseas_travel") == Decimal("100")
    assert one(x, fact_table="three_public_costs", category="vehicle_purchase") == Decimal("0")
    summary = table_seq(x, "收支预算总表")
    assert one(
        x, table_seq=summary, revenue_source="general_public_budget", funding="current_year"
    ) == Decimal("12072.00")
    assert one(x, table_seq=summary, source_row="收入总计", revenue_source="carryover") == Decimal("876.50")


def test_000_projects(extracted):
    x = extracted["000"]
    projects = {c["project_name"] for c in cells(x, fact_table="project_expenditure", row_role="item")}
    assert len(projects) == 23
    training = cells(x, project_name="公务员培训经费", row_role="item")
    by_source = {c["fund_source"]: c["amount"] for c in training}
    assert by_source == {
        "total": Decimal("411.62"),
        "general_public_budget": Decimal("350.00"),
        "carryover": Decimal("61.62"),
    }
    assert training[0]["parent_project_name"] == "公务员工作"
    assert training[0]["project_category"] == "专项业务支出"
    assert len(x.budget_projects) == 23
    exam = next(p for p in x.budget_projects if p.name == "公务员考录工作经费")
    assert (exam.total, exam.this_year) == (Decimal("335.21"), Decimal("290.00"))


def test_000_misaligned_revenue_column_is_quarantined_not_guessed(extracted):
    x = extracted["000"]
    # 收入预算总表 prints 876.50 under a header that reads both 上年结转结余 and 其他收入 (line 76-80)
    reasons = [q for q in x.quarantine if q["source_table"] == "收入预算总表"]
    assert len(reasons) == 3 and all(q["raw_value"] == "876.50" for q in reasons)
    assert all("mixes funding" in q["reason"] and "line" in q["reason"] for q in reasons)


def test_000_empty_template_tables_yield_nothing(extracted):
    x = extracted["000"]
    entrusted = next(t for t in x.tables if "委托业务费" in t["source_table"])
    assert entrusted["facts"] == entrusted["quarantined"] == entrusted["numeric_cells"] == 0
    assert "故此表为空" in entrusted["note"]
    for title in ("政府性基金预算拨款支出预算表", "国有资本经营预算支出预算表"):
        table = next(t for t in x.tables if t["source_table"] == title)
        assert table["status"] == "empty"


# -- 001 Jishan county 2024 budget (pdftotext layout) -------------------------------------------


def test_001_codes_and_projects(extracted):
    x = extracted["001"]
    spending = table_seq(x, "预算支出总表")
    assert one(x, table_seq=spending, function_code="2013299", expenditure_type="project") == Decimal(
        "108.84"
    )
    assert one(x, table_seq=spending, row_role="total", expenditure_type="basic") == Decimal("301.21")
    items = cells(x, fact_table="project_expenditure", row_role="item", fund_source="total")
    assert len(items) == 6
    assert sum(c["amount"] for c in items) == Decimal("148.84")
    assert {c["funding"] for c in items} == {"current_year"}  # 项目支出预算表（本年预算）


def test_001_wrapped_rows_and_glued_numbers(extracted):
    x = extracted["001"]
    fiscal = table_seq(x, "财政拨款收支总表")
    # "八、社会保障和就业支\n出" wraps onto three lines with its amounts after a blank line
    assert one(x, table_seq=fiscal, function_code="208", fund_scope="fiscal") == Decimal("28.88")
    # "一、一般公共预算 450.05一、一般公共服务支出 388.14": the number is glued to the next cell
    assert one(x, table_seq=fiscal, revenue_source="general_public_budget") == Decimal("450.05")
    revenue = table_seq(x, "预算收入总表")
    assert one(x, table_seq=revenue, function_code="2101199", revenue_source="general_public_budget") == (
        Decimal("0.22")
    )


def test_001_other_tables(extracted):
    x = extracted["001"]
    assert one(x, fact_table="three_public_costs", category="official_reception", fund_scope="fiscal") == (
        Decimal("1.10")
    )
    assert one(x, fact_table="admin_operating_costs", row_role="total", fund_scope="fiscal") == Decimal(
        "44.51"
    )
    basic = table_seq(x, "基本支出分经济科目表")
    # department × government cross rows have no contract grain: quarantined, with the reason
    crossed = [q for q in x.quarantine if q["table_seq"] == basic]
    assert crossed and all("cross-classified" in q["reason"] for q in crossed)
    assert one(x, table_seq=basic, economic_code="302", cost_type="public") == Decimal("165.35")


# -- 003 Chaoyang city 2024 final accounts (thousands separators, truncated economic codes) ------


def test_003_truncated_economic_codes_repaired(extracted):
    x = extracted["003"]
    basic = table_seq(x, "基本支出决算表")
    salary = cells(x, table_seq=basic, economic_code="30101")
    assert [c["amount"] for c in salary] == [Decimal("306.64")]
    assert salary[0]["code_inferred"] is True and salary[0]["source_row"] == "3010 基本工资"
    assert one(x, table_seq=basic, economic_code="30110") == Decimal("38.97")
    assert one(x, table_seq=basic, economic_code="30239", cost_type="public") == Decimal("56.67")
    assert one(x, table_seq=basic, economic_code="30399", cost_type="personnel") == Decimal("2.00")
    # the totals of the side-by-side blocks: 人员经费合计 | 公用经费合计 (printed in the next block)
    assert one(x, table_seq=basic, row_role="total", cost_type="personnel") == Decimal("1001.18")
    assert one(x, table_seq=basic, row_role="total", cost_type="public") == Decimal("115.64")


def test_003_final_account_expenditure(extracted):
    x = extracted["003"]
    spending = table_seq(x, "支出决算表")
    assert one(x, table_seq=spending, row_role="total", expenditure_type="basic") == Decimal("1116.82")
    assert one(x, table_seq=spending, row_role="total", expenditure_type="project") == Decimal("686.35")
    assert all(c["phase"] == "final_account" for c in x.cells)
    measures = {
        c["measure"]: c["amount"] for c in cells(x, fact_table="three_public_costs", category="total")
    }
    assert measures == {"budget": Decimal("4.92"), "final": Decimal("4.92")}
    summary = table_seq(x, "收入支出决算总表")
    assert one(x, table_seq=summary, function_code="208") == Decimal("124.99")  # 124.98 elsewhere
    revenue = table_seq(x, "收入决算表")
    assert one(x, table_seq=revenue, function_code="208", revenue_source="total") == Decimal("124.98")


# -- 004 Pingxiang county 2023 budget (one cell per line) ---------------------------------------


def test_004_fixed_assets_values_and_quantities(extracted):
    x = extracted["004"]
    assets = {c["category"]: c["amount"] for c in cells(x, fact_table="fixed_assets")}
    # 部门固定资产占用情况表 (lines 4043-4071): 资产总额 313.07 = 车辆 8.85 + 设备 80.10 + 其他 224.12
    assert assets == {
        "total": Decimal("313.07"),
        "vehicles": Decimal("8.85"),
        "high_value_equipment": Decimal("80.10"),
        "other": Decimal("224.12"),
    }
    quantities = [q for q in x.quarantine if q["source_table"] == "部门固定资产占用情况表"]
    assert sorted(q["raw_value"] for q in quantities) == ["1", "2", "2178"]
    assert all("a quantity (数量), not money" in q["reason"] for q in quantities)


def test_004_rows(extracted):
    x = extracted["004"]
    spending = table_seq(x, "部门预算支出总表")
    assert one(x, table_seq=spending, function_code="2130126", expenditure_type="project") == Decimal(
        "610.00"
    )
    basic = table_seq(x, "基本支出表")
    assert one(x, table_seq=basic, economic_code="30305", cost_type="personnel") == Decimal("13.50")
    assert not any(c["code_inferred"] for c in cells(x, table_seq=basic))
    summary = table_seq(x, "部门预算收支总表")
    assert one(x, table_seq=summary, revenue_source="general_public_budget") == Decimal("2184.44")
    assert one(x, table_seq=summary, revenue_source="carryover") == Decimal("94.71")
    revenue = table_seq(x, "部门预算收入总表")
    assert one(x, table_seq=revenue, row_role="total", revenue_source="fiscal") == Decimal("2184.44")
    assert one(x, table_seq=revenue, row_role="total", revenue_source="carryover") == Decimal("94.71")
    assert one(x, fact_table="three_public_costs", category="vehicle_operation", fund_scope="fiscal") == (
        Decimal("1.70")
    )


# -- every table: how many facts, and every number accounted for ---------------------------------

EXPECTED_FACTS = {
    "000": [27, 12, 35, 24, 55, 69, 6, 0, 0, 79, 0],
    "001": [15, 38, 41, 15, 53, 9, 0, 0, 0, 4, 4, 16, 0],
    "002": [],
    "003": [9, 40, 43, 15, 60, 26, 6, 0, 0],
    "004": [13, 97, 71, 23, 71, 53, 0, 0, 4, 0, 0, 4],
}


@pytest.mark.parametrize("seed", SEEDS)
def test_facts_per_table(extracted, seed):
    assert [t["facts"] for t in extracted[seed].tables] == EXPECTED_FACTS[seed]


def _printed_numbers(seed: str) -> Counter:
    """Every number printed in the body of a table, found without the recognisers."""
    grid, _ = _grid(seed)
    registry = load_registry()
    printed: Counter = Counter()
    for block in segment_document(grid, registry).financial:
        structural: set[int] = set()
        for row in block.rows:
            first = squash(row.cells[0]) if row.cells else ""
            structural |= {i for i, c in enumerate(row.cells) if squash(c) in registry.structural_headers}
            if first == "栏次" or all(
                c.strip().isdigit() and len(c.strip()) <= 2 for c in row.cells if c.strip()
            ):
                continue  # column numbers
            for index, raw in enumerate(row.cells):
                text = raw.strip()
                if not text or index in structural:
                    continue
                value = parse_amount(text)
                if value.value is None and not (value.problem and "unreadable number" in value.problem):
                    continue
                if is_code_cell(row.cells, index):
                    continue  # a classification code, followed by its name
                printed[(block.seq, row.line, text)] += 1
    return printed


@pytest.mark.parametrize("seed", SEEDS)
def test_every_printed_number_is_a_fact_or_quarantined(extracted, seed):
    x = extracted[seed]
    placed = Counter((c["table_seq"], c["line_number"], c["raw_value"]) for c in x.cells)
    placed += Counter((q["table_seq"], q["line_number"], q["raw_value"]) for q in x.quarantine)
    printed = _printed_numbers(seed)
    assert printed - placed == Counter(), "printed numbers that are neither facts nor quarantined"
    assert placed - printed == Counter(), "facts that were never printed"
    for table in x.tables:
        assert table["numeric_cells"] == table["facts"] + table["quarantined"]


def test_unreadable_number_is_quarantined_with_its_reason():
    grid, meta = _grid("004")
    rows = list(grid.rows)
    index = next(i for i, r in enumerate(rows) if "生活补助" in r.cells and "13.50" in r.cells)
    bad_cells = tuple("4.5O" if c == "13.50" else c for c in rows[index].cells)
    rows[index] = type(rows[index])(line=rows[index].line, cells=bad_cells)
    grid.rows = rows
    x = extract_financial(grid, meta)
    bad = [q for q in x.quarantine if q["raw_value"] == "4.5O"]
    assert len(bad) == 2
    assert all("unreadable number" in q["reason"] and "生活补助" in q["reason"] for q in bad)
    assert not cells(x, economic_code="30305")


def test_table_printed_in_yuan_is_converted_to_wan_yuan():
    data = (SOURCES / SEEDS["004"]).read_text(encoding="utf-8")
    head = data.index("]部门预算支出总表")
    yuan = data[:head] + data[head:].replace("单位：万元", "单位：元", 1)
    grid = read_text(yuan, SEEDS["004"])
    x = extract_financial(grid, infer_metadata(grid, SEEDS["004"], yuan.encode()))
    spending = table_seq(x, "部门预算支出总表")
    assert one(x, table_seq=spending, function_code="2130126", expenditure_type="project") == Decimal(
        "0.0610"
    )
    assert {c["source_unit"] for c in cells(x, table_seq=spending)} == {"元"}
    assert one(x, table_seq=table_seq(x, "基本支出表"), economic_code="30305", cost_type="total") == Decimal(
        "13.50"
    )


def test_a_document_whose_extraction_fails_is_reported_and_the_others_proceed(tmp_path, monkeypatch):
    from orchestration.extract import pipeline

    for seed in ("000", "004"):
        (tmp_path / SEEDS[seed]).write_bytes((SOURCES / SEEDS[seed]).read_bytes())
    real = pipeline.extract_financial

    def failing_on_004(grid, meta, *args, **kwargs):
        if grid.source_name.startswith("004"):
            raise ValueError("an unexpected layout")
        return real(grid, meta, *args, **kwargs)

    monkeypatch.setattr(pipeline, "extract_financial", failing_on_004)
    first, second = pipeline.extract_sources(tmp_path)
    assert first.document["status"] == "read" and len(first.cells) == 307
    assert second.document["status"] == "failed" and not second.cells
    assert "ValueError: an unexpected layout" in second.document["error"]
    (issue,) = second.issues
    assert issue["severity"] == "error" and SEEDS["004"] in issue["detail"]
    # and the blocking validation lets it through: one failed document must not stop the others' release
    import duckdb

    from orchestration.checks import read_raw_table
    from orchestration.validation.schemas import validate_raw_table
    from orchestration.warehouse.load import write_raw
    from orchestration.warehouse.raw_schema import all_raw_tables

    con = duckdb.connect()
    write_raw(con, [first, second])
    assert validate_raw_table(
        "documents", all_raw_tables()["documents"], read_raw_table(con, "documents")
    ).passed


def _with_rare_lines_printed() -> str:
    """004 with figures on lines the seeds leave blank: 三公 sub-items and a non-fiscal carry-over."""
    text = (SOURCES / SEEDS["004"]).read_text(encoding="utf-8")
    research = "\t    其中：教学科研人员因公出国（境）费\n\t\n\t\n\t\n\t\n"
    assert research in text
    text = text.replace(research, "\t    其中：教学科研人员因公出国（境）费\n\t0.50\n\t0.50\n\t\n\t\n", 1)
    return text


def test_every_raw_row_the_extraction_writes_passes_the_pandera_schemas(tmp_path):
    """The blocking validation must never fail on what the recognisers emit by design."""
    import duckdb

    from orchestration.checks import read_raw_table
    from orchestration.extract.pipeline import extract_sources
    from orchestration.validation.schemas import validate_raw_table
    from orchestration.warehouse.load import write_raw
    from orchestration.warehouse.raw_schema import all_raw_tables

    for name in SEEDS.values():
        (tmp_path / name).write_bytes((SOURCES / name).read_bytes())
    (tmp_path / "004_rare_lines.txt").write_text(_with_rare_lines_printed(), encoding="utf-8")
    extractions = extract_sources(tmp_path)
    rare = next(x for x in extractions if x.source_name == "004_rare_lines.txt")
    assert any(c["fact_table"] == "three_public_costs_detail" for c in rare.cells)
    con = duckdb.connect()
    write_raw(con, extractions)
    for table, columns_sql in all_raw_tables().items():
        outcome = validate_raw_table(table, columns_sql, read_raw_table(con, table))
        assert outcome.errors == [], (table, outcome.errors[:3])


@pytest.mark.parametrize(
    ("printed", "value", "problem"),
    [
        ("1,803.18", Decimal("1803.18"), None),
        ("１８０３．１８", Decimal("1803.18"), None),
        ("12948.5", Decimal("12948.5"), None),
        ("0", Decimal("0"), None),  # a printed zero is a fact of zero
        ("", None, None),  # a blank is no fact
        ("-", None, None),
        ("—", None, None),
        ("---------", None, None),  # a ruled line under a header
        ("4.5O", None, "unreadable number"),
        ("1,2O3.00", None, "unreadable number"),
    ],
)
def test_printed_amounts_are_read_exactly(printed, value, problem):
    amount = parse_amount(printed)
    assert amount.value == value
    assert (amount.problem is None) if problem is None else (problem in amount.problem)
    if amount.value is not None:
        assert isinstance(amount.value, Decimal)
