"""Stage 1, source documents: what is in the sources folder, by content hash.

The same snapshot (file name -> sha256 of its bytes) is the asset's data version and the sensor's
cursor, so "a document was added or changed" means the same thing to both, whatever the files'
modification times say.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from ..resources import WarehouseResource

SOURCES_ASSET_KEY = dg.AssetKey("source_documents")
DOCUMENT_ASSET_KEY = dg.AssetKey("source_document")
# One partition per document of the sources folder, keyed by file name; its data version is the
# document's sha256. The sensor and the `source_documents` step add and delete partitions as files come
# and go, so the UI lists each document with its own history.
DOCUMENTS_PARTITIONS = dg.DynamicPartitionsDefinition(name="documents")
_INVALID_KEY_PARTS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")

source_document = dg.AssetSpec(
    DOCUMENT_ASSET_KEY,
    partitions_def=DOCUMENTS_PARTITIONS,
    group_name="sources",
    kinds={"file"},
    description="One document of the sources folder (partition = file name, data version = sha256 of its bytes).",
)


def partition_keys(names) -> list[str]:
    """The file names usable as partition keys (Dagster refuses a few substrings), sorted."""
    return sorted(name for name in names if not any(part in name for part in _INVALID_KEY_PARTS))


def sync_document_partitions(instance, names) -> dict[str, list[str]]:
    """Make the `documents` partitions equal these file names; return what was added and deleted."""
    wanted = set(partition_keys(names))
    existing = set(instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS.name))
    added, deleted = sorted(wanted - existing), sorted(existing - wanted)
    if added:
        instance.add_dynamic_partitions(DOCUMENTS_PARTITIONS.name, added)
    for key in deleted:
        instance.delete_dynamic_partition(DOCUMENTS_PARTITIONS.name, key)
    return {"added": added, "deleted": deleted}


class SourcesFolderMissing(FileNotFoundError):
    """The sources folder does not exist: nothing can be refreshed."""


def snapshot_sources(sources_dir: Path) -> dict[str, str]:
    """File name -> sha256 of every visible file of the folder (documents and the manifest), sorted.

    Names are as printable (control characters escaped) and a link out of the folder is never opened:
    its entry hashes what the link is (extract/source_files.py), so retargeting it is still a change.
    """
    from ..extract.source_files import fingerprints

    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise SourcesFolderMissing(f"sources folder not found: {sources_dir}")
    return fingerprints(sources_dir)


def snapshot_version(snapshot: dict[str, str]) -> str:
    """One hash for the whole folder: equal folders give equal versions."""
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()[:16]


def ignored_files(sources_dir: Path, snapshot: dict[str, str]) -> dict[str, str]:
    """Files the extraction will not read as documents, with why, so that none goes unmentioned."""
    from ..extract.pipeline import MANIFEST_NAME, source_files

    documents = {entry.name for entry in source_files(sources_dir)}
    reason = "not a document: hidden files are not read"
    return {name: reason for name in snapshot if name not in documents and name != MANIFEST_NAME}


@dg.asset(
    key=SOURCES_ASSET_KEY,
    group_name="sources",
    kinds={"file"},
    description="The documents of the sources folder with the sha256 of each: the input of every refresh.",
)
def source_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    sources_dir = warehouse.settings().sources_dir
    snapshot = snapshot_sources(sources_dir)
    ignored = ignored_files(sources_dir, snapshot)
    for name, reason in ignored.items():
        context.log.warning(f"{name} is ignored: {reason}")
    from ..extract.pipeline import MANIFEST_NAME

    partitions = sync_document_partitions(
        context.instance, [n for n in snapshot if n not in ignored and n != MANIFEST_NAME]
    )
    if partitions["added"] or partitions["deleted"]:
        context.log.info(
            f"document partitions: {len(partitions['added'])} added, {len(partitions['deleted'])} deleted"
        )
    rows = "\n".join(f"| {name} | `{sha}` |" for name, sha in snapshot.items())
    return dg.MaterializeResult(
        data_version=dg.DataVersion(snapshot_version(snapshot)),
        metadata={
            "sources_dir": dg.MetadataValue.path(str(sources_dir)),
            "files": len(snapshot),
            "ignored_files": dg.MetadataValue.json(ignored),
            "sha256": dg.MetadataValue.md("| file | sha256 |\n|---|---|\n" + rows),
        },
    )
