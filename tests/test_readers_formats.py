"""Readers of Excel, Word and HTML files: each on its fixture, and seed 000 in every format giving
the same facts as its text (tests/fixtures/formats/make_fixtures.py builds the fixtures)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from orchestration.extract.pipeline import extract_document
from orchestration.readers import Origin, UnreadableDocument, read_document
from orchestration.readers.number_format import display_number

REPO = Path(__file__).resolve().parent.parent
FORMATS = REPO / "tests" / "fixtures" / "formats"
SEED = REPO / "sources" / "000_3dc14b99499346cd.txt"


def read(path: Path):
    return read_document(path.read_bytes(), path.name)


def value(text: str) -> str:
    """An amount by its value ("12948.5" prints "12,948.50" in a #,##0.00 cell), other text as is."""
    cleaned = text.replace(",", "")
    try:
        return format(Decimal(cleaned).normalize(), "f") if cleaned[:1].isdigit() else text
    except ArithmeticError:
        return text


def filled(grid) -> list[tuple[str, ...]]:
    return [tuple(value(c) for c in row.cells if c) for row in grid.rows]


def saved_bytes(new, build) -> bytes:
    """The bytes of a new Office document (openpyxl.Workbook, docx.Document) after `build(document)`."""
    document = new()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(build) -> bytes:
    return saved_bytes(openpyxl.Workbook, build)


@pytest.fixture(scope="module")
def seed_rows():
    return filled(read(SEED))


# --- each reader on its fixture ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, layout",
    [
        ("seed000.docx", "docx"),
        ("seed000.xlsx", "xlsx"),
        ("seed000.xls", "xls"),
        ("seed000.html", "html"),
        ("seed000_gbk.html", "html"),
    ],
)
def test_fixture_reads_back_to_the_seeds_rows(name, layout, seed_rows):
    """Every row of the seed, its filled cells in order, and nothing else (the XLSX's untitled sheet
    prints its title through the sheet name, so even there the rows are the seed's)."""
    grid = read(FORMATS / name)
    assert grid.layout == layout and grid.positional
    assert filled(grid) == seed_rows
    assert [row.line for row in grid.rows] == list(range(1, len(grid.rows) + 1))


def test_xlsx_rows_cite_sheet_and_row():
    grid = read(FORMATS / "seed000.xlsx")
    header = next(row for row in grid.rows if row.cells[0] == "收 入")
    assert header.origin == Origin(sheet="收支预算总表", row=3)
    assert header.locator(4) == "收支预算总表!E3"
    body = next(row for row in grid.rows if row.cells[:1] == ("基本工资",))
    # Thousands separators as the cell's #,##0.00 format prints them; the first body row is row 4.
    assert body.cells[:4] == ("基本工资", "1,001.36", "1,001.36", "")
    assert grid.details["sheets"] == "14"


def test_xls_shows_the_same_text_as_the_xlsx_it_was_saved_from():
    """LibreOffice wrote the .xls from the .xlsx: doubles and BIFF formats must print the same."""
    xlsx, xls = read(FORMATS / "seed000.xlsx"), read(FORMATS / "seed000.xls")
    assert [(r.cells, r.origin) for r in xls.rows] == [(r.cells, r.origin) for r in xlsx.rows]


def test_merged_header_cells_are_spans_in_every_format():
    """收 入 spans four columns and 支 出 the next four: text in the first column, "" after it."""
    expected = ("收 入", "", "", "", "支 出", "", "", "")
    for name in ("seed000.docx", "seed000.xlsx", "seed000.xls", "seed000.html"):
        grid = read(FORMATS / name)
        header = next(row for row in grid.rows if row.cells[0] == "收 入")
        assert header.cells == expected, name
    # 部门(单位) 名称 spans the three header rows of 收入预算总表: "" under it (vMerge / rowspan).
    for name in ("seed000.docx", "seed000.html"):
        rows = read(FORMATS / name).rows
        start = next(i for i, row in enumerate(rows) if row.cells[0] == "部门(单位) 名称")
        assert rows[start + 1].cells[:3] == ("", "", "合计") and rows[start + 2].cells[:4] == (
            "",
            "",
            "",
            "一般公共预算收入",
        )
        assert rows[start].origin.row == 1 and rows[start + 2].origin.row == 3


