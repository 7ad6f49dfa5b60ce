"""Bytes to text: UTF-8 (with or without BOM) and GBK/GB18030, LF or CRLF, read the same.

A file that is none of these, or is empty or binary, raises `UnreadableDocument` naming the file,
so the pipeline can report it and go on with the other documents.
"""

from __future__ import annotations


class UnreadableDocument(Exception):
    """The document cannot be read as text; the message says why."""


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data[:4096]:
        return True
    sample = data[:4096]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return control > max(8, len(sample) // 50)


def decode_document(data: bytes, source_name: str) -> tuple[str, str]:
    """Return (text, encoding). Line ends are normalised to LF."""
    if not data.strip():
        raise UnreadableDocument(f"{source_name}: the file is empty")
    if _looks_binary(data):
        raise UnreadableDocument(f"{source_name}: the file is binary, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-bom"
        elif encoding == "utf-8-sig":
            encoding = "utf-8"
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
        if not _has_chinese(text):
            raise UnreadableDocument(f"{source_name}: decoded as {encoding} but holds no Chinese text")
        return text, encoding
    raise UnreadableDocument(f"{source_name}: not UTF-8 and not GBK/GB18030 text")


def _has_chinese(text: str) -> bool:
    return sum(1 for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff") >= 10
