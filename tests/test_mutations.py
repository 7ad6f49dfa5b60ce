"""Mutation test: one changed amount planted into a seed, each in a document of its own.

Issue 12 measured that 66 of 68 changed amounts in the performance tables' funding blocks were published
as facts with no finding. Here the examples it names must be caught, a blank cell must not shift its
row, a letter printed for a digit must end up somewhere, and a fixed-seed sample of single-cell changes
across every table kind of the seeds (benchmarks/mutation_harness.py; the larger run is
benchmarks/mutation_run.py) must each be caught or publish exactly what is printed.

One warehouse for the whole module: clean copies of the five seeds, the examples and the sample,
extracted by the pipeline and built by the project's dbt models in one batch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from mutation_harness import (  # noqa: E402
    INEQUALITIES,
    SEEDS_DIR,
    Mutant,
    Outcome,
    Site,
    build,
    find_sites,
    judge,
    mutant_text,
    plan_mutants,
)

SEED = {path.name[:3]: path.name for path in sorted(SEEDS_DIR.iterdir()) if path.suffix == ".txt"}
SAMPLE_SIZE = 40
SAMPLE_SEED = 12

# The issue's examples: name -> (seed, line, printed, changed to, table kind, checks expected to fail)
EXAMPLES = {
    "general_public_budget_1534": ("002", 199, "1534", "5134", "performance_target_project",
                                   {"performance_revenue_total_equals_sources"}),
    "total_6797": ("002", 427, "6797", "67970", "performance_target_project",
                   {"performance_revenue_total_equals_sources", "performance_revenue_equals_expenditure"}),
    "county_603840": ("001", 820, "603,840", "603,480", "performance_target_project",
                      {"performance_revenue_total_equals_sources"}),
    "executed_23_08": ("003", 889, "23.08", "23.80", "performance_evaluation_project",
                       {"performance_execution_rate"}),
    "target_amount_15": ("000", 349, "15", "150", "performance_target_project",
                         {"performance_amount_equals_project"}),
    "blank_annual_183": ("002", 304, "183", "", "performance_target_project", set()),
    "letter_for_zero": ("002", 14, "0", "O", "performance_target_department", set()),
    "county_letter_for_zero": ("001", 813, "0", "O", "performance_target_project", set()),
    "blank_three_public_total": ("003", 591, "4.92", "", "three_public_costs", set()),
    "blank_summary_grand_total": ("003", 347, "1,803.18", "", "budget_summary", set()),
    "blank_summary_current_total": ("000", 66, "12948.50", "", "budget_summary", set()),
}  # fmt: skip


def _example(name: str) -> Mutant:
    seed, line, raw, new, kind, _ = EXAMPLES[name]
    family = "performance" if kind.startswith("performance") else "financial"
    site = Site(SEED[seed], line, 0, raw, kind, family, "funding" if family == "performance" else "cell")
    return Mutant(site, "example", new, f"{Path(SEED[seed]).stem}_{name}.txt")


@pytest.fixture(scope="module")
def mutation_run(tmp_path_factory) -> tuple[Path, dict[str, Outcome], list[Outcome]]:
    examples = {name: _example(name) for name in EXAMPLES}
    sample = plan_mutants(find_sites(), SAMPLE_SIZE, SAMPLE_SEED)
    clean = {seed: f"{Path(seed).stem}_clean.txt" for seed in SEED.values()}
    documents = {name: (SEEDS_DIR / seed).read_text(encoding="utf-8") for seed, name in clean.items()}
    documents.update({m.name: mutant_text(m) for m in [*examples.values(), *sample]})
    duckdb_path = build(documents, tmp_path_factory.mktemp("mutations"))
    outcomes = judge(duckdb_path, [*examples.values(), *sample], clean)
    by_name = dict(zip(EXAMPLES, outcomes[: len(EXAMPLES)], strict=True))
    return duckdb_path, by_name, outcomes[len(EXAMPLES) :]


def _rows(duckdb_path: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.mark.parametrize(
    "name",
    ["general_public_budget_1534", "total_6797", "county_603840", "executed_23_08", "target_amount_15"],
)
def test_the_issues_changed_amounts_are_errors_and_not_published(mutation_run, name):
    duckdb_path, examples, _ = mutation_run
    outcome = examples[name]
    failed = {error.split(" ", 2)[1].rstrip(":") for error in outcome.new_errors}
    assert EXAMPLES[name][5] <= failed, outcome.new_errors
    assert not outcome.published
    # the performance table is held back: none of its funding lines publishes
    published = _rows(
        duckdb_path,
        "select count(*) from marts.fct_performance_funding where document_key = ? and source_line = ?",
        outcome.mutant.document_key,
        outcome.mutant.site.line,
    )
    assert published == [(0,)]


def test_a_blank_annual_cell_leaves_the_half_year_figure_in_its_column(mutation_run):
    duckdb_path, examples, _ = mutation_run
    key = examples["blank_annual_183"].mutant.document_key
    line_304 = _rows(
        duckdb_path,
        "select item_name, period, raw_value from raw.performance_funding where document_key = ? and line_number = 304",
        key,
    )
    assert line_304 == [("支出", "half_year", "36")]
    assert examples["blank_annual_183"].faithful, examples["blank_annual_183"].differences


@pytest.mark.parametrize(
    ("name", "label", "line"),
    [
        ("letter_for_zero", "国有资本金", 14),  # 002's tabular form: a cell of its own
        ("county_letter_for_zero", "中央财政资金", 813),  # 001's county form: read by its label
    ],
)
def test_a_letter_printed_for_a_digit_is_quarantined(mutation_run, name, label, line):
    """Quarantined by the form's reader with the reason, never read as 0, and the line's other amount
    still published: the independent count of funding lines (extract/accounting.py) finds nothing left."""
    duckdb_path, examples, _ = mutation_run
    outcome = examples[name]
    key = outcome.mutant.document_key
    quarantined = _rows(
        duckdb_path,
        "select source_row, reason from marts.quarantined_row where document_key = ? and raw_value = 'O'",
        key,
    )
    assert len(quarantined) == 1 and label in quarantined[0][0] and f"line {line}" in quarantined[0][1]
    assert "where an amount is expected" in quarantined[0][1]
    assert outcome.caught and not outcome.published
    accounted = _rows(
        duckdb_path,
        "select detail from marts.dq_issue where document_key = ? and check_name = 'amounts_accounted'",
        key,
    )
    assert accounted == []
    if name == "county_letter_for_zero":  # the annual side of the same line: 0, as printed
        annual = _rows(
            duckdb_path,
            "select raw_value from marts.fct_performance_funding where document_key = ? and source_line = ? "
            "and period = 'annual'",
            key,
            line,
        )
        assert annual == [("0",)], annual


@pytest.mark.parametrize(
    ("name", "check", "row", "line", "column", "expected", "locator"),
    [
        # 003's 三公 total of the 预算数 column blanked, where the 决算数 column prints it
        ("blank_three_public_total", "three_public_total_equals_parts", "合计", 591, "预算数", "4.92",
         "line 591, cell 2"),
        # 003 (tab-separated): the revenue side's 总计 of 收入支出决算总表 blanked, 本年收入合计 printed
        ("blank_summary_grand_total", "summary_revenue_total_equals_this_year_plus_carryover", "总计", 347,
         "收入 / 金额", "1803.18", "line 347, cell 3"),
        # 000 (another province's layout, 本年 and 上年结转 columns): 本年收入合计 of 收支预算总表 blanked
        ("blank_summary_current_total", "summary_revenue_equals_sources", "本年收入合计", 66,
         "收入 / 2024年预算数", "12948.50", "line 66, cell 2"),
    ],
)  # fmt: skip
def test_a_blanked_total_is_a_warning_naming_its_cell(
    mutation_run, name, check, row, line, column, expected, locator
):
    """A total printed blank (table_kinds.yaml sum_lines) with its parts printed: one warning of the rule
    it is the total of, naming the blank cell, with the sum of its parts; not verified, not an error."""
    duckdb_path, examples, _ = mutation_run
    outcome = examples[name]
    assert outcome.new_errors == [] and outcome.faithful, (outcome.new_errors, outcome.differences)
    warnings = _rows(
        duckdb_path,
        "select check_name, detail, source_locator from marts.dq_issue where document_key = ? "
        "and severity = 'warning' and detail like '%printed blank%'",
        outcome.mutant.document_key,
    )
    assert [(c, loc) for c, _, loc in warnings] == [(check, locator)], warnings
    detail = warnings[0][1]
    assert f'row "{row}", column "{column}", line {line}' in detail and f"{expected} expected" in detail


def test_the_clean_copies_raise_no_error_but_001s_pasted_tables(mutation_run):
    duckdb_path, _, _ = mutation_run
    errors = _rows(
        duckdb_path,
        "select distinct d.source_name, i.table_seq from marts.dq_issue i join raw.documents d using (document_key) "
        "where i.severity = 'error' and d.source_name like '%_clean.txt' order by all",
    )
    assert errors == [(f"{Path(SEED['001']).stem}_clean.txt", 5), (f"{Path(SEED['001']).stem}_clean.txt", 6)]


def test_every_sampled_change_is_caught_or_published_exactly_as_printed(mutation_run):
    _, _, sample = mutation_run
    assert len(sample) == SAMPLE_SIZE
    kinds = {o.mutant.site.table_kind for o in sample}
    assert {"expenditure", "performance_target_project"} <= kinds
    wrong = [
        (o.mutant.name, o.mutant.site.line, o.mutant.site.raw, o.mutant.new_raw, o.differences)
        for o in sample
        if not o.caught and not o.faithful
    ]
    assert wrong == []


def test_every_sampled_change_that_a_rule_reads_is_an_error(mutation_run):
    """A change the rules see (it moves the figures of a sum or an equality, within one table or a
    performance table against another, beyond what rounding explains) is an error, never a mere warning;
    one that leaves every rule it moves within the rounding tolerance is a rounding gap by design."""
    _, _, sample = mutation_run
    seen = [o for o in sample if any(c not in INEQUALITIES and r == "fail" for c, r, _ in o.changed_checks)]
    assert sum(o.mutant.site.source == "funding" for o in seen) >= 5
    assert sum(o.mutant.site.source == "cell" for o in seen) >= 10
    missed = [
        (o.mutant.name, o.mutant.site.line, o.mutant.site.raw, o.mutant.new_raw, o.changed_checks)
        for o in seen
        if not o.new_errors
    ]
    assert missed == []
