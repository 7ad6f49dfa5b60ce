"""Incremental refreshes equal a fresh full build of the same sources.

After a sequence of documents added, changed and removed, the raw tables (and, through the whole
pipeline, the marts, the findings and the release's content hash) of the warehouse that was refreshed
step by step are those of a warehouse built once from the final folder. Removed documents leave no row.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, SEEDS_DIR, refresh
from helpers_dbt import run_dbt

from orchestration.dbt_manifest import manifest_path
from orchestration.extract.incremental import extract_chunk, plan_extraction
from orchestration.extract.metadata import document_key
from orchestration.warehouse.build_state import needs_full_refresh
from orchestration.warehouse.load import sync_raw_tables
from orchestration.warehouse.raw_files import RawStore
from orchestration.warehouse.raw_schema import RAW_SCHEMA, all_raw_tables

SEEDS = sorted(path.name for path in SEEDS_DIR.iterdir() if path.is_file())


def _copy(sources: Path, names) -> None:
    sources.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SEEDS_DIR / name, sources / name)
        (sources / name).chmod(0o644)


def _change_an_amount(path: Path) -> None:
    """A different printed figure (the first amount with decimals, one more in its last digit)."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"(?<![\d.])(\d{2,}\.\d\d)(?![\d.])", text)
    assert match, f"no amount in {path.name}"
    old = match.group(1)
    new = old[:-1] + str((int(old[-1]) + 1) % 10)
    path.write_text(text[: match.start()] + new + text[match.end() :], encoding="utf-8")


def _refresh_raw(sources: Path, root: str, duckdb_path: Path) -> None:
    """What the refresh job's extraction steps do, in this process: plan, extract, remove, load."""
    store = RawStore(root)
    plan = plan_extraction(sources, store)
    for key in plan.to_remove:
        store.remove_document(key)
    for chunk in plan.chunks(size=2):
        extract_chunk(sources, chunk, store)
    with duckdb.connect(str(duckdb_path)) as con:
        sync_raw_tables(con, store, store.markers())


def _raw_rows(duckdb_path: Path) -> dict[str, list]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return {
            table: con.execute(f"SELECT * FROM {RAW_SCHEMA}.{table} ORDER BY ALL").fetchall()
            for table in all_raw_tables()
        }


def _steps(sources: Path):
    """Adds, a change and removals, one folder state per step."""
    _copy(sources, SEEDS[:3])
    yield "three documents"
    _copy(sources, SEEDS[3:4])
    _change_an_amount(sources / SEEDS[1])
    (sources / SEEDS[2]).unlink()
    yield "one added, one changed, one removed"
    (sources / SEEDS[0]).unlink()
    _copy(sources, SEEDS[4:5] + SEEDS[2:3])
    yield "one removed, one added, one restored"


@pytest.mark.parametrize("root_kind", ["local", "memory"])
def test_incremental_raw_tables_equal_a_fresh_load_after_adds_changes_and_removals(tmp_path, root_kind):
    sources = tmp_path / "sources"
    root = str(tmp_path / "raw_files") if root_kind == "local" else f"memory://{tmp_path.name}/raw"
    incremental = tmp_path / "incremental.duckdb"
    ever_present: set[str] = set()
    for _step in _steps(sources):
        _refresh_raw(sources, root, incremental)
        fresh = tmp_path / f"fresh-{_step[:3]}.duckdb"
        _refresh_raw(sources, str(tmp_path / f"fresh_files_{_step[:3]}"), fresh)
        assert _raw_rows(incremental) == _raw_rows(fresh), _step
        present = {document_key(path.name) for path in sources.iterdir()}
        with duckdb.connect(str(incremental), read_only=True) as con:
            keys = {key for (key,) in con.execute("SELECT DISTINCT document_key FROM raw.cells").fetchall()}
            loaded = {key for (key,) in con.execute("SELECT document_key FROM raw.documents").fetchall()}
        assert loaded == present and keys <= present
        # Every document inserted or deleted waits for dbt in raw_state.pending (no dbt build here clears it).
        ever_present |= present
        with duckdb.connect(str(incremental), read_only=True) as con:
            pending = {key for (key,) in con.execute("SELECT document_key FROM raw_state.pending").fetchall()}
        assert pending == ever_present, _step
        assert set(RawStore(root).markers()) == present
    if root_kind == "memory":
        import fsspec

        assert fsspec.filesystem("memory").exists(f"/{tmp_path.name}/raw/_documents")


def _marts(duckdb_path: Path) -> dict[str, list]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        return {name: con.execute(f'SELECT * FROM marts."{name}" ORDER BY ALL').fetchall() for name in names}


def _content_hash(warehouse: Path) -> str:
    releases = warehouse / "releases"
    latest = (releases / "LATEST").read_text(encoding="utf-8").strip()
    return json.loads((releases / latest / "datapackage.json").read_text(encoding="utf-8"))[
        "cnbudget:content_hash"
    ]


