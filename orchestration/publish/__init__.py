"""Publishing: versioned, immutable, idempotent releases of the warehouse (Parquet + datapackage.json).

Public API (nothing runs at import):
- `publish_release(duckdb_path, target, sources=None, today=None, schema="marts", *, version=None,
  manifest_path=..., connection=None, now=None) -> ReleaseOutcome` (version date and `created` from one
  reading of orchestration/clock.py, Beijing time)
- `list_releases(target) -> list[ReleaseInfo]`, `latest_release(target) -> ReleaseInfo | None`
- `diff_releases(target, a, b) -> ReleaseDiff` (`.format()` gives Markdown)
- `connect_release(folder)`: a read-only DuckDB connection to a local release's cnbudget.duckdb
"""

from .catalog import ReleaseInfo
from .diff import ReleaseDiff, TableDiff
from .errors import KeyViolation, ReleaseError, ReleaseExists, ReleaseNotFound
from .history import diff_releases, latest_release, list_releases
from .release import ReleaseOutcome, publish_release
from .release_database import connect_release
from .sources import SourceDocument

__all__ = [
    "KeyViolation",
    "ReleaseDiff",
    "ReleaseError",
    "ReleaseExists",
    "ReleaseInfo",
    "ReleaseNotFound",
    "ReleaseOutcome",
    "SourceDocument",
    "TableDiff",
    "connect_release",
    "diff_releases",
    "latest_release",
    "list_releases",
    "publish_release",
]
