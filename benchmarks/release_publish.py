"""Release benchmark: `publish_release` alone on a built warehouse, each scenario in its own process.

Scenarios, one after the other on one release target:

- `full`: the first release of the warehouse (every table hashed and written);
- `unchanged`: the same warehouse again (every table hashed, no release cut);
- `changed`: a copy of the warehouse with one amount of the largest fact table changed (every table
  hashed, the changed tables written, the others linked; notes diff the changed tables).

Each prints wall time, CPU time and peak RSS (getrusage of the process that publishes) as one JSON line.

    python benchmarks/release_publish.py WAREHOUSE.duckdb [--batch-rows N] [--keep DIR]

To time another version of the code (e.g. before a change), extract its `orchestration` package and
name the folder: `git archive <commit> orchestration | tar -x -C /tmp/old`, then `--code /tmp/old`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "dbt_project" / "target" / "manifest.json"
_ENV = dict(os.environ)


def _publish(warehouse: str, target: str, day: str, batch_rows: int | None) -> None:
    """One publish in this process; prints its measurements."""
    code = os.environ.get("RELEASE_BENCH_CODE")
    if code:  # the package in `code`, not the editable install of this checkout
        sys.meta_path[:] = [finder for finder in sys.meta_path if "editable" not in repr(finder).lower()]
        sys.path.insert(0, code)
    import orchestration
    from orchestration.publish import publish_release

    kwargs = {} if batch_rows is None else {"batch_rows": batch_rows}
    manifest = MANIFEST if MANIFEST.is_file() else None
    started, cpu = time.perf_counter(), time.process_time()
    outcome = publish_release(
        Path(warehouse),
        target,
        today=datetime.date.fromisoformat(day),
        manifest_path=manifest,
        **kwargs,
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "code": str(Path(orchestration.__file__).parent),
                "version": outcome.version,
                "unchanged": outcome.unchanged,
                "rows": sum(outcome.row_counts.values()),
                "largest": max(outcome.row_counts.items(), key=lambda item: item[1]),
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "peak_rss_mb": round(peak / 1e6),
            }
        ),
        flush=True,
    )


def _run(scenario: str, warehouse: Path, target: Path, day: str, batch_rows: int | None) -> dict:
    command = [sys.executable, __file__, "--one", str(warehouse), str(target), day]
    if batch_rows is not None:
        command += ["--batch-rows", str(batch_rows)]
    result = subprocess.run(command, capture_output=True, text=True, env=_ENV)
    if result.returncode != 0:
        raise SystemExit(f"{scenario} failed:\n{result.stderr}")
    line = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps({"scenario": scenario, **line}), flush=True)
    return line


def _change_one_amount(warehouse: Path, copy: Path) -> str:
    import duckdb

    shutil.copyfile(warehouse, copy)
    connection = duckdb.connect(str(copy))
    try:
        tables = connection.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' "
            "order by estimated_size desc"
        ).fetchall()
        for table, _ in tables:
            columns = [
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? and column_name = 'amount'",
                    [table],
                ).fetchall()
            ]
            if columns:
                [(rowid, document)] = connection.execute(
                    f"select rowid, document_key from marts.{table} where amount is not null "
                    "order by rowid limit 1"
                ).fetchall()
                connection.execute(f"update marts.{table} set amount = amount + 1 where rowid = ?", [rowid])
                # What a changed document is to the release (publish/document_scope.py): a new input
                # version of it; otherwise the release takes the table over from the previous one.
                connection.execute(
                    "update raw_state.loaded set input_version = input_version || '-changed' "
                    "where document_key = ?",
                    [document],
                )
                return table
    finally:
        connection.close()
    raise SystemExit("no table with an amount column")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--batch-rows", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="folder for the target (kept)")
    parser.add_argument("--scenarios", default="full,unchanged,changed")
    parser.add_argument(
        "--code", type=Path, default=None, help="folder holding another orchestration package"
    )
    args = parser.parse_args()
    if args.code is not None:
        _ENV["RELEASE_BENCH_CODE"] = str(args.code.resolve())
    scratch = Path(tempfile.mkdtemp(prefix="cnbudget-release-bench-")) if args.keep is None else args.keep
    scratch.mkdir(parents=True, exist_ok=True)
    target = scratch / "releases"
    try:
        scenarios = args.scenarios.split(",")
        if "full" in scenarios:
            _run("full", args.warehouse, target, "2024-05-01", args.batch_rows)
        if "unchanged" in scenarios:
            _run("unchanged", args.warehouse, target, "2024-05-02", args.batch_rows)
        if "changed" in scenarios:
            copy = scratch / "changed.duckdb"
            table = _change_one_amount(args.warehouse, copy)
            print(json.dumps({"changed_table": table}), flush=True)
            _run("changed", copy, target, "2024-05-03", args.batch_rows)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        warehouse, target, day = sys.argv[2:5]
        batch = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--batch-rows" else None
        _publish(warehouse, target, day, batch)
    else:
        main()
