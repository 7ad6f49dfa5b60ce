"""Resources: the warehouse (one DuckDB path from `Settings`) and the dbt CLI that builds on it.

The warehouse resource is the only thing that turns configuration into paths, so the CLI, the UI,
the schedule and the sensor all agree on which folder is read and which DuckDB file is written.
Its fields default to None, meaning "whatever `Settings.from_env` decides" (explicit argument, then
`CNBUDGET_*` variable, then the project folders); the environment is read when a run needs the
settings, never at import.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from pydantic import PrivateAttr

from .settings import (
    DBT_PROJECT_DIR,
    DUCKDB_MEMORY_LIMIT,
    ENV_DUCKDB_MEMORY_LIMIT,
    ENV_DUCKDB_PATH,
    ENV_RAW_LOCATION,
    ENV_RELEASE_TARGET,
    ENV_SOURCES,
    ENV_WAREHOUSE,
    Settings,
)
from .warehouse import refresh_lock
from .warehouse.build import WarehouseBuild

# The concurrency pool of every step that opens the DuckDB file: DuckDB allows one writing process.
# (Whole runs are kept apart by the refresh lock, orchestration/warehouse/refresh_lock.py.)
DUCKDB_POOL = "duckdb_writer"
# The same, said to the multiprocess executor (its tag_concurrency_limits): one such step at a time.
DUCKDB_TAG = "cnbudget/duckdb"
DUCKDB_OP_TAGS = {DUCKDB_TAG: "writer"}

_LOCK_HOLDER = re.compile(r"PID (\d+)")


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB file (DuckDB allows a single writing process)."""


def describe_lock_error(duckdb_path: Path, error: Exception) -> str:
    """One line that says which file is locked and, when DuckDB tells, by which process."""
    holder = _LOCK_HOLDER.search(str(error))
    by = f" (held by PID {holder.group(1)})" if holder else ""
    return (
        f"the warehouse {duckdb_path} is locked by another process{by}: "
        "wait for it to finish (a refresh, the Dagster UI or a DuckDB shell) and retry"
    )


def is_lock_error(error: Exception) -> bool:
    return "Could not set lock" in str(error) or "Conflicting lock" in str(error)


def ensure_no_writer(duckdb_path: Path) -> None:
    """Raise `WarehouseLockedError` when another process holds the warehouse open for writing.

    A read-only open succeeds beside read-only readers (they never stop a refresh) and fails only
    beside a writer: a DuckDB shell opened without -readonly, whose changes a refresh would lose.
    """
    import duckdb

    if not duckdb_path.exists():
        return
    try:
        duckdb.connect(str(duckdb_path), read_only=True).close()
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            raise WarehouseLockedError(describe_lock_error(duckdb_path, exc)) from exc
        raise


