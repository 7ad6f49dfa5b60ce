"""A spreadsheet number shown as the sheet prints it, computed in Decimal (never binary float).

A workbook stores a number and a format code ("0.00", "#,##0.00", `_ * #,##0.00_ ;_ * -#,##0.00_ ;_ *
"-"??_ `); what a reader of the printed table sees is the number through that format. Spreadsheet
programs keep 15 significant digits, so a stored 0.30000000000000004 (what a tool writing binary
floats leaves in the file) is 0.3 to them, and 2.675 with "0.00" prints 2.68 (half away from zero),
where a float would print 2.67. Both are done here on `Decimal`, so an amount is never rounded twice
or through a binary fraction.

Supported: General, digit placeholders (0 # ?), decimals, thousands separators, trailing-comma
scaling, percent, literals ("...", \\x, currency brackets [$¥-804]), two to four sections (positive;
negative; zero; text), and dates (the format has y/m/d/h/s outside quotes). Anything rarer
(scientific, fractions, conditional sections) falls back to the number's plain digits, rounded to
the decimals the format asks for: the value is never wrong, only its decoration may be simpler.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Context, Decimal

# Format codes of the built-in format ids (ECMA-376 18.8.30); ids 27-36 and 50-58 are the East
# Asian date formats, shown here as ISO dates.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "yyyy-mm-dd",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy-mm-dd h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    41: '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* (#,##0);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_);_("$"* (#,##0.00);_("$"* "-"??_);_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mm:ss.0",
    48: "##0.0E+0",
    49: "@",
}
for _id in (*range(27, 37), *range(50, 59)):
    BUILTIN_FORMATS[_id] = "yyyy-mm-dd"

_SIGNIFICANT = Context(prec=15, rounding=ROUND_HALF_UP)
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_TOKENS = re.compile(r"[ymdhsYMDHS]")
_SECTION_SPLIT = re.compile(r'((?:"[^"]*"|\\.|\[[^\]]*\]|[^;"\\\[])*)(?:;|$)')


def format_code(format_id: int, custom: dict[int, str]) -> str:
    """The format code of a style's format id: the workbook's own, else the built-in one."""
    return custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")


def significant(value: Decimal) -> Decimal:
    """The value as a spreadsheet program holds it: 15 significant digits."""
    return _SIGNIFICANT.plus(value)


def is_date_format(code: str) -> bool:
    stripped = _QUOTED_OR_ESCAPED.sub("", code.split(";")[0])
    if re.search(r"General", stripped, re.IGNORECASE):
        return False
    return bool(_DATE_TOKENS.search(stripped))


def plain(value: Decimal) -> str:
    """Digits without exponent or trailing zeros: "0.3", "12948.5", "100"."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _sections(code: str) -> list[str]:
    parts = [m.group(1) for m in _SECTION_SPLIT.finditer(code)]
    # finditer yields one empty trailing match at the end of the string
    while len(parts) > 1 and parts[-1] == "" and not code.endswith(";"):
        parts.pop()
    return parts


def display_number(value: Decimal, code: str) -> str:
    """The number as the format prints it (white space at its ends is the caller's to trim)."""
    value = significant(value)
    if not code or code.lower() == "general" or code == "@":
        return plain(value)
    sections = _sections(code)
    if any(re.search(r"\[[<>=]", s) for s in sections):
        return _render(value, sections[0], signed=True)
    if value < 0 and len(sections) >= 2:
        return _render(-value, sections[1], signed=False)
    if value == 0 and len(sections) >= 3:
        return _render(value, sections[2], signed=False)
    return _render(value, sections[0], signed=True)


