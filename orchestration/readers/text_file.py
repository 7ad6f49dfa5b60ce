"""Text extracted from a PDF or Word file (.txt, .text, .tsv): bytes decoded, then its layout read.

The text limits of readers/limits.py are checked on the decoded text before any layout is read, so
a file of one endless line or of millions of lines is refused with its reason in linear time.
"""

from __future__ import annotations

from .decoding import UnreadableDocument, decode_text
from .grid import Grid
from .limits import MAX_LINE_CHARS, MAX_TEXT_LINES
from .text_layouts import read_text


def check_text_limits(text: str, name: str) -> None:
    """Raise `UnreadableDocument` for a line longer than MAX_LINE_CHARS or more than MAX_TEXT_LINES lines."""
    lines = text.count("\n") + 1
    if lines > MAX_TEXT_LINES:
        raise UnreadableDocument(
            f"{name}: {lines:,} lines, over the limit of {MAX_TEXT_LINES:,} lines for text documents "
            "(orchestration/readers/limits.py)"
        )
    start = 0
    for number in range(1, lines + 1):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if end - start > MAX_LINE_CHARS:
            raise UnreadableDocument(
                f"{name}: line {number} has {end - start:,} characters, over the limit of "
                f"{MAX_LINE_CHARS:,} for text documents (orchestration/readers/limits.py): "
                "is it really text extracted from a document?"
            )
        start = end + 1


def read_text_file(data: bytes, name: str) -> Grid:
    text, encoding, cut = decode_text(data, name)
    check_text_limits(text, name)
    grid = read_text(text, name)
    grid.details["encoding"] = encoding
    if cut:
        grid.details["cut"] = cut
    return grid
