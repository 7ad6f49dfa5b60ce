"""The one Dagster Definitions: its stages, schedule and sensor, and that importing it does nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import dagster as dg
import pytest
from conftest import MINI_SOURCES_DIR, REPO, clean_env

from orchestration.assets.release import RELEASE_ASSET_KEY
from orchestration.assets.report import REPORT_ASSET_KEY
from orchestration.assets.sources import (
    DOCUMENT_ASSET_KEY,
    DOCUMENTS_PARTITIONS,
    SOURCES_ASSET_KEY,
    snapshot_sources,
)
from orchestration.checks import CHECK_NAME
from orchestration.definitions import build_definitions
from orchestration.resources import DUCKDB_POOL, DUCKDB_TAG, WarehouseResource
from orchestration.sensors import sources_changed_sensor
from orchestration.warehouse.raw_schema import all_raw_tables

RAW_KEYS = {dg.AssetKey(["raw", table]) for table in all_raw_tables()}


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    return build_definitions()


@pytest.fixture(scope="module")
def graph(defs):
    return defs.resolve_asset_graph()


def _keys_in(graph, schema: str) -> set[dg.AssetKey]:
    return {key for key in graph.get_all_asset_keys() if key.path[0] == schema and len(key.path) == 2}


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_importing_and_loading_the_definitions_runs_no_dbt_and_opens_no_database(dbt_manifest, tmp_path):
    # In a fresh interpreter: any DuckDB connection or dbt invocation (in process or as a child) fails.
    probe = textwrap.dedent(
        """
        import subprocess, duckdb
        from dbt.cli.main import dbtRunner

        def forbidden(*args, **kwargs):
            raise AssertionError("forbidden at import/load: " + repr(args[:2]))

        original_popen_init = subprocess.Popen.__init__

        def popen_without_dbt(self, args, *rest, **kwargs):
            if "dbt" in " ".join(map(str, args if isinstance(args, (list, tuple)) else [args])):
                forbidden(args)
            original_popen_init(self, args, *rest, **kwargs)

        duckdb.connect = forbidden
        dbtRunner.invoke = forbidden
        subprocess.Popen.__init__ = popen_without_dbt

        import orchestration.definitions as module
        print("imported")
        loaded = module.defs()
        print("loaded", len(list(loaded.resolve_asset_graph().get_all_asset_keys())))
        """
    )
    env = clean_env() | {"CNBUDGET_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout and "loaded" in result.stdout
    assert not (tmp_path / "warehouse").exists()


def test_importing_the_definitions_builds_nothing(dbt_manifest):
    import orchestration.definitions as module

    # `defs` is Dagster's lazy loader, not a built Definitions: building happens when it is called.
    assert not isinstance(module.defs, dg.Definitions)
    assert isinstance(module.defs(), dg.Definitions)


def test_the_asset_graph_shows_the_stages_in_order(graph):
    all_keys = graph.get_all_asset_keys()
    assert SOURCES_ASSET_KEY in all_keys and RELEASE_ASSET_KEY in all_keys
    # Extracted raw tables: one asset per raw table, downstream of the source documents.
    assert RAW_KEYS <= all_keys
    for key in RAW_KEYS:
        assert graph.get(key).parent_keys == {SOURCES_ASSET_KEY}
        assert graph.get(key).group_name == "raw"
    # dbt models: staging reads the raw tables, marts are built from them, and nothing is external.
    staging, marts = _keys_in(graph, "staging"), _keys_in(graph, "marts")
    assert staging and marts and _keys_in(graph, "intermediate")
    raw_readers = {key for key in staging if graph.get(key).parent_keys & RAW_KEYS}
    assert raw_readers, "no staging model reads a raw table"
    for key in all_keys - {DOCUMENT_ASSET_KEY}:
        assert graph.get(key).is_materializable, f"{key.to_user_string()} is not produced by the pipeline"
    # One partition per document (dynamic), recorded by the extraction steps.
    assert graph.get(DOCUMENT_ASSET_KEY).partitions_def == DOCUMENTS_PARTITIONS
    for key in marts:
        assert graph.get(key).group_name == "marts"
        if key.path[1].startswith("fct_"):
            assert RAW_KEYS & _ancestors(graph, key), f"{key.to_user_string()} is not built from raw tables"
    # Release, and the data-quality report beside it: after every dbt model.
    assert marts <= graph.get(RELEASE_ASSET_KEY).parent_keys
    assert marts <= graph.get(REPORT_ASSET_KEY).parent_keys


def test_every_raw_table_has_a_blocking_pandera_check_and_dbt_tests_are_checks(graph):
    checks = {key: graph.get_check_spec(key) for key in graph.asset_check_keys}
    for raw_key in RAW_KEYS:
        spec = checks[dg.AssetCheckKey(raw_key, CHECK_NAME)]
        assert spec.blocking
    dbt_checks = [key for key in checks if key.asset_key.path[0] in ("staging", "intermediate", "marts")]
    assert any(key.asset_key.path[0] == "marts" for key in dbt_checks)


def test_dbt_waits_for_every_blocking_check_of_the_raw_tables(defs):
    job = defs.resolve_job_def("refresh")
    inputs = job.graph.dependency_structure.input_to_upstream_outputs_for_node("dbt_models")
    upstream_steps = {output.node_name for outputs in inputs.values() for output in outputs}
    assert "raw_tables_pandera" in upstream_steps


def _ops(node):
    definition = node.definition
    if isinstance(definition, dg.GraphDefinition):
        return [op for inner in definition.node_dict.values() for op in _ops(inner)]
    return [(node.name, definition)]


def test_every_step_that_opens_duckdb_is_in_the_one_pool_and_limited_to_one_at_a_time(defs):
    job = defs.resolve_job_def("refresh")
    ops = dict(op for node in job.graph.node_dict.values() for op in _ops(node))
    duckdb_steps = {"load_raw_tables", "dbt_models", "data_quality_report", "release"}
    assert duckdb_steps <= set(ops)
    assert all(ops[name].pool == DUCKDB_POOL for name in duckdb_steps)
    # The extraction steps never open DuckDB: they run on every core.
    assert ops["extract_documents"].pool is None
    assert ops["load_raw_tables"].tags.get(DUCKDB_TAG) == "writer"
    assert ops["dbt_models"].tags.get(DUCKDB_TAG) == "writer"


def test_the_refresh_job_runs_on_the_multiprocess_executor_on_every_core(defs, graph):
    job = defs.resolve_job_def("refresh")
    assert job.executor_def.name == "cnbudget_multiprocess"
    assert job.asset_layer.selected_asset_keys == graph.get_all_asset_keys() - {DOCUMENT_ASSET_KEY}
    assert set(job.asset_layer.asset_graph.asset_check_keys) == set(graph.asset_check_keys)


def test_the_same_job_runs_on_a_cluster_executor_with_the_raw_files_on_object_storage(dbt_manifest, tmp_path):
    """Beyond one machine: dagster-docker's executor (dagster-celery's and dagster-k8s's are passed the
    same way) takes the same job, and the raw files live on object storage (fsspec's memory filesystem
    stands for s3:// here). The extraction steps run on it for real, in this process."""
    import fsspec
    from dagster_docker import docker_executor

    from orchestration.assets.extraction import build_raw_tables_asset
    from orchestration.assets.sources import source_documents

    cluster = build_definitions.__wrapped__(executor=docker_executor)
    executor = cluster.resolve_job_def("refresh").executor_def
    # The same executor (its name and config), each run of it one refresh of the warehouse.
    assert executor.name == docker_executor.name
    assert executor.config_schema is docker_executor.config_schema

    raw_location = f"memory://{tmp_path.name}/raw"
    warehouse = WarehouseResource(
        sources_dir=str(MINI_SOURCES_DIR),
        warehouse_dir=str(tmp_path / "warehouse"),
        raw_location=raw_location,
    )
    assert warehouse.settings().raw_root == raw_location
    result = dg.materialize(
        [source_documents, build_raw_tables_asset()],
        resources={"warehouse": warehouse},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    memory = fsspec.filesystem("memory")
    assert memory.ls(f"/{tmp_path.name}/raw/_documents")
    assert not (tmp_path / "warehouse" / "raw_files").exists()
    with warehouse.connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.documents").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM raw.cells").fetchone()[0] > 0
    # Each extracted document is a partition of source_document, its sha256 the data version.
    materialized = [
        event.event_specific_data.materialization
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key == DOCUMENT_ASSET_KEY
    ]
    assert [m.partition for m in materialized] == [p.name for p in MINI_SOURCES_DIR.iterdir()]


def test_a_daily_schedule_runs_the_refresh_job(defs):
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == "refresh"
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"


def _tick(sources, cursor):
    # A context manager, as the daemon opens it: the warehouse resource has a run lifecycle (the
    # refresh lock and build), which a sensor evaluation skips (no run).
    with dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": WarehouseResource(sources_dir=str(sources))}
    ) as context:
        data = sources_changed_sensor.evaluate_tick(context)
    return data.run_requests or [], data.cursor