def _dbt_state(duckdb_path: Path) -> tuple[list[str], bool]:
    """(documents still pending for dbt, whether a complete build of the current dbt project is recorded)."""
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        pending = [key for (key,) in con.execute("SELECT document_key FROM raw_state.pending").fetchall()]
        return pending, not needs_full_refresh(con, manifest_path())


def _built_incrementally(warehouse: Path) -> bool:
    """Whether the last dbt build replaced the pending documents' rows only: the SQL dbt ran for a
    per-document mart reads raw_state.pending (a full refresh builds the table whole, without it)."""
    compiled = next((warehouse / ".dbt_target" / "compiled").rglob("fct_source_cell.sql"))
    return '"raw_state"."pending"' in compiled.read_text(encoding="utf-8")


def _tests_reading_pending(warehouse: Path) -> dict[str, bool]:
    """dbt test file name -> whether the SQL of the last build's test read raw_state.pending only."""
    compiled = warehouse / ".dbt_target" / "compiled" / "cnbudget" / "models"
    return {
        path.name: '"raw_state"."pending"' in path.read_text(encoding="utf-8")
        for path in compiled.rglob("*.yml/*.sql")
    }


def _assert_tests_scoped(warehouse: Path, incremental: bool) -> None:
    """Tests whose result an unchanged document cannot change read the pending documents only in an
    incremental build (dbt_project/macros/incremental_by_document.sql); keys across documents never."""
    tests = _tests_reading_pending(warehouse)
    relationships = [name for name in tests if name.startswith("relationships_fct_")]
    on_columns = [name for name in tests if name.startswith("relationships_on_columns_stg_r")]
    # A key unique across documents is counted for the pending documents' keys only, over every row.
    unique_facts = [name for name in tests if name.startswith("unique_fct_")]
    unique_dimensions = [name for name in tests if name.startswith("unique_dim_")]
    assert len(relationships) > 50 and on_columns and len(unique_facts) > 5 and len(unique_dimensions) > 3
    assert all(tests[name] == incremental for name in relationships + on_columns + unique_facts)
    # A dimension is rebuilt from every document: its tests read it whole.
    assert not any(tests[name] for name in unique_dimensions)


def _assert_scoped_uniqueness_finds_a_shared_key(duckdb_path: Path, tmp_path: Path) -> None:
    """A uniqueness test an incremental build scopes to the pending documents' keys still fails when a
    pending document's row holds the key of an unchanged document's row."""
    copy = tmp_path / "shared_key.duckdb"
    shutil.copyfile(duckdb_path, copy)
    with duckdb.connect(str(copy)) as con:
        pending, unchanged = (
            key
            for (key,) in con.execute(
                "SELECT DISTINCT document_key FROM marts.fct_source_cell ORDER BY 1 LIMIT 2"
            ).fetchall()
        )
        con.execute("INSERT INTO raw_state.pending VALUES (?)", [pending])
        # The pending document's copy of one of the unchanged document's cells: the same source_cell_key.
        con.execute(
            "INSERT INTO marts.fct_source_cell SELECT * REPLACE (CAST(? AS VARCHAR) AS document_key) "
            "FROM marts.fct_source_cell WHERE document_key = ? ORDER BY source_cell_key LIMIT 1",
            [pending, unchanged],
        )
    test = "unique_fct_source_cell_source_cell_key"
    result = run_dbt(["test", "--select", test], copy, tmp_path / "shared_key_dbt")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Failure in test {test}" in result.stdout and "Got 1 result" in result.stdout, result.stdout
    compiled = next((tmp_path / "shared_key_dbt").rglob(f"{test}.sql")).read_text(encoding="utf-8")
    assert '"raw_state"."pending"' in compiled


def _assert_equal_to_a_fresh_build(incremental, fresh) -> None:
    incremental_marts, full_marts = _marts(incremental.duckdb_path), _marts(fresh.duckdb_path)
    assert incremental_marts.keys() == full_marts.keys()
    assert {"dq_issue", "quarantined_row", "fct_source_cell", "dim_document"} <= full_marts.keys()
    for name in full_marts:
        assert incremental_marts[name] == full_marts[name], name
    assert _content_hash(incremental.warehouse) == _content_hash(fresh.warehouse)
    # Byte for byte the same Parquet files, whether a table was taken over, rebuilt from the previous
    # release's file and the changed documents' rows, or read whole (publish/document_scope.py).
    assert _file_hashes(incremental.warehouse) == _file_hashes(fresh.warehouse)
    # The report took over the sections of unchanged documents (validation/report.py): the same text.
    report = "data_quality_report.md"
    assert (incremental.warehouse / report).read_bytes() == (fresh.warehouse / report).read_bytes()
    _assert_notes_equal_a_whole_diff(incremental.warehouse)


def _file_hashes(warehouse: Path) -> dict[str, str]:
    releases = warehouse / "releases"
    latest = (releases / "LATEST").read_text(encoding="utf-8").strip()
    package = json.loads((releases / latest / "datapackage.json").read_text(encoding="utf-8"))
    return {resource["name"]: resource["hash"] for resource in package["resources"]}


