"""A small raw warehouse derived from seed documents 001 and 003, and a way to run dbt on it.

The rows below are cells printed in `sources/001_c9601cb349fb6821.txt` (稷山县委组织部, 2024 budget)
and `sources/003_fea1944156b82701.txt` (朝阳市委组织部, 2024 final accounts), written as the
extraction writes them into `raw.*`. Three rows are deliberately altered to exercise the dbt rules
(each is marked DELIBERATE below): a code outside the reference, a truncated code the extraction
could not infer, and a table that failed an error-level check.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR, ENV_DUCKDB_PATH
from orchestration.warehouse.raw_schema import RAW_SCHEMA, all_raw_tables, create_raw_tables_sql

DOC_001 = "001_c9601cb349fb6821.txt"
DOC_003 = "003_fea1944156b82701.txt"
DOC_UNREADABLE = "005_unreadable.pdf"


def document_key(source_name: str) -> str:
    """The extraction's document key: sha256 of the file name, 16 hex."""
    return hashlib.sha256(source_name.encode("utf-8")).hexdigest()[:16]


KEY_001, KEY_003, KEY_UNREADABLE = (document_key(n) for n in (DOC_001, DOC_003, DOC_UNREADABLE))

_DOCUMENT_DEFAULTS = {
    "status": "read",
    "error": None,
    "encoding": "utf-8",
    "layout": "pdftotext",
    "department_code": None,
    "department_scope": "department",
    "county": None,
    "publisher": None,
    "source_url": None,
    "retrieval_date": None,
    "metadata_origin": "{}",
}

DOCUMENTS = [
    {
        **_DOCUMENT_DEFAULTS,
        "document_key": KEY_001,
        "source_name": DOC_001,
        "sha256": "1" * 64,
        "doc_type": "budget",
        "phase": "budget",
        "fiscal_year": 2024,
        "department_name": "中共稷山县委组织部",
        "province": "山西省",
        "prefecture": "运城市",
        "county": "稷山县",
        "admin_level": "county",
        "division_code": "140824",
        "title": "中共稷山县委组织部2024年部门预算",
    },
    {
        **_DOCUMENT_DEFAULTS,
        "document_key": KEY_003,
        "source_name": DOC_003,
        "sha256": "3" * 64,
        "layout": "tsv",
        "doc_type": "final_account",
        "phase": "final_account",
        "fiscal_year": 2024,
        "department_name": "中共辽宁省朝阳市委组织部",
        "department_code": "106001",
        "province": "辽宁省",
        "prefecture": "朝阳市",
        "admin_level": "prefecture",
        "division_code": "211300",
        "title": "中共辽宁省朝阳市委组织部2024年度部门决算",
    },
    {
        **_DOCUMENT_DEFAULTS,
        "document_key": KEY_UNREADABLE,
        "source_name": DOC_UNREADABLE,
        "sha256": "5" * 64,
        "status": "unreadable",
        "error": "not a text document: no encoding decodes it",
        "encoding": None,
        "layout": None,
        "doc_type": None,
        "phase": None,
        "fiscal_year": None,
        "department_name": None,
        "department_scope": None,
        "province": None,
        "prefecture": None,
        "admin_level": None,
        "division_code": None,
        "title": None,
    },
]

