"""Stage 2, extracted raw tables: new and changed documents extracted in parallel, then loaded.

A graph of three kinds of steps, shown as one asset per raw table `raw/<table>` (the dbt sources'
keys, so the dbt models hang under the tables they read):

- `plan_extraction` compares the folder with the per-document raw files (warehouse/raw_files.py):
  documents whose input version changed are cut into chunks, one dynamic output each; documents that
  left the folder have their files removed;
- `extract_documents` (one step per chunk, mapped) extracts, validates and writes one chunk's raw
  files. These steps never open DuckDB, so Dagster's multiprocess executor runs them on every core
  (and a cluster executor on other machines, with the raw files on object storage); each one records
  a materialization of its documents' partitions of `source_document`, with the sha256 as data version;
- `load_raw_tables`, the single DuckDB writer, deletes the rows of removed and changed documents and
  inserts the rows of new and changed ones from their files (warehouse/load.py), and lists them in
  `raw_state.pending` (asset `raw_state/pending`, a dbt source): the documents dbt rebuilds.
"""

from functools import cache

import dagster as dg

from ..resources import DUCKDB_OP_TAGS, DUCKDB_POOL, WarehouseResource
from ..warehouse.raw_schema import RAW_SCHEMA, all_raw_tables
from .sources import DOCUMENT_ASSET_KEY, SOURCES_ASSET_KEY, partition_keys


def raw_asset_key(table: str) -> dg.AssetKey:
    """The key dagster-dbt gives the dbt source `raw.<table>`."""
    return dg.AssetKey([RAW_SCHEMA, table])


# The dbt source raw_state.pending: documents loaded or deleted since the last successful dbt build.
PENDING_OUTPUT = "pending"
PENDING_ASSET_KEY = dg.AssetKey(["raw_state", PENDING_OUTPUT])


def _table_metadata(table: str, rows: int, inserted: int, deleted: int) -> dict[str, object]:
    return {"dagster/row_count": rows, "documents_inserted": inserted, "documents_deleted": deleted}


@dg.op(
    ins={"sources": dg.In(dg.Nothing)},
    out=dg.DynamicOut(list),
    description="Documents to extract (new or changed input version), in chunks; removed documents' files deleted.",
)
def plan_extraction(context: dg.OpExecutionContext, warehouse: WarehouseResource):
    from ..extract.incremental import plan_extraction as plan_folder
    from ..warehouse.raw_files import RawStore

    settings = warehouse.settings()
    store = RawStore(settings.raw_root)
    plan = plan_folder(settings.sources_dir, store)
    for key in plan.to_remove:
        store.remove_document(key)
    context.log.info(
        f"extraction plan: {len(plan.to_extract)} to extract, {plan.up_to_date} up to date, "
        f"{len(plan.to_remove)} removed"
    )
    chunks = plan.chunks()
    for index, chunk in enumerate(chunks):
        yield dg.DynamicOutput(chunk, mapping_key=f"chunk_{index:05d}")
    if not chunks:
        # One empty chunk, so that the load step after the fan-in runs (and removals reach DuckDB).
        yield dg.DynamicOutput([], mapping_key="nothing_to_extract")


@dg.op(description="Extract, validate and write the raw files of one chunk of documents (no DuckDB).")
def extract_documents(context: dg.OpExecutionContext, warehouse: WarehouseResource, chunk: list) -> list:
    from ..extract.incremental import extract_chunk
    from ..validation.report import not_read_line
    from ..warehouse.raw_files import RawStore

    if not chunk:
        return []
    settings = warehouse.settings()
    markers = extract_chunk(
        settings.sources_dir, [tuple(item) for item in chunk], RawStore(settings.raw_root)
    )
    usable = set(partition_keys(m["source_name"] for m in markers))
    for marker in markers:
        if marker["status"] != "read":
            line = not_read_line(marker["source_name"], marker["status"], marker.get("error"))
            context.log.warning(f"{line}; the other documents go on")
        if marker["source_name"] in usable:
            context.log_event(
                dg.AssetMaterialization(
                    asset_key=DOCUMENT_ASSET_KEY,
                    partition=marker["source_name"],
                    tags={"dagster/data_version": marker["sha256"]},
                    metadata={"input_version": marker["input_version"], "status": marker["status"]},
                )
            )
    return [marker["document_key"] for marker in markers]


@dg.op(
    out={name: dg.Out(dg.Nothing) for name in (*all_raw_tables(), PENDING_OUTPUT)},
    tags=DUCKDB_OP_TAGS,
    pool=DUCKDB_POOL,
    description="DuckDB's raw tables made equal to the raw files: changed documents deleted and inserted.",
)
def load_raw_tables(context: dg.OpExecutionContext, warehouse: WarehouseResource, extracted: list):
    from ..warehouse.load import sync_raw_tables
    from ..warehouse.raw_files import RawStore

    settings = warehouse.settings()
    store = RawStore(settings.raw_root)
    with warehouse.connect() as con:
        outcome = sync_raw_tables(con, store, store.markers())
    context.log.info(
        f"raw tables: {len(outcome.inserted)} documents inserted, {len(outcome.deleted)} deleted"
        + (" (full load)" if outcome.full_load else "")
    )
    for table in all_raw_tables():
        yield dg.Output(
            None,
            output_name=table,
            metadata=_table_metadata(
                table, outcome.counts.get(table, 0), len(outcome.inserted), len(outcome.deleted)
            ),
        )
    yield dg.Output(None, output_name=PENDING_OUTPUT, metadata={"dagster/row_count": outcome.pending})


@cache
def build_raw_tables_asset() -> dg.AssetsDefinition:
    """The extraction graph as one asset per raw table; built on demand so that importing does nothing."""
    tables = list(all_raw_tables())

    @dg.graph_multi_asset(
        name="extracted_raw_tables",
        group_name="raw",
        outs={
            table: dg.AssetOut(
                key=raw_asset_key(table),
                kinds={"duckdb", "python"},
                description=f"DuckDB table {RAW_SCHEMA}.{table}, from the per-document raw files.",
                dagster_type=dg.Nothing,
            )
            for table in tables
        }
        | {
            PENDING_OUTPUT: dg.AssetOut(
                key=PENDING_ASSET_KEY,
                kinds={"duckdb", "python"},
                description="DuckDB table raw_state.pending: documents inserted or deleted since the last "
                "successful dbt build (the documents the per-document dbt models rebuild).",
                dagster_type=dg.Nothing,
            )
        },
        ins={"sources": dg.AssetIn(SOURCES_ASSET_KEY, dagster_type=dg.Nothing)},
        can_subset=False,
    )
    def extracted_raw_tables(sources):
        chunks = plan_extraction(sources)
        extracted = chunks.map(extract_documents).collect()
        return load_raw_tables(extracted)._asdict()

    return extracted_raw_tables
