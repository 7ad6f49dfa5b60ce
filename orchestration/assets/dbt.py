"""Stage 4, dbt models: each model (and seed) an asset, each dbt test an asset check.

Everything here is built on demand, in cached factories: importing this module reads no manifest,
runs no dbt command and opens no database. The manifest is prepared by the build
(`python -m orchestration.dbt_manifest`, run by `make`), never at import or at definitions load.
"""

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ..resources import DUCKDB_OP_TAGS, DUCKDB_POOL, WarehouseResource
from ..settings import DBT_PROJECT_DIR


def dbt_build_args(full_refresh: bool, pending_documents: int | None = None) -> list[str]:
    """`dbt build` of a refresh.

    An incremental build of a few documents (at most one extraction step's, MIN_CHUNK) runs on every
    core: dbt-duckdb gives each thread a cursor of its one DuckDB connection (one process, so DuckDB's
    single writer is respected), and such a build is some 450 short queries, 385 of them tests. On the
    10,000-document warehouse it took 29.2 s on one thread and 20.6 s on two. Any larger build keeps one
    thread: its models are large joins and sorts that DuckDB already spreads over the cores, and two at
    once hold twice the memory (an incremental build of all 10,000 documents on two threads ran out of
    DuckDB's 1 GB in int_reconciliation_within_table).

    An incremental build leaves out the unit tests: they read fixtures, not the warehouse, so their
    result changes only with the dbt project, and a changed project makes the build a full refresh,
    which runs them. (The seeds' tests, which could be left out for the same reason, are blocking asset
    checks: a check without a result would hold back the report and the release.)
    """
    from ..extract.incremental import MIN_CHUNK

    if full_refresh:
        return ["build", "--threads", "1", "--full-refresh"]
    few = pending_documents is not None and pending_documents <= MIN_CHUNK
    return [
        "build",
        "--threads",
        str(os.cpu_count() or 1) if few else "1",
        "--exclude-resource-type",
        "unit_test",
        # dbt.log at debug level costs ~1 s of a build of 450 nodes; errors still go to the log and to
        # the output the CLI shows on failure.
        "--log-level-file",
        "warn",
    ]


class DbtManifestMissing(FileNotFoundError):
    """The dbt manifest has not been prepared: the asset graph cannot be built without it."""


class CnbudgetDbtTranslator(DagsterDbtTranslator):
    """Keys are `<schema>/<name>`: sources become `raw/<table>` (the extraction's assets), models
    `staging/…`, `intermediate/…`, `marts/…`, and the schema is the asset group too."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        schema = dbt_resource_props.get("schema")
        if dbt_resource_props["resource_type"] in ("source", "model", "seed", "snapshot") and schema:
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema") or super().get_group_name(dbt_resource_props)


def remove_run_folders(target: Path) -> list[Path]:
    """Remove the per-run `dbt_models-<run>-<id>` folders earlier versions left under dbt's target."""
    import shutil

    removed = []
    if target.is_dir():
        for folder in sorted(target.glob("dbt_models-*")):
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


@cache
def dbt_project(project_dir: Path = DBT_PROJECT_DIR) -> DbtProject:
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir)


@cache
def build_dbt_assets(project_dir: Path = DBT_PROJECT_DIR) -> dg.AssetsDefinition:
    """The dbt models as one multi-asset running `dbt build`, streaming one event per model and test."""
    project = dbt_project(project_dir)
    if not project.manifest_path.exists():
        raise DbtManifestMissing(
            f"dbt manifest not found at {project.manifest_path}: prepare it with "
            "`make manifest` (python -m orchestration.dbt_manifest)"
        )
    translator = CnbudgetDbtTranslator(
        # dbt tests on models are asset checks. dbt tests on the sources (raw tables) are not: as checks
        # of this op on the raw assets they would remove the raw tables' blocking pandera checks from the
        # dbt step's inputs, and dbt would build on tables that failed validation. They still run in
        # `dbt build`, and a failure still fails the build.
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    )

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        name="dbt_models",
        pool=DUCKDB_POOL,
        op_tags=DUCKDB_OP_TAGS,
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        """Build the star schema: staging, intermediate and marts, with every dbt test.

        Nothing is built when neither the raw tables nor the dbt project changed since the last
        successful build of this warehouse (the steps after it are then skipped: nothing to report or
        release that is not already there)."""
        from ..warehouse.build_state import (
            forget_build,
            needs_full_refresh,
            pending_documents,
            record_build,
            record_complete_build,
            up_to_date,
        )

        settings = warehouse.settings()
        remove_run_folders(project.project_dir / "target")
        with warehouse.connect(read_only=True) as con:
            current, fingerprint = up_to_date(con, project.manifest_path, settings.warehouse_dir)
            full_refresh = needs_full_refresh(con, project.manifest_path)
            pending = pending_documents(con)
        if not context.is_subset and current:
            context.log.info("dbt build: nothing changed since the last build of this warehouse; not run")
            return
        with warehouse.connect() as con:
            # A build that fails half-way must not pass for the last good one.
            forget_build(con, full_refresh=full_refresh)
        # The per-document models replace the pending documents' rows only (raw_state.pending), unless the
        # warehouse is new or the project changed: then everything is rebuilt.
        args = dbt_build_args(full_refresh, pending)
        context.log.info(f"dbt build: {'full refresh' if full_refresh else 'incremental by document'}")
        with warehouse.exported():
            # One target folder per warehouse, kept between runs: dbt's partial parsing finds its
            # partial_parse.msgpack there, and no folder per run accumulates.
            settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
            yield from dbt.cli(args, context=context, target_path=settings.dbt_target_dir).stream()
        with warehouse.connect() as con:
            record_build(con, fingerprint)
            if not context.is_subset:
                # A subset leaves models unbuilt: their documents stay pending for the next build.
                record_complete_build(con, project.manifest_path)

    return dbt_models