def _assert_notes_equal_a_whole_diff(warehouse: Path) -> None:
    """The latest release took unchanged per-document tables over from the one before and compared the
    changed documents' rows only (publish/document_scope.py): its notes say what a diff of every row
    of the two releases says, and it records what its rows were built from."""
    from orchestration.publish.catalog import release_snapshot, scan_target
    from orchestration.publish.diff import diff_snapshots
    from orchestration.publish.target import ReleaseTarget

    store = ReleaseTarget(str(warehouse / "releases"))
    state = scan_target(store)
    old, new = list(state.complete)[-2:]
    assert state.complete[old].get("cnbudget:build_inputs", {}).get("documents")
    whole = diff_snapshots(
        release_snapshot(store, old, state.complete[old]), release_snapshot(store, new, state.complete[new])
    )
    notes = (warehouse / "releases" / new / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert whole.format().rstrip() in notes


@pytest.mark.e2e
def test_an_incremental_warehouse_and_release_equal_a_fresh_full_build(tmp_path, dbt_manifest):
    sources = tmp_path / "sources"
    steps = _steps(sources)
    next(steps)
    first = refresh(sources, tmp_path / "incremental")
    assert first.result.returncode == 0, first.result.stdout + first.result.stderr
    # A new warehouse is built whole; after the build nothing is pending.
    assert not _built_incrementally(first.warehouse)
    _assert_tests_scoped(first.warehouse, incremental=False)
    assert _dbt_state(first.duckdb_path) == ([], True)
    next(steps)  # one added, one changed, one removed
    second = refresh(sources, tmp_path / "incremental")
    assert second.result.returncode == 0, second.result.stdout + second.result.stderr
    assert "extracted chunk_00000" in second.result.stdout
    # dbt replaced the rows of the three documents only (incremental models), and cleared the list.
    assert _built_incrementally(second.warehouse)
    _assert_tests_scoped(second.warehouse, incremental=True)
    assert _dbt_state(second.duckdb_path) == ([], True)
    _assert_scoped_uniqueness_finds_a_shared_key(second.duckdb_path, tmp_path)

    # dbt parsed partially the second time (one stable profile, target folder and variables), and left
    # no folder per run.
    dbt_log = (tmp_path / "incremental" / ".dbt_target" / "dbt.log").read_text(encoding="utf-8")
    assert dbt_log.count("Unable to do partial parsing") <= 1
    assert not list((REPO / "dbt_project" / "target").glob("dbt_models-*"))

    full = refresh(sources, tmp_path / "full")
    assert full.result.returncode == 0, full.result.stdout + full.result.stderr
    _assert_equal_to_a_fresh_build(second, full)
    # The removed document is in neither the warehouse nor the release.
    removed = document_key(SEEDS[2])
    with duckdb.connect(str(second.duckdb_path), read_only=True) as con:
        for table in ("marts.dim_document", "marts.fct_source_cell", "marts.dq_issue", "raw.cells"):
            count = con.execute(f"SELECT count(*) FROM {table} WHERE document_key = ?", [removed]).fetchone()
            assert count[0] == 0, table

    # Nothing changed: no extraction, no dbt build, the same release.
    again = refresh(sources, tmp_path / "incremental")
    assert again.result.returncode == 0, again.result.stderr
    assert "nothing changed since the last refresh" in again.result.stdout
    assert "dbt build: started" not in again.result.stdout
    assert again.latest == second.latest

    next(steps)  # one removed (its only document), one added, the removed one restored
    third = refresh(sources, tmp_path / "incremental")
    assert third.result.returncode == 0, third.result.stdout + third.result.stderr
    assert _built_incrementally(third.warehouse)
    fresh = refresh(sources, tmp_path / "fresh")
    assert fresh.result.returncode == 0, fresh.result.stdout + fresh.result.stderr
    _assert_equal_to_a_fresh_build(third, fresh)


def test_a_marker_rewritten_in_place_is_read_again(tmp_path, monkeypatch):
    """Markers are remembered per process only when settled when read (raw_files._local_markers): one
    rewritten with its size and mtime put back is read again; a settled one is not; a removed one is
    gone."""
    import os
    import time

    store = RawStore(str(tmp_path / "raw"))
    store.write_document("k1", {}, {"document_key": "k1", "input_version": "aaaa"})
    assert store.markers() == {"k1": {"document_key": "k1", "input_version": "aaaa"}}
    path = Path(store.marker_path("k1"))
    times = os.stat(path)
    path.write_bytes(path.read_bytes().replace(b"aaaa", b"bbbb"))
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert store.markers()["k1"]["input_version"] == "bbbb"
    # Seen as settled (read long after its last change): the next read does not parse the file.
    monkeypatch.setattr(time, "time_ns", lambda: os.stat(path).st_ctime_ns + 10**10)
    assert store.markers()["k1"]["input_version"] == "bbbb"
    monkeypatch.setattr(json, "loads", None)  # parsing again would fail
    assert store.markers()["k1"]["input_version"] == "bbbb"
    path.unlink()
    assert store.markers() == {}
