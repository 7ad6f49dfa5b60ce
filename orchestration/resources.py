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
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from .settings import (
    DBT_PROJECT_DIR,
    ENV_DUCKDB_PATH,
    ENV_RAW_LOCATION,
    ENV_RELEASE_TARGET,
    ENV_SOURCES,
    ENV_WAREHOUSE,
    Settings,
)

# The concurrency pool of every step that opens the DuckDB file: DuckDB allows one writing process,
# and a reader in another process is refused while the writer holds the lock.
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


class WarehouseResource(dg.ConfigurableResource):
    """Where the documents are read from and where the warehouse and releases are written."""

    sources_dir: str | None = None
    warehouse_dir: str | None = None
    release_target: str | None = None
    raw_location: str | None = None

    def settings(self) -> Settings:
        return Settings.from_env(self.sources_dir, self.warehouse_dir, self.release_target, self.raw_location)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator:
        """A DuckDB connection to the one warehouse file, closed on exit.

        A lock held by another process becomes `WarehouseLockedError` with a one-line message,
        because DuckDB's own text ("IO Error: Could not set lock on file ...") does not say what to do.
        """
        import duckdb

        path = self.settings().duckdb_path
        if read_only and not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: run `cnbudget refresh` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), read_only=read_only)
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
        names = (ENV_SOURCES, ENV_WAREHOUSE, ENV_RELEASE_TARGET, ENV_DUCKDB_PATH, ENV_RAW_LOCATION)
        saved = {name: os.environ.get(name) for name in names}
        settings = self.settings()
        settings.export()
        try:
            yield settings
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def dbt_executable() -> str:
    """The `dbt` installed beside this Python (the virtualenv's), so it works without an activated venv."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return os.fspath(beside)
    return shutil.which("dbt") or "dbt"


def dbt_cli_resource(project_dir: Path = DBT_PROJECT_DIR) -> DbtCliResource:
    """dbt on the project folder, with the profile that lives beside it (profiles.yml reads the env var)."""
    return DbtCliResource(
        project_dir=os.fspath(project_dir),
        profiles_dir=os.fspath(project_dir),
        dbt_executable=dbt_executable(),
    )