def test_the_sensor_requests_a_run_for_a_new_or_changed_document_and_none_for_an_unchanged_folder(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(MINI_SOURCES_DIR, sources)
    document = next(sources.iterdir())

    requests, cursor = _tick(sources, None)
    assert len(requests) == 1 and requests[0].job_name in (None, "refresh")
    assert json.loads(cursor) == snapshot_sources(sources)

    # Unchanged folder, even with a new modification time: no run.
    requests, same_cursor = _tick(sources, cursor)
    assert requests == [] and same_cursor in (None, cursor)
    document.touch()
    requests, _ = _tick(sources, cursor)
    assert requests == []

    # Changed content: a run, and the cursor holds the new hash.
    document.write_text(document.read_text(encoding="utf-8") + "\n注：修订\n", encoding="utf-8")
    requests, changed_cursor = _tick(sources, cursor)
    assert len(requests) == 1
    assert json.loads(changed_cursor)[document.name] != json.loads(cursor)[document.name]

    # A new document: a run.
    shutil.copy(document, sources / "another.txt")
    requests, added_cursor = _tick(sources, changed_cursor)
    assert len(requests) == 1
    assert set(json.loads(added_cursor)) == {document.name, "another.txt"}

    # A removed document: a run (the warehouse must not keep its facts).
    (sources / "another.txt").unlink()
    requests, removed_cursor = _tick(sources, added_cursor)
    assert len(requests) == 1
    assert set(json.loads(removed_cursor)) == {document.name}


def test_the_sensor_skips_when_the_sources_folder_is_missing(tmp_path):
    requests, cursor = _tick(tmp_path / "absent", None)
    assert requests == [] and cursor is None
