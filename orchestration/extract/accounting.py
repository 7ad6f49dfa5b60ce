"""Count the amounts a table prints without any recogniser, then hold the recogniser to that count.

The count reads only the grid: every cell of the table's rows (header and body) that is an amount or
was meant to be one ("4.5O"), except classification codes (a run of 类 | 款 | 项 digits, or a code
cell, before its name), 序号 / 行次 columns and rows of column numbers. A recogniser that misreads a
table's columns therefore cannot lose a number without a trace: an amount it neither emits nor
quarantines is quarantined here, and the table gets an error-level finding.

Performance tables are held to the same count on the rows their readers read as funding lines
(`funding_amounts`): there an amount may also be printed as letters alone ("O" for 0) after a label.
"""

from __future__ import annotations

import re
from collections import Counter

from ..readers.grid import Row, squash
from .numbers import is_amount_like, is_digit_lookalike, parse_amount
from .registry import Registry
from .segment import TableBlock

_CODE_HEAD = re.compile(r"^\d{3,7}$")
_CODE_PART = re.compile(r"^\d{2}$")
_COLUMN_NUMBER = re.compile(r"^\d{1,2}$")


def code_cells(cells: tuple[str, ...]) -> set[int]:
    """Indexes of the cells that print a classification code: a 3–7 digit cell followed by its name,
    directly or through the 2-digit 款 / 项 cells of a split code (blanks allowed between). Through a
    blank only where the code opens the row or a block (after an amount): an integer after a name and
    a blank cell is an amount."""
    found: set[int] = set()
    previous = ""
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        if _CODE_HEAD.match(text) and index not in found:
            opens = not previous or is_amount_like(previous)
            run = [index]
            j = index + 1
            while j < len(cells) and (not cells[j].strip() or _CODE_PART.match(cells[j].strip())):
                if cells[j].strip():
                    run.append(j)
                j += 1
            named = j < len(cells) and not is_amount_like(cells[j].strip())
            if named and (opens or j == index + 1 or len(run) > 1):
                found.update(run)
        previous = text
    return found


def _structural_columns(rows: list[Row], registry: Registry) -> set[int]:
    return {
        index
        for row in rows
        for index, cell in enumerate(row.cells)
        if squash(cell) in registry.structural_headers
    }


def _is_column_numbers(row: Row) -> bool:
    first = squash(row.cells[0]) if row.cells else ""
    filled = [c.strip() for c in row.cells if c.strip()]
    return first == "栏次" or (len(filled) > 1 and all(_COLUMN_NUMBER.match(c) for c in filled))


def is_printed_amount(text: str) -> bool:
    """A cell that states an amount, or was meant to (an unreadable number)."""
    amount = parse_amount(text)
    return amount.value is not None or bool(amount.problem and "unreadable number" in amount.problem)


def printed_amounts(block: TableBlock, registry: Registry) -> Counter:
    """(line, cell as printed) of every amount the table's rows print."""
    structural = _structural_columns(block.rows, registry)
    printed: Counter = Counter()
    for row in block.rows:
        if _is_column_numbers(row):
            continue
        codes = code_cells(row.cells)
        for index, raw in enumerate(row.cells):
            text = raw.strip()
            if text and index not in structural and index not in codes and is_printed_amount(text):
                printed[(row.line, text)] += 1
    return printed


def funding_amounts(row: Row) -> list[str]:
    """The amount cells of a funding line, as printed: amounts, unreadable ones, and cells of letters
    that look like digits ("O") in a line that has a label."""
    filled = [text.strip() for _, text in row.filled]
    labelled = any(not is_amount_like(text) and not is_digit_lookalike(text) for text in filled)
    return [t for t in filled if is_printed_amount(t) or (labelled and is_digit_lookalike(t))]


def placed_amounts(cells: list, quarantine: list) -> Counter:
    """(line, cell as printed) of every fact and quarantined cell a recogniser wrote."""
    placed = Counter((c.line_number, c.raw_value) for c in cells)
    placed.update((q.line_number, q.raw_value) for q in quarantine)
    return placed


def rows_by_line(block: TableBlock) -> dict[int, Row]:
    return {row.line: row for row in block.rows}
