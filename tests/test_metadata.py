"""Document metadata and the sources manifest, on the five seed documents."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from orchestration.extract.gazetteer import load_gazetteer
from orchestration.extract.manifest import ManifestError, apply_manifest, load_manifest
from orchestration.extract.metadata import (
    ORIGIN_FIELDS,
    DocumentMetadata,
    infer_metadata,
    normalise_department_name,
)
from orchestration.readers import decode_document, read_text
from orchestration.warehouse.raw_schema import RAW_TABLES

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEED = {
    "jilin": "000_3dc14b99499346cd.txt",
    "jishan": "001_c9601cb349fb6821.txt",
    "jiangsu": "002_0851205fe117d4ca.txt",
    "chaoyang": "003_fea1944156b82701.txt",
    "pingxiang": "004_909d9174802cb080.txt",
}

EXPECTED = {
    "jilin": {
        "doc_type": "budget",
        "phase": "budget",
        "fiscal_year": 2024,
        "department_name": "中共吉林省委组织部",
        "department_code": "317001",
        "department_scope": "unit",
        "province": "吉林省",
        "prefecture": None,
        "county": None,
        "admin_level": "province",
        "division_code": "220000",
        "title": "中共吉林省委组织部(本级) 2024 年部门预算",
    },
    "jishan": {
        "doc_type": "budget",
        "phase": "budget",
        "fiscal_year": 2024,
        "department_name": "中共稷山县委组织部",
        "department_code": "009",
        "department_scope": "department",
        "province": "山西省",
        "prefecture": "运城市",
        "county": "稷山县",
        "admin_level": "county",
        "division_code": "140824",
        "title": None,
    },
    "jiangsu": {
        "doc_type": "performance_target",
        "phase": "budget",
        "fiscal_year": 2024,
        "department_name": "中共江苏省委组织部",
        "department_code": None,
        "department_scope": "unit",
        "province": "江苏省",
        "prefecture": None,
        "county": None,
        "admin_level": "province",
        "division_code": "320000",
        "title": "江苏省省级部门整体预算绩效目标表 2024年度",
    },
    "chaoyang": {
        "doc_type": "final_account",
        "phase": "final_account",
        "fiscal_year": 2024,
        "department_name": "中共辽宁省朝阳市委组织部",
        "department_code": "106001",
        "department_scope": "department",
        "province": "辽宁省",
        "prefecture": "朝阳市",
        "county": None,
        "admin_level": "prefecture",
        "division_code": "211300",
        "title": "中共辽宁省朝阳市委组织部 2024 年度部门决算",
    },
    "pingxiang": {
        "doc_type": "budget",
        "phase": "budget",
        "fiscal_year": 2023,
        "department_name": "中共平乡县委组织部",
        "department_code": "203",
        "department_scope": "department",
        "province": "河北省",
        "prefecture": "邢台市",
        "county": "平乡县",
        "admin_level": "county",
        "division_code": "130532",
        "title": "中共平乡县委组织部2023年部门预算信息公开情况说明",
    },
}


def infer_text(text: str, name: str, data: bytes | None = None) -> DocumentMetadata:
    return infer_metadata(read_text(text, name), name, data if data is not None else text.encode("utf-8"))


def infer_seed(key: str) -> DocumentMetadata:
    data = (SOURCES / SEED[key]).read_bytes()
    text, _ = decode_document(data, SEED[key])
    return infer_text(text, SEED[key], data)


@pytest.fixture(scope="module")
def seeds() -> dict[str, DocumentMetadata]:
    return {key: infer_seed(key) for key in SEED}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_field_of_each_seed(seeds, key):
    meta = seeds[key]
    found = {name: getattr(meta, name) for name in EXPECTED[key]}
    assert found == EXPECTED[key]
    assert (meta.publisher, meta.source_url, meta.retrieval_date) == (None, None, None)


@pytest.mark.parametrize("key", sorted(SEED))
def test_keys_and_hashes(seeds, key):
    meta = seeds[key]
    assert meta.source_name == SEED[key]
    assert meta.document_key == hashlib.sha256(f"document|{SEED[key]}".encode()).hexdigest()[:16]
    assert meta.sha256 == hashlib.sha256((SOURCES / SEED[key]).read_bytes()).hexdigest()
    assert infer_seed(key) == meta, "the same file must give the same metadata"


def test_origin_says_inferred_or_missing(seeds):
    for key, meta in seeds.items():
        assert set(meta.metadata_origin) == set(ORIGIN_FIELDS)
        for name in ORIGIN_FIELDS:
            value = getattr(meta, name)
            expected = "missing" if value is None else "inferred"
            if name in ("prefecture", "county") and meta.division_code is not None:
                expected = "inferred"  # known not to apply (a province has no county)
            assert meta.metadata_origin[name] == expected, (key, name)
    assert seeds["jishan"].metadata_origin["title"] == "missing"
    assert seeds["jiangsu"].metadata_origin["department_code"] == "missing"


def test_row_has_the_raw_documents_columns(seeds):
    ddl_columns = re.findall(r"^\s*(\w+)\s+(?:VARCHAR|INTEGER)", RAW_TABLES["documents"], re.M)
    read_by_the_loader = {"status", "error", "encoding", "layout"}
    row = seeds["chaoyang"].as_row()
    assert set(row) == set(ddl_columns) - read_by_the_loader
    assert json.loads(row["metadata_origin"])["department_name"] == "inferred"
    assert "conflicts" not in row


def test_chaoyang_title_wins_over_its_two_wrong_table_headers(seeds):
    meta = seeds["chaoyang"]
    assert meta.department_name == "中共辽宁省朝阳市委组织部"
    assert len(meta.conflicts) == 2
    first, second = meta.conflicts
    assert first.startswith("收入决算表 (line 357)") and "中共辽宁省委组织部" in first
    assert (
        second.startswith("一般公共预算财政拨款基本支出决算表 (line 532)") and "中共辽宁省委组织部" in second
    )


def test_chaoyang_tables_alone_follow_the_majority_of_their_headers():
    """Only the tables of 003 (from 第四部分 on): no title, so the 部门： lines decide, 7 to 2."""
    data = (SOURCES / SEED["chaoyang"]).read_bytes()
    text, _ = decode_document(data, SEED["chaoyang"])
    lines = text.split("\n")
    assert lines[300] == "第四部分 2024 年度部门决算表"
    meta = infer_text("\n".join(lines[300:]), "chaoyang_tables.txt")
    assert meta.title is None
    assert (meta.department_name, meta.division_code, meta.department_code, meta.doc_type) == (
        "中共辽宁省朝阳市委组织部",
        "211300",
        "106001",
        "final_account",
    )
    assert [c.split(" (line")[0] for c in meta.conflicts] == [
        "收入决算表",
        "一般公共预算财政拨款基本支出决算表",
    ]


def test_other_seeds_have_no_conflicts(seeds):
    for key in ("jilin", "jishan", "jiangsu", "pingxiang"):
        assert seeds[key].conflicts == (), key


def jishan_as(replacement: str) -> DocumentMetadata:
    """Jishan's budget with its department renamed: a fixture derived from seed 001."""
    data = (SOURCES / SEED["jishan"]).read_bytes()
    text, _ = decode_document(data, SEED["jishan"])
    assert "北京" not in text and "长春" not in text
    return infer_text(text.replace("中共稷山县委组织部", replacement), "jishan_renamed.txt")


