"""What a document is, read from real-format inputs; what happens when it cannot be; standard tables.

The grids are built by hand from what the Shanghai district PDFs (/work/shared/real) print, as a PDF
reader gives them: text outside tables as single-cell rows in reading order, tables as rows of cells,
the PDF's Title property in `details["title"]`. The text documents are the mini fixture (the first
three tables of seed 001) and variants of it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import MINI_SOURCES_DIR, SEEDS_DIR

from orchestration.checks import read_raw_table
from orchestration.extract import pipeline, standard_tables
from orchestration.extract.manifest import apply_manifest
from orchestration.extract.metadata import REQUIRED_FIELDS, DocumentMetadata, infer_metadata
from orchestration.extract.pipeline import extract_document, extract_sources
from orchestration.extract.standard_tables import load_standard_tables, standard_table_issues
from orchestration.readers import Grid, Origin, Row, squash
from orchestration.validation.schemas import validate_raw_table
from orchestration.warehouse.load import write_raw
from orchestration.warehouse.raw_schema import all_raw_tables

FINANCE_BUREAU_PDF = "上海市普陀区财政局2024年度部门决算.pdf"
SOCIAL_WORK_PDF = "中共上海市普陀区委社会工作部2024年度部门决算.pdf"
PUTUO = {
    "province": "上海市",
    "prefecture": None,  # a district of a municipality: 市辖区 is no prefecture
    "county": "普陀区",
    "admin_level": "county",
    "division_code": "310107",
}
MINI = next(MINI_SOURCES_DIR.iterdir())
MINI_DEPARTMENT_LINE = re.compile(r"部门名称：中共稷山县委组织部")


def pdf_grid(name: str, pages: list[list[str | tuple[str, ...]]], title: str | None = None) -> Grid:
    """A grid as the PDF reader gives it: a str is a line of text, a tuple a table row."""
    rows = []
    for page_number, page in enumerate(pages, start=1):
        for item in page:
            cells = (item,) if isinstance(item, str) else item
            rows.append(Row(line=len(rows) + 1, cells=cells, origin=Origin(page=page_number)))
    details = {"format": "pdf"} | ({"title": title} if title else {})
    return Grid(source_name=name, layout="pdf", rows=rows, positional=True, details=details)


def infer(grid: Grid) -> DocumentMetadata:
    return infer_metadata(grid, grid.source_name, b"%PDF-1.7 " + grid.source_name.encode())


# Pages of the finance bureau's final account after its cover, as printed (pages 2, 6 and 19).
FINANCE_BUREAU_PAGES = [
    [
        "目 录",
        "第一部分 上海市普陀区财政局概况",
        "一、主要职能",
        "第二部分 上海市普陀区财政局 年度部门决算表",
        "2024",
        "一、收入支出决算总表",
    ],
    [
        "第二部分 上海市普陀区财政局 年度部门决算表",
        "2024",
        "收入支出决算总表",
        "单位：万元",
        ("收入", "", "支出", ""),
        ("项目", "决算数", "项目", "决算数"),
        ("一、一般公共预算财政拨款收入", "2,940.05", "一、一般公共服务支出", "2,106.66"),
    ],
    [
        "政府性基金预算财政拨款收入支出决算表",
        "单位：万元",
        ("项目", "", "", "本年收入", "本年支出"),
        ("合计", "", "", "", ""),
        "注：上海市普陀区财政局无政府性基金预算财政拨款支出，故本表无数据。",
    ],
]


@pytest.mark.parametrize(
    "cover",
    [
        ["上海市普陀区财政局", "年度部门决算", "2024"],  # pdfplumber's reading order (the year sits lower)
        ["上海市普陀区财政局", "2024", "年度部门决算"],  # left to right
        ["上海市普陀区财政局", "年度部门决算 2024"],  # one line
    ],
)
def test_a_cover_whose_year_stands_apart_gives_department_year_type_and_region(cover):
    """The cover alone names the department: the file is called what a download often is."""
    meta = infer(pdf_grid("download.pdf", [cover, *FINANCE_BUREAU_PAGES]))
    assert (meta.department_name, meta.fiscal_year, meta.doc_type, meta.phase) == (
        "上海市普陀区财政局",
        2024,
        "final_account",
        "final_account",
    )
    assert squash(meta.title) == "上海市普陀区财政局2024年度部门决算"  # the year in its place
    assert {name: getattr(meta, name) for name in PUTUO} == PUTUO
    assert (meta.conflicts, meta.missing) == ((), {})


def test_a_party_department_title_over_three_lines_and_a_template_title_property():
    """The WPS export kept the template's Title property: it names no department, so it says nothing."""
    grid = pdf_grid(
        "附件2.pdf",
        [
            ["中共上海市普陀区委", "社会工作部 2024 年度", "部门决算"],
            ["目 录", "第一部分 中共上海市普陀区委社会工作部概况"],
            [
                "中共上海市普陀区委社会工作部 2024 年度部门决算表",
                "收入支出决算总表",
                "单位：万元",
                ("项目", "决算数", "项目", "决算数"),
                ("一、一般公共预算财政拨款收入", "307.82", "一、一般公共服务支出", "264.87"),
            ],
        ],
        title="附件2：预算主管部门公开样张",
    )
    meta = infer(grid)
    assert (meta.department_name, meta.fiscal_year, meta.doc_type) == (
        "中共上海市普陀区委社会工作部",
        2024,
        "final_account",
    )
    assert meta.title == "中共上海市普陀区委 社会工作部 2024 年度 部门决算"
    assert {name: getattr(meta, name) for name in PUTUO} == PUTUO
    assert (meta.conflicts, meta.missing) == ((), {})