# --- Excel: exact numbers, sheet names, hidden sheets ---------------------------------------------


def test_xlsx_numbers_are_read_as_stored_never_through_float():
    def build(book):
        sheet = book.active  # "Sheet": a default name, no title row from it
        sheet.append(["项目", "金额"])
        rows = [
            ("a", 1503.52, "General"),
            ("b", 0.1 + 0.2, "General"),  # stored as 0.30000000000000004: 15 digits print 0.3
            ("c", 0.1 + 0.2, "0.00"),
            ("d", 2.675, "0.00"),  # a float formats 2.67; the sheet prints 2.68
            ("e", Decimal("12345678.125"), "0.00"),  # exactly half: away from zero, not to even
            ("f", 1.005, "#,##0.00"),
            ("g", Decimal("1234567.5"), "#,##0.00"),
            ("h", 12, "0.00"),
        ]
        for label, number, code in rows:
            sheet.append([label, number])
            sheet.cell(row=sheet.max_row, column=2).number_format = code

    grid = read_document(xlsx_bytes(build), "exact.xlsx")
    shown = {row.cells[0]: row.cells[1] for row in grid.rows[1:]}
    assert shown == {
        "a": "1503.52",
        "b": "0.3",
        "c": "0.30",
        "d": "2.68",
        "e": "12345678.13",
        "f": "1.01",
        "g": "1,234,567.50",
        "h": "12.00",
    }
    # What binary floats would have printed: the test tells the two apart.
    assert (f"{2.675:.2f}", f"{12345678.125:.2f}", f"{1.005:.2f}") == ("2.67", "12345678.12", "1.00")


def test_xlsx_stored_decimal_text_is_the_value(tmp_path):
    """The <v> text of the sheet XML is the number: digits a double cannot hold survive."""
    data = xlsx_bytes(lambda book: book.active.append(["项目", 1]))
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>1</v>" in content
                content = content.replace(b"<v>1</v>", b"<v>1503.52000000000000001</v>")
            out.writestr(item, content)
    grid = read_document(target.getvalue(), "raw.xlsx")
    assert grid.rows[0].cells == ("项目", "1503.52")


