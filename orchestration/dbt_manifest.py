"""Prepare the dbt manifest that the asset graph is built from: `python -m orchestration.dbt_manifest`.

Run by the build (`make run`, `make test`, `make ui`), never at import: it runs `dbt parse` into
dbt_project/target. Parsing reads the profile, which needs CNBUDGET_DUCKDB_PATH, so the settings are
exported for the parse only; dbt parse does not open the database, so no warehouse file appears.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .settings import DBT_PROJECT_DIR

# What dbt reads when it parses: a change to any of these makes the manifest stale.
_PARSED_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
_PARSED_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def manifest_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when the manifest is missing or older than a file of the dbt project.

    The asset graph is built from the manifest while `dbt build` parses the project afresh: a model
    added since the last parse would be built by dbt but unknown to Dagster.
    """
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return True
    parsed_at = manifest.stat().st_mtime
    files = [project_dir / name for name in _PARSED_FILES]
    for folder in _PARSED_FOLDERS:
        if (project_dir / folder).is_dir():
            files += [path for path in (project_dir / folder).rglob("*") if path.is_file()]
    return any(path.exists() and path.stat().st_mtime > parsed_at for path in files)


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Parse the dbt project; return the path of the manifest written."""
    from dagster_dbt import DbtProject

    from .resources import WarehouseResource, dbt_cli_resource

    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    # The profile needs a DuckDB path to parse; the variables are restored after, so that this process
    # (a `cnbudget refresh --warehouse DIR` preparing a stale manifest) keeps its own folders.
    with WarehouseResource().exported():
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
