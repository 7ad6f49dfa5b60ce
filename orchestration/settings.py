"""The one place where paths are decided.

Dagster resources, dbt (through its profile's `env_var`) and the CLI all read the same absolute
DuckDB path from here, so there is never a second copy of the warehouse by accident. Nothing here
reads the environment at import: callers build a `Settings` when they need one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

ENV_SOURCES = "CNBUDGET_SOURCES_DIR"
ENV_WAREHOUSE = "CNBUDGET_WAREHOUSE_DIR"
ENV_RELEASE_TARGET = "CNBUDGET_RELEASE_TARGET"
ENV_DUCKDB_PATH = "CNBUDGET_DUCKDB_PATH"
ENV_RAW_LOCATION = "CNBUDGET_RAW_LOCATION"
ENV_DUCKDB_MEMORY_LIMIT = "CNBUDGET_DUCKDB_MEMORY_LIMIT"

# What a DuckDB connection that writes the warehouse may hold (the load step's and dbt's, whose profile
# reads it from CNBUDGET_DUCKDB_MEMORY_LIMIT): beyond it DuckDB spills to a temporary folder beside the
# file. DuckDB's own default is 80 % of the machine's memory, and dbt's connection held 1.9 GB at
# 10,000 documents under it; the refresh's processes together are to stay within 2 GB.
DUCKDB_MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class Settings:
    sources_dir: Path
    warehouse_dir: Path
    release_target: str  # a local folder or any fsspec URL
    raw_location: str = ""  # the per-document raw files: a local folder or any fsspec URL

    @property
    def raw_root(self) -> str:
        return self.raw_location or str(self.warehouse_dir / "raw_files")

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this warehouse: one stable folder, so partial parsing works."""
        return self.warehouse_dir / ".dbt_target"

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / "cnbudget.duckdb"

    @property
    def releases_dir(self) -> str:
        return self.release_target

    @property
    def report_path(self) -> Path:
        return self.warehouse_dir / "data_quality_report.md"

    @classmethod
    def from_env(
        cls,
        sources_dir: str | os.PathLike | None = None,
        warehouse_dir: str | os.PathLike | None = None,
        release_target: str | None = None,
        raw_location: str | None = None,
    ) -> Settings:
        """Explicit arguments win, then CNBUDGET_* variables, then the project defaults."""
        sources = Path(sources_dir or os.environ.get(ENV_SOURCES) or PROJECT_ROOT / "sources")
        warehouse = Path(warehouse_dir or os.environ.get(ENV_WAREHOUSE) or PROJECT_ROOT / "warehouse")
        sources, warehouse = sources.resolve(), warehouse.resolve()
        target = release_target or os.environ.get(ENV_RELEASE_TARGET) or str(warehouse / "releases")
        raw = raw_location or os.environ.get(ENV_RAW_LOCATION) or ""
        return cls(sources_dir=sources, warehouse_dir=warehouse, release_target=target, raw_location=raw)

    def export(self) -> None:
        """Publish the paths to child processes (dbt reads CNBUDGET_DUCKDB_PATH in its profile)."""
        os.environ[ENV_SOURCES] = str(self.sources_dir)
        os.environ[ENV_WAREHOUSE] = str(self.warehouse_dir)
        os.environ[ENV_RELEASE_TARGET] = self.release_target
        os.environ[ENV_DUCKDB_PATH] = str(self.duckdb_path)
        os.environ[ENV_RAW_LOCATION] = self.raw_location
        os.environ.setdefault(ENV_DUCKDB_MEMORY_LIMIT, DUCKDB_MEMORY_LIMIT)
