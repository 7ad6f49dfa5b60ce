"""Where every fact and quarantined cell was printed: `source_page` and `source_locator`.

The seeds are text, so the readers of paged and celled formats are stood in for by giving a seed's rows
the origins a PDF or spreadsheet reader gives them (grid.py `Origin`): the recognisers must then name
the page and the address of the very cell that prints each value, through the one sink helper
(`Row.provenance`), and the raw tables' checks must accept the two columns.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.checks import read_raw_table
from orchestration.extract.financial import extract_financial
from orchestration.extract.metadata import infer_metadata
from orchestration.extract.performance import extract_performance
from orchestration.extract.pipeline import extract_document, extract_sources
from orchestration.readers import decode_document, read_document, read_text
from orchestration.readers.grid import Grid, Origin, Row, column_letters
from orchestration.validation.schemas import validate_raw_table
from orchestration.warehouse.load import write_raw
from orchestration.warehouse.raw_schema import all_raw_tables

SOURCES = Path(__file__).resolve().parent.parent / "sources"
TSV_SEED = "000_3dc14b99499346cd.txt"  # tab-separated: cells are positional, as in a PDF's ruled table
ROWS_PER_PAGE = 40


def test_a_rows_locator_in_each_format():
    cells = ("合计", "450.05", "388.14")
    pdf = Row(7, cells, Origin(page=8, table=1, row=12))
    sheet = Row(7, cells, Origin(sheet="收入决算表", row=7))
    word = Row(7, cells, Origin(table=2, row=5))
    text = Row(120, cells)
    assert pdf.provenance(4) == {"source_page": 8, "source_locator": "page 8, table 1, row 12, cell 5"}
    assert sheet.provenance(2) == {"source_page": None, "source_locator": "收入决算表!C7"}
    assert word.provenance(2) == {"source_page": None, "source_locator": "table 2, row 5, cell 3"}
    assert text.provenance(3) == {"source_page": None, "source_locator": "line 120, cell 4"}
    # a cell whose column is unknown is located by its row
    assert [r.provenance()["source_locator"] for r in (pdf, sheet, word, text)] == [
        "page 8, table 1, row 12",
        "收入决算表!7",
        "table 2, row 5",
        "line 120",
    ]


def _seed_grid(origin_of) -> tuple[Grid, object]:
    """Seed 000 read as text, each row given the origin `origin_of(row)`."""
    data = (SOURCES / TSV_SEED).read_bytes()
    text, _ = decode_document(data, TSV_SEED)
    grid = read_text(text, TSV_SEED)
    grid.rows = [replace(row, origin=origin_of(row)) for row in grid.rows]
    return grid, infer_metadata(grid, TSV_SEED, data)


def _page(row: Row) -> int:
    return row.line // ROWS_PER_PAGE + 1


@pytest.fixture(scope="module")
def paged():
    """Seed 000 as a PDF reader would give it: every row on a page, in a ruled table, its own row."""
    grid, meta = _seed_grid(lambda row: Origin(page=_page(row), table=1, row=row.line))
    return grid, extract_financial(grid, meta), extract_performance(grid, meta.document_key, [])


def test_a_fact_names_the_page_and_the_cell_that_prints_it(paged):
    grid, financial, _ = paged
    rows = {row.line: row for row in grid.rows}
    assert len(financial.cells) > 300
    for cell in financial.cells:
        row = rows[cell["line_number"]]
        assert cell["source_page"] == _page(row)
        assert cell["source_locator"] == f"page {_page(row)}, table 1, row {row.line}, cell {cell['col_seq']}"
        assert row.cells[cell["col_seq"] - 1].strip() == cell["raw_value"]


def test_a_quarantined_cell_names_its_page_and_cell(paged):
    grid, financial, _ = paged
    rows = {row.line: row for row in grid.rows}
    assert financial.quarantine
    for cell in financial.quarantine:
        row = rows[cell["line_number"]]
        assert cell["source_page"] == _page(row)
        prefix = f"page {_page(row)}, table 1, row {row.line}"
        assert cell["source_locator"] == prefix or cell["source_locator"].startswith(f"{prefix}, cell ")
        if cell["source_locator"] != prefix:
            index = int(cell["source_locator"].rsplit(" ", 1)[1]) - 1
            assert row.cells[index].strip() == cell["raw_value"]


def test_a_performance_row_names_the_page_and_row_it_starts_on(paged):
    grid, _, performance = paged
    rows = {row.line: row for row in grid.rows}
    records = [*performance.targets, *performance.projects, *performance.funding]
    assert len(records) > 50
    for record in records:
        row = rows[record["line_number"]]
        assert (record["source_page"], record["source_locator"]) == (
            _page(row),
            f"page {_page(row)}, table 1, row {row.line}",
        )


def test_a_spreadsheet_cell_is_named_by_its_sheet_column_and_row():
    grid, meta = _seed_grid(lambda row: Origin(sheet="收入决算表", row=row.line))
    cells = extract_financial(grid, meta).cells
    assert cells
    for cell in cells:
        expected = f"收入决算表!{column_letters(cell['col_seq'] - 1)}{cell['line_number']}"
        assert (cell["source_page"], cell["source_locator"]) == (None, expected)


def test_the_raw_tables_and_their_checks_carry_the_place(tmp_path):
    extractions = extract_sources(SOURCES)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        write_raw(con, extractions)
        for table, columns_sql in all_raw_tables().items():
            if "line_number" not in columns_sql:
                continue
            frame = read_raw_table(con, table)
            assert {"source_page", "source_locator"} <= set(frame.columns), table
            assert frame["source_locator"].notna().all(), table
            assert validate_raw_table(table, columns_sql, frame).errors == [], table
        cells = read_raw_table(con, "cells")
    broken = cells.copy()
    broken.loc[0, "source_locator"] = ""
    broken.loc[1, "source_page"] = 0
    failed = {
        (f["check"], f["row"]) for f in validate_raw_table("cells", all_raw_tables()["cells"], broken).errors
    }
    assert any(row == 0 and "str_length" in check for check, row in failed), failed
    assert any(row == 1 and "greater_than_or_equal_to" in check for check, row in failed), failed


REAL_PDF = (
    Path(__file__).resolve().parent / "fixtures" / "real" / "中共上海市普陀区委社会工作部2024年度部门决算.pdf"
)
_PDF_CELL = re.compile(r"^page (\d+), table (\d+), row (\d+), cell (\d+)$")


def test_a_real_pdfs_facts_name_the_page_and_table_cell_that_print_them():
    """A 决算 PDF read by the product's reader: each fact's locator leads back to the cell printing it."""
    extraction = extract_document(REAL_PDF)
    grid = read_document(REAL_PDF.read_bytes(), REAL_PDF.name)
    by_place = {
        (r.origin.page, r.origin.table, r.origin.row): r for r in grid.rows if r.origin and r.origin.table
    }
    assert extraction.document["status"] == "read" and len(extraction.cells) > 50
    for cell in [*extraction.cells, *extraction.quarantine]:
        match = _PDF_CELL.match(cell["source_locator"])
        assert match, cell["source_locator"]
        page, table, row, index = (int(part) for part in match.groups())
        assert cell["source_page"] == page
        assert by_place[(page, table, row)].cells[index - 1].strip() == cell["raw_value"], cell[
            "source_locator"
        ]
    assert len({c["source_page"] for c in extraction.cells}) > 1  # the tables of several pages
