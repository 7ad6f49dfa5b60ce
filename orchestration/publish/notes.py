"""RELEASE_NOTES.md: version, date, contract, row counts, and what changed since the previous release."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from .diff import ReleaseDiff

NOTES_NAME = "RELEASE_NOTES.md"


def render_release_notes(
    *,
    version: str,
    today: datetime.date,
    contract_version: str,
    content_hash: str,
    row_counts: Mapping[str, int],
    diff: ReleaseDiff,
    warnings: Iterable[str] = (),
) -> str:
    """Deterministic text: nothing in it depends on the clock beyond the release date."""
    lines = [
        f"# cnbudget release {version}",
        "",
        f"- Date: {today.isoformat()}",
        f"- Contract: {contract_version}",
        f"- Previous release: {diff.old_version or 'none'}",
        f"- Content hash: sha256:{content_hash}",
        f"- Tables: {len(row_counts)}; rows: {sum(row_counts.values())}",
        "",
        "## Row counts",
        "",
        "| table | rows |",
        "|---|---:|",
    ]
    lines += [f"| `{name}` | {count} |" for name, count in sorted(row_counts.items())]
    lines += [f"| **total** | {sum(row_counts.values())} |", ""]
    warnings = list(warnings)
    if warnings:
        lines += ["## Warnings", ""] + [f"- {warning}" for warning in warnings] + [""]
    lines.append(diff.format().rstrip())
    return "\n".join(lines) + "\n"