def _render(value: Decimal, section: str, signed: bool) -> str:
    """One section: literals around one number built from the digit placeholders."""
    before, after, pattern = [], [], []
    seen_digits = False
    index = 0
    while index < len(section):
        char = section[index]
        target = after if seen_digits else before
        if char == '"':
            end = section.find('"', index + 1)
            end = len(section) if end == -1 else end
            target.append(section[index + 1 : end])
            index = end + 1
            continue
        if char == "\\" and index + 1 < len(section):
            target.append(section[index + 1])
            index += 2
            continue
        if char == "_" and index + 1 < len(section):
            target.append(" ")
            index += 2
            continue
        if char == "*" and index + 1 < len(section):
            index += 2  # fill character: as wide as the column, nothing of the value
            continue
        if char == "[":
            end = section.find("]", index)
            end = len(section) if end == -1 else end
            inner = section[index + 1 : end]
            if inner.startswith("$"):
                target.append(inner[1:].split("-")[0])
            index = end + 1
            continue
        if char in "0#?.," or (char in "Ee" and seen_digits):
            if char in "0#?":
                seen_digits = True
            if seen_digits or char != ",":
                pattern.append(char)
            else:
                target.append(char)
            index += 1
            continue
        if char == "%":
            value = value * 100
        if char == "@":
            index += 1
            continue
        target.append(char)
        index += 1
    number = _digits(value if not signed else abs(value), "".join(pattern))
    text = "".join(before) + number + "".join(after)
    if signed and value < 0 and number.strip("0.,") != "":
        text = "-" + text
    return text


def _digits(value: Decimal, pattern: str) -> str:
    """Digits for a placeholder pattern such as "#,##0.00", "0", "#,##0.00,," or "0.00E+00"."""
    if not pattern:
        return ""
    if "E" in pattern.upper():
        decimals = pattern.upper().split("E")[0].partition(".")[2]
        return plain(value.quantize(Decimal(1).scaleb(-len(decimals)), rounding=ROUND_HALF_UP))
    integer, _, fraction = pattern.partition(".")
    while integer.endswith(","):  # a trailing comma divides by a thousand
        value = value / 1000
        integer = integer[:-1]
    fraction = fraction.replace(",", "")
    places = len(fraction)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, decimals = format(rounded, "f").partition(".")
    # Optional decimals ('#') drop their trailing zeros, '?' ones print as spaces.
    required = len(fraction.rstrip("#?"))
    kept = list(decimals)
    for position in range(len(kept) - 1, required - 1, -1):
        if kept[position] != "0":
            break
        kept[position] = " " if fraction[position] == "?" else ""
    decimals = "".join(kept).rstrip()
    minimum = integer.count("0")
    whole = whole.lstrip("-")
    if whole == "0" and minimum == 0:
        whole = ""
    whole = whole.rjust(minimum, "0")
    if "," in integer and whole:
        whole = f"{int(whole):,}"
    if decimals:
        return f"{whole}.{decimals}"
    return whole  # "#" or "?" alone print nothing for zero


def display_date(serial: Decimal, code: str, date1904: bool = False) -> str:
    """A date serial as its format prints it: the Chinese and ISO forms spelled out, others ISO."""
    days = int(serial)
    seconds = int(((serial - days) * 86400).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if date1904:
        base = dt.datetime(1904, 1, 1)
    else:
        base = dt.datetime(1899, 12, 31) if days < 60 else dt.datetime(1899, 12, 30)
    moment = base + dt.timedelta(days=days, seconds=seconds)
    stripped = _QUOTED_OR_ESCAPED.sub("", code.split(";")[0]).lower()
    has_date = bool(re.search(r"[yd]", stripped)) or ("m" in stripped and "h" not in stripped)
    has_time = bool(re.search(r"[hs]", stripped))
    if "年" in code or "月" in code or "日" in code:
        text = ""
        if "y" in stripped:
            text += f"{moment.year}年"
        if "m" in stripped.replace("mm:", "").replace(":mm", ""):
            text += f"{moment.month}月"
        if "d" in stripped:
            text += f"{moment.day}日"
        return text or moment.date().isoformat()
    if has_date and has_time:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if has_time:
        return moment.strftime("%H:%M:%S")
    return moment.date().isoformat()