class WarehouseResource(dg.ConfigurableResource):
    """Where the documents are read from and where the warehouse and releases are written.

    In a run (CLI, UI, schedule or sensor alike) the resource also owns the run's refresh: at setup
    it takes the warehouse's refresh lock (orchestration/warehouse/refresh_lock.py) and starts a
    private build of the warehouse (orchestration/warehouse/build.py), which every step then reads
    and writes; at teardown it swaps the build in when every step of the run succeeded, discards it
    otherwise, and releases the lock. Outside a run (a sensor, the CLI's status) it is plain paths.
    """

    sources_dir: str | None = None
    warehouse_dir: str | None = None
    release_target: str | None = None
    raw_location: str | None = None
    _build: WarehouseBuild | None = PrivateAttr(default=None)
    _lock: Path | None = PrivateAttr(default=None)

    def settings(self) -> Settings:
        return Settings.from_env(self.sources_dir, self.warehouse_dir, self.release_target, self.raw_location)

    def database_path(self) -> Path:
        """The DuckDB file this process works on: the run's build during a run, else the warehouse."""
        return self._build.build_duckdb_path if self._build else self.settings().duckdb_path

    def report_output_path(self) -> Path:
        """Where the data-quality report is written: published at the end of a successful run."""
        return self._build.build_report_path if self._build else self.settings().report_path

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.run is None:  # a sensor or schedule evaluation: no refresh to guard
            return
        settings = self.settings()
        build = WarehouseBuild(settings.duckdb_path, settings.report_path)
        if build.belongs_to(context.run.run_id):
            # A step of a run whose executor owns the refresh (orchestration/run_scope.py): it holds
            # the lock and swaps the build in when the run ends; this step only works in it.
            self._build = build
            return
        self._lock, self._build = start_refresh(settings, context.run.run_id)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        build, lock = self._build, self._lock
        self._build, self._lock = None, None
        if lock is not None:  # this resource owned the run's refresh (the in-process executor)
            finish_refresh(build, lock, run_succeeded(context.run, context.instance))

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator:
        """A DuckDB connection to the one warehouse file, closed on exit.

        A lock held by another process becomes `WarehouseLockedError` with a one-line message,
        because DuckDB's own text ("IO Error: Could not set lock on file ...") does not say what to do.
        """
        import duckdb

        path = self.database_path()
        if read_only and not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: run `cnbudget refresh` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        except duckdb.IOException as exc:
            if is_lock_error(exc):
                raise WarehouseLockedError(describe_lock_error(path, exc)) from exc
            raise
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def exported(self) -> Iterator[Settings]:
        """Publish the paths to child processes (dbt's profile reads CNBUDGET_DUCKDB_PATH), then restore.

        Restoring keeps one run's folders from leaking into the next one in the same process (tests,
        a long-lived code server).
        """
        names = (
            ENV_SOURCES,
            ENV_WAREHOUSE,
            ENV_RELEASE_TARGET,
            ENV_DUCKDB_PATH,
            ENV_RAW_LOCATION,
            ENV_DUCKDB_MEMORY_LIMIT,
        )
        saved = {name: os.environ.get(name) for name in names}
        settings = self.settings()
        settings.export()
        os.environ[ENV_DUCKDB_PATH] = str(self.database_path())
        try:
            yield settings
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def start_refresh(settings: Settings, run_id: str) -> tuple[Path, WarehouseBuild]:
    """Take the warehouse's refresh lock and start the run's private build; (lock, build).

    Called once per run by whoever lives as long as the run: the warehouse resource under the
    in-process executor, the run-scoped executor otherwise (its steps join the build by run id).
    """
    lock = refresh_lock.acquire(settings.warehouse_dir)
    try:
        ensure_no_writer(settings.duckdb_path)
        build = WarehouseBuild(settings.duckdb_path, settings.report_path)
        build.start(run_id)
    except BaseException:
        refresh_lock.release(lock)
        raise
    return lock, build


def finish_refresh(build: WarehouseBuild | None, lock: Path, succeeded: bool) -> None:
    """Swap the build in when the run succeeded, else discard it; then give back the lock."""
    try:
        if build is not None:
            if succeeded:
                build.commit()
            else:
                build.discard()
    finally:
        refresh_lock.release(lock)


def run_succeeded(run: dg.DagsterRun | None, instance: dg.DagsterInstance | None) -> bool:
    """True when every step planned for the run succeeded: none failed, none was skipped or left
    unstarted (a blocking check, an interruption). Read from the run's own event log."""
    if run is None or instance is None:
        return False
    planned = run.step_keys_to_execute
    if planned is None and run.execution_plan_snapshot_id:
        planned = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id).step_keys_to_execute
    events = instance.all_logs(
        run.run_id, of_type={dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    )
    if any(
        e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE for e in events
    ):
        return False
    succeeded = {e.step_key for e in events if e.dagster_event}
    # A mapped step is planned as `op[?]` and runs as `op[chunk_00001]`, …: its copies are known only
    # once it ran. They are covered by the step that collects them, planned by its own key, which
    # runs only when every copy succeeded.
    resolved = {key for key in planned or () if not key.endswith("[?]")}
    return bool(resolved) and resolved <= succeeded


def dbt_executable() -> str:
    """The `dbt` installed beside this Python (the virtualenv's), so it works without an activated venv."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return os.fspath(beside)
    return shutil.which("dbt") or "dbt"


class InstalledDbtCliResource(DbtCliResource):
    """dagster-dbt learns the dbt version by running `dbt --version`: a second start of dbt in every
    refresh (about 1.5 s of a one-document refresh). The dbt it runs is the dbt-core package installed
    beside it (pinned in pyproject.toml), whose version the package metadata says."""

    @cached_property
    def _cli_version(self):
        from importlib.metadata import version as installed_version

        from packaging.version import parse

        return parse(installed_version("dbt-core"))


def dbt_cli_resource(project_dir: Path = DBT_PROJECT_DIR) -> DbtCliResource:
    """dbt on the project folder, with the profile that lives beside it (profiles.yml reads the env var)."""
    return InstalledDbtCliResource(
        project_dir=os.fspath(project_dir),
        profiles_dir=os.fspath(project_dir),
        dbt_executable=dbt_executable(),
    )
