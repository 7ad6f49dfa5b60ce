"""Reading printed amounts exactly: Decimal, never float.

Disclosures print "1,803.18", "１８０３．１８", "12948.5", "-" or "—" for nothing, and sometimes
an OCR slip such as "4.5O". A cell is either empty (no fact), an amount, or unreadable (quarantined
with the reason): never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_DASHES = {"-", "—", "——", "–", "/", "－"}
_RULE = re.compile(r"^[-—–－=_]+$")  # a ruled line ("---------") drawn under a header
# Something meant as a number: digits with a stray letter or symbol (OCR), e.g. "4.5O", "1,2O3.00".
_NUMBERISH = re.compile(r"^[\d.,OoIlS\s]*\d[\d.,OoIlS\s]*$")
# Letters that look like digits and nothing else ("O" for 0, "l" for 1): meant as a number where a cell
# after a label holds an amount, but no digit says so.
_DIGIT_LOOKALIKE = re.compile(r"^[OoIl]+(?:[.,][OoIl]+)*$")
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Amount:
    value: Decimal | None  # None: the cell states nothing
    problem: str | None = None  # set when the cell cannot be read as an amount


def parse_amount(text: str) -> Amount:
    cleaned = text.translate(_FULL_WIDTH).strip().replace(" ", "").replace("\u3000", "")
    if not cleaned or cleaned in _DASHES or _RULE.match(cleaned):
        return Amount(None)
    if _AMOUNT.match(cleaned):
        try:
            return Amount(Decimal(cleaned.replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
            return Amount(None, f"unreadable number {text!r}")
    if _NUMBERISH.match(cleaned):
        return Amount(None, f"unreadable number {text!r}: not a valid amount")
    return Amount(None, f"text {text!r} where an amount is expected")


def is_amount_like(text: str) -> bool:
    """A cell that is or was meant to be an amount (used to tell header rows from body rows)."""
    cleaned = text.translate(_FULL_WIDTH).strip().replace(" ", "")
    return bool(cleaned) and (bool(_AMOUNT.match(cleaned)) or bool(_NUMBERISH.match(cleaned)))


def is_digit_lookalike(text: str) -> bool:
    """A cell of letters that look like digits only ("O", "l.OO"): an amount misprinted where one belongs."""
    return bool(_DIGIT_LOOKALIKE.match(text.translate(_FULL_WIDTH).strip()))


def is_decimal_amount(text: str) -> bool:
    """An amount with decimals or thousands separators: never a row number or a column number."""
    cleaned = text.translate(_FULL_WIDTH).strip().replace(" ", "")
    return bool(_AMOUNT.match(cleaned)) and ("." in cleaned or "," in cleaned)


def to_wan_yuan(value: Decimal, unit: str) -> Decimal:
    """Amounts in the warehouse are 万元 with 4 decimals; a table printed in 元 or 千元 is converted
    exactly (Decimal division by the unit's size in table_kinds.yaml `units`)."""
    from .registry import load_registry

    return (value / load_registry().unit_divisor(unit)).quantize(FOUR_PLACES)


_CLASSIFICATION_CODE = re.compile(r"^\d{3,7}$")


def is_code_cell(cells: tuple[str, ...], index: int) -> bool:
    """A 3–7 digit integer followed by its name ("201", "一般公共服务支出"): a code, not an amount."""
    text = cells[index].strip()
    following = cells[index + 1].strip() if index + 1 < len(cells) else ""
    return bool(_CLASSIFICATION_CODE.match(text)) and bool(following) and not is_amount_like(following)
