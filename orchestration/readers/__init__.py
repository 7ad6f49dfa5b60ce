"""Readers: each file format becomes one `Grid` of rows and cells (see grid.py)."""

from .decoding import UnreadableDocument, decode_document
from .formats import detect_format, known_suffixes, read_document
from .grid import Grid, Origin, Row, squash
from .text_layouts import detect_layout, read_text

__all__ = [
    "Grid",
    "Origin",
    "Row",
    "UnreadableDocument",
    "decode_document",
    "detect_format",
    "detect_layout",
    "known_suffixes",
    "read_document",
    "read_text",
    "squash",
]
