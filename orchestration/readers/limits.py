"""Size limits of the inputs, in one place: what a document may weigh before any reader runs.

A disclosure is a few hundred kilobytes of text, or a few megabytes of PDF or spreadsheet; the
largest provincial budgets print a few thousand pages. The limits below sit well above that, and
well below what would make a refresh run for minutes or exhaust memory on a hostile or broken file
(a 50 MB text file did not finish in 300 s; one 750,000-character line took a minute). A file over a
limit is an unreadable document whose reason names the limit — the other documents go on.

Every reader imports its limits from here (README, "Limits of the inputs", lists them):

- bytes per file, by format, checked on the file's size before it is read (`check_file_size`);
- text: characters per line and lines per file (readers/text_file.py);
- PDF: pages per file; spreadsheets: cells per sheet (for the PDF and spreadsheet readers);
- the sources manifest: bytes, YAML nesting depth, aliases and nodes (extract/manifest.py).
"""

from __future__ import annotations

from .decoding import UnreadableDocument

MB = 1024 * 1024

# Bytes per file, by format (the keys of readers/formats.py SUFFIXES).
MAX_FILE_BYTES: dict[str, int] = {
    "text": 8 * MB,  # ~10x the largest seed-like budget text; extraction stays well under a minute
    "pdf": 100 * MB,
    "xlsx": 50 * MB,
    "xls": 50 * MB,
    "docx": 50 * MB,
    "html": 20 * MB,
}
# No file of any format is read beyond this (the largest per-format limit).
MAX_ANY_FILE_BYTES = max(MAX_FILE_BYTES.values())

# Text documents.
MAX_LINE_CHARS = 50_000  # a printed table row is at most a few thousand characters
MAX_TEXT_LINES = 500_000

# PDF and spreadsheets (enforced by their readers).
MAX_PDF_PAGES = 3_000
MAX_SHEET_CELLS = 2_000_000  # rows x columns of one sheet's used range

# The sources manifest (sources/manifest.yaml).
MAX_MANIFEST_BYTES = 1 * MB
MAX_MANIFEST_DEPTH = 10  # mapping of files -> fields -> values: three levels are enough
MAX_MANIFEST_ALIASES = 100
MAX_MANIFEST_NODES = 100_000  # nodes after aliases are expanded


def describe_bytes(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} bytes"


def check_file_size(size: int, format_name: str | None, name: str) -> None:
    """Raise `UnreadableDocument` when a file of `size` bytes is over its format's limit (or over
    every format's limit when the format is not known yet)."""
    limit = MAX_FILE_BYTES.get(format_name, MAX_ANY_FILE_BYTES) if format_name else MAX_ANY_FILE_BYTES
    if size > limit:
        kind = f"{format_name} documents" if format_name else "any document"
        raise UnreadableDocument(
            f"{name}: the file is {describe_bytes(size)}, over the {describe_bytes(limit)} limit for {kind} "
            "(orchestration/readers/limits.py): split it or check that it is the right file"
        )
