"""Markdown rendering of a `ReleaseDiff`, shared by RELEASE_NOTES.md and `cnbudget diff A B`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diff import ReleaseDiff, TableDiff


def format_value(value: Any) -> str:
    """NULL for missing values; Decimals print with their scale (5368.6400), as stored."""
    return "NULL" if value is None else str(value)


def format_row(values: tuple[Any, ...]) -> str:
    return "(" + ", ".join(format_value(value) for value in values) + ")"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def format_diff(diff: ReleaseDiff) -> str:
    lines: list[str] = []
    if diff.old_version is None:
        lines += [f"## Contents of {diff.new_version or 'this release'} (first release)", ""]
        lines += ["No earlier release to compare with: every document and table is new.", ""]
    else:
        lines += [f"## What changed from {diff.old_version} to {diff.new_version or 'this release'}", ""]
    lines += _documents(diff) + _tables(diff) + _rows(diff)
    return "\n".join(lines).rstrip() + "\n"


def _documents(diff: ReleaseDiff) -> list[str]:
    lines = ["### Documents", ""]
    for source in diff.documents_added:
        lines.append(f"- added: `{source.source_name}` (sha256 `{source.sha256}`)")
    for change in diff.documents_changed:
        lines.append(
            f"- changed: `{change.source_name}` (sha256 `{change.old_sha256}` → `{change.new_sha256}`)"
        )
    for source in diff.documents_removed:
        lines.append(f"- removed: `{source.source_name}` (sha256 `{source.sha256}`)")
    if len(lines) == 2:
        lines.append("- no document added, changed or removed")
    return [*lines, ""]


def _tables(diff: ReleaseDiff) -> list[str]:
    lines = ["### Tables", ""]
    for name, rows in diff.tables_added:
        lines.append(f"- added: `{name}` ({_count(rows, 'row')})")
    for name, rows in diff.tables_removed:
        lines.append(f"- removed: `{name}` (had {_count(rows, 'row')})")
    if len(lines) == 2:
        lines.append("- no table added or removed")
    return [*lines, ""]


def _rows(diff: ReleaseDiff) -> list[str]:
    if not diff.tables:
        return []
    changed = [table for table in diff.tables if table.has_changes]
    lines = ["### Rows by table", ""]
    if not changed:
        return [*lines, "- no row added, removed or changed in any table", ""]
    lines += [
        "| table | rows before | rows after | added | removed | changed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for table in changed:
        changed_count = str(table.changed) if table.keyed else "–"
        lines.append(
            f"| `{table.table}` | {table.rows_before} | {table.rows_after} | {table.added} | {table.removed} "
            f"| {changed_count} |"
        )
    unchanged = [table.table for table in diff.tables if not table.has_changes]
    if unchanged:
        lines += ["", f"Unchanged: {', '.join(f'`{name}`' for name in unchanged)}."]
    lines.append("")
    for table in changed:
        lines += _table_details(table)
    return lines


def _more(total: int, listed: int, what: str) -> list[str]:
    return [f"- … and {total - listed} more {what}"] if total > listed else []


def _table_details(table: TableDiff) -> list[str]:
    lines = [f"#### `{table.table}`", ""]
    if table.keyed:
        lines.append(f"Rows identified by ({', '.join(table.key_columns)}).")
    else:
        lines.append(f"No primary key: rows compared whole, as ({', '.join(table.key_columns)}).")
    if table.note:
        lines.append(f"Note: {table.note}.")
    lines.append("")
    if table.columns_added:
        lines.append(f"- columns added: {', '.join(table.columns_added)}")
    if table.columns_removed:
        lines.append(f"- columns removed: {', '.join(table.columns_removed)}")
    for name, before, after in table.columns_retyped:
        lines.append(f"- column type changed: {name} {before} → {after}")
    for row in table.changed_rows:
        changes = "; ".join(
            f"{name} `{format_value(before)}` → `{format_value(after)}`"
            for name, before, after in row.changes
        )
        lines.append(f"- changed {format_row(row.key)}: {changes}")
    lines += _more(table.changed, len(table.changed_rows), "changed")
    for row in table.added_rows:
        lines.append(f"- added {format_row(row)}")
    lines += _more(table.added, len(table.added_rows), "added")
    for row in table.removed_rows:
        lines.append(f"- removed {format_row(row)}")
    lines += _more(table.removed, len(table.removed_rows), "removed")
    return [*lines, ""]
