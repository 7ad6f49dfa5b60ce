"""The PDF reader on real disclosures as published and on PDFs made to exercise one thing each.

The figures asserted here were read off the pages of the PDFs in tests/fixtures/real/ by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.readers import UnreadableDocument, read_document, squash
from orchestration.readers.pdf import read_pdf

FIXTURES = Path(__file__).parent / "fixtures"
FINANCE_BUREAU = FIXTURES / "real" / "上海市普陀区财政局2024年度部门决算.pdf"
SOCIAL_WORK = FIXTURES / "real" / "中共上海市普陀区委社会工作部2024年度部门决算.pdf"
MADE = FIXTURES / "pdf"


def _read(path: Path):
    return read_document(path.read_bytes(), path.name)


def _rows(grid):
    return [[squash(cell) for cell in row.cells] for row in grid.rows]


def _row_after(grid, title: str, label: str) -> list[str]:
    """The first row after the line `title` whose cells include `label`."""
    rows = _rows(grid)
    start = next(i for i, row in enumerate(rows) if row == [title])
    return next(row for row in rows[start:] if label in row)


@pytest.fixture(scope="module")
def finance_bureau():
    return _read(FINANCE_BUREAU)


@pytest.fixture(scope="module")
def social_work():
    return _read(SOCIAL_WORK)


def test_a_pdf_is_read_as_a_positional_grid_with_pages(finance_bureau):
    assert finance_bureau.layout == "pdf" and finance_bureau.positional
    assert finance_bureau.details["pages"] == "25"
    assert finance_bureau.details["pages_without_text"] == "14"  # a page of empty ruled rows
    assert [squash(c) for c in finance_bureau.rows[0].cells] == ["上海市普陀区财政局"]
    assert all(row.origin is not None and row.origin.page for row in finance_bureau.rows)


def test_split_codes_and_merged_header_cells_keep_their_columns(finance_bureau):
    # 收入决算表, page 8: 类 | 款 | 项 | 科目名称 | 本年收入合计 | 财政拨款收入 | … | 其他收入
    row = _row_after(finance_bureau, "收入决算表", "一般行政管理事务")
    assert row == ["201", "06", "02", "一般行政管理事务", "16.19", "10.00", "", "", "", "", "6.19"]
    header = _row_after(finance_bureau, "收入决算表", "项目")
    # 项目 spans the three code columns and the name column: its text in the first, the rest empty
    assert header[:5] == ["项目", "", "", "", "本年收入合计"]
    assert header[-2:] == ["附属单位上缴收入", "其他收入"]


def test_a_wrapped_label_is_one_cell(finance_bureau):
    row = _row_after(finance_bureau, "支出决算表", "机关事业单位基本养老保险缴费支出")
    assert row[:5] == ["208", "05", "05", "机关事业单位基本养老保险缴费支出", "160.75"]


def test_a_table_continued_on_the_next_page_is_one_table(finance_bureau):
    rows = finance_bureau.rows
    titles = {squash(row.text) for row in rows if row.origin.table is None}
    # 收入支出决算总表 runs from page 6 onto page 7: its last rows follow on with no title between
    start = next(i for i, row in enumerate(rows) if squash(row.text) == "收入支出决算总表")
    end = next(i for i, row in enumerate(rows) if squash(row.text) == "收入决算表")
    pages = [row.origin.page for row in rows[start + 2 : end]]
    assert set(pages) == {6, 7}
    assert all(row.origin.table == 1 for row in rows[start + 2 : end])
    last = [squash(c) for c in rows[end - 1].cells]
    assert last == ["总计", "2,995.39", "总计", "2,995.39"]
    # the first row of page 7 is a row of its own, not the rest of page 6's last row
    first_on_7 = next(row for row in rows[start:end] if row.origin.page == 7)
    assert [squash(c) for c in first_on_7.cells] == ["使用非财政拨款结余（含专用结余）", "", "结余分配", ""]
    assert "续表" not in titles


def test_a_repeated_header_and_page_numbers_are_left_out():
    grid = _read(MADE / "continued_table.pdf")
    rows = _rows(grid)
    assert rows.count(["科目编码", "科目名称", "合计", "基本支出"]) == 1
    body = [row for row in rows if len(row) == 4 and row[0].startswith("20101")]
    assert len(body) == 90
    assert body[89] == ["2010189", "项目90", "293.25", "293.25"]  # (89 * 37) % 1000 + 0.25
    assert {grid.rows[i].origin.page for i in range(len(grid.rows))} == {1, 2, 3}
    assert not any("页" in cell for row in rows for cell in row), "a running footer read as a row"


def test_text_around_tables_keeps_title_unit_and_notes_in_order(social_work):
    rows = _rows(social_work)
    title = rows.index(["财政拨款“三公”经费支出决算表"])
    assert rows[title + 1] == ["单位：万元"]
    note = next(
        i
        for i, row in enumerate(rows)
        if row and row[0].startswith("说明：中共上海市普陀区委社会工作部本年度没有财政拨款")
    )
    assert title < note < rows.index(["政府性基金预算财政拨款收入支出决算表"])


def test_a_rotated_page_reads_as_it_is_shown(finance_bureau):
    rotated = _read(MADE / "rotated_page.pdf")
    original = [squash(row.text) for row in finance_bureau.rows if row.origin.page == 8]
    assert [squash(row.text) for row in rotated.rows] == original


def test_cells_name_their_page_table_row_and_cell(finance_bureau):
    row = next(r for r in finance_bureau.rows if "购房补贴" in r.text and r.origin.page == 9)
    assert row.locator(4) == "page 9, table 1, row 5, cell 5"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scanned.pdf", (MADE / "scanned.pdf").read_bytes(), "no text layer: a scanned PDF, OCR needed"),
        ("encrypted.pdf", (MADE / "encrypted.pdf").read_bytes(), "encrypted"),
        ("cut.pdf", FINANCE_BUREAU.read_bytes()[:4000], "damaged PDF"),
        ("notapdf.pdf", b"%PDF-1.7\n garbage that is not a PDF", "damaged PDF"),
    ],
)
def test_an_unreadable_pdf_says_why(name, data, message):
    with pytest.raises(UnreadableDocument) as caught:
        read_pdf(data, name)
    assert name in str(caught.value) and message in str(caught.value)


def test_a_borderless_table_takes_its_columns_from_the_text():
    grid = _read(MADE / "borderless_table.pdf")
    rows = _rows(grid)
    assert rows[2] == ["项目名称", "资金总额", "财政拨款", "其他资金"]
    assert rows[5] == ["项目3", "102.50", "", "10.00"]  # the blank cell keeps its column
    assert grid.rows[5].locator(3) == "page 1, table 1, row 4, cell 4"


def test_a_scanned_page_in_a_text_pdf_is_reported(tmp_path):
    from orchestration.extract.pipeline import extract_document

    source = tmp_path / "社会工作部2024年度部门决算.pdf"
    source.write_bytes((MADE / "with_a_scanned_page.pdf").read_bytes())
    extraction = extract_document(source)
    assert extraction.document["status"] == "read"
    assert any(table["source_table"] == "收入决算表" and table["facts"] for table in extraction.tables)
    warnings = [i for i in extraction.issues if i["check_name"] == "document_text_layer"]
    assert len(warnings) == 1 and warnings[0]["severity"] == "warning"
    assert "page(s) 2 of 社会工作部2024年度部门决算.pdf" in warnings[0]["detail"]


def test_a_table_cut_by_hand_under_a_continued_title_is_one_table():
    grid = _read(MADE / "continued_with_title.pdf")
    rows = _rows(grid)
    assert rows[:3] == [["2024年支出决算表"], ["单位：万元"], ["科目编码", "科目名称", "合计", "基本支出"]]
    assert len(rows) == 15  # title, unit, header once, 12 rows: no 续 title, unit or header again
    assert rows[-1] == ["2010111", "项目12", "12.50", "12.50"]
    assert grid.rows[-1].origin.page == 2


def test_a_pdf_longer_than_the_page_limit_is_refused(monkeypatch):
    import orchestration.readers.pdf as pdf

    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 20)
    with pytest.raises(UnreadableDocument, match="25 pages, more than the 20"):
        pdf.read_pdf(FINANCE_BUREAU.read_bytes(), FINANCE_BUREAU.name)
