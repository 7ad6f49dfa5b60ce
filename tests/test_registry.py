"""A province's new wording is a data change: an alias in table_kinds.yaml, no new code path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from orchestration.extract.financial import extract_financial
from orchestration.extract.metadata import infer_metadata
from orchestration.extract.registry import REGISTRY_PATH, load_registry, normalise_title, strip_numbering
from orchestration.readers import read_text

SEED = Path(__file__).resolve().parent.parent / "sources" / "004_909d9174802cb080.txt"


def _extract(text: str, registry_path: Path = REGISTRY_PATH):
    grid = read_text(text, SEED.name)
    meta = infer_metadata(grid, SEED.name, text.encode())
    return extract_financial(grid, meta, load_registry(registry_path))


def _registry_with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "table_kinds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _spending(extraction, title: str):
    table = next(t for t in extraction.tables if t["source_table"].endswith(title))
    return table, [c for c in extraction.cells if c["table_seq"] == table["table_seq"]]


def test_new_title_wording_is_an_alias(tmp_path):
    original = SEED.read_text(encoding="utf-8")
    renamed = original.replace("]部门预算支出总表", "]部门预算支出汇总表")
    assert renamed != original

    before = _extract(renamed)
    table, facts = _spending(before, "部门预算支出汇总表")
    assert table["status"] == "unrecognised" and not facts
    assert table["quarantined"] == 71  # every number kept, with the reason
    assert all(
        "not a known kind" in q["reason"] for q in before.quarantine if q["table_seq"] == table["table_seq"]
    )

    registry = _registry_with(
        tmp_path, lambda d: d["kinds"]["expenditure"]["titles"].append("部门预算支出汇总表")
    )
    after = _extract(renamed, registry)
    table, facts = _spending(after, "部门预算支出汇总表")
    _, expected = _spending(_extract(original), "部门预算支出总表")
    assert table["table_kind"] == "expenditure" and table["quarantined"] == 0
    assert [(c.get("function_code"), c["expenditure_type"], c["amount"]) for c in facts] == [
        (c.get("function_code"), c["expenditure_type"], c["amount"]) for c in expected
    ]


def test_new_header_wording_is_an_alias(tmp_path):
    original = SEED.read_text(encoding="utf-8")
    # 支出总表's header cell "基本支出" printed as "基本经费支出" by another province
    head = original.index("]部门预算支出总表")
    body = original[head:].replace("\t基本支出\n", "\t基本经费支出\n", 1)
    renamed = original[:head] + body

    before = _extract(renamed)
    table, facts = _spending(before, "部门预算支出总表")
    assert not [c for c in facts if c["expenditure_type"] == "basic"]
    assert table["quarantined"] == 15 and table["facts"] + table["quarantined"] == 71

    def add_alias(data):
        data["header_aliases"]["function_table"].append(
            {"match": "^基本经费支出$", "set": {"expenditure_type": "basic"}}
        )

    after = _extract(renamed, _registry_with(tmp_path, add_alias))
    table, facts = _spending(after, "部门预算支出总表")
    basic = {c.get("function_code"): c["amount"] for c in facts if c["expenditure_type"] == "basic"}
    assert table["quarantined"] == 0 and basic["2013201"] == Decimal("811.24")


def test_title_normalisation():
    assert normalise_title("[bookmark: _Toc_2_2_0000000001]部门预算收支总表") == ("部门预算收支总表", None)
    assert normalise_title("2024年一般公共预算支出预算表（不含上年结转）") == (
        "一般公共预算支出预算表",
        "不含上年结转",
    )
    assert normalise_title("2024年项目支出预算表（本年预算）") == ("项目支出预算表", "本年预算")
    assert strip_numbering("其中：（1）公务用车运行维护费") == "公务用车运行维护费"
    assert strip_numbering("八、社会保障 和就业支出") == "社会保障和就业支出"


def test_every_title_alias_belongs_to_one_kind():
    registry = load_registry()
    assert len(registry.title_index) == sum(len(k.titles) for k in registry.kinds.values())


def _allowed(column: str) -> set[str]:
    from orchestration.validation.schemas import COLUMN_RULES

    (check,) = COLUMN_RULES[column]
    return set(check.statistics["allowed_values"])


# Values the registry may assign that never reach a raw cell: the function recogniser quarantines a
# column whose expenditure_type is not a measure of spending (年初结转和结余, 本年收入 in a 政府性基金 table).
NOT_EMITTED = {("expenditure_type", "balance"), ("expenditure_type", "revenue")}
# Column markers of 固定资产 tables: the value column's cells are published, the 数量 column's quarantined;
# neither writes `measure`.
NOT_EMITTED |= {("measure", "value"), ("measure", "quantity")}
# fact_table: a 三公 row or column (机关运行经费) whose cells go to another fact table than the table's.
INTERNAL_KEYS = {"measure_total", "section", "summary_line", "category", "fact_table"}


def test_every_value_the_registry_assigns_passes_the_raw_tables_schema():
    """A new alias cannot smuggle a code the pandera schema (and so the whole refresh) would reject."""
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    assigned = {
        (key, value)
        for entries in data["header_aliases"].values()
        for entry in entries
        for key, value in (entry.get("set") or {}).items()
    }
    assigned |= {
        (key, value)
        for group, entries in data["row_aliases"].items()
        if isinstance(entries, list)
        for entry in entries
        for key, value in entry.items()
        if key != "match"
    }
    checked = [(k, v) for k, v in sorted(assigned) if k not in INTERNAL_KEYS and (k, v) not in NOT_EMITTED]
    assert {k for k, _ in checked} == {
        "cost_type",
        "expenditure_type",
        "fund_scope",
        "funding",
        "measure",
        "revenue_source",
    }
    rejected = [(k, v) for k, v in checked if v not in _allowed(k)]
    assert rejected == []
    three_public = {entry["category"] for entry in data["row_aliases"]["three_public"] if "category" in entry}
    assert three_public <= _allowed_categories()


def _allowed_categories() -> set[str]:
    from orchestration.validation import schemas

    return set(schemas.THREE_PUBLIC_CATEGORIES) | {"overseas_travel_research", "overseas_travel_other"}
