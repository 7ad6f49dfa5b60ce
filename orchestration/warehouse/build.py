"""A refresh builds a new warehouse beside the old one and swaps it in only when the run succeeded.

Readers must never break a refresh, and a failed refresh must never leave a half-built warehouse or
an empty data-quality report. So each run works on its own copy, `<warehouse>/.building/`:

- at the start (refresh lock held): leftovers of an interrupted run are removed and the current
  `cnbudget.duckdb` is copied to `.building/cnbudget.duckdb`; every step, dbt included (its profile
  reads `CNBUDGET_DUCKDB_PATH`), writes there, and the report is written to
  `.building/data_quality_report.md`;
- when every step of the run succeeded: both files are renamed over `cnbudget.duckdb` and
  `data_quality_report.md` (`os.replace`, atomic on one file system);
- otherwise (a step failed, a check blocked, the run was interrupted): `.building/` is deleted and the
  previous warehouse and report stay exactly as they were.

What a reader sees: a connection opened before the swap keeps reading the snapshot it opened (on
POSIX the renamed-over file lives on while it is open), one opened after reads the new warehouse; at
no time is there a half-written file at `cnbudget.duckdb`. A read-only reader holds only a shared lock
on the old file, which the refresh never opens for writing, so it cannot make the refresh fail.

A foreign *writer* (a DuckDB shell opened without -readonly) is still refused at the start: its
changes would be lost with the old file, so the refresh says who holds it instead.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

BUILD_DIR_NAME = ".building"
# The run a build belongs to, written by whoever started it: the steps of that run (each in a process
# of its own under the multiprocess or a cluster executor) find the build through it.
RUN_MARKER = "RUN"


def report_index_path(report: Path) -> Path:
    """Where the index of a report's sections is kept: beside it, hidden (`.data_quality_report.md.index`)."""
    return report.with_name(f".{report.name}.index")


@dataclass(frozen=True)
class WarehouseBuild:
    """The paths of one refresh's private copy and of the files it replaces on success."""

    duckdb_path: Path  # what users open: <warehouse>/cnbudget.duckdb
    report_path: Path  # <warehouse>/data_quality_report.md

    @property
    def folder(self) -> Path:
        return self.duckdb_path.parent / BUILD_DIR_NAME

    @property
    def build_duckdb_path(self) -> Path:
        # The same file name, so that anything printing the database's name says cnbudget.duckdb.
        return self.folder / self.duckdb_path.name

    @property
    def build_report_path(self) -> Path:
        return self.folder / self.report_path.name

    @property
    def run_marker(self) -> Path:
        return self.folder / RUN_MARKER

    def belongs_to(self, run_id: str) -> bool:
        """True when this build was started for `run_id` (a step of that run joins it)."""
        try:
            return self.run_marker.read_text(encoding="utf-8").strip() == run_id
        except OSError:
            return False

    def start(self, run_id: str | None = None) -> None:
        """Clear what an interrupted run left, then copy the current warehouse to build on.

        Called with the refresh lock held: nothing else can be using `.building/`. The copy keeps
        whatever a partial run (a UI subset of the assets) does not rebuild.
        """
        self.discard()
        self.folder.mkdir(parents=True)
        if self.duckdb_path.exists():
            shutil.copyfile(self.duckdb_path, self.build_duckdb_path)
            wal = _wal(self.duckdb_path)
            if wal.exists():
                shutil.copyfile(wal, _wal(self.build_duckdb_path))
        if run_id is not None:
            self.run_marker.write_text(run_id, encoding="utf-8")

    def commit(self) -> None:
        """Make the build the warehouse, then its report the report (each one rename)."""
        if _wal(self.build_duckdb_path).exists():
            _checkpoint(self.build_duckdb_path)
        if self.build_duckdb_path.exists():
            # A write-ahead log beside the old file belongs to the old file: replayed on the new one
            # it would corrupt it. The file itself stays readable to whoever has it open.
            _wal(self.duckdb_path).unlink(missing_ok=True)
            os.replace(self.build_duckdb_path, self.duckdb_path)
        if self.build_report_path.exists():
            os.replace(self.build_report_path, self.report_path)
            # The report's section index (validation/report.py): after the report, so that an index
            # never describes a newer report than the one beside it (a stale one is only not used).
            index = report_index_path(self.build_report_path)
            if index.exists():
                os.replace(index, report_index_path(self.report_path))
        _fsync_dir(self.duckdb_path.parent)
        self.discard()

    def discard(self) -> None:
        """Forget the build: the warehouse and the report stay as they were."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _checkpoint(path: Path) -> None:
    """Fold a write-ahead log into the database file, so that the file alone is the whole warehouse."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _fsync_dir(folder: Path) -> None:
    """Make the renames durable (a crash right after a successful run keeps the new files)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