def test_ambiguous_county_is_left_empty_and_reported():
    meta = jishan_as("中共朝阳区委组织部")
    assert meta.department_name == "中共朝阳区委组织部"
    assert [
        getattr(meta, f) for f in ("province", "prefecture", "county", "admin_level", "division_code")
    ] == [None] * 5
    assert meta.metadata_origin["division_code"] == "missing"
    assert meta.conflicts == ()  # not a disagreement: the region is missing, and why
    why = meta.missing["division_code"]
    assert "ambiguous" in why and "110105" in why and "220104" in why


def test_division_code_printed_with_the_name_disambiguates():
    meta = jishan_as("中共朝阳区委组织部-220104000")
    assert (meta.province, meta.prefecture, meta.county, meta.division_code) == (
        "吉林省",
        "长春市",
        "朝阳区",
        "220104",
    )
    assert meta.conflicts == ()


def test_gazetteer_chaoyang_city_is_liaoning_not_beijing():
    gazetteer = load_gazetteer()
    city = gazetteer.resolve("中共朝阳市委组织部").region
    assert (city.province, city.prefecture, city.admin_level, city.division_code) == (
        "辽宁省",
        "朝阳市",
        "prefecture",
        "211300",
    )
    assert gazetteer.resolve("中共吉林市委组织部").region.division_code == "220200"
    assert gazetteer.resolve("中共吉林省委组织部").region.division_code == "220000"
    assert gazetteer.resolve("中共朝阳区委组织部").ambiguous
    assert gazetteer.resolve("北京市朝阳区财政局").region.division_code == "110105"


@pytest.mark.parametrize(
    ("printed", "name", "code", "scope"),
    [
        ("317001-中共吉林省委组织部(本级)", "中共吉林省委组织部", "317001", "unit"),
        ("009-中共稷山县委组织部", "中共稷山县委组织部", "009", "department"),
        ("203中共平乡县委组织部", "中共平乡县委组织部", "203", "department"),
        ("106001 中共朝阳市委组织部-211300000", "中共朝阳市委组织部", "106001", "department"),
        ("中共江苏省委组织部 (机关)", "中共江苏省委组织部", None, "unit"),
        ("中共平乡县委组织部(县委老干部局)", "中共平乡县委组织部（县委老干部局）", None, "department"),
    ],
)
def test_department_names_are_normalised(printed, name, code, scope):
    department = normalise_department_name(printed)
    assert (department.name, department.code, department.scope) == (name, code, scope)