# (document_key, table_seq, source_table, table_kind, kind_priority, line_start, phase)
_TABLES = [
    (KEY_001, 1, "2024年预算收支总表", "budget_summary", 30, 118, "budget"),
    (KEY_001, 3, "2024年预算支出总表", "expenditure", 10, 162, "budget"),
    (KEY_001, 10, "2024年财政拨款安排“三公”经费支出预算表", "three_public_costs", 10, 574, "budget"),
    (KEY_001, 11, "2024年财政拨款安排机关运行经费预算表", "admin_operating_costs", 10, 598, "budget"),
    (KEY_001, 12, "2024年项目支出预算表（本年预算）", "project_expenditure", 10, 612, "budget"),
    (KEY_003, 1, "收入支出决算总表", "budget_summary", 30, 304, "final_account"),
    (KEY_003, 3, "支出决算表", "expenditure", 10, 395, "final_account"),
    (KEY_003, 6, "一般公共预算财政拨款基本支出决算表", "general_public_budget_basic", 10, 535, "final_account"),
    (KEY_003, 7, "财政拨款“三公”经费支出决算表", "three_public_costs", 10, 580, "final_account"),
]
TABLE_TITLES = {(doc, seq): title for doc, seq, title, *_ in _TABLES}
_TABLE_KINDS = {(doc, seq): (kind, priority, phase) for doc, seq, _, kind, priority, _, phase in _TABLES}

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