# A table page without a cover or any line naming the department (a download of the tables only).
TABLES_ONLY = [
    [
        "收入支出决算总表",
        "单位：万元",
        ("项目", "决算数", "项目", "决算数"),
        ("一、一般公共预算财政拨款收入", "2,940.05", "一、一般公共服务支出", "2,106.66"),
    ]
]


def test_department_and_year_from_the_file_name_when_the_pages_name_none():
    meta = infer(pdf_grid(FINANCE_BUREAU_PDF, TABLES_ONLY))
    assert (meta.department_name, meta.fiscal_year, meta.doc_type) == (
        "上海市普陀区财政局",
        2024,
        "final_account",
    )
    assert meta.division_code == "310107" and meta.title is None
    assert meta.metadata_origin["department_name"] == "inferred"


def test_department_and_year_from_the_title_property_when_the_pages_and_name_say_none():
    meta = infer(pdf_grid("download (3).pdf", TABLES_ONLY, title="2024年上海市普陀区财政局部门决算表.pdf"))
    assert (meta.department_name, meta.fiscal_year, meta.doc_type) == (
        "上海市普陀区财政局",
        2024,
        "final_account",
    )


def test_type_and_year_from_the_file_name_when_no_table_or_title_gives_them():
    meta = infer(pdf_grid("上海市普陀区财政局2025年部门预算.pdf", [["编制部门：上海市普陀区财政局"]]))
    assert (meta.department_name, meta.fiscal_year, meta.doc_type) == ("上海市普陀区财政局", 2025, "budget")


def test_the_printed_department_wins_over_the_file_name():
    meta = infer(
        pdf_grid("上海市普陀区财政局2024年度部门决算.pdf", [["中共上海市普陀区委社会工作部2024年度部门决算"]])
    )
    assert meta.department_name == "中共上海市普陀区委社会工作部"


@pytest.mark.parametrize("label", ["编制部门", "预算主管部门", "部门名称"])
def test_a_budget_table_labelled_with_its_department(label):
    grid = pdf_grid(
        "table.pdf",
        [
            [
                "2026年部门收支总表",
                f"{label}：上海市普陀区财政局 单位：万元",
                ("收入", "", "支出", ""),
                ("项目", "预算数", "项目", "预算数"),
                ("一、一般公共预算拨款收入", "3,015.00", "一、一般公共服务支出", "2,200.00"),
            ],
            # 部门收支总表 does not say budget or final account: the 一般公共预算 table does
            [
                "2026年一般公共预算支出表",
                f"{label}：上海市普陀区财政局 单位：万元",
                ("科目编码", "科目名称", "合计"),
            ],
        ],
    )
    meta = infer(grid)
    assert (meta.department_name, meta.fiscal_year, meta.doc_type) == ("上海市普陀区财政局", 2026, "budget")
    assert meta.division_code == "310107"


def test_what_cannot_be_read_is_missing_with_where_it_was_looked_for():
    meta = infer(pdf_grid("scan.pdf", [["单位：万元", ("项目", "金额"), ("合计", "12.00")]]))
    assert set(meta.missing) >= set(REQUIRED_FIELDS)
    assert "file name" in meta.missing["department_name"] and "年度" in meta.missing["fiscal_year"]
    assert meta.conflicts == ()
    assert all(getattr(meta, name) is None for name in REQUIRED_FIELDS)


# --- the manifest and the publisher -----------------------------------------------------------


def _budget_of(department: str) -> DocumentMetadata:
    return infer(pdf_grid("d.pdf", [[f"{department}2026年部门预算"], TABLES_ONLY[0][:1]]))


def test_the_publisher_places_a_department_whose_name_is_shared_by_two_districts():
    meta = _budget_of("普陀区财政局")
    assert meta.division_code is None and "330903" in meta.missing["division_code"]  # 舟山市普陀区
    placed = apply_manifest(meta, {"publisher": "上海市普陀区人民政府"})
    assert {name: getattr(placed, name) for name in PUTUO} == PUTUO
    assert placed.metadata_origin["division_code"] == "publisher" and placed.missing == {}