# --- manifest ---------------------------------------------------------------------------------


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    for name in SEED.values():
        shutil.copy(SOURCES / name, tmp_path / name)
    return tmp_path


def write_manifest(folder: Path, text: str) -> None:
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")


def test_no_manifest_means_no_entries(sources):
    assert load_manifest(sources) == {}


def test_manifest_overrides_and_marks_them(sources, seeds):
    write_manifest(
        sources,
        f"""
{SEED["jishan"]}:
  source_url: https://www.jishan.gov.cn/zzb/2024-yusuan.pdf
  publisher: 中共稷山县委组织部
  retrieval_date: 2024-03-15
{SEED["chaoyang"]}:
  department_name: 中共朝阳市委组织部
  division_code: 211300
  doc_type: performance_evaluation
""",
    )
    manifest = load_manifest(sources)
    assert set(manifest) == {SEED["jishan"], SEED["chaoyang"]}

    jishan = apply_manifest(seeds["jishan"], manifest[SEED["jishan"]])
    assert jishan.source_url == "https://www.jishan.gov.cn/zzb/2024-yusuan.pdf"
    assert jishan.retrieval_date == "2024-03-15"
    assert jishan.publisher == "中共稷山县委组织部"
    for name in ("source_url", "retrieval_date", "publisher"):
        assert jishan.metadata_origin[name] == "manifest"
    assert jishan.metadata_origin["department_name"] == "inferred"
    assert jishan.department_code == "009" and jishan.fiscal_year == 2024

    chaoyang = apply_manifest(seeds["chaoyang"], manifest[SEED["chaoyang"]])
    assert chaoyang.department_name == "中共朝阳市委组织部"
    assert (chaoyang.doc_type, chaoyang.phase) == ("performance_evaluation", "final_account")
    assert (chaoyang.province, chaoyang.prefecture, chaoyang.admin_level) == (
        "辽宁省",
        "朝阳市",
        "prefecture",
    )
    for name in ("department_name", "doc_type", "phase", "division_code", "province", "admin_level"):
        assert chaoyang.metadata_origin[name] == "manifest"
    assert chaoyang.department_code == "106001" and chaoyang.metadata_origin["department_code"] == "inferred"
    assert json.loads(chaoyang.as_row()["metadata_origin"])["doc_type"] == "manifest"
    assert seeds["chaoyang"].department_name == "中共辽宁省朝阳市委组织部", "the original is not changed"


def test_document_without_entry_keeps_inferred_values(sources, seeds):
    write_manifest(sources, f"- file: {SEED['jishan']}\n  fiscal_year: 2024\n")
    manifest = load_manifest(sources)
    assert SEED["jilin"] not in manifest
    kept = apply_manifest(seeds["jilin"], manifest.get(SEED["jilin"]))
    assert kept == seeds["jilin"]
    assert set(kept.metadata_origin.values()) == {"inferred", "missing"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{jishan}:\n  funding_agency: x\n", ["'funding_agency'", "unknown key"]),
        ("{jishan}:\n  doc_type: budget_summary\n", ["'doc_type'", "budget_summary"]),
        ("{jishan}:\n  fiscal_year: '2024'\n", ["'fiscal_year'", "whole number"]),
        ("{jishan}:\n  fiscal_year: 2024.5\n", ["'fiscal_year'"]),
        ("{jishan}:\n  department_code: 9\n", ["'department_code'", "quoted"]),
        ("{jishan}:\n  division_code: 14082\n", ["'division_code'", "6-digit"]),
        ("{jishan}:\n  admin_level: city\n", ["'admin_level'"]),
        ("{jishan}:\n  retrieval_date: last spring\n", ["'retrieval_date'"]),
        ("{jishan}:\n  source_url: www.example.org\n", ["'source_url'"]),
        ("999_missing.txt:\n  fiscal_year: 2024\n", ["'999_missing.txt'", "not in"]),
        ("- file: {jishan}\n  doc_type: report\n", ["entry 1", "'doc_type'"]),
        ("- file: {jishan}\n- file: {jishan}\n", ["entry 2", "more than one entry"]),
        ("{jishan}: [1, 2]\n", ["entry", "expected a file name mapped to fields"]),
    ],
)
def test_invalid_manifest_names_file_entry_and_key(sources, body, named):
    write_manifest(sources, body.format(jishan=SEED["jishan"]))
    with pytest.raises(ManifestError) as raised:
        load_manifest(sources)
    message = str(raised.value)
    assert "manifest.yaml" in message
    if "999_missing" not in body:
        assert SEED["jishan"] in message
    for part in named:
        assert part in message
