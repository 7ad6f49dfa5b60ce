"""Releases stream: one table at a time, a record batch at a time, in bounded memory.

- the content hash (definition `columns-v2`, docs/contract.md) is computed with Arrow compute and equals
  its value-by-value Python reference; a release made with the earlier definition is followed by one
  release cut for the new hashes, whose notes say why and show that no row changed;
- neither the hashes nor the Parquet bytes depend on the batch size the rows are fetched in;
- a mart of hundreds of thousands of rows is published while Python (tracemalloc) and Arrow (its
  memory pool) hold a small fraction of the table;
- the release notes' diff runs in DuckDB over the Parquet files and still names what changed.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.publish import diff_releases, parquet_files, publish_release
from orchestration.publish.snapshot import (
    HASH_ENCODING,
    Column,
    reference_table_content_hash,
    table_content_hash,
    value_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "release"
MANIFEST = FIXTURES / "manifest.json"
DAY = datetime.date(2024, 5, 1)
# The release content hash of tests/fixtures/release/warehouse.sql: the same data gives it on every run
# and every machine (a change of this value is a change of the hash's definition: see docs/contract.md).
FIXTURE_RELEASE_HASH = "371f47085b64e001a5a8e2e5109af5c8d8e6efbd3a14ca9863ffdf4f35867680"
# ... and as the earlier definition (one json.dumps line per row, before commit a1ef48c)
# computed it, with its table hashes: what a release published before the change records.
V1_RELEASE_HASH = "93c53a3ba522fab96fdac9e72290dabd7e2f6865f68432141d22ce5567d02bb8"
SYNTHETIC_ROWS = 5_000


def build_warehouse(path: Path, synthetic_rows: int = 0) -> Path:
    """The release fixture warehouse, plus an extension table `fct_synthetic` of `synthetic_rows` rows
    (strings with quotes, backslashes, control characters and CJK, NULLs, negative decimals, dates)."""
    connection = duckdb.connect(str(path))
    connection.execute((FIXTURES / "warehouse.sql").read_text(encoding="utf-8"))
    if synthetic_rows:
        connection.execute(f"""
            create table marts.fct_synthetic as
            select
                i as synthetic_key,
                case i % 7 when 0 then null when 1 then '' when 2 then 'a"b\\c' when 3 then e'tab\\tnl\\n'
                    else '部门' || i end as label,
                case when i % 11 = 0 then null else ((i * 7919) % 100000 - 50000) / 10000 end::decimal(18,4) as amount,
                date '2020-01-01' + (i % 1500)::integer as day,
                i % 3 = 0 as flag
            from range({synthetic_rows}) as r(i)
        """)
    connection.close()
    return path


def publish(warehouse: Path, target: Path, **kwargs):
    return publish_release(warehouse, str(target), today=DAY, manifest_path=MANIFEST, **kwargs)


def resources(release: Path) -> dict[str, dict]:
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    return {resource["name"]: resource for resource in descriptor["resources"]}


def test_the_content_hash_is_the_same_for_the_same_data_on_every_run(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    outcome = publish(warehouse, tmp_path / "releases")
    assert outcome.content_hash == FIXTURE_RELEASE_HASH
    descriptor = json.loads((Path(outcome.path) / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["cnbudget:hash_encoding"] == HASH_ENCODING == "columns-v2"


def test_a_release_hashed_with_the_earlier_definition_is_followed_by_one_release_that_says_why(
    tmp_path: Path,
) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    target = tmp_path / "releases"
    first = publish(warehouse, target)
    # make the first release look as the code before columns-v2 published it
    package = Path(first.path) / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    del descriptor["cnbudget:hash_encoding"]
    descriptor["cnbudget:content_hash"] = V1_RELEASE_HASH
    for resource in descriptor["resources"]:
        resource["cnbudget:content_hash"] = "v1-" + resource["cnbudget:content_hash"]
    package.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    second = publish(warehouse, target)
    assert not second.unchanged and second.version == "2024.05.01.2"
    assert second.content_hash == FIXTURE_RELEASE_HASH
    assert any("columns-v2" in warning for warning in second.warnings)
    notes = (Path(second.path) / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "columns-v2" in notes
    diff = diff_releases(str(target), first.version, second.version)
    assert not diff.has_changes  # every table compared row by row in DuckDB: nothing changed
    assert publish(warehouse, target).unchanged  # and from then on, the same data is unchanged


def test_the_vectorised_hash_equals_the_value_by_value_definition() -> None:
    data = pa.table(
        {
            "n": pa.array([1, None, -3, 2**62, 0], pa.int64()),
            "s": pa.array(['a"b\\c', None, "", "中文\u2028\x7f", "x"]),
            "c": pa.array(["x", "tab\there", None, "nl\n", "\x01"]),
            "d": pa.array(
                [
                    Decimal("0.0000"),
                    None,
                    Decimal("-0.0001"),
                    Decimal("12345678901234.5678"),
                    Decimal("-5.1"),
                ],
                pa.decimal128(18, 4),
            ),
            "wide": pa.array(
                [Decimal("0E-10"), Decimal("1E-10"), None, Decimal("-1.5"), Decimal("0")],
                pa.decimal128(38, 10),
            ),
            "b": pa.array([True, False, None, True, False]),
            "day": pa.array([datetime.date(2024, 1, 1), None, datetime.date(999, 1, 2), None, None]),
            "f": pa.array([1.0, None, 1e20, -0.5, float("nan")]),
            "at": pa.array(
                [datetime.datetime(2024, 1, 1, 1, 2, 3), None, None, datetime.datetime(2024, 1, 1), None]
            ),
            "l": pa.array([[1, 2], None, [], [None], [3]]),
        }
    )
    columns = [Column(name, "X") for name in data.column_names]
    assert table_content_hash("t", columns, data) == reference_table_content_hash("t", columns, data)
    for index, name in enumerate(data.column_names):  # each type alone, and each value alone
        one_column = data.select([name])
        assert table_content_hash(
            "t", columns[index : index + 1], one_column
        ) == reference_table_content_hash("t", columns[index : index + 1], one_column), name
        for row in range(data.num_rows):
            one = one_column.slice(row, 1)
            assert table_content_hash("t", columns[index : index + 1], one) == reference_table_content_hash(
                "t", columns[index : index + 1], one
            ), (name, row)
    assert [value_text(value) for value in data.column("d").to_pylist()] == [
        "0.0000",
        None,
        "-0.0001",
        "12345678901234.5678",
        "-5.1000",
    ]
    # NULL, the empty string and the text "null" are three different values; so are the same texts split
    # differently between rows
    texts = pa.table({"s": pa.array([None, "", "null"])})
    assert len({table_content_hash("t", columns[1:2], texts.slice(i, 1)) for i in range(3)}) == 3
    split_one = pa.table({"s": pa.array(["ab", "c"])})
    split_two = pa.table({"s": pa.array(["a", "bc"])})
    assert table_content_hash("t", columns[1:2], split_one) != table_content_hash(
        "t", columns[1:2], split_two
    )
    # the table name and the SQL types are part of it
    assert table_content_hash("u", columns[1:2], split_one) != table_content_hash(
        "t", columns[1:2], split_one
    )
    assert table_content_hash("t", [Column("s", "Y")], split_one) != table_content_hash(
        "t", columns[1:2], split_one
    )


def test_hashes_and_parquet_bytes_do_not_depend_on_the_batch_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet_files, "ROW_GROUP_ROWS", 1_000)  # several row groups per synthetic file
    warehouse = build_warehouse(tmp_path / "w.duckdb", synthetic_rows=SYNTHETIC_ROWS)
    tiny = publish(warehouse, tmp_path / "tiny", batch_rows=7)
    default = publish(warehouse, tmp_path / "default")
    odd = publish(warehouse, tmp_path / "odd", batch_rows=1_337)
    assert tiny.content_hash == default.content_hash == odd.content_hash
    assert tiny.row_counts["fct_synthetic"] == SYNTHETIC_ROWS
    per_table = [resources(Path(outcome.path)) for outcome in (tiny, default, odd)]
    assert per_table[0].keys() == per_table[1].keys() == per_table[2].keys()
    for name, resource in per_table[1].items():
        assert per_table[0][name]["cnbudget:content_hash"] == resource["cnbudget:content_hash"], name
        assert per_table[2][name]["cnbudget:content_hash"] == resource["cnbudget:content_hash"], name
        data = (Path(default.path) / resource["path"]).read_bytes()
        assert (Path(tiny.path) / resource["path"]).read_bytes() == data, name
        assert (Path(odd.path) / resource["path"]).read_bytes() == data, name
    synthetic = pq.ParquetFile(Path(default.path) / "fct_synthetic.parquet")
    assert synthetic.metadata.num_row_groups == SYNTHETIC_ROWS // 1_000
    assert synthetic.schema_arrow.field("amount").type == pa.decimal128(18, 4)
    # the streamed file holds the table's rows in canonical order, and its hash is the reference one
    connection = duckdb.connect(str(warehouse), read_only=True)
    expected = connection.sql("select * from marts.fct_synthetic order by synthetic_key").to_arrow_table()
    connection.close()
    written = pq.read_table(Path(default.path) / "fct_synthetic.parquet")
    assert written.equals(expected.replace_schema_metadata(None).cast(written.schema))
    columns = [Column(name, sql) for name, sql in _sql_types(warehouse, "fct_synthetic")]
    assert per_table[1]["fct_synthetic"]["cnbudget:content_hash"] == reference_table_content_hash(
        "fct_synthetic", columns, written
    )


def _sql_types(warehouse: Path, table: str) -> list[tuple[str, str]]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return connection.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
            "and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    finally:
        connection.close()


_MEASURE = textwrap.dedent("""
    import datetime, json, sys, tracemalloc
    from pathlib import Path
    import pyarrow as pa
    from orchestration.publish import parquet_files, publish_release
    parquet_files.ROW_GROUP_ROWS = 32_768
    def publish(warehouse, target):
        return publish_release(
            Path(warehouse), target, today=datetime.date(2024, 5, 1), manifest_path=None, batch_rows=8_192
        )
    publish(sys.argv[1], sys.argv[3])  # a small warehouse first: every module the release imports
    tracemalloc.start()
    outcome = publish(sys.argv[2], sys.argv[4])
    _, python_peak = tracemalloc.get_traced_memory()
    print(json.dumps({"python_peak": python_peak, "arrow_peak": pa.default_memory_pool().max_memory(),
                      "rows": outcome.row_counts["fct_big"], "path": outcome.path}))
