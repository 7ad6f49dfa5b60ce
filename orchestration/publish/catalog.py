"""What a release target holds: which versions are published, complete, unfinished or temporary.

A version folder is *complete* when its `datapackage.json` names it and every file the package lists
(`cnbudget:files`) is there with its size. It is *published* (visible) when it is complete and not newer
than `LATEST`: on object stores, where the final rename is a copy, the pointer written last is what
makes a release visible. Temporary folders (`.tmp-…`) are never listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import datapackage as dp
from .snapshot import Column, Snapshot, TableSnapshot
from .sources import sources_from_json
from .target import LATEST_NAME, TEMP_PREFIX, ReleaseTarget
from .versions import is_version, sort_versions, version_key


@dataclass(frozen=True)
class ReleaseInfo:
    version: str
    created: str | None
    row_counts: dict[str, int]
    total_rows: int
    path: str  # local path, or URL for remote targets
    content_hash: str | None
    contract_version: str | None
    is_latest: bool


@dataclass(frozen=True)
class TargetState:
    latest_pointer: str | None  # what LATEST says (None when absent or unreadable)
    complete: dict[str, dict[str, Any]] = field(default_factory=dict)  # version -> descriptor, ascending
    incomplete: tuple[str, ...] = ()  # version-named folders that are not complete releases
    temporary: tuple[str, ...] = ()  # .tmp-* leftovers of interrupted publishes
    listed: tuple[str, ...] = ()  # every version-named folder, read or not (scan_target's newest_only)

    @property
    def newest_complete(self) -> str | None:
        return next(reversed(self.complete), None)

    @property
    def published(self) -> list[str]:
        if self.latest_pointer is None:
            return []
        pointer = version_key(self.latest_pointer)
        return [version for version in self.complete if version_key(version) <= pointer]

    @property
    def all_versions(self) -> list[str]:
        return sort_versions({*self.complete, *self.incomplete, *self.listed})


def read_latest_pointer(target: ReleaseTarget) -> str | None:
    try:
        text = target.read_text(LATEST_NAME).strip()
    except FileNotFoundError:
        return None
    return text if is_version(text) else None


def read_complete_descriptor(target: ReleaseTarget, version: str) -> dict[str, Any] | None:
    """The descriptor of a complete release folder, or None when anything is missing or truncated."""
    try:
        descriptor = json.loads(target.read_text(version, dp.DATAPACKAGE_NAME))
    except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    files = descriptor.get(dp.FILES) if isinstance(descriptor, dict) else None
    if not isinstance(files, dict) or descriptor.get("version") != version:
        return None
    sizes = target.file_sizes(version)
    if any(sizes.get(name) != size for name, size in files.items()):
        return None
    return descriptor


def scan_target(target: ReleaseTarget, newest_only: bool = False) -> TargetState:
    """Every release folder of the target, classified by reading its descriptor.

    `newest_only` (publishing): folders are read newest first, and reading stops at the first complete
    release that LATEST does not precede, so `complete` holds that release alone and `incomplete` the
    unfinished folders newer than it. A descriptor lists every document the release was built from
    (3 MB for 10,000 documents): a target with a release a day would otherwise parse them all at every
    refresh, twice."""
    pointer = read_latest_pointer(target)
    versions, temporary = [], []
    for name, is_folder in target.entries():
        if name.startswith(TEMP_PREFIX):
            temporary.append(name)
        elif is_folder and is_version(name):
            versions.append(name)
    complete: dict[str, dict[str, Any]] = {}
    incomplete = []
    for name in reversed(sort_versions(versions)):
        descriptor = read_complete_descriptor(target, name)
        if descriptor is None:
            incomplete.append(name)
            continue
        complete[name] = descriptor
        if newest_only and (pointer is None or version_key(name) <= version_key(pointer)):
            break
    return TargetState(
        latest_pointer=pointer,
        complete={version: complete[version] for version in sort_versions(complete)},
        incomplete=tuple(sort_versions(incomplete)),
        temporary=tuple(sorted(temporary)),
        listed=tuple(sort_versions(versions)),
    )


def row_counts(descriptor: dict[str, Any]) -> dict[str, int]:
    return {resource["name"]: int(resource.get(dp.ROWS, 0)) for resource in descriptor.get("resources", [])}


def release_info(
    target: ReleaseTarget, version: str, descriptor: dict[str, Any], latest: str | None
) -> ReleaseInfo:
    counts = row_counts(descriptor)
    return ReleaseInfo(
        version=version,
        created=descriptor.get("created"),
        row_counts=counts,
        total_rows=sum(counts.values()),
        path=target.display(version),
        content_hash=descriptor.get(dp.CONTENT_HASH),
        contract_version=descriptor.get(dp.CONTRACT_VERSION),
        is_latest=version == latest,
    )


def release_snapshot(target: ReleaseTarget, version: str, descriptor: dict[str, Any]) -> Snapshot:
    """A published release as a snapshot; Parquet files are read (by DuckDB) only when a diff asks for
    rows: in place on a local target, downloaded to the diff's scratch folder from an object store."""
    tables = {}
    for resource in descriptor.get("resources", []):
        schema = resource.get("schema", {})
        columns = tuple(
            Column(field_["name"], field_.get(dp.SQL_TYPE) or field_.get("type", "any"))
            for field_ in schema.get("fields", [])
        )
        primary_key = schema.get("primaryKey") or []
        primary_key = (primary_key,) if isinstance(primary_key, str) else tuple(primary_key)
        file_name = resource["path"]

        def locate(scratch: Path, file_name: str = file_name) -> Path:
            if target.is_local:
                return Path(target.path(version, file_name))
            local = scratch / f"{version}-{file_name}"
            if not local.exists():
                target.fs.get_file(target.path(version, file_name), str(local))
            return local

        tables[resource["name"]] = TableSnapshot(
            name=resource["name"],
            columns=columns,
            primary_key=primary_key,
            content_hash=resource.get(dp.CONTENT_HASH, ""),
            rows=int(resource.get(dp.ROWS, 0)),
            locator=locate,
        )
    return Snapshot(version=version, tables=tables, sources=sources_from_json(descriptor.get("sources", [])))
