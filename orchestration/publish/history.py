"""Published releases of a target and the differences between them (`cnbudget releases`, `cnbudget diff`)."""

from __future__ import annotations

from .catalog import ReleaseInfo, TargetState, release_info, release_snapshot, scan_target
from .diff import MAX_LISTED, ReleaseDiff, diff_snapshots
from .errors import ReleaseNotFound
from .target import ReleaseTarget

__all__ = ["ReleaseInfo", "ReleaseDiff", "list_releases", "latest_release", "diff_releases"]


def list_releases(target: str) -> list[ReleaseInfo]:
    """Published releases, oldest first: complete version folders up to LATEST (temporary ones never)."""
    store = ReleaseTarget(target)
    state = scan_target(store)
    return [
        release_info(store, version, state.complete[version], state.latest_pointer)
        for version in state.published
    ]


def latest_release(target: str) -> ReleaseInfo | None:
    releases = list_releases(target)
    return releases[-1] if releases else None


def _resolve(state: TargetState, name: str) -> str:
    version = state.latest_pointer if name.upper() == "LATEST" else name
    if version is None or version not in state.published:
        known = ", ".join(state.published) or "none"
        raise ReleaseNotFound(f"no published release {name!r} (published: {known})")
    return version


def diff_releases(target: str, a: str, b: str, max_listed: int = MAX_LISTED) -> ReleaseDiff:
    """What changed from release `a` to release `b` (either may be "LATEST"); `.format()` prints it."""
    store = ReleaseTarget(target)
    state = scan_target(store)
    old, new = _resolve(state, a), _resolve(state, b)
    return diff_snapshots(
        release_snapshot(store, old, state.complete[old]),
        release_snapshot(store, new, state.complete[new]),
        max_listed=max_listed,
    )
