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
    text, encoding, _ = decode_text(data, source_name)
    return text, encoding


def decode_text(data: bytes, source_name: str) -> tuple[str, str, str | None]:
    """Return (text, encoding, cut): `cut` says so when the file ends in the middle of a character
    (a download or copy cut short); the characters before it are read, the torn one is dropped."""
    if not data.strip():
        raise UnreadableDocument(f"{source_name}: the file is empty")
    if _looks_binary(data):
        raise UnreadableDocument(f"{source_name}: the file is binary, not text")
    for codec in ("utf-8-sig", "gb18030"):
        decoded = _decode(data, codec)
        if decoded is None:
            continue
        text, cut = decoded
        encoding = codec
        if codec == "utf-8-sig":
            encoding = "utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
        if not _has_chinese(text):
            raise UnreadableDocument(f"{source_name}: decoded as {encoding} but holds no Chinese text")
        if cut:
            cut = f"the file ends in the middle of a {encoding} character ({cut}): it was cut off"
        return text, encoding, cut
    raise UnreadableDocument(f"{source_name}: not UTF-8 and not GBK/GB18030 text")


def _decode(data: bytes, codec: str) -> tuple[str, str | None] | None:
    """(text, None) when `data` is valid in `codec`; (text of all but a torn last character, what was
    torn) when only its last bytes are the start of a character; None otherwise."""
    try:
        return data.decode(codec), None
    except UnicodeDecodeError as error:
        torn = len(data) - error.start
        if error.reason != "unexpected end of data" and not (codec == "gb18030" and torn == 1):
            return None
        if not 0 < torn < 4:
            return None
        try:
            text = data[: error.start].decode(codec)
        except UnicodeDecodeError:
            return None
        return text, f"its last {torn} byte{'s' if torn > 1 else ''} {data[error.start :].hex(' ')}"


def _has_chinese(text: str) -> bool:
    return sum(1 for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff") >= 10
