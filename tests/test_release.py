"""Releases: every table as Parquet + datapackage.json + notes + cnbudget.duckdb; immutable, idempotent.

The warehouse is a small DuckDB built from tests/fixtures/release/warehouse.sql, whose figures come from
the seed documents (000: 中共吉林省委组织部 2024 budget; 001: 中共稷山县委组织部 2024 budget).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from frictionless import Package
from frictionless import validate as frictionless_validate

from orchestration.publish import (
    KeyViolation,
    ReleaseExists,
    ReleaseNotFound,
    SourceDocument,
    connect_release,
    diff_releases,
    list_releases,
    publish_release,
)
from orchestration.publish.target import ReleaseTarget
from orchestration.publish.versions import next_version, sort_versions

FIXTURES = Path(__file__).parent / "fixtures" / "release"
MANIFEST = FIXTURES / "manifest.json"
DAY = datetime.date(2024, 5, 1)

DOC_000 = "01d41d5f45af6e28"  # sha256("document|000_3dc14b99499346cd.txt")[:16]
DOC_001 = "91a501917f00c770"
SHA_000 = "9d784fefedf8d3d9c2566916a5566ae34385944463caf2ecec4e675cd484a485"
SHA_000_REISSUED = "0" * 63 + "1"
MARTS_TABLES = {
    "dim_department",
    "dim_document",
    "dim_economic_code",
    "dim_function_code",
    "dim_year",
    "dq_issue",
    "fct_expenditure_by_economic",
    "fct_expenditure_by_function",
    "fct_function_class_total",
    "quarantined_row",
}


def build_warehouse(path: Path, reorder: bool = False) -> Path:
    """The fixture warehouse; `reorder` stores every table's rows in the opposite physical order."""
    connection = duckdb.connect(str(path))
    connection.execute((FIXTURES / "warehouse.sql").read_text(encoding="utf-8"))
    if reorder:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            connection.execute(
                f"create or replace table marts.{table} as select * from marts.{table} order by all desc"
            )
    connection.close()
    return path


def change_warehouse(path: Path) -> None:
    """Document 000 re-issued (new sha256) with one corrected amount; 003 added; one row of 001 dropped."""
    connection = duckdb.connect(str(path))
    connection.execute(
        f"update raw.documents set sha256 = '{SHA_000_REISSUED}' where document_key = '{DOC_000}'"
    )
    connection.execute(
        f"update marts.dim_document set sha256 = '{SHA_000_REISSUED}' where document_key = '{DOC_000}'"
    )
    connection.execute(
        "update marts.fct_expenditure_by_function set amount = 5368.46 "
        f"where document_key = '{DOC_000}' and function_code = '2013299' and expenditure_type = 'total'"
    )
    connection.execute(
        f"delete from marts.fct_expenditure_by_function where document_key = '{DOC_001}' and function_code = '208'"
    )
    connection.execute("""
        insert into raw.documents values ('b9d4cfdb06ac27a9', '003_fea1944156b82701.txt',
            '81667ada690edef754ab6987a9a9dfacb2193e42c78e81b8689aa874b02e0b76', 'read');
        insert into marts.dim_department values ('90290a4bd762cb5ab9d1999ac29d08f2', '中共辽宁省朝阳市委组织部', '106001',
            '辽宁省', '朝阳市', null, 'prefecture', '211300');
        insert into marts.dim_document values ('b9d4cfdb06ac27a9', '003_fea1944156b82701.txt',
            '81667ada690edef754ab6987a9a9dfacb2193e42c78e81b8689aa874b02e0b76', 'final_account',
            '90290a4bd762cb5ab9d1999ac29d08f2', 2024);
        insert into marts.fct_expenditure_by_function values
            ('b9d4cfdb06ac27a9', '90290a4bd762cb5ab9d1999ac29d08f2', 2024, 'all', '201', 'total', 'final_account',
             1540.21, false, '支出决算表', '一般公共服务支出');
    """)
    connection.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    folder = tmp_path / "warehouse"
    folder.mkdir()
    return build_warehouse(folder / "cnbudget.duckdb")


def publish(warehouse: Path, target: str | Path, today: datetime.date = DAY, **kwargs):
    return publish_release(warehouse, str(target), today=today, manifest_path=MANIFEST, **kwargs)


