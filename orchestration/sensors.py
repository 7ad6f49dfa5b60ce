"""A refresh whenever a document in the sources folder is added, changed or removed.

"Changed" is by content: the cursor is the JSON of file name -> sha256 of the folder at the last
requested run, so touching a file (a new modification time, same bytes) starts nothing, and a file
rewritten with new bytes in the same second is still seen.
"""

import json

import dagster as dg

from .assets.sources import DOCUMENTS_PARTITIONS, partition_keys, snapshot_sources, snapshot_version
from .jobs import refresh_job
from .resources import WarehouseResource


def folder_changes(previous: dict[str, str], current: dict[str, str]) -> dict[str, list[str]]:
    """Added, changed and removed files between two snapshots (each list sorted)."""
    return {
        "added": sorted(set(current) - set(previous)),
        "changed": sorted(name for name in current if name in previous and previous[name] != current[name]),
        "removed": sorted(set(previous) - set(current)),
    }


@dg.sensor(
    name="sources_changed",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when a document of the sources folder is added, changed or removed.",
)
def sources_changed_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    sources_dir = warehouse.settings().sources_dir
    if not sources_dir.is_dir():
        return dg.SkipReason(f"sources folder not found: {sources_dir}")
    current = snapshot_sources(sources_dir)
    previous = json.loads(context.cursor) if context.cursor else {}
    changes = folder_changes(previous, current)
    if not any(changes.values()):
        return dg.SkipReason(f"no document added, changed or removed in {sources_dir}")
    summary = ", ".join(f"{kind}: {', '.join(names)}" for kind, names in changes.items() if names)
    context.log.info(f"sources changed ({summary})")
    # The document partitions follow the folder (a changed document keeps its partition; the run
    # re-extracts it, and only it, because its sha256 changed).
    from .extract.pipeline import MANIFEST_NAME

    wanted = set(partition_keys(name for name in current if name != MANIFEST_NAME))
    existing = set(partition_keys(name for name in previous if name != MANIFEST_NAME))
    requests = []
    if wanted - existing:
        requests.append(DOCUMENTS_PARTITIONS.build_add_request(sorted(wanted - existing)))
    if existing - wanted:
        requests.append(DOCUMENTS_PARTITIONS.build_delete_request(sorted(existing - wanted)))
    # No run key: the cursor already says what was requested, and a folder that returns to an
    # earlier state (a document restored) must refresh again, which a reused run key would forbid.
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                tags={
                    "cnbudget/sources_version": snapshot_version(current),
                    "cnbudget/changes": summary[:200],
                }
            )
        ],
        dynamic_partitions_requests=requests,
        cursor=json.dumps(current, sort_keys=True),
    )
