"""Which reader a file needs: told from its bytes first, its name second.

A government download is often misnamed (an .xls that is really HTML, a .doc that is a .docx), so the
file's leading bytes decide where they are unambiguous (PDF, ZIP containers, OLE2, HTML); the suffix
decides between formats that share a container (.xlsx and .docx are both ZIP). A file no reader
accepts raises `UnreadableDocument` with the reason, so it is reported, never skipped in silence.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from .decoding import UnreadableDocument
from .grid import Grid
from .limits import check_file_size

# Suffixes of the files the extraction reads, by format. Anything else in the sources folder is still
# a document (status 'unreadable', with its reason) so that nothing dropped there goes unmentioned.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "text": (".txt", ".text", ".tsv"),
    "pdf": (".pdf",),
    "xlsx": (".xlsx", ".xlsm"),
    "xls": (".xls",),
    "docx": (".docx",),
    "html": (".html", ".htm", ".shtml", ".xhtml"),
}
# module:function of each format's reader, imported on first use (nothing heavy at import time).
READERS: dict[str, str] = {
    "text": "orchestration.readers.text_file:read_text_file",
    "pdf": "orchestration.readers.pdf:read_pdf",
    "xlsx": "orchestration.readers.spreadsheet:read_xlsx",
    "xls": "orchestration.readers.spreadsheet:read_xls",
    "docx": "orchestration.readers.word:read_docx",
    "html": "orchestration.readers.html:read_html",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx/.docx is an OLE2 file holding the real package in a stream of this name.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def known_suffixes() -> tuple[str, ...]:
    return tuple(s for suffixes in SUFFIXES.values() for s in suffixes)


def _zip_format(data: bytes, name: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(f"{name}: a damaged ZIP container (Office file or archive): {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise UnreadableDocument(
        f"{name}: a ZIP archive, not a document: unpack it and put its files in the sources folder"
    )


def detect_format(data: bytes, name: str) -> str:
    """The format of a file, from its leading bytes and then its suffix."""
    head = data[:1024].lstrip()
    suffix = Path(name).suffix.lower()
    if data[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data, name)
    if data.startswith(_OLE2):
        if _ENCRYPTED_PACKAGE in data:
            raise UnreadableDocument(
                f"{name}: an encrypted (password-protected) Office file: publish or save it without a password"
            )
        if suffix == ".xls" or suffix not in known_suffixes():
            return "xls"
        if suffix in (".doc", ".docx"):
            raise UnreadableDocument(f"{name}: a Word 97-2003 (.doc) file: save it as .docx or PDF")
        return "xls"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or (
        b"<table" in lowered and suffix in SUFFIXES["html"]
    ):
        return "html"
    for format_name, suffixes in SUFFIXES.items():
        if suffix in suffixes:
            return format_name
    if suffix in (".doc", ".wps", ".et", ".rar", ".7z", ".ofd"):
        raise UnreadableDocument(
            f"{name}: {suffix} files cannot be read: publish or convert to PDF, DOCX or XLSX"
        )
    raise UnreadableDocument(f"{name}: unknown file type {suffix or '(no suffix)'}")


def reader_for(format_name: str) -> Callable[[bytes, str], Grid]:
    module, function = READERS[format_name].split(":")
    return getattr(importlib.import_module(module), function)


def read_document(data: bytes, name: str) -> Grid:
    """The file's bytes as one `Grid`; `UnreadableDocument` (naming the file) when it cannot be read."""
    if not data.strip():
        raise UnreadableDocument(f"{name}: the file is empty")
    format_name = detect_format(data, name)
    check_file_size(len(data), format_name, name)  # before any reader runs (readers/limits.py)
    grid = reader_for(format_name)(data, name)
    grid.details.setdefault("format", format_name)
    return grid
