"""Looking up what an extraction read, for the tests that assert figures read off the documents by hand.

An extraction here is anything with `cells` (raw.cells rows) and `tables` (raw.tables rows): a
document's (extract_document) or its financial part's (extract_financial).
"""

from __future__ import annotations

from decimal import Decimal

# The five seed documents of sources/, by their number.
SEED_FILES = {
    "000": "000_3dc14b99499346cd.txt",
    "001": "001_c9601cb349fb6821.txt",
    "002": "002_0851205fe117d4ca.txt",
    "003": "003_fea1944156b82701.txt",
    "004": "004_909d9174802cb080.txt",
}


def matching_cells(extraction, **where) -> list[dict]:
    """The cells whose columns have the values given."""
    return [c for c in extraction.cells if all(c.get(k) == v for k, v in where.items())]


def one_amount(extraction, **where) -> Decimal:
    """The amount of the one cell that matches (fails when none or several do)."""
    found = matching_cells(extraction, **where)
    assert len(found) == 1, f"{len(found)} cells match {where}: {found}"
    return found[0]["amount"]


def table_seq_of_kind(extraction, kind: str) -> int:
    """The table_seq of the one table of that kind."""
    (seq,) = [t["table_seq"] for t in extraction.tables if t["table_kind"] == kind]
    return seq
