"""Readers: each text layout becomes one `Grid` of rows and cells."""

from .decoding import UnreadableDocument, decode_document
from .grid import Grid, Row, squash
from .text_layouts import detect_layout, read_text

__all__ = ["Grid", "Row", "UnreadableDocument", "decode_document", "detect_layout", "read_text", "squash"]
