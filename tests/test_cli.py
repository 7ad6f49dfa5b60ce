"""`cnbudget` arguments and fatal errors: one clear line on stderr and a non-zero exit, nothing written."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import MINI_SOURCES_DIR

from orchestration.cli import build_parser, main
from orchestration.resources import WarehouseLockedError, WarehouseResource


def test_refresh_takes_the_sources_and_warehouse_folders():
    args = build_parser().parse_args(["refresh", "--sources", "in", "--warehouse", "out"])
    assert (args.command, args.sources, args.warehouse) == ("refresh", "in", "out")
    defaults = build_parser().parse_args(["refresh"])
    # None means Settings decides: CNBUDGET_* variables, else the project's sources/ and warehouse/.
    assert (defaults.sources, defaults.warehouse) == (None, None)


def test_diff_takes_two_versions():
    args = build_parser().parse_args(["diff", "2025.01.01", "2025.01.02"])
    assert (args.a, args.b) == ("2025.01.01", "2025.01.02")


def test_a_command_is_required_and_unknown_ones_are_usage_errors():
    for argv in ([], ["publish"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2


def test_refresh_with_a_missing_sources_folder_fails_in_one_line_and_writes_nothing(tmp_path, capsys):
    missing, warehouse = tmp_path / "no_such_folder", tmp_path / "warehouse"
    code = main(["refresh", "--sources", str(missing), "--warehouse", str(warehouse)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err == f"cnbudget refresh: error: sources folder not found: {missing}"
    assert not warehouse.exists()


@pytest.fixture
def locked_warehouse(tmp_path):
    """A warehouse file held open for writing by another process, as a second refresh or the UI would."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(warehouse / "cnbudget.duckdb")!r})
                print("locked", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    yield warehouse, holder.pid
    holder.stdin.close()
    holder.wait(timeout=30)


def test_refresh_on_a_locked_warehouse_says_so_in_one_line(locked_warehouse, capsys):
    warehouse, holder_pid = locked_warehouse
    code = main(["refresh", "--sources", str(MINI_SOURCES_DIR), "--warehouse", str(warehouse)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("cnbudget refresh: error: the warehouse ")
    assert "is locked by another process" in err and f"PID {holder_pid}" in err


def test_the_warehouse_resource_turns_duckdb_lock_errors_into_a_clear_error(locked_warehouse):
    warehouse, holder_pid = locked_warehouse
    resource = WarehouseResource(warehouse_dir=str(warehouse))
    for read_only in (False, True):
        with pytest.raises(
            WarehouseLockedError, match=f"locked by another process \\(held by PID {holder_pid}\\)"
        ):
            with resource.connect(read_only=read_only):
                pass


def test_status_without_a_warehouse_fails_in_one_line(tmp_path, capsys):
    code = main(["status", "--warehouse", str(tmp_path / "empty")])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert "no warehouse at" in err and "run `cnbudget refresh` first" in err
    assert len(err.splitlines()) == 1


def test_a_blocking_validation_failure_stops_the_run_before_dbt_and_names_the_row(
    tmp_path, monkeypatch, capsys, dbt_manifest
):
    from orchestration.extract import incremental

    real_extract = incremental._extract_or_report
    document = next(MINI_SOURCES_DIR.iterdir()).name

    def extract_with_a_malformed_code(path, manifest_entry):
        extraction = real_extract(path, manifest_entry)
        cell = next(c for c in extraction.cells if c.get("function_code"))
        cell["function_code"] = "20A"
        return extraction

    # The replaced function must run in this process: every step in it.
    monkeypatch.setenv("CNBUDGET_EXECUTOR", "in_process")
    monkeypatch.setattr(incremental, "_extract_or_report", extract_with_a_malformed_code)
    warehouse = tmp_path / "warehouse"
    code = main(["refresh", "--sources", str(MINI_SOURCES_DIR), "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "validation raw/cells:pandera_schema: FAILED (error)" in out
    assert "[4/6] dbt build: skipped" in out and "[6/6] release: skipped" in out
    assert err.startswith(
        "cnbudget refresh: error: validation failed: raw/cells:pandera_schema rejected 1 row(s)"
    )
    assert f"document {document}" in err and "= '20A'" in err and "line " in err
    assert len(err.strip().splitlines()) == 1
    assert not (warehouse / "releases").exists()


def test_the_executor_follows_the_size_of_the_work(monkeypatch):
    """A refresh of a few documents runs in process (the multiprocess executor's start costs more than
    one core gains on one step); a large or unknown one on every core; CNBUDGET_EXECUTOR decides when set."""
    from orchestration.cli import IN_PROCESS, MULTIPROCESS, choose_executor
    from orchestration.extract.incremental import MIN_CHUNK

    monkeypatch.delenv("CNBUDGET_EXECUTOR", raising=False)
    assert choose_executor(0) == choose_executor(1) == choose_executor(MIN_CHUNK) == IN_PROCESS
    assert choose_executor(MIN_CHUNK + 1) == choose_executor(None) == MULTIPROCESS
    monkeypatch.setenv("CNBUDGET_EXECUTOR", MULTIPROCESS)
    assert choose_executor(1) == MULTIPROCESS
    monkeypatch.setenv("CNBUDGET_EXECUTOR", IN_PROCESS)
    assert choose_executor(None) == IN_PROCESS
