"""A small raw warehouse derived from the seed documents, and a way to run dbt on it.

The rows below are values printed in `sources/001_c9601cb349fb6821.txt` (稷山县委组织部, 2024 budget),
`sources/002_0851205fe117d4ca.txt` (江苏省委组织部, 2024 整体绩效目标表) and
`sources/003_fea1944156b82701.txt` (朝阳市委组织部, 2024 final accounts and 整体绩效自评表), written
as the extraction writes them into `raw.*` (source line numbers are those of the seed files). A few
rows are deliberately altered to exercise the dbt rules; each is marked DELIBERATE: a code outside
the reference, truncated codes the extraction left uninferred, two tables that failed an
error-level check, and a project target table for a project that is not on the project list.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.extract.metadata import document_key
from orchestration.extract.performance.vocabulary import load_vocabulary
from orchestration.settings import DBT_PROJECT_DIR, ENV_DUCKDB_PATH
from orchestration.warehouse.raw_schema import RAW_SCHEMA, all_raw_tables, create_raw_tables_sql
from orchestration.warehouse.raw_schema_performance import performance_columns

DOC_001 = "001_c9601cb349fb6821.txt"
DOC_002 = "002_0851205fe117d4ca.txt"
DOC_003 = "003_fea1944156b82701.txt"
DOC_UNREADABLE = "005_unreadable.pdf"
DBT_TIMEOUT_SECONDS = 600


KEY_001, KEY_002, KEY_003, KEY_UNREADABLE = (
    document_key(name) for name in (DOC_001, DOC_002, DOC_003, DOC_UNREADABLE)
)

# ---------------------------------------------------------------------------------------- documents

_DOCUMENT_DEFAULTS = {
    "status": "read",
    "error": None,
    "encoding": "utf-8",
    "layout": "pdftotext",
    "department_code": None,
    "department_scope": "department",
    "prefecture": None,
    "county": None,
    "publisher": None,
    "source_url": None,
    "retrieval_date": None,
    "metadata_origin": "{}",
}

# fmt: off
DOCUMENTS = [
    {**_DOCUMENT_DEFAULTS, "document_key": KEY_001, "source_name": DOC_001, "sha256": "1" * 64,
     "doc_type": "budget", "phase": "budget", "fiscal_year": 2024, "department_name": "中共稷山县委组织部",
     "province": "山西省", "prefecture": "运城市", "county": "稷山县", "admin_level": "county",
     "division_code": "140824", "title": "中共稷山县委组织部2024年部门预算"},
    {**_DOCUMENT_DEFAULTS, "document_key": KEY_002, "source_name": DOC_002, "sha256": "2" * 64, "layout": "tsv",
     "doc_type": "performance_target", "phase": "budget", "fiscal_year": 2024,
     "department_name": "中共江苏省委组织部（机关）", "department_scope": "unit", "province": "江苏省",
     "admin_level": "province", "division_code": "320000", "title": "江苏省省级部门整体预算绩效目标表"},
    {**_DOCUMENT_DEFAULTS, "document_key": KEY_003, "source_name": DOC_003, "sha256": "3" * 64, "layout": "tsv",
     "doc_type": "final_account", "phase": "final_account", "fiscal_year": 2024,
     "department_name": "中共辽宁省朝阳市委组织部", "department_code": "106001", "province": "辽宁省",
     "prefecture": "朝阳市", "admin_level": "prefecture", "division_code": "211300",
     "title": "中共辽宁省朝阳市委组织部2024年度部门决算"},
    {**_DOCUMENT_DEFAULTS, "document_key": KEY_UNREADABLE, "source_name": DOC_UNREADABLE, "sha256": "5" * 64,
     "status": "unreadable", "error": "not a text document: no encoding decodes it", "encoding": None,
     "layout": None, "doc_type": None, "phase": None, "fiscal_year": None, "department_name": None,
     "department_scope": None, "province": None, "admin_level": None, "division_code": None, "title": None},
]

# (document_key, table_seq, source_table, table_kind, kind_priority, line_start, phase)
# Synthetic raw rows: table_seq values need only be distinct within a document (real extractions number
# financial and performance tables together, 1, 2, … in document order).
_TABLES = [
    (KEY_001, 1, "2024年预算收支总表", "budget_summary", 30, 118, "budget"),
    (KEY_001, 3, "2024年预算支出总表", "expenditure", 10, 162, "budget"),
    (KEY_001, 10, "2024年财政拨款安排“三公”经费支出预算表", "three_public_costs", 10, 574, "budget"),
    (KEY_001, 11, "2024年财政拨款安排机关运行经费预算表", "admin_operating_costs", 10, 598, "budget"),
    (KEY_001, 12, "2024年项目支出预算表（本年预算）", "project_expenditure", 10, 612, "budget"),
    (KEY_001, 1000797, "稷山县县(区)级预算部门（单位）项目支出绩效目标表", "performance_target_project", 0, 797, "budget"),
    (KEY_001, 1000904, "稷山县县(区)级预算部门（单位）项目支出绩效目标表", "performance_target_project", 0, 904, "budget"),
    (KEY_001, 1001400, "项目支出绩效目标表", "performance_target_project", 0, 1400, "budget"),
    (KEY_002, 1000003, "江苏省省级部门整体预算绩效目标表", "performance_target_department", 0, 3, "budget"),
    (KEY_002, 1000100, "项目支出绩效目标表", "performance_target_project", 0, 100, "budget"),
    (KEY_003, 1, "收入支出决算总表", "budget_summary", 30, 304, "final_account"),
    (KEY_003, 2, "收入决算表", "revenue", 10, 355, "final_account"),
    (KEY_003, 3, "支出决算表", "expenditure", 10, 395, "final_account"),
    (KEY_003, 6, "一般公共预算财政拨款基本支出决算表", "general_public_budget_basic", 10, 535, "final_account"),
    (KEY_003, 7, "财政拨款“三公”经费支出决算表", "three_public_costs", 10, 580, "final_account"),
    (KEY_003, 1000649, "部门（单位）整体绩效自评表", "performance_evaluation_department", 0, 649, "final_account"),
    (KEY_003, 1000695, "部门（单位）整体绩效自评表", "performance_evaluation_department", 0, 695, "final_account"),
]
# fmt: on
TABLE_TITLES = {(doc, seq): title for doc, seq, title, *_ in _TABLES}
_TABLE_KINDS = {(doc, seq): (kind, priority, phase) for doc, seq, _, kind, priority, _, phase in _TABLES}

# -------------------------------------------------------------------------------------------- cells

_CELL_DEFAULTS = {
    "source_unit": "万元",
    "row_role": "item",
    "funding": "total",
    "fund_scope": None,
    "function_code": None,
    "function_name": None,
    "code_inferred": False,
    "expenditure_type": None,
    "scheme": None,
    "economic_code": None,
    "economic_name": None,
    "cost_type": None,
    "revenue_source": None,
    "category": None,
    "measure": None,
    "project_name": None,
    "parent_project_name": None,
    "project_category": None,
    "project_level": None,
    "unit_name": None,
    "fund_source": None,
}


def _cell(doc: str, seq: int, row: int, col: int, line: int, label: str, column: str, raw: str, **meaning):
    kind, priority, phase = _TABLE_KINDS[(doc, seq)]
    return {
        **_CELL_DEFAULTS,
        "document_key": doc,
        "table_seq": seq,
        "table_kind": kind,
        "kind_priority": priority,
        "source_table": TABLE_TITLES[(doc, seq)],
        "source_row": label,
        "row_seq": row,
        "line_number": line,
        "column_label": column,
        "col_seq": col,
        "raw_value": raw,
        "amount": Decimal(raw.replace(",", "")),
        "phase": phase,
        # as the extraction locates a cell of a text document (readers/grid.py Row.provenance)
        "source_page": None,
        "source_locator": f"line {line}, cell {col}",
        **meaning,
    }


def _fn(code, name, expenditure_type, fund_scope="all", inferred=False, **extra):
    return {
        "fact_table": "expenditure_by_function",
        "function_code": code,
        "function_name": name,
        "expenditure_type": expenditure_type,
        "fund_scope": fund_scope,
        "code_inferred": inferred,
        **extra,
    }


def _econ(code, name, cost_type, inferred=False, **extra):
    return {
        "fact_table": "expenditure_by_economic",
        "scheme": "department",
        "economic_code": code,
        "economic_name": name,
        "cost_type": cost_type,
        "fund_scope": "general_public_budget",
        "code_inferred": inferred,
        **extra,
    }


def _project(name, fund_source, **extra):
    return {
        "fact_table": "project_expenditure",
        "project_name": name,
        "project_level": 2,
        "unit_name": "中共稷山县委组织部",
        "fund_source": fund_source,
        "funding": "current_year",
        **extra,
    }


def _three_public(category, measure, fund_scope="fiscal", **extra):
    return {
        "fact_table": "three_public_costs",
        "category": category,
        "measure": measure,
        "fund_scope": fund_scope,
        **extra,
    }


def _function_table(doc, seq, columns, rows):
    """The cells of a 支出总表-like table: rows (row_seq, line, code, name, *amounts per column), None = blank."""
    cells = []
    for row_seq, line, code, name, *amounts in rows:
        label = name or "合计"
        for (col_seq, column, expenditure_type), raw in zip(columns, amounts, strict=True):
            if raw is not None:
                role = {"row_role": "total"} if code is None else {}
                cells.append(_cell(doc, seq, row_seq, col_seq, line, label, column, raw,
                                   **_fn(code, name, expenditure_type, **role)))  # fmt: skip
    return cells


# fmt: off
EXPENDITURE_001 = _function_table(
    # 001 2024年预算支出总表 (lines 192-228), whole.
    KEY_001, 3,
    [(3, "2024年预算数 / 合计", "total"), (4, "2024年预算数 / 基本支出", "basic"), (5, "2024年预算数 / 项目支出", "project")],
    [
        (1, 192, None, None, "450.05", "301.21", "148.84"),
        (2, 194, "201", "一般公共服务支出", "388.14", "239.30", "148.84"),
        (3, 196, "20132", "组织事务", "388.14", "239.30", "148.84"),
        (4, 198, "2013201", "行政运行", "211.60", "211.60", None),
        (5, 200, "2013202", "一般行政管理事务", "40.00", None, "40.00"),
        # DELIBERATE: 2013250 事业运行 printed as 2013260, a code outside the reference; 事业运行 names
        # many 项 of class 201, so the name cannot repair it: kept as printed, reported as a warning.
        (6, 202, "2013260", "事业运行", "27.70", "27.70", None),
        (7, 204, "2013299", "其他组织事务支出", "108.84", None, "108.84"),
        (8, 206, "208", "社会保障和就业支出", "28.88", "28.88", None),
        (9, 208, "20805", "行政事业单位养老支出", "28.88", "28.88", None),
        (10, 210, "2080501", "行政单位离退休", "0.50", "0.50", None),
        (11, 212, "2080505", "机关事业单位基本养老保险缴费支出", "28.38", "28.38", None),
        (12, 214, "210", "卫生健康支出", "11.75", "11.75", None),
        (13, 216, "21011", "行政事业单位医疗", "11.75", "11.75", None),
        (14, 218, "2101101", "行政单位医疗", "9.93", "9.93", None),
        (15, 220, "2101102", "事业单位医疗", "1.60", "1.60", None),
        (16, 222, "2101199", "其他行政事业单位医疗支出", "0.22", "0.22", None),
        (17, 224, "221", "住房保障支出", "21.29", "21.29", None),
        (18, 226, "22102", "住房改革支出", "21.29", "21.29", None),
        (19, 228, "2210201", "住房公积金", "21.29", "21.29", None),
    ],
)

EXPENDITURE_003 = _function_table(
    # 003 支出决算表 (lines 408-427), whole (its 上缴上级/经营/对附属单位补助 columns are blank).
    KEY_003, 3,
    [(3, "本年支出合计", "total"), (4, "基本支出", "basic"), (5, "项目支出", "project")],
    [
        (1, 408, None, None, "1,803.18", "1,116.82", "686.35"),
        (2, 409, "201", "一般公共服务支出", "1,540.21", "853.86", "686.35"),
        (3, 410, "20132", "组织事务", "1,540.21", "853.86", "686.35"),
        (4, 411, "2013201", "行政运行", "806.84", "806.84", None),
        (5, 412, "2013202", "一般行政管理事务", "584.85", None, "584.85"),
        # DELIBERATE: 2013204 公务员事务 with its code cut to six digits and left uninferred by the
        # extraction: dbt repairs it from the name (the only 公务员事务 of class 201 in 2024).
        (6, 413, "201320", "公务员事务", "101.50", None, "101.50"),
        (7, 414, "2013250", "事业运行", "47.02", "47.02", None),
        (8, 415, "208", "社会保障和就业支出", "124.98", "124.98", None),
        (9, 416, "20805", "行政事业单位养老支出", "124.98", "124.98", None),
        (10, 417, "2080501", "行政单位离退休", "2.21", "2.21", None),
        (11, 418, "2080505", "机关事业单位基本养老保险缴费支出", "99.42", "99.42", None),
        (12, 419, "2080506", "机关事业单位职业年金缴费支出", "23.35", "23.35", None),
        (13, 420, "210", "卫生健康支出", "53.59", "53.59", None),
        (14, 421, "21011", "行政事业单位医疗", "53.59", "53.59", None),
        (15, 422, "2101101", "行政单位医疗", "35.93", "35.93", None),
        (16, 423, "2101102", "事业单位医疗", "3.04", "3.04", None),
        (17, 424, "2101103", "公务员医疗补助", "14.62", "14.62", None),
        (18, 425, "221", "住房保障支出", "84.39", "84.39", None),
        (19, 426, "22102", "住房改革支出", "84.39", "84.39", None),
        (20, 427, "2210201", "住房公积金", "84.39", "84.39", None),
    ],
)

CELLS = [
    # 001 预算收支总表 (line 35): revenue side, and class 201 of the expenditure side (also in 支出总表).
    _cell(KEY_001, 1, 1, 2, 35, "一、一般公共预算", "收入 / 2024年", "450.05",
          fact_table="revenue", revenue_source="general_public_budget", funding="current_year"),
    _cell(KEY_001, 1, 1, 4, 35, "一、一般公共服务支出", "支出 / 2024年合计", "388.14",
          **_fn("201", "一般公共服务支出", "total", inferred=True)),
    *EXPENDITURE_001,
    # 001 三公 table (lines 591-599): the 合计 column is 财政拨款 (fiscal), the next one its 一般公共预算 part.
    _cell(KEY_001, 10, 2, 2, 591, "公务接待费", "2024年预算数 / 合计", "1.10", **_three_public("official_reception", "budget")),
    _cell(KEY_001, 10, 2, 3, 591, "公务接待费", "2024年预算数 / 一般公共预算", "1.10",
          **_three_public("official_reception", "budget", fund_scope="general_public_budget")),
    _cell(KEY_001, 10, 6, 2, 599, "合计", "2024年预算数 / 合计", "1.10", **_three_public("total", "budget", row_role="total")),
    _cell(KEY_001, 10, 6, 3, 599, "合计", "2024年预算数 / 一般公共预算", "1.10",
          **_three_public("total", "budget", fund_scope="general_public_budget", row_role="total")),
    # 001 机关运行经费 (lines 612-614).
    _cell(KEY_001, 11, 1, 2, 612, "部门合计", "2024预算数 / 合计", "44.51",
          fact_table="admin_operating_costs", fund_scope="fiscal", row_role="total"),
    _cell(KEY_001, 11, 2, 2, 614, "中共稷山县委组织部", "2024预算数 / 合计", "44.51",
          fact_table="admin_operating_costs", fund_scope="fiscal", unit_name="中共稷山县委组织部"),
    # 001 项目支出预算表（本年预算） (lines 644-654), three of its projects.
    _cell(KEY_001, 12, 3, 2, 644, "农村离任“两委”主干生活补贴", "合计", "60.38", **_project("农村离任“两委”主干生活补贴", "total")),
    _cell(KEY_001, 12, 3, 3, 644, "农村离任“两委”主干生活补贴", "2024年财政拨款 / 一般公共预算", "60.38",
          **_project("农村离任“两委”主干生活补贴", "general_public_budget")),
    _cell(KEY_001, 12, 4, 2, 646, "党员干部教育培训经费", "合计", "11.46", **_project("党员干部教育培训经费", "total")),
    _cell(KEY_001, 12, 8, 2, 654, "组织部党建网经费", "合计", "12.00", **_project("组织部党建网经费", "total")),
    # 003 收入支出决算总表 (line 316).
    _cell(KEY_003, 1, 1, 3, 316, "一、一般公共预算财政拨款收入", "收入 / 金额", "1,803.18",
          fact_table="revenue", revenue_source="general_public_budget", funding="current_year"),
    # 003 收入决算表 (line 367): revenue by function class.
    _cell(KEY_003, 2, 2, 3, 367, "一般公共服务支出", "本年收入合计", "1,540.21", fact_table="revenue_by_function",
          function_code="201", function_name="一般公共服务支出", revenue_source="total", funding="current_year"),
    _cell(KEY_003, 2, 2, 4, 367, "一般公共服务支出", "财政拨款收入", "1,540.21", fact_table="revenue_by_function",
          function_code="201", function_name="一般公共服务支出", revenue_source="fiscal", funding="current_year"),
    *EXPENDITURE_003,
    # 003 一般公共预算财政拨款基本支出决算表 (lines 540-573): codes printed cut to four digits. DELIBERATE: only
    # three of class 301's rows are here, so 301 and the 人员经费合计 are given as those rows and the quarantined
    # 医疗费 (QUARANTINE) add up to (306.64 + 154.90 + 8.61 = 470.15, printed 997.29 and 1,001.18): the sum is short
    # by exactly the cell that could not be placed, a warning ("cannot be verified"), not an error.
    _cell(KEY_003, 6, 1, 3, 540, "工资福利支出", "人员经费 / 决算数", "470.15", **_econ("301", "工资福利支出", "personnel")),
    _cell(KEY_003, 6, 2, 3, 541, "基本工资", "人员经费 / 决算数", "306.64",
          **_econ("30101", "基本工资", "personnel", inferred=True)),
    # DELIBERATE: printed 3010, left uninferred by the extraction: dbt repairs it to 30102 from the name.
    _cell(KEY_003, 6, 3, 3, 542, "津贴补贴", "人员经费 / 决算数", "154.90", **_econ("3010", "津贴补贴", "personnel")),
    _cell(KEY_003, 6, 34, 3, 573, "人员经费合计", "人员经费 / 决算数", "470.15",
          **_econ(None, None, "personnel", row_role="total")),
    # 003 三公 table (lines 591-594). DELIBERATE: the table failed an error-level check (DQ_ISSUES).
    _cell(KEY_003, 7, 1, 2, 591, "合 计", "预算数", "4.92", **_three_public("total", "budget", row_role="total")),
    _cell(KEY_003, 7, 1, 3, 591, "合 计", "决算数", "4.92", **_three_public("total", "final", row_role="total")),
    _cell(KEY_003, 7, 4, 2, 594, "3、公务用车购置及运行费", "预算数", "4.92", **_three_public("vehicle_total", "budget")),
    _cell(KEY_003, 7, 4, 3, 594, "3、公务用车购置及运行费", "决算数", "4.92", **_three_public("vehicle_total", "final")),
]

QUARANTINE = [
    {"document_key": KEY_003, "table_seq": 6, "source_table": TABLE_TITLES[(KEY_003, 6)], "source_row": "医疗费",
     "line_number": 552, "column_label": "人员经费 / 决算数", "raw_value": "8.61",
     "reason": "economic code 3011 (医疗费): no single code of class 301 has this name in 2024",
     "source_page": None, "source_locator": "line 552, cell 3"},
]

FAILED_CHECK = "three_public_total_equals_items"
FAILED_PERFORMANCE_CHECK = "target_table_complete"
DQ_ISSUES = [
    {"document_key": KEY_003, "check_name": FAILED_CHECK, "severity": "error",
     "source_table": TABLE_TITLES[(KEY_003, 7)], "table_seq": 7,
     "detail": "expected 合 计 / 决算数 = sum of items (4.92); found 4.92 + 0.50 = 5.42 at row 3、公务用车购置及运行费"},
    {"document_key": KEY_002, "check_name": FAILED_PERFORMANCE_CHECK, "severity": "error",
     "source_table": TABLE_TITLES[(KEY_002, 1000100)], "table_seq": 1000100,
     "detail": "expected a 年度资金总额 per project; found none for 人才工作经费 (line 102)"},
    {"document_key": KEY_UNREADABLE, "check_name": "document_readable", "severity": "error", "source_table": None,
     "table_seq": None, "detail": "not a text document: no encoding decodes it"},
]
# fmt: on

# ---------------------------------------------------------------------------------------- performance


def _performance_row(table: str, doc: str, seq: int, block: int, row: int, line: int, label: str, **values):
    row_values = {
        "document_key": doc,
        "table_seq": seq,
        "block_seq": block,
        "row_seq": row,
        "source_table": TABLE_TITLES[(doc, seq)],
        "source_row": label,
        "line_number": line,
        "cell_reading": "positional",
        "source_page": None,
        "source_locator": f"line {line}",
        **values,
    }
    return {column: row_values.get(column) for column in performance_columns(table)}


def _target(doc, seq, block, row, line, level3, period, text, levels=("产出指标", "数量指标"), **values):
    return _performance_row(
        "performance_target",
        doc,
        seq,
        block,
        row,
        line,
        level3,
        period=period,
        level1_printed=levels[0],
        level1_name=levels[0],
        level2_printed=levels[1],
        level2_name=levels[1],
        level3_printed=level3,
        level3_name=level3,
        target_text=text,
        **values,
    )


def _block(doc, seq, block, line, kind, project_name=None, matched=None, **values):
    row = {
        "document_key": doc,
        "table_seq": seq,
        "block_seq": block,
        "source_table": TABLE_TITLES[(doc, seq)],
        "line_number": line,
        "table_kind": kind,
        "is_department_wide": project_name is None,
        "project_name": project_name,
        "matched_project_name": matched,
        "source_unit": "万元",
        "indicator_rows": 0,
        "target_facts": 0,
        "evaluation_facts": 0,
        "source_page": None,
        "source_locator": f"line {line}",
        **values,
    }
    return {column: row.get(column) for column in performance_columns("performance_project")}


def _funding(doc, seq, line, item, flow, period, raw, unit="万元"):
    amount = Decimal(raw.replace(",", ""))
    return _performance_row(
        "performance_funding",
        doc,
        seq,
        1,
        0,
        line,
        item,
        flow=flow,
        item_name=item,
        line_role=load_vocabulary().funding_line_role(flow, item),
        period=period,
        raw_value=raw,
        amount=amount / 10000 if unit == "元" else amount,
        source_unit=unit,
    )


# fmt: off
PERFORMANCE_TARGETS = [
    # 002 部门整体绩效目标表 (lines 33-41): a half-year and an annual value of one indicator are two facts.
    _target(KEY_002, 1000003, 1, 1, 33, "中长期规划制定健全性", "half_year", "健全", levels=("决策", "计划制定")),
    _target(KEY_002, 1000003, 1, 2, 33, "中长期规划制定健全性", "annual", "健全", levels=("决策", "计划制定")),
    _target(KEY_002, 1000003, 1, 3, 41, "预算调整率", "annual", "=0%", levels=("过程", "预算执行"),
            comparator="=", target_value=Decimal("0"), target_unit="%"),
    # 001 项目支出绩效目标表 (lines 797-901, 904-972): projects of 001's project list, matched to it by
    # the extraction; the second prints an implementation-period and an annual value.
    _target(KEY_001, 1000797, 1, 1, 883, "发放人数", "annual", "≥400人", project_name="农村离任“两委”主干生活补贴",
            matched_project_name="农村离任“两委”主干生活补贴", comparator=">=", target_value=Decimal("400"),
            target_unit="人", project_amount=Decimal("60.3840")),
    _target(KEY_001, 1000797, 1, 2, 901, "离任主干满意度", "annual", "≥95%", levels=("满意度指标", "服务对象满意度指标"),
            project_name="农村离任“两委”主干生活补贴", matched_project_name="农村离任“两委”主干生活补贴",
            comparator=">=", target_value=Decimal("95"), target_unit="%", project_amount=Decimal("60.3840")),
    _target(KEY_001, 1000904, 1, 1, 972, "维护网站数量", "implementation_period", "2个", project_name="组织部党建网经费",
            matched_project_name="组织部党建网经费", target_value=Decimal("2"), target_unit="个"),
    _target(KEY_001, 1000904, 1, 2, 972, "维护网站数量", "annual", "2个", project_name="组织部党建网经费",
            matched_project_name="组织部党建网经费", target_value=Decimal("2"), target_unit="个"),
    # DELIBERATE: a target table for a project that is not on 001's project list (the extraction matched
    # nothing): it is a project of its own in dim_project.
    _target(KEY_001, 1001400, 1, 1, 1412, "系统可用率", "annual", "≥99%", project_name="党建网运维保障",
            comparator=">=", target_value=Decimal("99"), target_unit="%"),
    # DELIBERATE: a target table that failed an error-level check (DQ_ISSUES): its target is quarantined.
    _target(KEY_002, 1000100, 1, 1, 112, "引进高层次人才数量", "annual", ">=10人", project_name="人才工作经费",
            comparator=">=", target_value=Decimal("10"), target_unit="人"),
]

PERFORMANCE_EVALUATIONS = [
    # 003 部门（单位）整体绩效自评表 (lines 649-668): a 年度主要任务 line and an indicator.
    _performance_row("performance_evaluation", KEY_003, 1000649, 1, 1, 658, "部门预算基本支出人员经费（刚性）",
                     row_kind="task", level1_printed="年度主要任务", level1_name="年度主要任务",
                     level3_printed="部门预算基本支出人员经费（刚性）", level3_name="部门预算基本支出人员经费（刚性）",
                     planned_amount=Decimal("251.63"), executed_amount=Decimal("236.73"),
                     execution_rate_text="94.00%", weight=Decimal("10"), score=Decimal("9.4")),
    _performance_row("performance_evaluation", KEY_003, 1000649, 1, 2, 668, "重点工作办结率",
                     row_kind="indicator", level1_printed="履职效能", level1_name="履职效能",
                     level2_printed="重点工作履行情况", level2_name="重点工作履行情况", level3_printed="重点工作办结率",
                     level3_name="重点工作办结率", target_text="=100%", comparator="=", target_value=Decimal("100"),
                     target_unit="%", actual_text="100", actual_value=Decimal("100"), completion_text="1",
                     weight=Decimal("3.5"), score=Decimal("3.5")),
    # 003's second 整体绩效自评表 (lines 695-710) evaluates a subordinate unit, 朝阳市组织工作服务中心: the same
    # indicator again, a fact of another unit (fct_unit_performance_evaluation), not a duplicate.
    _performance_row("performance_evaluation", KEY_003, 1000695, 1, 1, 710, "重点工作办结率",
                     row_kind="indicator", level1_printed="履职效能", level1_name="履职效能",
                     level2_printed="重点工作履行情况", level2_name="重点工作履行情况", level3_printed="重点工作办结率",
                     level3_name="重点工作办结率", target_text="=100%", comparator="=", target_value=Decimal("100"),
                     target_unit="%", actual_text="100", actual_value=Decimal("100"), completion_text="1",
                     weight=Decimal("3.5"), score=Decimal("3.5")),
]

PERFORMANCE_PROJECTS = [
    _block(KEY_001, 1000797, 1, 801, "performance_target_project", "农村离任“两委”主干生活补贴",
           "农村离任“两委”主干生活补贴", source_unit="元", budget_amount=Decimal("60.3840"),
           implementation_amount=Decimal("65.0000"), competent_department="009-中共稷山县委组织部",
           implementing_unit="中共稷山县委组织部", project_type="一次性项目（1年结束）"),
    _block(KEY_001, 1000904, 1, 908, "performance_target_project", "组织部党建网经费", "组织部党建网经费",
           source_unit="元", budget_amount=Decimal("12.0000"), implementation_amount=Decimal("12.0000")),
    _block(KEY_001, 1001400, 1, 1404, "performance_target_project", "党建网运维保障"),
    _block(KEY_002, 1000003, 1, 5, "performance_target_department", department_name="中共江苏省委组织部（机关）",
           budget_amount=Decimal("14379.06")),
    _block(KEY_002, 1000100, 1, 102, "performance_target_project", "人才工作经费"),
    _block(KEY_003, 1000649, 1, 653, "performance_evaluation_department",
           department_name="106001 中共朝阳市委组织部-211300000", budget_amount=Decimal("1070.87")),
    _block(KEY_003, 1000695, 1, 699, "performance_evaluation_department",
           department_name="106050 朝阳市组织工作服务中心-211300000", budget_amount=Decimal("74.63")),
]

PERFORMANCE_FUNDING = [
    # 001 line 810, printed in 元.
    _funding(KEY_001, 1000797, 810, "实施期资金总额", "revenue", "implementation_period", "650,000", unit="元"),
    _funding(KEY_001, 1000797, 810, "年度资金总额", "revenue", "annual", "603,840", unit="元"),
    # 002 lines 11, 20 and 21: 收入 14379.06 = 基本支出 8728.56 + 项目支出 5650.5 (int_reconciliation_performance).
    _funding(KEY_002, 1000003, 11, "资金总额", "revenue", "annual", "14379.06"),
    _funding(KEY_002, 1000003, 20, "基本支出", "expenditure", "half_year", "4000"),
    _funding(KEY_002, 1000003, 20, "基本支出", "expenditure", "annual", "8728.56"),
    _funding(KEY_002, 1000003, 21, "项目支出", "expenditure", "half_year", "1351"),
    _funding(KEY_002, 1000003, 21, "项目支出", "expenditure", "annual", "5650.5"),
]
# fmt: on

PERFORMANCE_ROWS = {
    "performance_target": PERFORMANCE_TARGETS,
    "performance_evaluation": PERFORMANCE_EVALUATIONS,
    "performance_project": PERFORMANCE_PROJECTS,
    "performance_funding": PERFORMANCE_FUNDING,
}


def _tables() -> list[dict]:
    """raw.tables rows whose counts agree with the cells, performance facts and quarantine rows above."""
    facts_rows = CELLS + PERFORMANCE_TARGETS + PERFORMANCE_EVALUATIONS + PERFORMANCE_FUNDING
    rows = []
    for doc, seq, title, kind, _priority, line_start, _phase in _TABLES:
        facts = sum(1 for row in facts_rows if (row["document_key"], row["table_seq"]) == (doc, seq))
        quarantined = sum(1 for row in QUARANTINE if (row["document_key"], row["table_seq"]) == (doc, seq))
        rows.append(
            {
                "document_key": doc,
                "table_seq": seq,
                "source_table": title,
                "table_kind": kind,
                "status": "recognised",
                "unit": "万元",
                "line_start": line_start,
                "line_end": line_start + 30,
                "numeric_cells": facts + quarantined,
                "facts": facts,
                "quarantined": quarantined,
                "note": None,
            }
        )
    return rows


def raw_fixture_rows() -> dict[str, list[dict]]:
    """Rows of every raw table (orchestration.warehouse.raw_schema.all_raw_tables), by table name."""
    return {
        "documents": DOCUMENTS,
        "tables": _tables(),
        "cells": CELLS,
        "quarantine": QUARANTINE,
        "dq_issue": DQ_ISSUES,
        **PERFORMANCE_ROWS,
    }


def write_raw_fixture(duckdb_path: Path) -> None:
    """Create the raw schema (orchestration.warehouse.raw_schema) in a DuckDB file and fill it."""
    rows_by_table = raw_fixture_rows()
    with duckdb.connect(str(duckdb_path)) as con:
        for statement in create_raw_tables_sql():
            con.execute(statement)
        for table in all_raw_tables():
            rows = rows_by_table.get(table, [])
            if not rows:
                continue
            columns = list(rows[0])
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"INSERT INTO {RAW_SCHEMA}.{table} ({', '.join(columns)}) VALUES ({placeholders})",
                [[row[column] for column in columns] for row in rows],
            )


# ------------------------------------------------------------------------------------------- dbt run


def run_dbt(args: list[str], duckdb_path: Path, artefacts_dir: Path) -> subprocess.CompletedProcess:
    """Run `dbt <args>` on the project against `duckdb_path`, in a child process.

    A child process, because dbt-duckdb keeps its database handle open for the life of the process and
    the tests then open the same file. target/ and logs/ go to artefacts_dir, never into the repository.
    """
    command = [
        sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(artefacts_dir / "target"),
        "--log-path", str(artefacts_dir / "logs"),
    ]  # fmt: skip
    env = {**os.environ, ENV_DUCKDB_PATH: str(duckdb_path), "DO_NOT_TRACK": "1"}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=DBT_TIMEOUT_SECONDS)
