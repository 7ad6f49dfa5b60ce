"""Text extracted from a PDF or Word file (.txt, .text, .tsv): bytes decoded, then its layout read."""

from __future__ import annotations

from .decoding import decode_document
from .grid import Grid
from .text_layouts import read_text


def read_text_file(data: bytes, name: str) -> Grid:
    text, encoding = decode_document(data, name)
    grid = read_text(text, name)
    grid.details["encoding"] = encoding
    return grid