CELLS = [
    # 001 预算收支总表: revenue side and class 201 of the expenditure side (201 also in 支出总表).
    _cell(KEY_001, 1, 1, 2, 142, "一、一般公共预算", "收入 / 2024年", "450.05",
          fact_table="revenue", revenue_source="general_public_budget", funding="current_year"),
    _cell(KEY_001, 1, 1, 4, 142, "一、一般公共服务支出", "支出 / 2024年合计", "388.14",
          **_fn("201", "一般公共服务支出", "total", inferred=True)),
    # 001 预算支出总表 (lines 176-186).
    _cell(KEY_001, 3, 1, 3, 176, "合计", "2024年预算数 / 合计", "450.05",
          **_fn(None, None, "total", row_role="total")),
    _cell(KEY_001, 3, 1, 4, 176, "合计", "2024年预算数 / 基本支出", "301.21",
          **_fn(None, None, "basic", row_role="total")),
    _cell(KEY_001, 3, 1, 5, 176, "合计", "2024年预算数 / 项目支出", "148.84",
          **_fn(None, None, "project", row_role="total")),
    _cell(KEY_001, 3, 2, 3, 178, "一般公共服务支出", "2024年预算数 / 合计", "388.14",
          **_fn("201", "一般公共服务支出", "total")),
    _cell(KEY_001, 3, 2, 4, 178, "一般公共服务支出", "2024年预算数 / 基本支出", "239.30",
          **_fn("201", "一般公共服务支出", "basic")),
    _cell(KEY_001, 3, 2, 5, 178, "一般公共服务支出", "2024年预算数 / 项目支出", "148.84",
          **_fn("201", "一般公共服务支出", "project")),
    _cell(KEY_001, 3, 3, 3, 180, "组织事务", "2024年预算数 / 合计", "388.14",
          **_fn("20132", "组织事务", "total")),
    _cell(KEY_001, 3, 7, 3, 188, "其他组织事务支出", "2024年预算数 / 合计", "108.84",
          **_fn("2013299", "其他组织事务支出", "total")),
    _cell(KEY_001, 3, 7, 5, 188, "其他组织事务支出", "2024年预算数 / 项目支出", "108.84",
          **_fn("2013299", "其他组织事务支出", "project")),
    # DELIBERATE: 2013250 事业运行 printed as 2013260, a code not in the reference; its name is that
    # of many 项 of class 201, so it cannot be repaired: kept as printed, reported as a warning.
    _cell(KEY_001, 3, 6, 3, 186, "事业运行", "2024年预算数 / 合计", "27.70",
          **_fn("2013260", "事业运行", "total")),
    # 001 三公 table (lines 586-596): the 合计 column is 财政拨款 (fiscal), the next its 一般公共预算 part.
    _cell(KEY_001, 10, 2, 2, 590, "公务接待费", "2024年预算数 / 合计", "1.10",
          fact_table="three_public_costs", category="official_reception", measure="budget", fund_scope="fiscal"),
    _cell(KEY_001, 10, 2, 3, 590, "公务接待费", "2024年预算数 / 一般公共预算", "1.10",
          fact_table="three_public_costs", category="official_reception", measure="budget",
          fund_scope="general_public_budget"),
    _cell(KEY_001, 10, 6, 2, 598, "合计", "2024年预算数 / 合计", "1.10",
          fact_table="three_public_costs", category="total", measure="budget", fund_scope="fiscal",
          row_role="total"),
    # 001 机关运行经费 (lines 610-612).
    _cell(KEY_001, 11, 1, 2, 610, "部门合计", "2024预算数 / 合计", "44.51",
          fact_table="admin_operating_costs", fund_scope="fiscal", row_role="total"),
    _cell(KEY_001, 11, 2, 2, 612, "中共稷山县委组织部", "2024预算数 / 合计", "44.51",
          fact_table="admin_operating_costs", fund_scope="fiscal", unit_name="中共稷山县委组织部"),
    # 001 项目支出预算表（本年预算） (lines 641-647).
    _cell(KEY_001, 12, 3, 2, 641, "农村离任“两委”主干生活补贴", "合计", "60.38",
          fact_table="project_expenditure", project_name="农村离任“两委”主干生活补贴", project_level=2,
          unit_name="中共稷山县委组织部", fund_source="total", funding="current_year"),
    _cell(KEY_001, 12, 3, 3, 641, "农村离任“两委”主干生活补贴", "2024年财政拨款 / 一般公共预算", "60.38",
          fact_table="project_expenditure", project_name="农村离任“两委”主干生活补贴", project_level=2,
          unit_name="中共稷山县委组织部", fund_source="general_public_budget", funding="current_year"),
    _cell(KEY_001, 12, 4, 2, 643, "党员干部教育培训经费", "合计", "11.46",
          fact_table="project_expenditure", project_name="党员干部教育培训经费", project_level=2,
          unit_name="中共稷山县委组织部", fund_source="total", funding="current_year"),
    # 003 收入支出决算总表 (line 314).
    _cell(KEY_003, 1, 1, 3, 314, "一、一般公共预算财政拨款收入", "收入 / 金额", "1,803.18",
          fact_table="revenue", revenue_source="general_public_budget", funding="current_year"),
    # 003 支出决算表 (lines 402-408).
    _cell(KEY_003, 3, 1, 3, 402, "合计", "本年支出合计", "1,803.18", **_fn(None, None, "total", row_role="total")),
    _cell(KEY_003, 3, 2, 3, 403, "一般公共服务支出", "本年支出合计", "1,540.21", **_fn("201", "一般公共服务支出", "total")),
    _cell(KEY_003, 3, 2, 4, 403, "一般公共服务支出", "基本支出", "853.86", **_fn("201", "一般公共服务支出", "basic")),
    _cell(KEY_003, 3, 2, 5, 403, "一般公共服务支出", "项目支出", "686.35", **_fn("201", "一般公共服务支出", "project")),
    # DELIBERATE: 2013204 公务员事务 with its code cut to six digits and not inferred by the extraction:
    # dbt repairs it from the name (the only 公务员事务 of class 201 in 2024).
    _cell(KEY_003, 3, 6, 5, 407, "公务员事务", "项目支出", "101.50", **_fn("201320", "公务员事务", "project")),
    # 003 一般公共预算财政拨款基本支出决算表 (lines 538-541): codes printed cut to four digits.
    _cell(KEY_003, 6, 1, 3, 538, "工资福利支出", "人员经费 / 决算数", "997.29",
          **_econ("301", "工资福利支出", "personnel")),
    _cell(KEY_003, 6, 2, 3, 539, "基本工资", "人员经费 / 决算数", "306.64",
          **_econ("30101", "基本工资", "personnel", inferred=True)),
    # DELIBERATE: as printed (3010), the extraction having left the code uninferred: dbt repairs it to 30102.
    _cell(KEY_003, 6, 3, 3, 540, "津贴补贴", "人员经费 / 决算数", "154.90",
          **_econ("3010", "津贴补贴", "personnel")),
    _cell(KEY_003, 6, 40, 3, 574, "人员经费合计", "人员经费 / 决算数", "1,001.18",
          **_econ(None, None, "personnel", row_role="total")),
    # 003 三公 table (lines 590-594); DELIBERATE: the table fails an error-level check (see DQ_ISSUES).
    _cell(KEY_003, 7, 1, 2, 590, "合 计", "预算数", "4.92",
          fact_table="three_public_costs", category="total", measure="budget", fund_scope="fiscal", row_role="total"),
    _cell(KEY_003, 7, 1, 3, 590, "合 计", "决算数", "4.92",
          fact_table="three_public_costs", category="total", measure="final", fund_scope="fiscal", row_role="total"),
    _cell(KEY_003, 7, 4, 2, 593, "3、公务用车购置及运行费", "预算数", "4.92",
          fact_table="three_public_costs", category="vehicle_total", measure="budget", fund_scope="fiscal"),
    _cell(KEY_003, 7, 4, 3, 593, "3、公务用车购置及运行费", "决算数", "4.92",
          fact_table="three_public_costs", category="vehicle_total", measure="final", fund_scope="fiscal"),
]

