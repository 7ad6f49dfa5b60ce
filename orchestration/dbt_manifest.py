"""Prepare the dbt manifest that the asset graph is built from: `python -m orchestration.dbt_manifest`.

Run by the build (`make run`, `make test`, `make ui`), never at import: it runs `dbt parse` into
dbt_project/target. Parsing reads the profile, which needs CNBUDGET_DUCKDB_PATH, so the default
settings are exported first; dbt parse does not open the database, so no warehouse file appears.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .settings import DBT_PROJECT_DIR, Settings


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Parse the dbt project; return the path of the manifest written."""
    from dagster_dbt import DbtProject

    from .resources import dbt_cli_resource

    Settings.from_env().export()
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    dbt_cli_resource(project_dir).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    if not project.manifest_path.exists():
        raise FileNotFoundError(f"dbt parse wrote no manifest at {project.manifest_path}")
    return project.manifest_path


def main() -> int:
    try:
        path = prepare_manifest()
    except Exception as exc:  # one readable line for make, not a traceback
        print(f"dbt manifest: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"dbt manifest ready: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