""")


def test_a_large_mart_is_published_in_memory_bounded_by_a_batch_not_the_table(tmp_path: Path) -> None:
    rows = 400_000
    small, warehouse = tmp_path / "small.duckdb", tmp_path / "w.duckdb"
    for path, count in ((small, 1_000), (warehouse, rows)):
        connection = duckdb.connect(str(path))
        connection.execute("create schema marts")
        connection.execute(f"""
            create table marts.fct_big as
            select md5(i::varchar) as document_key, i as cell_key,
                '第' || i || '行 支出决算表 一般公共服务支出' as label,
                (((i * 7919) % 1000000) / 100)::decimal(18,4) as amount,
                date '2024-01-01' + (i % 366)::integer as day
            from range({count}) as r(i)
        """)
        table_bytes = connection.sql("select * from marts.fct_big").to_arrow_table().nbytes
        connection.close()
    assert table_bytes > 40_000_000
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            str(small),
            str(warehouse),
            str(tmp_path / "small"),
            str(tmp_path / "releases"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["rows"] == rows
    # Python objects: a few MB at most (today's json.dumps per row held a batch of row tuples; loading
    # the table as Python values would take several times its Arrow size)
    assert measured["python_peak"] < table_bytes / 10, (measured, table_bytes)
    # Arrow buffers: a batch, a row group and the Parquet writer's pages, not the table
    assert measured["arrow_peak"] < table_bytes / 2, (measured, table_bytes)
    written = pq.ParquetFile(Path(measured["path"]) / "fct_big.parquet")
    assert written.metadata.num_rows == rows
    assert written.metadata.num_row_groups == -(-rows // 32_768)


def test_release_notes_diff_in_duckdb_over_the_parquet_files(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", synthetic_rows=SYNTHETIC_ROWS)
    target = tmp_path / "releases"
    publish(warehouse, target, batch_rows=500)
    connection = duckdb.connect(str(warehouse))
    before = connection.execute(
        "select synthetic_key, label, amount from marts.fct_synthetic where synthetic_key in (46, 4999) order by 1"
    ).fetchall()
    connection.execute("update marts.fct_synthetic set amount = 123.4500 where synthetic_key = 46")
    connection.execute("delete from marts.fct_synthetic where synthetic_key = 4999")
    connection.close()
    second = publish(warehouse, target, batch_rows=500)
    assert not second.unchanged and second.version == "2024.05.01.2"
    notes = (Path(second.path) / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "fct_synthetic" in notes
    diff = diff_releases(str(target), "2024.05.01", "2024.05.01.2")
    (synthetic,) = [table for table in diff.tables if table.table == "fct_synthetic"]
    # an extension table without a declared key: compared as a multiset of whole rows
    assert not synthetic.keyed
    assert (synthetic.added, synthetic.removed, synthetic.changed) == (1, 2, 0)
    assert [row[:3] for row in synthetic.added_rows] == [(46, "部门46", Decimal("123.4500"))]
    assert sorted(row[:3] for row in synthetic.removed_rows) == before
    assert before[0][2] != Decimal("123.4500")
    # every other table kept its content and its file (one inode, linked)
    for name, resource in resources(Path(second.path)).items():
        if name != "fct_synthetic":
            assert (target / "2024.05.01" / resource["path"]).stat().st_ino == (
                Path(second.path) / resource["path"]
            ).stat().st_ino, name


def test_a_changed_per_document_table_spliced_from_the_previous_file_equals_it_read_whole(tmp_path):
    """splice_rows (publish/warehouse_tables.py): the other documents' rows from the previous file in their
    order, the changed documents' rows from DuckDB where their keys fall (first, between, last, a new
    one, a removed one, several batches), gives the rows, the hash and the Parquet bytes of a full read."""
    from orchestration.publish.warehouse_tables import _columns, splice_rows, stream_rows

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.t (document_key varchar not null, row_seq integer not null, "
        "label varchar, amount decimal(18,4))"
    )

    def fill(documents: dict[str, int], bump: set[str]) -> None:
        con.execute("delete from marts.t")
        for key, rows in documents.items():
            con.executemany(
                "insert into marts.t values (?, ?, ?, ?)",
                [
                    [
                        key,
                        seq,
                        None if seq % 5 == 0 else f"行 {seq}",
                        Decimal(seq) + (1 if key in bump else 0),
                    ]
                    for seq in range(rows)
                ],
            )

    order_by = ("document_key", "row_seq", "label", "amount")
    columns = _columns(con, "marts", "t")
    before = {"b": 7, "d": 30, "f": 12, "h": 3, "k": 25}
    fill(before, set())
    previous = tmp_path / "previous.parquet"
    writer = parquet_files.ParquetStreamWriter(
        previous, next(stream_rows(con, "marts", "t", order_by)).schema
    )
    for batch in stream_rows(con, "marts", "t", order_by, batch_rows=8):
        writer.write(batch)
    writer.close()
    # b changed (first), f changed and longer (middle), k removed (last), a, e and z new, d and h as before
    after = {"a": 4, "b": 7, "d": 30, "e": 2, "f": 15, "h": 3, "z": 5}
    fill(after, {"b", "f"})
    changed = frozenset({"a", "b", "e", "f", "k", "z"})
    for batch_rows in (4, 8, 1000):
        whole = pa.Table.from_batches(list(stream_rows(con, "marts", "t", order_by, batch_rows)))
        spliced = pa.Table.from_batches(
            list(splice_rows(con, "marts", "t", order_by, changed, previous, batch_rows)), whole.schema
        )
        assert spliced.equals(whole)
        assert table_content_hash("t", columns, spliced) == table_content_hash("t", columns, whole)
        paths = []
        for name, table in (("whole", whole), ("spliced", spliced)):
            paths.append(parquet_files.write_parquet(table, tmp_path / f"{name}.parquet").sha256)
        assert paths[0] == paths[1]