def test_the_publisher_places_a_department_whose_name_has_no_region():
    meta = _budget_of("区财政局")
    assert meta.department_name == "区财政局" and meta.division_code is None
    placed = apply_manifest(meta, {"publisher": "上海市普陀区人民政府"})
    assert (placed.division_code, placed.metadata_origin["province"]) == ("310107", "publisher")
    unplaced = apply_manifest(meta, {"publisher": "区政府办公室"})
    assert unplaced.division_code is None and "区政府办公室" in unplaced.missing["division_code"]


def test_a_department_given_by_the_manifest_is_no_longer_missing_and_places_the_document():
    meta = infer(pdf_grid("scan.pdf", TABLES_ONLY))
    assert "department_name" in meta.missing
    named = apply_manifest(meta, {"department_name": "中共上海市普陀区委社会工作部"})
    assert named.department_name == "中共上海市普陀区委社会工作部" and "department_name" not in named.missing
    assert named.division_code == "310107" and named.metadata_origin["division_code"] == "manifest"


# --- a document whose department cannot be read, among good ones -----------------------------


def write_nameless(folder: Path, name: str = "部门预算.txt") -> Path:
    """The mini document with its 部门名称 lines blanked: nothing names the department."""
    text = MINI.read_text(encoding="utf-8")
    nameless, count = MINI_DEPARTMENT_LINE.subn("部门名称：", text)
    assert count == 3 and "部门名称：中共" not in nameless
    path = folder / name
    path.write_text(nameless, encoding="utf-8")
    return path


def test_a_document_without_department_is_held_back_with_its_cause_and_the_manifest_fix(tmp_path):
    shutil.copy(MINI, tmp_path / MINI.name)
    path = write_nameless(tmp_path)
    extractions = {x.source_name: x for x in extract_sources(tmp_path)}
    good, bad = extractions[MINI.name], extractions[path.name]
    assert good.document["error"] is None
    assert not [i for i in good.issues if i["check_name"] == "document_identified"]

    assert bad.document["status"] == "read" and bad.document["department_name"] is None
    (issue,) = [i for i in bad.issues if i["check_name"] == "document_identified"]
    assert (issue["severity"], issue["table_seq"]) == ("error", None)  # names the whole document
    assert "department_name" in issue["detail"] and "manifest.yaml" in issue["detail"]
    assert f'"{path.name}: {{department_name: ' in issue["detail"]
    assert bad.document["error"].startswith("held back: department_name")
    assert len(bad.tables) == 3 and bad.cells  # read whole: its cells are accounted for, not published

    (tmp_path / "manifest.yaml").write_text(
        yaml.safe_dump({path.name: {"department_name": "中共稷山县委组织部"}}, allow_unicode=True),
        encoding="utf-8",
    )
    fixed = next(x for x in extract_sources(tmp_path) if x.source_name == path.name)
    assert fixed.document["error"] is None and fixed.document["division_code"] == "140824"
    assert not [i for i in fixed.issues if i["check_name"] == "document_identified"]


# --- standard tables ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS_DIR.glob("*.txt")))
def test_the_seeds_print_every_standard_table(seed):
    """All five print the nine (002 is performance targets only: no standard set): no finding at all."""
    extraction = extract_document(SEEDS_DIR / seed)
    assert [i for i in extraction.issues if i["check_name"] == standard_tables.CHECK_NAME] == []


def test_a_budget_that_leaves_out_standard_tables_is_told_which_as_info():
    issues = [i for i in extract_document(MINI).issues if i["check_name"] == standard_tables.CHECK_NAME]
    assert {i["severity"] for i in issues} == {"info"}
    named = sorted(
        re.match(r"standard table (\S+) of a 部门预算 not published", i["detail"]).group(1) for i in issues
    )
    assert named == sorted(
        [
            "财政拨款收支总表",
            "一般公共预算支出表",
            "一般公共预算基本支出表",
            "一般公共预算“三公”经费支出表",
            "政府性基金预算支出表",
            "国有资本经营预算支出表",
        ]
    )


def test_a_left_out_table_quotes_the_documents_own_note(tmp_path):
    note = "本部门无政府性基金预算财政拨款收支，故未公开政府性基金预算支出表"
    path = tmp_path / MINI.name
    path.write_text(MINI.read_text(encoding="utf-8") + f"\n{note}。\n", encoding="utf-8")
    issues = [i for i in extract_document(path).issues if i["check_name"] == standard_tables.CHECK_NAME]
    (fund,) = [i for i in issues if "政府性基金预算支出表 of" in i["detail"]]
    assert f"the document says: '{note}'" in fund["detail"]
    assert all("the document says" not in i["detail"] for i in issues if i is not fund)