def version_folders(target: Path) -> list[str]:
    return sort_versions(p.name for p in target.iterdir() if p.is_dir() and p.name[:1].isdigit())


# --- what a release holds -----------------------------------------------------------------------------


def test_release_holds_every_published_table_and_nothing_else(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "releases"
    outcome = publish(warehouse, target)

    assert outcome.version == "2024.05.01" and not outcome.unchanged
    assert outcome.path == str(target / "2024.05.01")
    assert (target / "LATEST").read_text().strip() == "2024.05.01"
    folder = target / "2024.05.01"
    parquet = {p.stem for p in folder.glob("*.parquet")}
    assert parquet == MARTS_TABLES  # staging.* and raw.* are not published; the marts view is
    assert {p.name for p in folder.iterdir()} == {f"{t}.parquet" for t in MARTS_TABLES} | {
        "datapackage.json",
        "RELEASE_NOTES.md",
        "cnbudget.duckdb",
    }
    assert outcome.row_counts["fct_expenditure_by_function"] == 19
    assert outcome.row_counts["fct_expenditure_by_economic"] == 6
    notes = (folder / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert notes == outcome.notes
    assert "- Contract: v1" in notes and "- Date: 2024-05-01" in notes
    assert "| `fct_expenditure_by_function` | 19 |" in notes
    assert "| **total** | 46 |" in notes
    assert "contract tables not in the warehouse" in notes and "fct_revenue" in notes


def test_datapackage_matches_files_and_validates(warehouse: Path, tmp_path: Path) -> None:
    folder = Path(publish(warehouse, tmp_path / "releases").path)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))

    for resource in descriptor["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["format"] == "parquet"
    for name, size in descriptor["cnbudget:files"].items():
        assert (folder / name).stat().st_size == size

    assert descriptor["name"] == "cnbudget" and descriptor["version"] == "2024.05.01"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["cnbudget:contract_version"] == "v1"
    assert len(descriptor["cnbudget:content_hash"]) == 64
    assert {(s["path"], s["sha256"]) for s in descriptor["sources"]} == {
        ("000_3dc14b99499346cd.txt", SHA_000),
        ("001_c9601cb349fb6821.txt", "04153f7ea6456467847367e552d7d7c2b23a55282df0cdb596838cc3a8bacf90"),
    }

    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    facts = resources["fct_expenditure_by_function"]
    assert facts["schema"]["primaryKey"] == [
        "document_key",
        "fund_scope",
        "function_code",
        "expenditure_type",
    ]
    references = {fk["reference"]["resource"] for fk in facts["schema"]["foreignKeys"]}
    assert references == {"dim_document", "dim_department", "dim_year", "dim_function_code"}
    amount = next(field for field in facts["schema"]["fields"] if field["name"] == "amount")
    assert (
        amount["type"] == "number"
        and amount["cnbudget:sql_type"] == "DECIMAL(18,4)"
        and amount["unit"] == "万元"
    )
    assert (
        amount["description"] == "Expenditure in 万元 as printed (converted from 元 where needed)."
    )  # from dbt docs
    assert facts["description"].startswith("Expenditure by functional classification")
    economic = resources["fct_expenditure_by_economic"]["schema"]
    assert {
        "fields": ["economic_code", "scheme"],
        "reference": {"resource": "dim_economic_code", "fields": ["economic_code", "scheme"]},
    } in economic["foreignKeys"]
    assert "primaryKey" not in resources["fct_function_class_total"]["schema"]  # unknown table: no key
    assert "primaryKey" not in resources["quarantined_row"]["schema"]

    # The descriptor is valid Frictionless Data Package v1 metadata ...
    assert list(Package.metadata_validate(descriptor)) == []
    # ... and frictionless reads every Parquet resource and checks its rows against the schema: types,
    # primary keys and foreign keys across resources. Its Parquet reader does not stream bytes, so it
    # cannot count them ("byte-count": actual None); bytes and sha256 are checked against the files above.
    report = frictionless_validate(str(folder / "datapackage.json"), skip_errors=["byte-count", "hash-count"])
    assert report.valid, report.flatten(["resourceName", "type", "note"])
    assert sum(task.stats["rows"] for task in report.tasks) == 46


def test_parquet_keeps_decimals_and_orders_rows_by_key(warehouse: Path, tmp_path: Path) -> None:
    folder = Path(publish(warehouse, tmp_path / "releases").path)
    table = pq.read_table(folder / "fct_expenditure_by_function.parquet")
    assert table.schema.field("amount").type == pa.decimal128(18, 4)
    rows = table.to_pylist()
    keys = [(r["document_key"], r["fund_scope"], r["function_code"], r["expenditure_type"]) for r in rows]
    assert keys == sorted(keys)
    other = next(
        r
        for r in rows
        if r["document_key"] == DOC_000
        and r["function_code"] == "2013299"
        and r["expenditure_type"] == "total"
    )
    assert other["amount"] == Decimal("5368.6400") and isinstance(other["amount"], Decimal)
    salary = pq.read_table(folder / "fct_expenditure_by_economic.parquet").to_pylist()
    basic_pay = [r["amount"] for r in salary if r["economic_code"] == "30101"]
    assert basic_pay == [Decimal("1001.3600"), Decimal("1001.3600")]  # personnel, total (key order)


def test_copied_release_joins_and_its_database_opens_from_another_directory(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    moved = tmp_path / "downloads" / "cnbudget-2024.05.01"
    shutil.copytree(target / "2024.05.01", moved)
    shutil.rmtree(target)  # nothing may still point at the original folder
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)

    # The Parquet files alone: facts joined to their documents (class totals add up to the printed 合计).
    session = duckdb.connect()
    total = session.execute(
        f"""
        select sum(f.amount) from read_parquet('{moved / "fct_expenditure_by_function.parquet"}') f
        join read_parquet('{moved / "dim_document.parquet"}') d using (document_key)
        where d.source_name = '000_3dc14b99499346cd.txt' and f.fund_scope = 'all'
          and f.expenditure_type = 'total' and length(f.function_code) = 3
        """
    ).fetchone()[0]
    assert total == Decimal("12948.5000")

    # The release's own database, opened from another working directory.
    release_db = duckdb.connect(str(moved / "cnbudget.duckdb"), read_only=True)
    by_department = release_db.execute(
        """
        select p.department_name, sum(e.amount) from fct_expenditure_by_economic e
        join dim_department p using (department_key)
        where e.cost_type = 'total' and length(e.economic_code) = 5 group by all
        """
    ).fetchall()
    assert by_department == [("中共吉林省委组织部", Decimal("2366.8500"))]  # 1001.36 + 617.55 + 747.94
    assert release_db.execute(
        "select amount from marts.fct_function_class_total where document_key = ?", [DOC_000]
    ).fetchone()[0] == Decimal("12948.5000")
    release_db.close()

    # Attached to another session the folder is not found by itself; connect_release tells DuckDB where.
    other = duckdb.connect()
    other.execute(f"attach '{moved / 'cnbudget.duckdb'}' as release (read_only)")
    with pytest.raises(duckdb.IOException):
        other.execute("select count(*) from release.dim_document").fetchone()
    assert connect_release(moved).execute("select count(*) from dim_document").fetchone()[0] == 2


# --- idempotence and versions -------------------------------------------------------------------------


def test_unchanged_data_cuts_no_release(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "releases"
    first = publish(warehouse, target)
    again = publish(warehouse, target, today=DAY + datetime.timedelta(days=3))
    assert again.unchanged and again.version == "2024.05.01" and again.path == first.path
    assert again.content_hash == first.content_hash
    assert again.notes.startswith("No release cut: the data is identical to release 2024.05.01")
    assert version_folders(target) == ["2024.05.01"]
    assert (target / "LATEST").read_text().strip() == "2024.05.01"


def test_changed_data_cuts_a_same_day_version_whose_notes_name_documents_and_rows(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    change_warehouse(warehouse)
    second = publish(warehouse, target)

    assert second.version == "2024.05.01.2" and not second.unchanged
    assert (target / "LATEST").read_text().strip() == "2024.05.01.2"
    notes = (target / "2024.05.01.2" / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "- Previous release: 2024.05.01" in notes
    assert f"- changed: `000_3dc14b99499346cd.txt` (sha256 `{SHA_000}` → `{SHA_000_REISSUED}`)" in notes
    assert "- added: `003_fea1944156b82701.txt`" in notes
    assert "| `fct_expenditure_by_function` | 19 | 19 | 1 | 1 | 1 |" in notes
    assert "Rows identified by (document_key, fund_scope, function_code, expenditure_type)." in notes
    assert f"- changed ({DOC_000}, all, 2013299, total): amount `5368.6400` → `5368.4600`" in notes
    assert "- added (b9d4cfdb06ac27a9, all, 201, total)" in notes
    assert f"- removed ({DOC_001}, all, 208, total)" in notes
    assert f"- changed ({DOC_000}): sha256 `{SHA_000}` → `{SHA_000_REISSUED}`" in notes  # dim_document by key
    assert "- added (b9d4cfdb06ac27a9)" in notes

    # `cnbudget diff` uses the same comparison as the notes.
    diff = diff_releases(str(target), "2024.05.01", "LATEST")
    assert diff.format() in notes
    facts = next(table for table in diff.tables if table.table == "fct_expenditure_by_function")
    assert (facts.added, facts.removed, facts.changed) == (1, 1, 1)
    assert facts.changed_rows[0].changes == (("amount", Decimal("5368.6400"), Decimal("5368.4600")),)
    with pytest.raises(ReleaseNotFound):
        diff_releases(str(target), "2024.05.01", "2030.01.01")

    releases = list_releases(str(target))
    assert [r.version for r in releases] == ["2024.05.01", "2024.05.01.2"]
    assert releases[0].total_rows == 46 and releases[1].total_rows == 49
    assert releases[1].row_counts["dim_document"] == 3 and releases[1].is_latest

    # Reverting to the first release's data is a change again (compared with LATEST), on the next day.
    reverted = tmp_path / "reverted.duckdb"
    build_warehouse(reverted)
    third = publish(reverted, target, today=DAY + datetime.timedelta(days=1))
    assert third.version == "2024.05.02"
    assert f"- changed: `000_3dc14b99499346cd.txt` (sha256 `{SHA_000_REISSUED}` → `{SHA_000}`)" in third.notes


def test_next_version_counts_past_nine() -> None:
    assert next_version(DAY, []) == "2024.05.01"
    assert next_version(DAY, ["2024.05.01"]) == "2024.05.01.2"
    assert next_version(DAY, ["2024.04.30.7", "2024.05.01", "2024.05.01.9"]) == "2024.05.01.10"
    assert sort_versions(["2024.05.01.10", "2024.05.01.2", "2024.05.01"]) == [
        "2024.05.01",
        "2024.05.01.2",
        "2024.05.01.10",
    ]


def test_publishing_into_an_existing_version_refuses(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    before = {p.name: p.read_bytes() for p in (target / "2024.05.01").iterdir()}
    change_warehouse(warehouse)
    with pytest.raises(ReleaseExists):
        publish(warehouse, target, version="2024.05.01")
    assert {p.name: p.read_bytes() for p in (target / "2024.05.01").iterdir()} == before
    # The last-moment guard too: a folder that appeared after the version was chosen is never touched.
    with pytest.raises(ReleaseExists):
        ReleaseTarget(str(target)).publish_folder("anything", "2024.05.01")


def test_identical_data_gives_byte_identical_parquet(tmp_path: Path) -> None:
    first = build_warehouse(tmp_path / "a.duckdb")
    second = build_warehouse(tmp_path / "b.duckdb", reorder=True)  # same rows, stored in another order
    one = publish(first, tmp_path / "target-one")
    two = publish(second, tmp_path / "target-two")
    assert one.content_hash == two.content_hash
    files_one = sorted(Path(one.path).glob("*.parquet"))
    assert len(files_one) == len(MARTS_TABLES)
    for file in files_one:
        assert file.read_bytes() == (Path(two.path) / file.name).read_bytes(), file.name


# --- crashes and leftovers ----------------------------------------------------------------------------


def test_crash_before_the_rename_leaves_latest_and_no_partial_version(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    change_warehouse(warehouse)

    def crash(self, source, destination):
        raise OSError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(ReleaseTarget, "rename", crash)
        with pytest.raises(OSError, match="power cut"):
            publish(warehouse, target)

    assert (target / "LATEST").read_text().strip() == "2024.05.01"
    assert version_folders(target) == ["2024.05.01"]
    leftovers = [p.name for p in target.iterdir() if p.name.startswith(".tmp-")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".tmp-2024.05.01.2-")
    assert [r.version for r in list_releases(str(target))] == ["2024.05.01"]

    recovered = publish(warehouse, target)  # the next publish cleans the leftover and cuts the release
    assert recovered.version == "2024.05.01.2"
    assert not [p for p in target.iterdir() if p.name.startswith(".tmp-")]


def test_crash_before_latest_is_updated_is_repaired_by_the_next_publish(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    change_warehouse(warehouse)
    real_rename = ReleaseTarget.rename

    def crash_on_latest(self, source, destination):
        if destination == "LATEST":
            raise OSError("power cut")
        real_rename(self, source, destination)

    with monkeypatch.context() as patched:
        patched.setattr(ReleaseTarget, "rename", crash_on_latest)
        with pytest.raises(OSError):
            publish(warehouse, target)

    # The new folder is complete but LATEST never reached it: it is not published yet.
    assert (target / "LATEST").read_text().strip() == "2024.05.01"
    assert [r.version for r in list_releases(str(target))] == ["2024.05.01"]

    again = publish(warehouse, target)
    assert again.unchanged and again.version == "2024.05.01.2"
    assert any("LATEST repaired" in warning for warning in again.warnings)
    assert [r.version for r in list_releases(str(target))] == ["2024.05.01", "2024.05.01.2"]


def test_a_publish_reads_the_newest_release_only(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing compares with the newest complete release: older releases' descriptors (one per
    refresh, each listing every document) are not read, and their names still count for the version."""
    from orchestration.publish import catalog

    target = tmp_path / "releases"
    publish(warehouse, target)
    change_warehouse(warehouse)
    publish(warehouse, target)
    read = []
    real = catalog.read_complete_descriptor
    monkeypatch.setattr(
        catalog,
        "read_complete_descriptor",
        lambda store, version: read.append(version) or real(store, version),
    )
    third = publish(build_warehouse(tmp_path / "as_first.duckdb"), target)
    assert third.version == "2024.05.01.3" and not third.unchanged
    assert read and set(read) == {"2024.05.01.2"}
    assert [r.version for r in list_releases(str(target))] == ["2024.05.01", "2024.05.01.2", "2024.05.01.3"]


def test_unfinished_version_folder_on_an_object_store_is_never_listed_and_is_removed(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    partial = target / "2024.05.01.2"  # what a copy-based rename can leave: some files, not all
    partial.mkdir()
    shutil.copy(target / "2024.05.01" / "datapackage.json", partial / "datapackage.json")
    assert [r.version for r in list_releases(str(target))] == ["2024.05.01"]
    change_warehouse(warehouse)
    outcome = publish(warehouse, target)
    assert outcome.version == "2024.05.01.2"
    assert any("unfinished release folder 2024.05.01.2" in warning for warning in outcome.warnings)
    assert len(list((target / "2024.05.01.2").glob("*.parquet"))) == len(MARTS_TABLES)


# --- keys are promises --------------------------------------------------------------------------------


def test_a_broken_grain_or_foreign_key_cuts_no_release(warehouse: Path, tmp_path: Path) -> None:
    connection = duckdb.connect(str(warehouse))
    connection.execute(
        "insert into marts.fct_expenditure_by_function select * from marts.fct_expenditure_by_function "
        f"where document_key = '{DOC_001}' and function_code = '2013299'"
    )
    connection.execute("delete from marts.dim_economic_code where economic_code = '30103'")
    connection.close()
    target = tmp_path / "releases"
    with pytest.raises(KeyViolation) as error:
        publish(warehouse, target)
    message = str(error.value)
    assert "fct_expenditure_by_function: 1 value(s) of the primary key" in message and "2013299" in message
    assert "dim_economic_code(economic_code, scheme)" in message and "30103" in message
    assert not target.exists() or version_folders(target) == []


# --- object stores ------------------------------------------------------------------------------------


def test_memory_filesystem_target(warehouse: Path) -> None:
    url = f"memory://cnbudget-releases-{uuid.uuid4().hex}"
    fs, root = fsspec.core.url_to_fs(url)
    try:
        first = publish(warehouse, url)
        assert first.version == "2024.05.01" and first.path == f"memory://{root}/2024.05.01"
        assert fs.cat_file(f"{root}/LATEST").decode().strip() == "2024.05.01"
        descriptor = json.loads(fs.cat_file(f"{root}/2024.05.01/datapackage.json"))
        for resource in descriptor["resources"]:
            data = fs.cat_file(f"{root}/2024.05.01/{resource['path']}")
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        with fs.open(f"{root}/2024.05.01/fct_expenditure_by_function.parquet", "rb") as handle:
            assert pq.read_table(handle).num_rows == 19

        assert publish(warehouse, url).unchanged
        change_warehouse(warehouse)
        second = publish(warehouse, url)
        assert second.version == "2024.05.01.2"
        assert [r.version for r in list_releases(url)] == ["2024.05.01", "2024.05.01.2"]
        assert (
            f"- changed ({DOC_000}, all, 2013299, total)"
            in diff_releases(url, "2024.05.01", "2024.05.01.2").format()
        )
        assert not [name for name in fs.ls(root, detail=False) if name.rsplit("/", 1)[-1].startswith(".tmp-")]
    finally:
        if fs.exists(root):
            fs.rm(root, recursive=True)


def test_a_sources_folder_is_checked_against_the_documents_the_warehouse_was_built_from(
    warehouse: Path, tmp_path: Path
) -> None:
    seeds = Path(__file__).resolve().parent.parent / "sources"
    first = publish(warehouse, tmp_path / "releases", sources=seeds)
    assert not [w for w in first.warnings if "changed since the warehouse was built" in w]  # real seed hashes
    recorded = json.loads((Path(first.path) / "datapackage.json").read_text(encoding="utf-8"))["sources"]
    assert [s["sha256"] for s in recorded] == [
        hashlib.sha256((seeds / s["path"]).read_bytes()).hexdigest() for s in recorded
    ]
    change_warehouse(warehouse)  # the warehouse now says 000 has another sha256 than the file in sources/
    second = publish(warehouse, tmp_path / "releases", sources=seeds)
    assert [
        w for w in second.warnings if "000_3dc14b99499346cd.txt changed since the warehouse was built" in w
    ]


def test_explicit_sources_are_recorded(warehouse: Path, tmp_path: Path) -> None:
    sources = [SourceDocument("000_3dc14b99499346cd.txt", SHA_000, DOC_000)]
    outcome = publish(warehouse, tmp_path / "releases", sources=sources)
    descriptor = json.loads((Path(outcome.path) / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["sources"] == [
        {
            "title": "000_3dc14b99499346cd.txt",
            "path": "000_3dc14b99499346cd.txt",
            "sha256": SHA_000,
            "document_key": DOC_000,
        }
    ]


def test_a_table_whose_content_did_not_change_is_linked_from_the_previous_release_not_rewritten(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "releases"
    publish(warehouse, target)
    change_warehouse(warehouse)
    publish(warehouse, target)
    first, second = target / "2024.05.01", target / "2024.05.01.2"
    descriptors = [
        json.loads((folder / "datapackage.json").read_text(encoding="utf-8")) for folder in (first, second)
    ]
    hashes = [{r["name"]: r["cnbudget:content_hash"] for r in d["resources"]} for d in descriptors]
    unchanged = sorted(name for name in hashes[1] if hashes[0].get(name) == hashes[1][name])
    changed = sorted(name for name in hashes[1] if hashes[0].get(name) != hashes[1][name])
    assert "dim_function_code" in unchanged and "fct_expenditure_by_function" in changed
    for name in unchanged:  # the same file (one inode), its hash as recorded
        assert (first / f"{name}.parquet").stat().st_ino == (second / f"{name}.parquet").stat().st_ino
    for name in changed:
        assert (first / f"{name}.parquet").stat().st_ino != (second / f"{name}.parquet").stat().st_ino
    for resource in descriptors[1]["resources"]:
        data = (second / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
