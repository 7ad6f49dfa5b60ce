"""One writer, readers never break it, a failed run never overwrites a good report, one clock.

The refresh lock is tested with a second process holding it (as a second refresh would); the real
race — two refreshes a second apart, and a read-only reader open all along — runs the CLI twice on a
copy of the seeds' warehouse.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from conftest import GARBAGE_NAME, MINI_SOURCES_DIR, REPO, SEEDS_DIR, clean_env, run_cli
from test_release import MANIFEST, build_warehouse

from orchestration import clock
from orchestration.cli import EXIT_DOCUMENTS_NOT_READ, main
from orchestration.publish.release import publish_release
from orchestration.warehouse.build import BUILD_DIR_NAME
from orchestration.warehouse.refresh_lock import LOCK_NAME, RefreshInProgress, acquire, release

HOLD_LOCK = textwrap.dedent(
    """
    import sys
    from orchestration.warehouse.refresh_lock import acquire
    acquire(sys.argv[1])
    print("held", flush=True)
    sys.stdin.read()
    """
)


@pytest.fixture
def lock_holder(tmp_path):
    """Another process holding the refresh lock of tmp_path/warehouse, as a running refresh does."""
    warehouse = tmp_path / "warehouse"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    yield warehouse, holder
    if holder.poll() is None:
        holder.stdin.close()
        holder.wait(timeout=30)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the lock -------------------------------------------------------------------------------------


def test_a_second_holder_is_refused_at_once_naming_the_first(lock_holder):
    warehouse, holder = lock_holder
    with pytest.raises(RefreshInProgress) as refused:
        acquire(warehouse)
    message = str(refused.value)
    assert message.startswith(f"another refresh is running on {warehouse} (PID {holder.pid}, since ")
    assert message.endswith("wait for it to finish and retry")


def test_the_lock_dies_with_its_holder(lock_holder):
    warehouse, holder = lock_holder
    holder.kill()  # no clean-up at all: the operating system releases the lock
    holder.wait(timeout=30)
    release(acquire(warehouse))


def test_the_lock_is_reentrant_in_one_process_and_released_by_the_last_holder(tmp_path):
    first = acquire(tmp_path)
    second = acquire(tmp_path)
    release(second)
    probe = [
        sys.executable,
        "-c",
        "import sys; from orchestration.warehouse.refresh_lock import acquire; acquire(sys.argv[1])",
    ]
    still_held = subprocess.run([*probe, str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert still_held.returncode != 0 and "RefreshInProgress" in still_held.stderr
    release(first)
    assert subprocess.run([*probe, str(tmp_path)], cwd=REPO, capture_output=True).returncode == 0


def test_the_cli_refuses_a_second_refresh_in_one_line(lock_holder, capsys):
    warehouse, holder = lock_holder
    code = main(["refresh", "--sources", str(MINI_SOURCES_DIR), "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.strip() == (
        f"cnbudget refresh: error: another refresh is running on {warehouse} (PID {holder.pid}, since "
        + err.split(", since ", 1)[1].strip()
    )
    assert len(err.strip().splitlines()) == 1 and "wait for it to finish and retry" in err
    assert not (warehouse / "cnbudget.duckdb").exists()


def test_a_dagster_run_takes_the_same_lock(lock_holder, dbt_manifest):
    """A run launched by the UI, the schedule or the sensor goes through the warehouse resource."""
    from orchestration.cli import run_refresh
    from orchestration.settings import Settings

    warehouse, holder = lock_holder
    result, _, _ = run_refresh(Settings.from_env(MINI_SOURCES_DIR, warehouse))
    assert not result.success
    failures = [
        str(e.event_specific_data.error) for e in result.all_events if e.is_failure and e.event_specific_data
    ]
    assert any(f"another refresh is running on {warehouse} (PID {holder.pid}" in text for text in failures)
    assert not (warehouse / "cnbudget.duckdb").exists()


# --- two refreshes, and a reader, on a real warehouse ---------------------------------------------


def _popen_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_lock_of(warehouse: Path, pid: int, process: subprocess.Popen) -> None:
    lock = warehouse / LOCK_NAME
    while process.poll() is None:
        if lock.exists() and lock.read_text(encoding="ascii", errors="replace").startswith(f"{pid} "):
            return
        time.sleep(0.05)
    pytest.fail(f"the first refresh ended before taking the lock: {process.stderr.read()}")


def _documents(con) -> int:
    return con.execute("select count(*) from raw.documents").fetchone()[0]


def test_two_refreshes_one_refused_and_a_reader_open_all_along(tmp_path, seeds_refresh):
    # the shared refresh reads the seeds among files nobody can read: completed, some not read
    assert seeds_refresh.result.returncode == EXIT_DOCUMENTS_NOT_READ, seeds_refresh.result.stderr
    warehouse = tmp_path / "warehouse"
    shutil.copytree(seeds_refresh.warehouse, warehouse)
    report = warehouse / "data_quality_report.md"
    assert GARBAGE_NAME in report.read_text(encoding="utf-8")
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS_DIR, sources)  # the seeds without the garbage file: a different warehouse

    reader = duckdb.connect(str(warehouse / "cnbudget.duckdb"), read_only=True)
    snapshot = _documents(reader)  # the seeds and every unreadable file of the shared refresh
    assert snapshot > 5
    first = _popen_cli("refresh", "--sources", str(sources), "--warehouse", str(warehouse))
    _wait_for_lock_of(warehouse, first.pid, first)

    second = run_cli("refresh", "--sources", str(sources), "--warehouse", str(warehouse))
    assert second.returncode == 1
    assert second.stdout == ""
    [line] = second.stderr.strip().splitlines()
    assert line.startswith(
        f"cnbudget refresh: error: another refresh is running on {warehouse} (PID {first.pid}"
    )

    while first.poll() is None:  # the reader keeps reading its snapshot while the refresh writes
        assert _documents(reader) == snapshot
        time.sleep(0.5)
    out, err = first.communicate()
    assert first.returncode == 0, err
    assert "refresh completed" in out
    assert _documents(reader) == snapshot  # still the snapshot it opened
    reader.close()
    with duckdb.connect(str(warehouse / "cnbudget.duckdb"), read_only=True) as fresh:
        assert _documents(fresh) == 5
    assert GARBAGE_NAME not in report.read_text(encoding="utf-8")
    assert not (warehouse / BUILD_DIR_NAME).exists()
    assert not (warehouse / "cnbudget.duckdb.wal").exists()


def test_a_failed_refresh_leaves_the_previous_warehouse_and_report(
    tmp_path, seeds_refresh, monkeypatch, capsys
):
    from orchestration.extract import pipeline

    warehouse = tmp_path / "warehouse"
    shutil.copytree(seeds_refresh.warehouse, warehouse)
    before = {name: _sha256(warehouse / name) for name in ("cnbudget.duckdb", "data_quality_report.md")}
    (warehouse / BUILD_DIR_NAME).mkdir()
    (warehouse / BUILD_DIR_NAME / "cnbudget.duckdb").write_bytes(b"left by a killed run")

    real_extract = pipeline.extract_document

    def extract_with_a_malformed_code(source, manifest_entry=None):
        extraction = real_extract(source, manifest_entry)
        next(c for c in extraction.cells if c.get("function_code"))["function_code"] = "20A"
        return extraction

    # The replaced extraction must run in this process: the in-process executor.
    monkeypatch.setenv("CNBUDGET_EXECUTOR", "in_process")
    monkeypatch.setattr(pipeline, "extract_document", extract_with_a_malformed_code)
    code = main(["refresh", "--sources", str(MINI_SOURCES_DIR), "--warehouse", str(warehouse)])
    out, _ = capsys.readouterr()
    assert code == 1
    assert f"the warehouse {warehouse / 'cnbudget.duckdb'} and its data-quality report are unchanged" in out
    assert {name: _sha256(warehouse / name) for name in before} == before
    assert not (warehouse / BUILD_DIR_NAME).exists()


# --- one clock ------------------------------------------------------------------------------------


def test_the_clock_is_beijing_time_whatever_the_host_time_zone():
    script = (
        "import datetime; from orchestration import clock; now = clock.now(); "
        "utc = datetime.datetime.now(datetime.UTC); "
        "print(now.utcoffset(), now.date(), (utc + datetime.timedelta(hours=8)).date(), datetime.date.today())"
    )
    env = {**os.environ, "TZ": "Pacific/Kiritimati"}  # UTC+14: its date is often a day after Beijing's
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    offset, beijing_date, expected, _host_date = out.stdout.split()
    assert offset == "8:00:00" and beijing_date == expected


def test_a_release_version_and_created_come_from_one_reading_of_the_clock(tmp_path, monkeypatch):
    # 22:30 UTC on 30 November: 1 December in Beijing (and in Kiritimati), 30 November in UTC.
    moment = datetime.datetime(2026, 11, 30, 22, 30, 5, tzinfo=datetime.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(clock.BEIJING))
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    warehouse = build_warehouse(tmp_path / "warehouse.duckdb")
    outcome = publish_release(warehouse, str(tmp_path / "releases"), manifest_path=MANIFEST)
    assert outcome.version == "2026.12.01"
    descriptor = json.loads(
        (tmp_path / "releases" / "2026.12.01" / "datapackage.json").read_text(encoding="utf-8")
    )
    assert descriptor["created"] == "2026-12-01T06:30:05+08:00"
    assert (
        datetime.datetime.fromisoformat(descriptor["created"]).date().strftime("%Y.%m.%d") == outcome.version
    )


def test_a_refresh_failing_on_the_multiprocess_executor_leaves_the_previous_warehouse_and_report(
    tmp_path, seeds_refresh, capfd
):
    """Under the multiprocess executor no step lives as long as the run: the run-scoped executor
    (orchestration/run_scope.py) started the build and must discard it when a step fails. Here the
    sources' manifest is not YAML: the extraction plan step fails, in a process of its own."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(seeds_refresh.warehouse, warehouse)
    before = {name: _sha256(warehouse / name) for name in ("cnbudget.duckdb", "data_quality_report.md")}
    sources = tmp_path / "sources"
    shutil.copytree(MINI_SOURCES_DIR, sources)
    (sources / "manifest.yaml").write_text("x: [unclosed\n", encoding="utf-8")
    assert "CNBUDGET_EXECUTOR" not in os.environ

    code = main(["refresh", "--sources", str(sources), "--warehouse", str(warehouse)])
    out, err = capfd.readouterr()  # the progress printer writes to the terminal's descriptor
    assert code == 1
    assert "manifest.yaml" in out + err
    assert f"the warehouse {warehouse / 'cnbudget.duckdb'} and its data-quality report are unchanged" in out
    assert {name: _sha256(warehouse / name) for name in before} == before
    assert not (warehouse / BUILD_DIR_NAME).exists()
    # The lock went with the run: the next refresh is not refused.
    release(acquire(warehouse))
