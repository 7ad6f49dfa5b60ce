"""Stage 5, release: the marts published as a versioned Parquet release (or "unchanged").

The publishing itself (versions, Parquet, datapackage.json, notes) lives in orchestration/publish;
this asset only runs it after dbt, with the run's paths, and records what it did.
"""

from collections.abc import Sequence

import dagster as dg

from ..resources import DUCKDB_POOL, WarehouseResource

RELEASE_ASSET_KEY = dg.AssetKey("release")


def build_release_asset(upstream: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The release asset, downstream of every dbt model so it runs after the whole `dbt build`."""

    @dg.asset(
        key=RELEASE_ASSET_KEY,
        deps=list(upstream),
        group_name="release",
        kinds={"parquet"},
        pool=DUCKDB_POOL,
        description="The contract tables published under <warehouse>/releases/<version>/, LATEST updated.",
    )
    def release(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from ..publish.release import DEFAULT_MANIFEST, publish_release
        from ..warehouse.build_state import current_fingerprint, mark_done

        settings = warehouse.settings()
        database = warehouse.database_path()
        fingerprint = current_fingerprint(database, DEFAULT_MANIFEST)
        outcome = publish_release(database, settings.release_target, sources=settings.sources_dir)
        mark_done(settings.warehouse_dir, "release", fingerprint)
        for warning in outcome.warnings:
            context.log.warning(f"release: {warning}")
        if outcome.unchanged:
            context.log.info(f"release unchanged: {outcome.version}")
        else:
            context.log.info(f"release published: {outcome.version} at {outcome.path}")
        return dg.MaterializeResult(
            metadata={
                "version": outcome.version,
                "path": dg.MetadataValue.path(str(outcome.path)),
                "unchanged": bool(outcome.unchanged),
                "row_counts": dg.MetadataValue.json(dict(outcome.row_counts)),
                "notes": dg.MetadataValue.md(str(outcome.notes or "")),
                "warnings": dg.MetadataValue.json(list(outcome.warnings)),
            }
        )

    return release