QUARANTINE = [
    {
        "document_key": KEY_003,
        "table_seq": 6,
        "source_table": TABLE_TITLES[(KEY_003, 6)],
        "source_row": "医疗费",
        "line_number": 551,
        "column_label": "人员经费 / 决算数",
        "raw_value": "8.61",
        "reason": "economic code 3011 (医疗费): no single code of class 301 has this name in 2024",
    },
]

FAILED_CHECK = "three_public_total_equals_items"
DQ_ISSUES = [
    {
        "document_key": KEY_003,
        "check_name": FAILED_CHECK,
        "severity": "error",
        "source_table": TABLE_TITLES[(KEY_003, 7)],
        "table_seq": 7,
        "detail": "expected 合 计 / 决算数 = sum of items (4.92); found 4.92 + 0.50 = 5.42 at row 3、公务用车购置及运行费",
    },
    {
        "document_key": KEY_UNREADABLE,
        "check_name": "document_readable",
        "severity": "error",
        "source_table": None,
        "table_seq": None,
        "detail": "not a text document: no encoding decodes it",
    },
]


def _tables() -> list[dict]:
    """raw.tables rows whose counts agree with the cells and quarantine rows above."""
    rows = []
    for doc, seq, title, kind, _priority, line_start, _phase in _TABLES:
        facts = sum(1 for c in CELLS if (c["document_key"], c["table_seq"]) == (doc, seq))
        quarantined = sum(1 for q in QUARANTINE if (q["document_key"], q["table_seq"]) == (doc, seq))
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
    return {
        "documents": DOCUMENTS,
        "tables": _tables(),
        "cells": CELLS,
        "quarantine": QUARANTINE,
        "dq_issue": DQ_ISSUES,
    }


def write_raw_fixture(duckdb_path: Path) -> None:
    """Create the raw schema (orchestration.warehouse.raw_schema) in a DuckDB file and fill it."""
    with duckdb.connect(str(duckdb_path)) as con:
        for statement in create_raw_tables_sql():
            con.execute(statement)
        rows_by_table = raw_fixture_rows()
        for table in all_raw_tables():
            rows = rows_by_table.get(table, [])
            if not rows:
                continue
            columns = list(rows[0])
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"INSERT INTO {RAW_SCHEMA}.{table} ({', '.join(columns)}) VALUES ({placeholders})",
                [[row[c] for c in columns] for row in rows],
            )


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def run_dbt(args: list[str], duckdb_path: Path, artefacts_dir: Path):
    """Run dbt in-process on the project against `duckdb_path`; target/ and logs go to artefacts_dir."""
    from dbt.cli.main import dbtRunner

    common = [
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(artefacts_dir / "target"),
        "--log-path", str(artefacts_dir / "logs"),
    ]  # fmt: skip
    with _env(ENV_DUCKDB_PATH, str(duckdb_path)):
        return dbtRunner().invoke([*args, *common])