@pytest.mark.parametrize(
    "number, code, shown",
    [
        ("0", '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "-"),
        ("-1234.5", '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "-1,234.50"),
        ("-1234.5", "#,##0.00_);(#,##0.00)", "(1,234.50)"),
        ("0.1234", "0.00%", "12.34%"),
        ("12", '0"万元"', "12万元"),
        ("1234567", "#,##0,", "1,235"),
        ("123.4", "0.0#", "123.4"),
        ("5", "[$¥-804]#,##0.00", "¥5.00"),
    ],
)
def test_number_formats_print_as_excel_does(number, code, shown):
    assert display_number(Decimal(number), code).strip() == shown


def test_sheet_name_titles_a_sheet_that_prints_none_and_hidden_sheets_are_noted():
    def build(book):
        untitled = book.active
        untitled.title = "收入决算表"
        untitled.append(["项目", "本年收入"])
        untitled.append(["财政拨款收入", 10])
        unit_first = book.create_sheet("支出决算表")
        unit_first.append(["单位：万元"])
        unit_first.append(["项目", "本年支出"])
        titled = book.create_sheet("表3")
        titled.append(["2024年收入支出决算总表"])
        titled.append(["项目", "金额"])
        default = book.create_sheet("Sheet4")
        default.append(["项目", "金额"])
        hidden = book.create_sheet("备注")
        hidden.append(["内部说明"])
        hidden.sheet_state = "hidden"

    grid = read_document(xlsx_bytes(build), "titles.xlsx")
    assert [(row.cells, row.origin) for row in grid.rows[:6]] == [
        (("收入决算表",), Origin(sheet="收入决算表")),
        (("项目", "本年收入"), Origin(sheet="收入决算表", row=1)),
        (("财政拨款收入", "10"), Origin(sheet="收入决算表", row=2)),
        (("支出决算表",), Origin(sheet="支出决算表")),
        (("单位：万元", ""), Origin(sheet="支出决算表", row=1)),
        (("项目", "本年支出"), Origin(sheet="支出决算表", row=2)),
    ]
    assert grid.rows[0].locator() == grid.rows[0].locator(0) == "收入决算表 (sheet name)"
    texts = [row.cells[0] for row in grid.rows]
    assert texts[6:] == ["2024年收入支出决算总表", "项目", "项目", "内部说明"]  # no title from 表3, Sheet4
    assert grid.details["sheet_names_as_titles"] == "收入决算表; 支出决算表"
    assert grid.details["hidden_sheets"] == "备注 (hidden)"


def test_xlsx_merged_range_keeps_its_text_in_the_top_left_cell_only():
    def build(book):
        sheet = book.active
        sheet["B2"] = "本年预算"
        sheet["D2"] = "stale"  # a value under a merge is not printed
        sheet.merge_cells("B2:D3")
        sheet["B4"], sheet["C4"], sheet["D4"] = "合计", "一般", "基金"

    grid = read_document(xlsx_bytes(build), "merged.xlsx")
    assert [(row.cells, row.origin.row) for row in grid.rows] == [
        (("", "本年预算", "", ""), 2),
        (("", "合计", "一般", "基金"), 4),
    ]
    assert grid.rows[1].locator(2) == "Sheet!C4"


# --- Word ------------------------------------------------------------------------------------------


def docx_bytes(build) -> bytes:
    return saved_bytes(docx.Document, build)


def test_docx_paragraphs_and_tables_in_document_order_with_spans():
    def build(document):
        document.add_paragraph("收入决算表")
        document.add_paragraph("单位：万元")
        table = document.add_table(rows=3, cols=3)
        table.cell(0, 0).text = "项目"
        table.cell(0, 1).text = "本年收入"
        table.cell(1, 1).text = "合计"
        table.cell(1, 2).text = "财政拨款"
        table.cell(2, 0).text = "一般公共服务支出"
        table.cell(2, 1).text = "1503.52"
        table.cell(2, 2).text = "1503.52"
        table.cell(0, 1).merge(table.cell(0, 2))  # gridSpan
        table.cell(0, 0).merge(table.cell(1, 0))  # vMerge
        document.add_paragraph("注：本表金额保留两位小数。\n第二行")
        document.add_table(rows=1, cols=2).cell(0, 0).text = "第二个表"

    grid = read_document(docx_bytes(build), "order.docx")
    assert [(row.cells, row.origin) for row in grid.rows] == [
        (("收入决算表",), None),
        (("单位：万元",), None),
        (("项目", "本年收入", ""), Origin(table=1, row=1)),
        (("", "合计", "财政拨款"), Origin(table=1, row=2)),
        (("一般公共服务支出", "1503.52", "1503.52"), Origin(table=1, row=3)),
        (("注：本表金额保留两位小数。",), None),
        (("第二行",), None),
        (("第二个表",), Origin(table=2, row=1)),
    ]
    assert grid.rows[4].locator(2) == "table 1, row 3, cell 3"


def test_docx_layout_frame_table_is_read_as_its_content():
    """A one-cell table wrapping a title and a data table: the data table is a table of its own."""

    def build(document):
        frame = document.add_table(rows=1, cols=1).cell(0, 0)
        frame.paragraphs[0].text = "项目支出表"
        inner = frame.add_table(rows=2, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "项目", "金额"
        inner.cell(1, 0).text, inner.cell(1, 1).text = "培训费", "27.93"
        document.add_paragraph("说明：无")

    grid = read_document(docx_bytes(build), "frame.docx")
    assert [(row.cells, row.origin) for row in grid.rows] == [
        (("项目支出表",), None),
        (("项目", "金额"), Origin(table=2, row=1)),
        (("培训费", "27.93"), Origin(table=2, row=2)),
        (("说明：无",), None),
    ]


# --- HTML --------------------------------------------------------------------------------------------


def test_gbk_html_is_decoded_and_reads_like_the_utf8_page():
    utf8, gbk = read(FORMATS / "seed000.html"), read(FORMATS / "seed000_gbk.html")
    assert (gbk.details["declared_encoding"], gbk.details["encoding"]) == ("gbk", "gb18030")
    assert utf8.details["encoding"] == "utf-8"
    assert [r.cells for r in gbk.rows] == [r.cells for r in utf8.rows]


PAGE = (
    "<html><head><title>页面标题</title><script>var x='脚本';</script><style>p{}</style></head><body>"
    "<h2>收入决算表</h2><p>单位：万元<br>编制部门：某局</p><div style='display:none'>隐藏文字</div>"
    "<table><caption>表一</caption>"
    "<tr><td rowspan='2'>项&nbsp;目</td><td colspan='2'>本年收入</td></tr>"
    "<tr><td>合计</td><td>财政<br>拨款</td></tr>"
    "<tr><td>一般公共服务</td><td>1,503.52</td><td>1503.52</td></tr></table>"
    "<p>注：无</p></body></html>"
)


@pytest.mark.parametrize(
    "encoding, declaration",
    [
        ("utf-8", '<meta charset="utf-8">'),
        ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
        ("gbk", ""),  # undeclared: GB18030 after UTF-8 fails
        ("gbk", '<meta charset="utf-8">'),  # misdeclared: the bytes are not UTF-8
        ("utf-8", '<meta charset="gbk">'),  # misdeclared the other way: valid UTF-8 wins
        ("gbk", '<meta charset="iso-8859-1">'),  # a Western charset cannot be a Chinese page's
    ],
)
def test_html_encodings_and_positional_tables(encoding, declaration):
    page = PAGE.replace("<head>", "<head>" + declaration)
    grid = read_document(page.encode(encoding), "page.html")
    assert [(row.cells, row.origin) for row in grid.rows] == [
        (("收入决算表",), None),
        (("单位：万元",), None),
        (("编制部门：某局",), None),
        (("表一",), None),
        (("项 目", "本年收入", ""), Origin(table=1, row=1)),
        (("", "合计", "财政\n拨款"), Origin(table=1, row=2)),
        (("一般公共服务", "1,503.52", "1503.52"), Origin(table=1, row=3)),
        (("注：无",), None),
    ]


def test_html_layout_table_is_read_as_its_content():
    page = (
        "<html><body><table><tr><td><p>支出决算表</p>"
        "<table><tr><td>项目</td><td>金额</td></tr><tr><td>水费</td><td>10.00</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    grid = read_document(page.encode(), "frame.html")
    assert [(row.cells, row.origin) for row in grid.rows] == [
        (("支出决算表",), None),
        (("项目", "金额"), Origin(table=2, row=1)),
        (("水费", "10.00"), Origin(table=2, row=2)),
    ]


# --- what cannot be read -----------------------------------------------------------------------------


def _replace_part(data: bytes, part: str, content: bytes) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            out.writestr(item, content if item.filename == part else source.read(item.filename))
    return target.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("cut.xlsx", (FORMATS / "seed000.xlsx").read_bytes()[:5000], "cut.xlsx: a damaged ZIP container"),
        ("cut.docx", (FORMATS / "seed000.docx").read_bytes()[:5000], "cut.docx: a damaged ZIP container"),
        (
            "bad.xlsx",
            _replace_part(
                (FORMATS / "seed000.xlsx").read_bytes(), "xl/worksheets/sheet2.xml", b"<worksheet><sheetD"
            ),
            "bad.xlsx: a damaged Excel workbook: XMLSyntaxError",
        ),
        (
            "bad.docx",
            _replace_part((FORMATS / "seed000.docx").read_bytes(), "word/document.xml", b"<w:document"),
            "bad.docx: a damaged Word document",
        ),
        (
            "cut.xls",
            (FORMATS / "seed000.xls").read_bytes()[:3000],
            "cut.xls: a damaged Excel 97-2003 workbook",
        ),
        (
            "secret.xlsx",
            (FORMATS / "encrypted.xlsx").read_bytes(),
            "secret.xlsx: an encrypted (password-protected)",
        ),
        (
            "secret.docx",
            (FORMATS / "encrypted.docx").read_bytes(),
            "secret.docx: an encrypted (password-protected)",
        ),
        ("empty.xlsx", xlsx_bytes(lambda book: None), "empty.xlsx: the workbook holds no text"),
        ("empty.docx", docx_bytes(lambda document: None), "empty.docx: the Word document holds no text"),
        (
            "empty.html",
            b"<html><body><script>x()</script>&nbsp;</body></html>",
            "empty.html: the web page holds no text",
        ),
    ],
)
def test_unreadable_files_raise_naming_the_file_and_the_problem(name, data, message):
    with pytest.raises(UnreadableDocument) as raised:
        read_document(data, name)
    assert str(raised.value).startswith(message)


def test_a_zip_archive_is_not_a_document(tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("budget.xlsx", (FORMATS / "seed000.xlsx").read_bytes())
    path = tmp_path / "downloads.zip"
    path.write_bytes(archive.getvalue())
    with pytest.raises(UnreadableDocument, match=r"^downloads\.zip: a ZIP archive, not a document"):
        read_document(archive.getvalue(), path.name)
    extraction = extract_document(path)
    assert extraction.document["status"] == "unreadable" and not extraction.cells
    assert "downloads.zip: a ZIP archive" in extraction.issues[0]["detail"]


# --- the acceptance test: seed 000 in every format gives the facts of its text ---------------------

# Where a fact was printed (line, column position, the printed digits) differs by format; what it
# says does not. performance rows' table_seq is numbered from the title's line, so it goes too.
_PLACE = {"document_key", "line_number", "col_seq", "raw_value", "table_seq", "source_page", "source_locator"}


def _facts(extraction):
    """What the facts say, to the character: texts, codes, dimensions and amounts."""

    def semantic(rows):
        return Counter(tuple(sorted((k, str(v)) for k, v in row.items() if k not in _PLACE)) for row in rows)

    return {
        "cells": semantic(extraction.cells),
        "quarantine": Counter(
            (q["source_table"], q["source_row"], q["column_label"]) for q in extraction.quarantine
        ),
        "tables": [(t["table_kind"], t["source_table"]) for t in extraction.tables],
        **{name: semantic(rows) for name, rows in extraction.performance.items()},
    }


@pytest.fixture(scope="module")
def seed_facts():
    extraction = extract_document(SEED)
    assert len(extraction.cells) > 300 and extraction.performance["performance_target"]
    return extraction


@pytest.mark.parametrize(
    "name",
    [
        "seed000.docx",
        "seed000.xlsx",
        "seed000.xls",
        "seed000.html",
        "seed000_gbk.html",
        pytest.param("seed000_from_docx.pdf", id="pdf-from-docx"),
        pytest.param("seed000_from_xlsx.pdf", id="pdf-from-xlsx"),
    ],
)
def test_seed_000_in_every_format_gives_the_facts_of_its_text(name, seed_facts):
    extraction = extract_document(FORMATS / name)
    assert extraction.document["status"] == "read", extraction.document.get("error")
    for field in ("doc_type", "fiscal_year", "department_name", "province"):
        assert extraction.document[field] == seed_facts.document[field], field
    got, expected = _facts(extraction), _facts(seed_facts)
    assert len(extraction.cells) == len(seed_facts.cells)
    assert len(extraction.quarantine) == len(seed_facts.quarantine)
    for key in expected:
        assert got[key] == expected[key], f"{name}: {key} differ"
    # The same table sequence numbers for the financial cells (one title row per table, as in the text).
    assert Counter(c["table_seq"] for c in extraction.cells) == Counter(
        c["table_seq"] for c in seed_facts.cells
    )
