"""Performance targets and self-evaluations read from the five seed documents.

Every assertion is about what the seeds print: how many projects have target or evaluation tables,
sample indicators of every form with their comparator, value, unit, period, weight or score, the
linking of target tables to 000's project list (read here, independently, from its 项目支出预算表),
and an accounting of rows: every row of every performance table is read as something, and every
row that prints an indicator value ends up as a fact or in quarantine.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.extract.financial import BudgetProject
from orchestration.extract.numbers import is_amount_like
from orchestration.extract.performance import (
    TargetProject,
    extract_performance,
    match_projects,
    parse_indicator_value,
)
from orchestration.extract.performance.vocabulary import load_vocabulary
from orchestration.readers import decode_document, read_text
from orchestration.readers.grid import Grid, squash
from orchestration.warehouse.raw_schema import RAW_TABLES
from orchestration.warehouse.raw_schema_performance import PERFORMANCE_TABLES, performance_columns

SOURCES = Path(__file__).resolve().parents[1] / "sources"


def _grid(prefix: str, text_edit=None) -> Grid:
    path = next(SOURCES.glob(f"{prefix}_*.txt"))
    text, _ = decode_document(path.read_bytes(), path.name)
    if text_edit is not None:
        text = text_edit(text)
    return read_text(text, path.name)


@pytest.fixture(scope="module")
def grids() -> dict[str, Grid]:
    return {prefix: _grid(prefix) for prefix in ("000", "001", "002", "003", "004")}


def _project_list_000(grid: Grid) -> list[BudgetProject]:
    """000's 二级项目 from its 项目支出预算表: name, 合计 and this year's share (合计 less 上年结转)."""
    rows = grid.rows
    start = next(i for i, row in enumerate(rows) if squash(row.text) == "项目支出预算表")
    projects = []
    for row in rows[start + 1 :]:
        if row.is_single and squash(row.text).endswith("表"):
            break
        cells = list(row.cells) + [""] * 14
        name = cells[2].strip()
        if not name or not re.fullmatch(r"[\d.]+", cells[4].strip() or "x"):
            continue
        total = Decimal(cells[4])
        carryover = Decimal(cells[10]) if cells[10].strip() else Decimal(0)
        projects.append(BudgetProject(name=name, parent_name=None, total=total, this_year=total - carryover))
    return projects


@pytest.fixture(scope="module")
def budget_000(grids) -> list[BudgetProject]:
    return _project_list_000(grids["000"])


@pytest.fixture(scope="module")
def results(grids, budget_000):
    return {
        prefix: extract_performance(grid, f"doc{prefix}", budget_000 if prefix == "000" else [])
        for prefix, grid in grids.items()
    }


def _one(rows: list[dict], **where) -> dict:
    found = [row for row in rows if all(row[k] == v for k, v in where.items())]
    assert len(found) == 1, f"{where}: {len(found)} rows"
    return found[0]


def _projects(result, kind_prefix: str) -> list[dict]:
    return [p for p in result.projects if p["table_kind"].startswith(kind_prefix)]


# --- how many projects have targets or evaluations ------------------------------------------------
def test_projects_with_targets_per_document(results):
    counts = {}
    for prefix, result in results.items():
        blocks = _projects(result, "performance_target")
        counts[prefix] = (
            sum(1 for b in blocks if not b["is_department_wide"] and b["target_facts"] > 0),
            sum(1 for b in blocks if b["is_department_wide"] and b["target_facts"] > 0),
        )
    assert counts == {"000": (22, 0), "001": (5, 0), "002": (10, 1), "003": (0, 0), "004": (25, 0)}


def test_projects_self_evaluated(results):
    evaluated = _projects(results["003"], "performance_evaluation")
    assert sum(1 for b in evaluated if not b["is_department_wide"] and b["evaluation_facts"] > 0) == 10
    assert sum(1 for b in evaluated if b["is_department_wide"]) == 2
    for prefix in ("000", "001", "002", "004"):
        assert results[prefix].evaluations == []


def test_tables_recognised(results):
    kinds = {prefix: sorted({t["table_kind"] for t in r.tables}) for prefix, r in results.items()}
    assert kinds["002"] == ["performance_target_department", "performance_target_project"]
    assert kinds["003"] == ["performance_evaluation_department", "performance_evaluation_project"]
    assert [len(r.tables) for r in results.values()] == [1, 5, 11, 12, 25]
    for result in results.values():
        for table in result.tables:
            assert table["status"] == "recognised"


# --- 000: the project-list table ------------------------------------------------------------------
def test_000_targets_with_weights_and_shifted_rows(results):
    targets = results["000"].targets
    row = _one(targets, project_name="公务员综合管理工作经费", level3_name="公务员线上培训学院人次")
    assert (row["comparator"], row["target_value"], row["target_unit"], row["weight"]) == (
        ">=",
        Decimal("100000"),
        "人次",
        Decimal("20"),
    )
    assert row["period"] == "annual" and row["project_amount"] == Decimal("85.0000")
    # 288: the level-1 cell is missing, every cell one column to the left
    shifted = _one(targets, line_number=288)
    assert (shifted["level2_name"], shifted["level3_name"], shifted["target_text"], shifted["weight"]) == (
        "时效指标",
        "培训班举办及时率",
        "12月底前完成",
        Decimal("10"),
    )
    assert shifted["target_value"] is None and shifted["cell_reading"] == "by_content"
    # 290: the 满意度 row printed from the 单位名称 column
    moved = _one(targets, line_number=290)
    assert (moved["level1_name"], moved["level2_name"], moved["level3_name"]) == (
        "满意度指标",
        "服务对象满意度指标",
        "受训干部培训满意度",
    )
    # 362: shifted right, no weight printed
    late = _one(targets, line_number=362)
    assert (late["level2_name"], late["target_text"], late["weight"]) == ("时效指标", "7月底前", None)
    # 效果指标 is the 效益 level
    effect = _one(targets, line_number=373)
    assert (effect["level1_printed"], effect["level1_name"]) == ("效果指标", "效益指标")


def test_000_linked_to_project_list(results, budget_000):
    assert len(budget_000) == 23
    projects = _projects(results["000"], "performance_target")
    links = {p["project_name"]: p["matched_project_name"] for p in projects}
    assert len(links) == 22 and None not in links.values()
    assert len(set(links.values())) == 22  # never two target tables on one project
    assert links["人才培训经费"] == "人才培养经费"
    assert links["公务员招录工作经费"] == "公务员考录工作经费"  # 335.21 in total, 290 this year
    assert links["基层党建工作会议经费"] == "基层党建经费"
    assert "全省主题教育经费" not in links.values()  # carried-over money only, no target table
    assert {t["matched_project_name"] for t in results["000"].targets} == set(links.values())


# --- the matcher ------------------------------------------------------------------------------------
def _bp(name: str, total: str | None, this_year: str | None = None) -> BudgetProject:
    return BudgetProject(
        name=name,
        parent_name=None,
        total=Decimal(total) if total else None,
        this_year=Decimal(this_year or total) if (this_year or total) else None,
    )


def test_matcher_takes_the_name_first_and_leaves_a_wrong_amount_to_the_reconciliation():
    budget = [_bp("援疆干部人员补助和工作经费", "3538.52"), _bp("援藏干部人员补助和工作经费", "1275.20")]
    assert match_projects([TargetProject("援藏干部人员补助经费", Decimal("1275.2"))], budget) == {
        "援藏干部人员补助经费": "援藏干部人员补助和工作经费"
    }
    # similar name, another amount: still the 援藏 project (the most similar name, and the 援藏 project's
    # most similar target); performance_amount_equals_project reports the amount, never a project of its own
    assert match_projects([TargetProject("援藏干部人员补助经费", Decimal("3000"))], budget) == {
        "援藏干部人员补助经费": "援藏干部人员补助和工作经费"
    }
    # as similar to both: neither is known to be the one
    assert match_projects([TargetProject("援外干部人员补助经费", Decimal("3000"))], budget) == {
        "援外干部人员补助经费": None
    }
    # not similar enough to any
    assert match_projects([TargetProject("信息化运维经费", Decimal("3000"))], budget) == {
        "信息化运维经费": None
    }


def test_matcher_one_target_per_project_unless_names_are_identical():
    budget = [_bp("人才培养经费", "15")]
    targets = [TargetProject("人才培训经费", Decimal("15")), TargetProject("人才交流经费", Decimal("15"))]
    assert match_projects(targets, budget) == {"人才培训经费": "人才培养经费", "人才交流经费": None}
    twins = [TargetProject("人才培养经费", Decimal("15")), TargetProject("人才培养经费", None)]
    assert match_projects(twins, budget) == {"人才培养经费": "人才培养经费"}


def test_matcher_is_deterministic_and_order_independent_for_clear_cases(budget_000):
    targets = [
        TargetProject("公务员招录工作经费", Decimal("290")),
        TargetProject("人才培训经费", Decimal("15")),
    ]
    first = match_projects(targets, budget_000)
    assert first == match_projects(list(reversed(targets)), list(reversed(budget_000)))
    assert first == {"公务员招录工作经费": "公务员考录工作经费", "人才培训经费": "人才培养经费"}


# --- 001: the county form -----------------------------------------------------------------------------
def test_001_amounts_in_yuan_converted(results):
    project = _one(results["001"].projects, project_name="农村离任“两委”主干生活补贴")
    assert project["budget_amount"] == Decimal("60.3840")
    assert project["implementation_amount"] == Decimal("65.0000")
    assert project["source_unit"] == "元"
    funding = [f for f in results["001"].funding if f["project_name"] == "农村离任“两委”主干生活补贴"]
    county = _one(funding, item_name="市县(区)财政资金", period="annual")
    assert (county["raw_value"], county["amount"], county["line_number"]) == (
        "603,840",
        Decimal("60.3840"),
        820,
    )
    assert all(
        t["project_amount"] == Decimal("60.3840")
        for t in results["001"].targets
        if t["project_name"] == project["project_name"]
    )


def test_001_sides_split_and_run_together_cells(results):
    targets = results["001"].targets
    cost = [t for t in targets if t["project_name"] == "组织部党建网经费" and t["level3_name"] == "资金使用"]
    assert sorted((t["period"], t["comparator"], t["target_value"], t["target_unit"]) for t in cost) == [
        ("annual", "<=", Decimal("12"), "万元"),
        ("implementation_period", "<=", Decimal("12"), "万元"),
    ]
    # "服务对象满意度指离任主干满意度": level-2 cut short and run into the indicator; no annual value
    satisfied = _one(targets, line_number=901)
    assert (
        satisfied["period"],
        satisfied["level2_name"],
        satisfied["level3_name"],
        satisfied["target_text"],
    ) == (
        "implementation_period",
        "服务对象满意度指标",
        "离任主干满意度",
        "≥95%",
    )
    # "党员干部素质进一提高": the annual name is cut short and run into its value
    annual = _one(targets, line_number=1082, period="annual")
    assert (annual["level3_printed"], annual["level3_name"], annual["target_text"]) == (
        "党员干部素质进一",
        "党员干部素质进一步提高",
        "提高",
    )
    assert annual["cell_reading"] == "split"
    # "各项工作使用资金≤40万元"
    money = _one(targets, line_number=1288, period="annual")
    assert (money["level3_name"], money["comparator"], money["target_value"], money["target_unit"]) == (
        "各项工作使用资金",
        "<=",
        Decimal("40"),
        "万元",
    )
    # a wrapped row prints its level-2 names on lines of their own
    stacked = [t for t in targets if t["level3_name"] == "干部考察次数"]
    assert sorted((t["period"], t["line_number"], t["level2_name"]) for t in stacked) == [
        ("annual", 1278, "数量指标"),
        ("implementation_period", 1274, "数量指标"),
    ]


def test_001_goals_told_apart(results):
    """The two goal texts print one after the other: each is kept once, in its own column."""
    project = _one(results["001"].projects, project_name="农村离任“两委”主干生活补贴")
    implementation, annual = project["implementation_goal"], project["annual_goal"]
    assert implementation.startswith("根据《山西省委组织部") and annual.startswith("根据《山西省委组织部")
    assert implementation.endswith("2024年预计发放463人。") and annual.endswith("2024年预计发放463人")
    assert implementation.count("根据") == annual.count("根据") == 1


# --- 002: the province forms ----------------------------------------------------------------------------
def test_002_half_year_and_annual_values(results):
    targets = results["002"].targets
    rows = [
        t for t in targets if t["project_name"] == "干部工作经费" and t["level3_name"] == "考核援派干部人数"
    ]
    assert sorted((t["period"], t["comparator"], t["target_value"], t["target_unit"]) for t in rows) == [
        ("annual", ">=", Decimal("780"), "人"),
        ("half_year", ">=", Decimal("448"), "人"),
    ]
    assert {t["project_amount"] for t in rows} == {Decimal("2175.0000")}


def test_002_department_wide_table(results):
    result = results["002"]
    department = _one(result.projects, is_department_wide=True)
    assert (
        department["project_name"] is None and department["department_name"] == "中共江苏省委组织部（机关）"
    )
    assert department["budget_amount"] == Decimal("14379.0600")
    key_task = _one(result.targets, line_number=70, period="annual")
    assert (
        key_task["level1_name"],
        key_task["level2_name"],
        key_task["key_task"],
        key_task["target_text"],
    ) == (
        "履职",
        "组织建设",
        "两新组织工作",
        "≥30%",
    )
    assert key_task["project_name"] is None
    # "纪检监察工作有效性 | | 有效 | 有效": printed in the level-1 column, read by content
    moved = _one(result.targets, line_number=63, period="half_year")
    assert (moved["level1_name"], moved["level2_name"], moved["level3_name"]) == (
        "过程",
        "机构建设",
        "纪检监察工作有效性",
    )
    decided = _one(result.targets, line_number=32, period="annual")
    assert (decided["level1_name"], decided["level2_name"]) == ("决策", "计划制定")


def test_002_project_attributes_without_markup(results):
    project = _one(results["002"].projects, project_name="干部工作经费")
    assert (project["competent_department"], project["project_type"], project["project_level"]) == (
        "中共江苏省委组织部",
        "常年安排项目",
        "省本级",
    )
    assert (project["start_date"], project["end_date"]) == ("2024.1.1", "2024.12.31")
    assert project["implementing_unit"] == "中共江苏省委组织部（机关）"
    assert project["necessity"].startswith("开展对口支援、对口帮扶")
    assert project["half_year_amount"] == Decimal("450.0000")
    for row in results["002"].projects:
        for value in row.values():
            assert not (isinstance(value, str) and "<p>" in value)


def test_002_level1_taken_from_level2_when_a_merged_cell_lands_wrong(results):
    row = _one(results["002"].targets, line_number=128, period="annual")
    assert (row["level1_printed"], row["level1_name"], row["level2_name"]) == (
        "产出指标",
        "效益指标",
        "社会效益指标",
    )
    assert "产出指标" in row["note"]


def test_002_transfer_project_sub_items_and_truncation(results):
    funding = [f for f in results["002"].funding if f["project_name"] == "江苏省基层党建工作专项资金"]
    item = _one(funding, item_name="省派乡村振兴（帮促）专项工作经费", period="annual")
    assert item["amount"] == Decimal("1747.5000") and item["flow"] == "expenditure"
    community = _one(funding, item_name="社区为民服务专项补助资金", period="annual")
    assert community["amount"] == Decimal("3449.5000")
    truncated = [i for i in results["002"].issues if i["check_name"] == "performance_table_truncated"]
    assert len(truncated) == 1 and truncated[0]["severity"] == "warning"
    assert truncated[0]["table_seq"] == max(t["table_seq"] for t in results["002"].tables)
    missing = _one(results["002"].issues, check_name="performance_value_missing", severity="warning")
    assert "line 550" in missing["detail"]


# --- 003: self-evaluations ------------------------------------------------------------------------------
def test_003_project_evaluation_sample(results):
    result = results["003"]
    row = _one(
        result.evaluations, project_name="选调生到村任职中央和省级财政补助资金", level3_name="拨付资金金额"
    )
    assert (row["comparator"], row["target_value"], row["target_unit"]) == (">=", Decimal("83.6"), "万元")
    assert (row["actual_value"], row["completion_text"], row["weight"], row["score"]) == (
        Decimal("35.2"),
        "42.0%",
        Decimal("12.5"),
        Decimal("5.25"),
    )
    assert row["deviation_reason"].startswith("其他:2024年共招录选调生22名")
    assert row["improvement_measure"].startswith("其他:进一步加强预算管理")
    project = _one(result.projects, project_name="选调生到村任职中央和省级财政补助资金")
    assert (project["budget_amount"], project["executed_amount"], project["execution_rate"]) == (
        Decimal("35.2000"),
        Decimal("35.2000"),
        Decimal("100"),
    )
    assert (project["indicator_score"], project["total_score"]) == (Decimal("74.85"), Decimal("84.85"))
    talent = _one(result.projects, project_name="市委组织部人才项目")
    assert (talent["execution_rate_text"], talent["deduction"], talent["total_score"]) == (
        "44.22%",
        Decimal("35.421"),
        Decimal("59"),
    )


def test_003_department_tables_tasks_and_indicators(results):
    result = results["003"]
    tasks = [e for e in result.evaluations if e["row_kind"] == "task"]
    assert len(tasks) == 7
    task = _one(tasks, level3_name="部门预算基本支出人员经费（保工资）", line_number=661)
    assert (task["planned_amount"], task["executed_amount"], task["execution_rate_text"], task["score"]) == (
        Decimal("871.4100"),
        Decimal("757.3700"),
        "87.00%",
        Decimal("8.7"),
    )
    qualitative = _one(result.evaluations, line_number=679)
    assert (qualitative["level1_name"], qualitative["level2_name"], qualitative["level3_name"]) == (
        "管理效率",
        "预算监督管理",
        "预决算公开情况",
    )
    assert (qualitative["target_text"], qualitative["target_value"], qualitative["weight"]) == (
        "全部公开",
        None,
        Decimal("0.7"),
    )
    assert qualitative["actual_text"].startswith("全部或基本达成预期指标")
    totals = sorted(p["total_score"] for p in result.projects if p["is_department_wide"])
    assert totals == [Decimal("92.79"), Decimal("95.70")]
    # two units evaluated in one document: their rows carry the unit printed for their table
    units = {e["unit_name"] for e in result.evaluations if e["project_name"] is None}
    assert units == {"106001 中共朝阳市委组织部-211300000", "106050 朝阳市组织工作服务中心-211300000"}


def test_003_shifted_cells_read_by_content(results):
    evaluations = results["003"].evaluations
    right = _one(evaluations, line_number=874)  # every cell one column to the right
    assert (right["level2_name"], right["level3_name"], right["target_text"], right["score"]) == (
        "数量指标",
        "选调生数量",
        ">=38人",
        Decimal("12.5"),
    )
    no_name = _one(evaluations, line_number=751)  # 经济效益指标 with no 三级指标: a fact, with a warning
    assert (no_name["level2_name"], no_name["level3_name"], no_name["weight"]) == (
        "经济效益指标",
        None,
        Decimal("20"),
    )
    assert any(
        i["check_name"] == "performance_indicator_unnamed" and "line 751" in i["detail"]
        for i in results["003"].issues
    )


# --- 004: numbered sections -------------------------------------------------------------------------------
def test_004_sections(results):
    result = results["004"]
    names = [p["project_name"] for p in result.projects]
    assert names[0] == "“老党员驿站”维护运行经费" and names[-1] == "驻村工作队体检及意外伤害险经费"
    assert all(p["budget_amount"] is None for p in result.projects)
    row = _one(result.targets, project_name="“老党员驿站”维护运行经费", level3_name="老党员活动总成本")
    assert (row["comparator"], row["target_value"], row["target_unit"], row["basis"]) == (
        "<=",
        Decimal("10"),
        "万元",
        "根据举办活动签订合同",
    )
    assert row["indicator_description"] == "老党员活动总成本" and row["weight"] is None
    # a row split over a page break is joined back
    joined = _one(result.targets, line_number=3038)
    assert (joined["level3_name"], joined["target_text"], joined["basis"]) == (
        "精神面貌提升情况",
        "较大提升",
        "依据专业医生走访调查后得出结果",
    )
    goal = _one(result.projects, project_name="企业离休人员加发一个月基本工资")["annual_goal"]
    assert goal.startswith("1.为我县4名企业离休人员") and "2.防止离休干部矛盾激化" in goal
    assert not any("[bookmark" in (t["basis"] or "") + (t["target_text"] or "") for t in result.targets)


# --- indicator values and level names ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("≥90%", (">=", Decimal("90"), "%")),
        ("≤12万元", ("<=", Decimal("12"), "万元")),
        ("=100%", ("=", Decimal("100"), "%")),
        ("2个", (None, Decimal("2"), "个")),
        ("≥100000人次", (">=", Decimal("100000"), "人次")),
        (">1000人", (">", Decimal("1000"), "人")),
        ("0", (None, Decimal("0"), None)),
        ("12月底前完成", (None, None, None)),
        ("明显提高", (None, None, None)),
        ("7月底前", (None, None, None)),
        ("达成2000项", (None, None, None)),
    ],
)
def test_indicator_value_parsing(printed, expected):
    value = parse_indicator_value(printed, load_vocabulary())
    assert value.text == printed
    assert (value.comparator, value.value, value.unit) == expected


def test_level_names_normalised_across_provinces(results):
    pairs = {
        (t["level1_printed"], t["level1_name"])
        for result in results.values()
        for t in result.targets + result.evaluations
        if t["level1_printed"]
    }
    assert (
        ("产出", "产出指标") in pairs and ("效益", "效益指标") in pairs and ("满意度", "满意度指标") in pairs
    )
    assert ("效果指标", "效益指标") in pairs
    level2 = {(t["level2_printed"], t["level2_name"]) for t in results["002"].targets if t["level2_printed"]}
    assert ("服务对象满意度", "服务对象满意度指标") in level2 and ("社会效益", "社会效益指标") in level2


# --- accounting, shape, determinism ------------------------------------------------------------------------
_VALUE_LIKE = re.compile(r"^(?:[≥≤=＞＜><]=?\s*\d|\d+(?:\.\d+)?\s*%$)")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_row_accounted_for(prefix, grids, results):
    grid, result = grids[prefix], results[prefix]
    roles = {(r["table_seq"], r["row_index"]): r["role"] for r in result.row_roles}
    placed_lines = {
        (row["table_seq"], row["line_number"])
        for rows in (result.targets, result.evaluations, result.funding, result.quarantine)
        for row in rows
    }
    for table in result.tables:
        seq = table["table_seq"]
        # what dbt checks: the values a table prints are its fact rows plus its quarantined cells
        published = sum(
            1
            for rows in (result.targets, result.evaluations, result.funding)
            for r in rows
            if r["table_seq"] == seq
        )
        quarantined = sum(1 for q in result.quarantine if q["table_seq"] == seq)
        assert (table["numeric_cells"], table["facts"], table["quarantined"]) == (
            published + quarantined,
            published,
            quarantined,
        )
        in_table = [
            (index, row)
            for index, row in enumerate(grid.rows)
            if table["line_start"] <= row.line <= table["line_end"]
        ]
        for index, row in in_table:
            role = roles.get((seq, index))
            assert role is not None, f"{prefix} line {row.line}: row read as nothing"
            assert role not in ("unplaced", "task_unplaced", "indicator_unplaced"), (
                f"{prefix} line {row.line}"
            )
            has_amount = any(is_amount_like(cell) for cell in row.cells if cell.strip())
            if role in ("indicator", "task") or (role == "funding" and has_amount):
                assert (seq, row.line) in placed_lines, f"{prefix} line {row.line}: {role} row without a fact"
            # Independent of the readers: a cell that reads as an indicator value (≥90%, =100%, 42.0%) is a
            # fact or quarantined (attribute and closing lines carry rates and scores into the project row).
            if any(_VALUE_LIKE.match(cell.strip()) for cell in row.cells) and role not in (
                "indicator_continuation",
                "attribute",
                "closing",
            ):
                assert (seq, row.line) in placed_lines, f"{prefix} line {row.line}: value dropped"


def test_rows_have_the_raw_columns_and_no_floats(results):
    tables_columns = re.findall(r"^\s*([a-z_]+)\s+[A-Z]", RAW_TABLES["tables"], re.MULTILINE)
    for result in results.values():
        for name, rows in (
            ("performance_target", result.targets),
            ("performance_evaluation", result.evaluations),
            ("performance_project", result.projects),
            ("performance_funding", result.funding),
        ):
            for row in rows:
                assert tuple(row) == performance_columns(name)
                assert not any(isinstance(v, float) for v in row.values())
        for table in result.tables:
            assert list(table) == tables_columns
        for issue in result.issues:
            assert issue["severity"] in ("error", "warning", "info")
    assert set(PERFORMANCE_TABLES) == {
        "performance_target",
        "performance_evaluation",
        "performance_project",
        "performance_funding",
    }


def test_extraction_is_deterministic(grids, budget_000):
    first = extract_performance(grids["000"], "doc000", budget_000)
    second = extract_performance(_grid("000"), "doc000", _project_list_000(_grid("000")))
    assert first == second


def test_unreadable_cells_are_quarantined_not_guessed():
    def corrupt(text: str) -> str:  # OCR slips in 人才项目工作经费: its amount and its first weight
        text = text.replace("\t≥2次\t30\n", "\t≥2次\t3O\n", 1)
        return text.replace("人才项目工作经费\t25\t", "人才项目工作经费\t2S\t")

    result = extract_performance(_grid("000", corrupt), "doc000", [])
    project = _one(result.projects, project_name="人才项目工作经费")
    assert project["budget_amount"] is None
    assert len(result.projects) == 22
    assert {(q["source_row"], q["raw_value"]) for q in result.quarantine} == {
        ("人才项目工作经费", "2S"),
        ("组团式引才次数", "3O"),
    }
    assert all(q["line_number"] == 297 for q in result.quarantine)
    row = _one(result.targets, project_name="人才项目工作经费", level3_name="组团式引才次数")
    assert row["weight"] is None and row["target_value"] == Decimal("2")
    table = result.tables[0]
    assert table["quarantined"] == 2 and table["numeric_cells"] == table["facts"] + 2


def test_a_document_cut_mid_table_is_reported():
    def cut(text: str) -> str:
        return text[: text.index("指标自评得分小计\t\t\t74.85")]

    result = extract_performance(_grid("003", cut), "doc003", [])
    truncated = [i for i in result.issues if i["check_name"] == "performance_table_truncated"]
    assert len(truncated) == 1
    assert truncated[0]["table_seq"] == max(t["table_seq"] for t in result.tables)
    assert sum(1 for p in result.projects if not p["is_department_wide"]) == 8


def test_an_evaluation_row_without_its_scores_is_quarantined_whole():
    def drop_scores(text: str) -> str:
        printed = "\t\t\t资金到位率\t=\t100\t%\t100\t100%\t12.5\t12.5\t"
        assert text.count(printed) == 1
        return text.replace(printed, "\t\t\t资金到位率\t=\t100\t%\t100\t")

    result = extract_performance(_grid("003", drop_scores), "doc003", [])
    quarantined = _one(result.quarantine, line_number=748)
    assert quarantined["source_row"] == "资金到位率" and "not read" in quarantined["reason"]
    project = _one(result.projects, project_name="朝阳市援疆工作队经费")
    assert (project["indicator_rows"], project["evaluation_facts"]) == (7, 6)
    assert not any(e["line_number"] == 748 for e in result.evaluations)


def test_a_document_without_performance_tables_yields_nothing(budget_000):
    def budget_part_only(
        text: str,
    ) -> str:  # 000 up to its 项目支出预算表: a table of contents entry, no table
        return text[: text.index("项目支出绩效目标表\n\n单位：万元")]

    result = extract_performance(_grid("000", budget_part_only), "doc000", budget_000)
    assert (result.tables, result.targets, result.projects, result.issues, result.quarantine) == (
        [],
        [],
        [],
        [],
        [],
    )


def test_a_date_is_a_qualitative_target_not_a_number():
    from orchestration.extract.performance.indicator_values import parse_indicator_value
    from orchestration.extract.performance.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    assert parse_indicator_value("2024年", vocabulary).value is None  # 001: 发放时间 2024年
    assert parse_indicator_value("2023年12月20日", vocabulary).value is None
    five_years = parse_indicator_value("≥5年", vocabulary)
    assert (five_years.comparator, five_years.value, five_years.unit) == (">=", Decimal("5"), "年")
    assert parse_indicator_value("2024年", vocabulary).text == "2024年"