def test_a_table_printed_empty_with_its_note_is_published_not_left_out():
    """The social work department's 三公 table: headers, no figures, and why (page 14)."""
    grid = pdf_grid(
        SOCIAL_WORK_PDF,
        [
            [
                "财政拨款“三公”经费支出决算表",
                "说明：中共上海市普陀区委社会工作部本年度没有财政拨款“三公”经费支出，故本表无数据。",
            ]
        ],
    )
    meta = infer(grid)
    kinds = load_standard_tables().sets["final_account"].tables
    printed = [
        {"table_kind": kind, "status": "recognised", "source_table": title} for kind, title in kinds.items()
    ]
    assert standard_table_issues(grid, meta, printed) == []
    printed_empty = [
        dict(row, status="empty") if row["table_kind"] == "three_public_costs" else row for row in printed
    ]
    assert standard_table_issues(grid, meta, printed_empty) == []
    left_out = [row for row in printed if row["table_kind"] != "three_public_costs"]
    (issue,) = standard_table_issues(grid, meta, left_out)
    assert issue["detail"].startswith(
        "standard table 一般公共预算财政拨款“三公”经费支出决算表 of a 部门决算 not published"
    )
    assert "本年度没有财政拨款“三公”经费支出，故本表无数据" in issue["detail"]


def test_an_unrecognised_table_is_named_as_possibly_the_missing_one():
    grid = pdf_grid("x.pdf", [["2024年部门预算"]])
    meta = apply_manifest(infer(grid), {"department_name": "上海市普陀区财政局"})
    kinds = load_standard_tables().sets["budget"].tables
    tables = [
        {"table_kind": k, "status": "recognised", "source_table": t}
        for k, t in kinds.items()
        if k != "revenue"
    ]
    tables.append({"table_kind": None, "status": "unrecognised", "source_table": "部门收入预算明细表"})
    (issue,) = standard_table_issues(grid, meta, tables)
    assert "收入总表" in issue["detail"] and "部门收入预算明细表" in issue["detail"]


def test_the_standard_sets_name_only_kinds_the_registry_knows(tmp_path):
    data = yaml.safe_load(standard_tables.STANDARD_TABLES_PATH.read_text(encoding="utf-8"))
    data["document_types"]["budget"]["tables"]["budget_sumary"] = "收支总表"
    path = tmp_path / "standard_tables.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="budget_sumary"):
        load_standard_tables.__wrapped__(path)


def test_a_document_whose_extraction_failed_passes_validation_so_the_others_go_on(tmp_path, monkeypatch):
    """'failed' is a status of raw.documents: the pandera check must not reject it and stop the run."""
    shutil.copy(MINI, tmp_path / MINI.name)
    (tmp_path / "broken.txt").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    real = pipeline.extract_document

    def extract(path, entry=None):
        if path.name == "broken.txt":  # a Path or a SourceFile
            raise RuntimeError("a layout nobody foresaw")
        return real(path, entry)

    monkeypatch.setattr(pipeline, "extract_document", extract)
    extractions = extract_sources(tmp_path)
    assert sorted(x.document["status"] for x in extractions) == ["failed", "read"]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        write_raw(con, extractions)
        documents = read_raw_table(con, "documents")
    assert validate_raw_table("documents", all_raw_tables()["documents"], documents).errors == []


REAL_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
REAL_DEPARTMENTS = {
    FINANCE_BUREAU_PDF: "上海市普陀区财政局",
    SOCIAL_WORK_PDF: "中共上海市普陀区委社会工作部",
}


@pytest.mark.parametrize("name", sorted(REAL_DEPARTMENTS))
@pytest.mark.parametrize("renamed", [False, True], ids=["as_published", "renamed"])
def test_the_real_pdfs_say_what_they_are_and_print_every_standard_table(name, renamed, tmp_path):
    """Through the PDF reader: renamed, the pages alone must say it (the social work department's
    Title property is the template's, 附件2：预算主管部门公开样张). Its three tables printed empty
    with their notes are published empty, not left out: no standard-table finding at all."""
    path = tmp_path / ("download.pdf" if renamed else name)
    shutil.copy(REAL_DIR / name, path)
    extraction = extract_document(path)
    document = extraction.document
    assert (document["department_name"], document["fiscal_year"], document["doc_type"]) == (
        REAL_DEPARTMENTS[name],
        2024,
        "final_account",
    )
    assert {field: document[field] for field in PUTUO} == PUTUO
    assert document["error"] is None
    checks = {i["check_name"] for i in extraction.issues}
    assert not checks & {standard_tables.CHECK_NAME, "document_identified", "metadata_consistent"}
    assert {t["table_kind"] for t in extraction.tables} >= set(
        load_standard_tables().sets["final_account"].tables
    )
