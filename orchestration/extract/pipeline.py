"""Extract every document of a sources folder: read, infer metadata, recognise tables.

One document's failure never stops the others: an unreadable file becomes a `documents` row with
status 'unreadable' and an error-level issue naming it, and the run goes on. A document read whole
but whose department, year or type is unknown (after the manifest) cannot publish a fact, as every
fact is keyed by them: an error-level `document_identified` issue names what is missing and the
manifest entry that fixes it, and holds back all its tables (their cells go to quarantine), so
dbt's keys stay whole and the other documents publish.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from ..readers import UnreadableDocument, read_document
from .completeness import check_completeness
from .financial import extract_financial
from .manifest import apply_manifest, load_manifest
from .metadata import DOC_TYPES, REQUIRED_FIELDS, DocumentMetadata, document_key, infer_metadata
from .performance import extract_performance
from .result import DocumentExtraction
from .segment import segment_document
from .source_files import SourceFile, classify, scan_folder
from .standard_tables import standard_table_issues

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
    identification = _identification_issues(metadata)
    held_back = [i["detail"] for i in identification if i["severity"] == "error"]
    document = {
        **metadata.as_row(),
        "status": "read",
        "error": "held back: " + "; ".join(held_back) if held_back else None,
        "encoding": grid.details.get("encoding"),
        "layout": grid.layout,
    }
    extraction = DocumentExtraction(source_name=name, document=document, issues=identification)

    tables = segment_document(grid)  # every table, financial or performance, numbered in document order
    financial = extract_financial(grid, metadata, blocks=tables.financial)
    extraction.tables += financial.tables
    extraction.cells += financial.cells
    extraction.quarantine += financial.quarantine
    extraction.blank_totals += financial.blank_totals
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
    extraction.issues += standard_table_issues(grid, metadata, financial.tables)

    performance = extract_performance(
        grid, metadata.document_key, financial.budget_projects, spans=tables.performance
    )
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


# What to write in the manifest for each field the document may not give.
_MANIFEST_HINTS = {
    "department_name": "<the department's name>",
    "fiscal_year": "<the year, e.g. 2024>",
    "doc_type": "<" + "|".join(DOC_TYPES) + ">",
    "division_code": "<its 6-digit 行政区划代码>",
}


def _identification_issues(metadata: DocumentMetadata) -> list[dict]:
    """One issue per field the document and its manifest entry leave unknown, with why and the fix:
    an error for a field every fact is keyed by (the document is held back: table_seq NULL names
    the whole document), a warning for the region (the facts publish, placed nowhere)."""
    issues = []
    missing = metadata.missing
    if any(name in REQUIRED_FIELDS for name in missing):
        # A document held back publishes no department: where it sits is moot until it is named.
        missing = {name: why for name, why in missing.items() if name in REQUIRED_FIELDS}
    for name, why in sorted(missing.items()):
        required = name in REQUIRED_FIELDS
        consequence = (
            "every table of the document is held back (its cells are quarantined)"
            if required
            else "the department is published without its region"
        )
        issues.append(
            {
                "document_key": metadata.document_key,
                "check_name": "document_identified",
                "severity": "error" if required else "warning",
                "source_table": None,
                "table_seq": None,
                "detail": f"{name} of {metadata.source_name} not read ({why}): {consequence}; "
                f"give it in the sources folder's manifest.yaml: "
                f'"{metadata.source_name}: {{{name}: {_MANIFEST_HINTS[name]}}}"',
            }
        )
    return issues


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
