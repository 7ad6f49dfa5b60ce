"""Extract every document of a sources folder: read, infer metadata, recognise tables.

One document's failure never stops the others: an unreadable file becomes a `documents` row with
status 'unreadable' and an error-level issue naming it, and the run goes on.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from ..readers import UnreadableDocument, read_document
from .completeness import check_completeness
from .financial import extract_financial
from .manifest import apply_manifest, load_manifest
from .metadata import document_key, infer_metadata
from .performance import extract_performance
from .result import DocumentExtraction
from .source_files import SourceFile, classify, scan_folder

MANIFEST_NAME = "manifest.yaml"


def source_files(sources_dir: Path) -> list[SourceFile]:
    """Every file of the folder is a document, in a deterministic order; the manifest and hidden files
    excluded. A file no reader accepts, or that is not safe to read (a link out of the folder, an
    unsafe name: see source_files.py), is still listed: it becomes an 'unreadable' document with its
    reason, never a file nobody mentions."""
    return [entry for entry in scan_folder(Path(sources_dir)) if entry.path.name != MANIFEST_NAME]


def list_source_documents(sources_dir: Path) -> list[Path]:
    return [entry.path for entry in source_files(sources_dir)]


def _skipped(source: SourceFile, error: str, status: str = "unreadable") -> DocumentExtraction:
    """A document that yields nothing: recorded with the reason, and an error-level issue naming it."""
    name = source.name
    key = document_key(name)
    document = {
        "document_key": key,
        "source_name": name,
        "sha256": _fingerprint(source),
        "status": status,
        "error": error,
    }
    verb = "could not be read" if status == "unreadable" else "could not be extracted"
    issue = {
        "document_key": key,
        "check_name": "document_readable" if status == "unreadable" else "document_extracted",
        "severity": "error",
        "source_table": None,
        "table_seq": None,
        "detail": f"document {name} {verb} and was skipped: {error}",
    }
    return DocumentExtraction(source_name=name, document=document, issues=[issue])


def _fingerprint(source: SourceFile) -> str:
    """The entry's sha256; a file that vanished or cannot be opened still gets a row, with no hash."""
    try:
        return source.fingerprint()
    except OSError:
        return "unavailable"


def extract_document(source: Path | SourceFile, manifest_entry: dict | None = None) -> DocumentExtraction:
    if not isinstance(source, SourceFile):
        source = classify(Path(source), Path(source).parent)
    name = source.name
    try:
        data = source.read()
        grid = read_document(data, name)
    except UnreadableDocument as exc:
        return _skipped(source, str(exc))
    metadata = apply_manifest(infer_metadata(grid, name, data), manifest_entry)
    document = {
        **metadata.as_row(),
        "status": "read",
        "error": None,
        "encoding": grid.details.get("encoding"),
        "layout": grid.layout,
    }
    extraction = DocumentExtraction(source_name=name, document=document)

    financial = extract_financial(grid, metadata)
    extraction.tables += financial.tables
    extraction.cells += financial.cells
    extraction.quarantine += financial.quarantine
    extraction.issues += financial.issues
    extraction.issues += [
        {
            "document_key": metadata.document_key,
            "check_name": "metadata_consistent",
            "severity": "warning",
            "source_table": None,
            "table_seq": None,
            "detail": conflict,
        }
        for conflict in metadata.conflicts
    ]
    if grid.details.get("image_only_pages"):
        extraction.issues.append(
            {
                "document_key": metadata.document_key,
                "check_name": "document_text_layer",
                "severity": "warning",
                "source_table": None,
                "table_seq": None,
                "detail": (
                    f"page(s) {grid.details['image_only_pages']} of {name} are images without a text "
                    "layer (scanned): what they print is not read; OCR needed"
                ),
            }
        )

    performance = extract_performance(grid, metadata.document_key, financial.budget_projects)
    extraction.tables += performance.tables
    extraction.quarantine += performance.quarantine
    extraction.issues += performance.issues
    extraction.performance = {
        "performance_target": performance.targets,
        "performance_evaluation": performance.evaluations,
        "performance_project": performance.projects,
        "performance_funding": performance.funding,
    }
    # Last: whether the document is whole is judged on everything the readers found in it.
    extraction.issues += check_completeness(
        grid, metadata, extraction.tables, extraction.cells, extraction.issues
    )
    return extraction


def extract_sources(sources_dir: Path) -> list[DocumentExtraction]:
    """Extract every document of the folder; raises only when the folder itself is unusable."""
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise FileNotFoundError(f"sources folder not found: {sources_dir}")
    files = source_files(sources_dir)
    manifest = load_manifest(sources_dir, [entry.name for entry in files if entry.problem is None])
    return [_extract_or_report(entry, manifest.get(entry.name)) for entry in files]


def _extract_or_report(source: SourceFile, manifest_entry: dict | None) -> DocumentExtraction:
    """One document's unexpected failure is reported with its cause; the other documents go on."""
    try:
        return extract_document(source, manifest_entry)
    except Exception as exc:  # any failure of one document must not stop the run
        where = traceback.extract_tb(exc.__traceback__)[-1]
        cause = f"{type(exc).__name__}: {exc} (in {Path(where.filename).name}, line {where.lineno})"
        return _skipped(source, cause, status="failed")
