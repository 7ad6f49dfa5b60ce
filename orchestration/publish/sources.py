"""The source documents a release was built from: recorded so the next release can say what changed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class SourceDocument:
    source_name: str  # file name in the sources folder
    sha256: str  # of the file's bytes
    document_key: str | None = None  # the warehouse's key of the document


def canonical_sources(sources: Iterable[SourceDocument]) -> tuple[SourceDocument, ...]:
    """Sorted and deduplicated, so the same documents always hash and print the same way."""
    return tuple(sorted(set(sources), key=lambda s: (s.source_name, s.sha256, s.document_key or "")))


def read_source_documents(connection: duckdb.DuckDBPyConnection) -> tuple[SourceDocument, ...]:
    """Every document the extraction saw (`raw.documents`, unreadable ones included); none without it."""
    # fetchall, not fetchone: a result left unfinished blocks the connection's next relation query
    (exists,) = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'raw' and table_name = 'documents'"
    ).fetchall()
    if not exists[0]:
        return ()
    rows = connection.execute(
        "select source_name, sha256, document_key from raw.documents order by source_name, sha256"
    ).fetchall()
    return canonical_sources(SourceDocument(name, sha, key) for name, sha, key in rows)


def sources_to_json(sources: Iterable[SourceDocument]) -> list[dict[str, str]]:
    """Frictionless `sources` entries: title and path are the file name; sha256 and key are ours."""
    entries = []
    for source in sources:
        entry = {"title": source.source_name, "path": source.source_name, "sha256": source.sha256}
        if source.document_key is not None:
            entry["document_key"] = source.document_key
        entries.append(entry)
    return entries


def sources_from_json(entries: Iterable[dict]) -> tuple[SourceDocument, ...]:
    return canonical_sources(
        SourceDocument(entry["title"], entry.get("sha256", ""), entry.get("document_key"))
        for entry in entries
    )


def documents_for_release(
    sources: Iterable[SourceDocument] | str | os.PathLike | None, connection: duckdb.DuckDBPyConnection
) -> tuple[tuple[SourceDocument, ...], list[str]]:
    """The documents a release records, and warnings.

    `None`: the warehouse's `raw.documents` (what the data was built from). A folder: the same, checked
    against the files there, so a document edited after the warehouse was built is reported, not hidden.
    A list: recorded as given.
    """
    if sources is None:
        return read_source_documents(connection), []
    if isinstance(sources, str | os.PathLike):
        folder = Path(sources)
        documents = read_source_documents(connection)
        warnings = []
        current = _fingerprints(folder)
        for document in documents:
            file = folder / document.source_name
            if document.source_name in current and current[document.source_name] != document.sha256:
                warnings.append(
                    f"{file} changed since the warehouse was built: the release records the warehouse's "
                    f"sha256 {document.sha256}"
                )
        return documents, warnings
    return canonical_sources(sources), []


def _fingerprints(folder: Path) -> dict[str, str]:
    """The folder's files by name, hashed as the extraction hashes them (links out of it never opened)."""
    from ..extract.source_files import fingerprints

    return fingerprints(folder) if folder.is_dir() else {}
