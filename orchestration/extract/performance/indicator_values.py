"""Reading a printed indicator value: comparator, number and unit, the printed text always kept.

"≥90%" is (>=, 90, %), "≤12万元" is (<=, 12, 万元), "2个" is (None, 2, 个): a comparator the table
does not print is not invented. A qualitative value ("12月底前完成", "明显提高") keeps its text and
has no number. Numbers are Decimal; a percentage stays in percent (90, not 0.9).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .vocabulary import Vocabulary

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－％", "0123456789.,-%")
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_PLAIN_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PERCENT = re.compile(r"^-?(?:\d+)(?:\.\d+)?%$")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class IndicatorValue:
    text: str | None  # as printed
    comparator: str | None = None  # >= <= = > <
    value: Decimal | None = None
    unit: str | None = None


def _normalise(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", text.translate(_FULL_WIDTH))


def to_decimal(text: str | None) -> Decimal | None:
    """A plain printed number ("1,275.20", "83.6") as Decimal; None for anything else."""
    if text is None:
        return None
    cleaned = _normalise(text)
    if not _PLAIN_NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def is_plain_number(text: str | None) -> bool:
    return to_decimal(text) is not None


def to_rate(text: str | None) -> Decimal | None:
    """A rate as printed ("94.00%", "100%", "1") in percent: "1" stays 1 (the table's own scale)."""
    if text is None:
        return None
    cleaned = _normalise(text)
    if _PERCENT.match(cleaned):
        return Decimal(cleaned[:-1])
    return to_decimal(cleaned)


def is_rate_or_number(text: str | None) -> bool:
    return to_rate(text) is not None


def split_comparator(text: str, vocabulary: Vocabulary) -> tuple[str | None, str]:
    """(canonical comparator, rest) when the text starts with one, else (None, text)."""
    for printed in sorted(vocabulary.comparators, key=len, reverse=True):
        if text.startswith(printed):
            return vocabulary.comparators[printed], text[len(printed) :]
    return None, text


def comparator_of(text: str | None, vocabulary: Vocabulary) -> str | None:
    """The canonical comparator when the whole cell is one ("≥", ">="), else None."""
    if not text:
        return None
    return vocabulary.comparators.get(_normalise(text))


def is_unit(text: str, vocabulary: Vocabulary) -> bool:
    """Short text with no digits and no time/qualifier word: 人, 万元, 人次, %, 个、次."""
    return (
        0 < len(text) <= vocabulary.unit_max_length
        and not _DIGIT.search(text)
        and not any(word in text for word in vocabulary.unit_stop_words)
    )


def parse_indicator_value(text: str | None, vocabulary: Vocabulary) -> IndicatorValue:
    if text is None or not text.strip():
        return IndicatorValue(None)
    printed = text.strip()
    cleaned = _normalise(printed)
    comparator, rest = split_comparator(cleaned, vocabulary)
    number = _NUMBER.match(rest)
    if not number or vocabulary.calendar_date.match(rest):
        return IndicatorValue(printed)  # qualitative, or a date: the text, no number
    unit = rest[number.end() :]
    if unit and not is_unit(unit, vocabulary):
        return IndicatorValue(printed)
    return IndicatorValue(printed, comparator, Decimal(number.group(0).replace(",", "")), unit or None)


def parse_split_value(
    comparator_text: str | None, value_text: str | None, unit_text: str | None, vocabulary: Vocabulary
) -> IndicatorValue:
    """A value printed over three cells (运算符号 | 指标值 | 度量单位), as 003's self-evaluations do."""
    pieces = [p.strip() for p in (comparator_text, value_text, unit_text) if p and p.strip()]
    if not pieces:
        return IndicatorValue(None)
    printed = "".join(pieces)
    comparator = comparator_of(comparator_text, vocabulary)
    number = to_decimal(value_text)
    unit = unit_text.strip() if unit_text and unit_text.strip() else None
    if number is None:
        return IndicatorValue(printed, comparator, None, unit)
    return IndicatorValue(printed, comparator, number, unit)


def looks_like_value(text: str, vocabulary: Vocabulary) -> bool:
    """A cell that reads as a target value rather than a name: starts with a comparator or a number."""
    cleaned = _normalise(text)
    comparator, rest = split_comparator(cleaned, vocabulary)
    return comparator is not None or bool(_NUMBER.match(rest))
