"""A document cut short is noticed: truncated copies of the seeds warn in dq_issue, whole seeds never do.

The copies are cut as downloads and copies get cut: at half and nine tenths of the file (at a line
end), in the middle of a table, and in the middle of a UTF-8 character.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS_DIR

from orchestration.extract.completeness import NO_TABLES, TRUNCATED
from orchestration.extract.pipeline import extract_document

PERFORMANCE_TRUNCATED = "performance_table_truncated"
CHECKS = (TRUNCATED, NO_TABLES, PERFORMANCE_TRUNCATED)
SEEDS = {path.name[:3]: path for path in sorted(SEEDS_DIR.iterdir())}


def _findings(extraction) -> list[dict]:
    return [issue for issue in extraction.issues if issue["check_name"] in CHECKS]


def _extract_cut(tmp_path: Path, seed: str, data: bytes):
    path = tmp_path / SEEDS[seed].name
    path.write_bytes(data)
    return extract_document(path)


def _at_line_end(data: bytes, fraction: float) -> bytes:
    return data[: data.rindex(b"\n", 0, int(len(data) * fraction)) + 1]


def _through_line(data: bytes, line: int) -> bytes:
    """The first `line` lines of the file."""
    return b"".join(data.splitlines(keepends=True)[:line])


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_a_whole_seed_raises_no_completeness_warning(seed):
    findings = _findings(extract_document(SEEDS[seed]))
    if seed == "002":
        # 002 as published stops inside its last table: one finding, by the performance reader.
        assert [f["check_name"] for f in findings] == [PERFORMANCE_TRUNCATED]
    else:
        assert findings == []


@pytest.mark.parametrize(
    ("seed", "fraction", "check", "says"),
    [
        ("000", 0.5, PERFORMANCE_TRUNCATED, "ends inside this table"),
        ("001", 0.5, TRUNCATED, "ends right after the title"),
        ("002", 0.5, TRUNCATED, "ends right after the title '江苏省省级项目预算绩效目标表' (line 283)"),
        ("003", 0.5, TRUNCATED, "ends inside table '支出决算表' (lines 395–409)"),
        ("001", 0.9, PERFORMANCE_TRUNCATED, "ends inside this table"),
        ("002", 0.9, TRUNCATED, "ends right after the title"),
        ("003", 0.9, TRUNCATED, "ends right after the title '预算项目(政策)绩效自评表(2024年度)'"),
        ("004", 0.9, PERFORMANCE_TRUNCATED, "ends inside this table"),
    ],
)
def test_a_seed_cut_at_a_line_end_warns_once_with_its_evidence(tmp_path, seed, fraction, check, says):
    findings = _findings(_extract_cut(tmp_path, seed, _at_line_end(SEEDS[seed].read_bytes(), fraction)))
    assert len(findings) == 1, findings
    assert findings[0]["check_name"] == check and findings[0]["severity"] == "warning"
    assert says in findings[0]["detail"]


def test_a_summary_table_cut_before_its_grand_total(tmp_path):
    # 000's 财政拨款收支预算总表 runs from line 104 to 118, its 总计 row last.
    extraction = _extract_cut(tmp_path, "000", _through_line(SEEDS["000"].read_bytes(), 114))
    findings = _findings(extraction)
    assert len(findings) == 1 and findings[0]["check_name"] == TRUNCATED
    detail = findings[0]["detail"]
    assert (
        "ends inside table '财政拨款收支预算总表'" in detail and "总计 (grand total) row is missing" in detail
    )
    # and the contents name what never came, in the same finding
    assert "the contents (目录) list 8 table(s)" in detail and "一般公共预算基本支出预算表" in detail


def test_a_function_table_cut_between_its_rows_does_not_balance(tmp_path):
    # 003's 支出决算表 (lines 395-433): its 合计 at the top, the 类 rows below it; cut after a few.
    extraction = _extract_cut(tmp_path, "003", _through_line(SEEDS["003"].read_bytes(), 412))
    table = next(t for t in extraction.tables if t["table_kind"] == "expenditure")
    assert table["facts"] > 0  # what was printed before the cut is still read
    details = [f["detail"] for f in _findings(extraction)]
    assert any(
        "ends inside table '支出决算表'" in d and "total is not reached by its top-level rows" in d
        for d in details
    ), details


def test_a_table_cut_before_its_first_number(tmp_path):
    extraction = _extract_cut(tmp_path, "001", _through_line(SEEDS["001"].read_bytes(), 186))
    details = [f["detail"] for f in _findings(extraction)]
    assert any(
        "ends inside table '2024年预算支出总表'" in d and "before its first number" in d for d in details
    )


def test_a_budget_cut_before_any_table_is_a_warning_not_zero_silent_facts(tmp_path):
    extraction = _extract_cut(tmp_path, "003", _at_line_end(SEEDS["003"].read_bytes(), 0.2))
    assert extraction.cells == [] and extraction.document["status"] == "read"
    findings = _findings(extraction)
    assert [f["check_name"] for f in findings] == [NO_TABLES]
    assert (
        "no table recognised in this final_account document; its contents list 9 tables"
        in findings[0]["detail"]
    )


def test_a_cut_in_the_middle_of_a_utf8_character_says_so(tmp_path):
    data = SEEDS["003"].read_bytes()
    middle = data.index("财政拨款“三公”经费支出决算表".encode(), 20000) + 1  # one byte into 财
    extraction = _extract_cut(tmp_path, "003", data[:middle])
    assert extraction.document["status"] == "read"
    [finding] = _findings(extraction)
    assert finding["detail"].startswith(
        "the file ends in the middle of a utf-8 character (its last 1 byte e8): it was cut off; "
    )
    assert "财政拨款“三公”经费支出决算表" in finding["detail"]  # the table it was cut in the title of
