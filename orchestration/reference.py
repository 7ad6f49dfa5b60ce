"""The national budget classification, year by year, as the extraction and dbt both read it.

Disclosures print 支出功能分类 (function) and 支出经济分类 (economic) codes, but often not all of them:
some print names only, some truncate codes to four digits ("3010 基本工资"), some shorten or rename
items. Inferring a code from its name needs one authoritative list per fiscal year. That list lives
in ONE place, the dbt seeds (`dbt_project/seeds/ref_*.csv`), so the warehouse dimensions and the
extraction can never disagree. This module reads those CSVs (csv module only, no pandas) once per
process and builds one cached `Reference` per fiscal year.

Matching is deliberately strict: a printed name is normalised (white space, numbering, bracket
width, 其它/其他) and compared exactly with the official names and the curated aliases. Anything
that does not resolve to exactly one code gives None — the caller reports it; nothing is guessed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
FUNCTION_CODES_CSV = "ref_function_codes.csv"
ECONOMIC_CODES_CSV = "ref_economic_codes.csv"
CODE_ALIASES_CSV = "ref_code_aliases.csv"

# Fiscal years the seeds describe completely (see dbt_project/seeds/README.md to add one).
FIRST_YEAR = 2021
LAST_YEAR = 2025

SCHEMES = ("department", "government")
_LEVEL_BY_LENGTH = {3: 1, 5: 2, 7: 3}


class ReferenceDataError(Exception):
    """A seed CSV is malformed; the message names the file, line and what is wrong."""


class UncoveredYearError(ValueError):
    """The fiscal year is outside the years the seeds describe: codes cannot be checked or inferred."""


@dataclass(frozen=True)
class CodeInfo:
    """One code as it stands in one fiscal year."""

    code: str
    name: str
    level: int  # 1 类, 2 款, 3 项
    parent_code: str | None


@dataclass(frozen=True)
class FunctionRow:
    """One row of ref_function_codes.csv: a function code's name over a span of years."""

    function_code: str
    function_name: str
    level: int
    parent_code: str | None
    valid_from: int
    valid_to: int | None  # None: still in force
    source: str

    def in_force(self, fiscal_year: int) -> bool:
        return self.valid_from <= fiscal_year and (self.valid_to is None or fiscal_year <= self.valid_to)


@dataclass(frozen=True)
class EconomicRow:
    """One row of ref_economic_codes.csv: an economic code of one scheme over a span of years."""

    scheme: str
    economic_code: str
    economic_name: str
    level: int
    parent_code: str | None
    valid_from: int
    valid_to: int | None
    source: str

    def in_force(self, fiscal_year: int) -> bool:
        return self.valid_from <= fiscal_year and (self.valid_to is None or fiscal_year <= self.valid_to)


@dataclass(frozen=True)
class AliasRow:
    """One row of ref_code_aliases.csv: a printed variant of a name, mapped to its code."""

    kind: str  # "function" | "economic"
    scheme: str | None  # economic only
    alias: str
    code: str
    note: str


# --------------------------------------------------------------------------- name normalisation

_WHITE_SPACE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
_NUMBERING = re.compile(
    r"^(?:"
    r"其中[:：]?"  # 其中：（1）公务用车运行维护费
    r"|\([一二三四五六七八九十百零〇\d]{1,4}\)"  # (一) (1) — brackets already half-width
    r"|[一二三四五六七八九十百零〇]{1,4}[、.．]"  # 二十、
    r"|\d{1,2}(?:[、．]|\.(?!\d))"  # 1、 1.   (not 1.5)
    r"|[①-⑳]"
    r")"
)
_LEVEL_MARKER = re.compile(r"\((?:类|款|项)\)")
_BRACKETS = str.maketrans({"（": "(", "）": ")"})


def normalise_name(text: str) -> str:
    """The comparison form of a printed name.

    White space goes (PDF extraction splits words: "住房保 障支出"), full-width brackets become
    half-width, 其它 becomes 其他, leading numbering ("二十、", "（一）", "1、", "①", "其中：") and
    level markers ("（类）") are dropped. Nothing else changes: truncated or reworded names resolve
    only through ref_code_aliases.csv, never by fuzzy matching.
    """
    name = _WHITE_SPACE.sub("", text).translate(_BRACKETS).replace("其它", "其他")
    while True:
        stripped = _NUMBERING.sub("", name, count=1)
        if stripped == name:
            break
        name = stripped
    return _LEVEL_MARKER.sub("", name)


# --------------------------------------------------------------------------- reading the seeds


def _read_csv(file_name: str, header: list[str]) -> list[tuple[int, dict[str, str]]]:
    path = SEEDS_DIR / file_name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != header:
            raise ReferenceDataError(f"{path}: header is {reader.fieldnames}, expected {header}")
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader]


def _year(value: str, where: str, column: str, required: bool) -> int | None:
    if not value:
        if required:
            raise ReferenceDataError(f"{where}: {column} is empty")
        return None
    if not value.isdigit() or len(value) != 4:
        raise ReferenceDataError(f"{where}: {column} {value!r} is not a year")
    return int(value)


def _checked_code(code: str, level: str, parent: str, where: str) -> tuple[int, str | None]:
    """Codes are 3/5/7 digits; level follows from the length and the parent is the code minus 2 digits."""
    if not code.isdigit() or len(code) not in _LEVEL_BY_LENGTH:
        raise ReferenceDataError(f"{where}: code {code!r} is not 3, 5 or 7 digits")
    expected_level = _LEVEL_BY_LENGTH[len(code)]
    if level != str(expected_level):
        raise ReferenceDataError(f"{where}: code {code} has level {level!r}, expected {expected_level}")
    expected_parent = code[:-2] if len(code) > 3 else ""
    if parent != expected_parent:
        raise ReferenceDataError(f"{where}: code {code} has parent {parent!r}, expected {expected_parent!r}")
    return expected_level, parent or None


def _check_periods(periods: Iterable[tuple[tuple[str, ...], int, int | None, str]]) -> None:
    """No code may have two rows in force in the same year (stricter than the seeds' unique key)."""
    spans: dict[tuple[str, ...], list[tuple[int, int, str]]] = {}
    for key, start, end, where in periods:
        last = end if end is not None else 9999
        if last < start:
            raise ReferenceDataError(f"{where}: valid_to {end} is before valid_from {start}")
        for other_start, other_last, other_where in spans.get(key, []):
            if start <= other_last and other_start <= last:
                raise ReferenceDataError(
                    f"{where}: code {'/'.join(key)} is also in force then by {other_where}"
                )
        spans.setdefault(key, []).append((start, last, where))


@cache
def function_rows() -> tuple[FunctionRow, ...]:
    """Every row of ref_function_codes.csv (all years), checked."""
    header = ["function_code", "function_name", "level", "parent_code", "valid_from", "valid_to", "source"]
    rows, periods = [], []
    for line, raw in _read_csv(FUNCTION_CODES_CSV, header):
        where = f"{FUNCTION_CODES_CSV} line {line}"
        level, parent = _checked_code(raw["function_code"], raw["level"], raw["parent_code"], where)
        if not raw["function_name"] or not raw["source"]:
            raise ReferenceDataError(f"{where}: function_name and source must not be empty")
        rows.append(
            FunctionRow(
                function_code=raw["function_code"],
                function_name=raw["function_name"],
                level=level,
                parent_code=parent,
                valid_from=_year(raw["valid_from"], where, "valid_from", required=True),
                valid_to=_year(raw["valid_to"], where, "valid_to", required=False),
                source=raw["source"],
            )
        )
        periods.append(((rows[-1].function_code,), rows[-1].valid_from, rows[-1].valid_to, where))
    _check_periods(periods)
    return tuple(rows)


@cache
def economic_rows() -> tuple[EconomicRow, ...]:
    """Every row of ref_economic_codes.csv (both schemes, all years), checked."""
    header = [
        "scheme",
        "economic_code",
        "economic_name",
        "level",
        "parent_code",
        "valid_from",
        "valid_to",
        "source",
    ]
    rows, periods = [], []
    for line, raw in _read_csv(ECONOMIC_CODES_CSV, header):
        where = f"{ECONOMIC_CODES_CSV} line {line}"
        if raw["scheme"] not in SCHEMES:
            raise ReferenceDataError(f"{where}: scheme {raw['scheme']!r} is not one of {SCHEMES}")
        level, parent = _checked_code(raw["economic_code"], raw["level"], raw["parent_code"], where)
        if level > 2:
            raise ReferenceDataError(f"{where}: economic codes have 3 or 5 digits")
        first_digit = "3" if raw["scheme"] == "department" else "5"
        if not raw["economic_code"].startswith(first_digit):
            raise ReferenceDataError(f"{where}: a {raw['scheme']} code starts with {first_digit}")
        if not raw["economic_name"] or not raw["source"]:
            raise ReferenceDataError(f"{where}: economic_name and source must not be empty")
        rows.append(
            EconomicRow(
                scheme=raw["scheme"],
                economic_code=raw["economic_code"],
                economic_name=raw["economic_name"],
                level=level,
                parent_code=parent,
                valid_from=_year(raw["valid_from"], where, "valid_from", required=True),
                valid_to=_year(raw["valid_to"], where, "valid_to", required=False),
                source=raw["source"],
            )
        )
        periods.append(
            ((rows[-1].scheme, rows[-1].economic_code), rows[-1].valid_from, rows[-1].valid_to, where)
        )
    _check_periods(periods)
    return tuple(rows)


@cache
def alias_rows() -> tuple[AliasRow, ...]:
    """Every row of ref_code_aliases.csv, checked against the code lists."""
    header = ["kind", "scheme", "alias", "code", "note"]
    known_function = {r.function_code for r in function_rows()}
    known_economic = {(r.scheme, r.economic_code) for r in economic_rows()}
    rows, seen = [], set()
    for line, raw in _read_csv(CODE_ALIASES_CSV, header):
        where = f"{CODE_ALIASES_CSV} line {line}"
        kind, scheme = raw["kind"], raw["scheme"] or None
        if kind == "function":
            if scheme is not None:
                raise ReferenceDataError(f"{where}: a function alias has no scheme")
            if raw["code"] not in known_function:
                raise ReferenceDataError(
                    f"{where}: function code {raw['code']} is not in {FUNCTION_CODES_CSV}"
                )
        elif kind == "economic":
            if (scheme, raw["code"]) not in known_economic:
                raise ReferenceDataError(
                    f"{where}: economic code {raw['code']} of scheme {scheme!r} is not in {ECONOMIC_CODES_CSV}"
                )
        else:
            raise ReferenceDataError(f"{where}: kind {kind!r} is not function or economic")
        if not raw["alias"]:
            raise ReferenceDataError(f"{where}: alias is empty")
        key = (kind, scheme, raw["alias"])
        if key in seen:
            raise ReferenceDataError(f"{where}: alias {raw['alias']!r} is listed twice")
        seen.add(key)
        rows.append(
            AliasRow(kind=kind, scheme=scheme, alias=raw["alias"], code=raw["code"], note=raw["note"])
        )
    return tuple(rows)


# --------------------------------------------------------------------------- one year's classification


class _CodeList:
    """The codes of one classification (function, or one economic scheme) in force in one year."""

    def __init__(self, codes: Iterable[CodeInfo], aliases: Iterable[tuple[str, str]]):
        self.by_code: dict[str, CodeInfo] = {}
        self.by_name: dict[str, set[str]] = {}
        self.by_alias: dict[str, set[str]] = {}
        self.children: dict[str, list[CodeInfo]] = {}
        for info in codes:
            self.by_code[info.code] = info
            self.by_name.setdefault(normalise_name(info.name), set()).add(info.code)
            if info.parent_code is not None:
                self.children.setdefault(info.parent_code, []).append(info)
        for alias, code in aliases:
            if code in self.by_code:  # an alias applies only in the years its code exists
                self.by_alias.setdefault(normalise_name(alias), set()).add(code)

    def _matches(self, key: str, accept: Callable[[CodeInfo], bool]) -> list[str]:
        """The accepted codes named `key`: official names first; aliases only if no official name matches."""
        for index in (self.by_name, self.by_alias):
            codes = sorted(c for c in index.get(key, ()) if accept(self.by_code[c]))
            if codes:
                return codes
        return []

    def find(self, name: str, parent_code: str | None, prefix: str | None = None) -> str | None:
        key = normalise_name(name)
        if not key:
            return None
        if parent_code is not None or prefix is not None:
            codes = self._matches(
                key,
                lambda info: (
                    (parent_code is None or info.parent_code == parent_code)
                    and (prefix is None or info.code.startswith(prefix))
                ),
            )
        else:
            # No context: a class (类) reading wins, e.g. 其他支出 is class 229 rather than item 22999.
            codes = self._matches(key, lambda info: info.level == 1) or self._matches(key, lambda info: True)
        return codes[0] if len(codes) == 1 else None  # several codes: ambiguous, never guess


def _digits(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = _WHITE_SPACE.sub("", value)
    if not value.isdigit():
        raise ValueError(f"{what} must be digits, got {value!r}")
    return value


class Reference:
    """The classification in force in one fiscal year. Build it with `load_reference(year)`."""

    def __init__(
        self,
        fiscal_year: int,
        functions: Iterable[FunctionRow],
        economics: Iterable[EconomicRow],
        aliases: Iterable[AliasRow],
    ):
        self.fiscal_year = fiscal_year
        self._function_rows = tuple(r for r in functions if r.in_force(fiscal_year))
        self._economic_rows = tuple(r for r in economics if r.in_force(fiscal_year))
        aliases = tuple(aliases)
        self._functions = _CodeList(
            (CodeInfo(r.function_code, r.function_name, r.level, r.parent_code) for r in self._function_rows),
            ((a.alias, a.code) for a in aliases if a.kind == "function"),
        )
        self._economics = {
            scheme: _CodeList(
                (
                    CodeInfo(r.economic_code, r.economic_name, r.level, r.parent_code)
                    for r in self._economic_rows
                    if r.scheme == scheme
                ),
                ((a.alias, a.code) for a in aliases if a.kind == "economic" and a.scheme == scheme),
            )
            for scheme in SCHEMES
        }

    def __repr__(self) -> str:
        return f"Reference(fiscal_year={self.fiscal_year})"

    def _scheme(self, scheme: str) -> _CodeList:
        if scheme not in self._economics:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
        return self._economics[scheme]

    # -- look-ups by code
    def function(self, code: str) -> CodeInfo | None:
        """The function code (3/5/7 digits) as it stands this year, or None if not in force."""
        return self._functions.by_code.get(code)

    def economic(self, scheme: str, code: str) -> CodeInfo | None:
        """The economic code of `scheme` ("department" or "government") this year, or None."""
        return self._scheme(scheme).by_code.get(code)

    def function_children(self, parent_code: str) -> list[CodeInfo]:
        return sorted(self._functions.children.get(parent_code, []), key=lambda info: info.code)

    def economic_children(self, scheme: str, parent_code: str) -> list[CodeInfo]:
        return sorted(self._scheme(scheme).children.get(parent_code, []), key=lambda info: info.code)

    # -- look-ups by printed name
    def find_function_code(self, name: str, parent_code: str | None = None) -> str | None:
        """The code of a printed function-classification name, or None if unknown or ambiguous.

        With `parent_code`, only that code's children are candidates ("行政运行" under "20132" is
        2013201). Without it, classes (类) are tried first, then any level, so a name shared by
        several codes ("行政运行") gives None.
        """
        return self._functions.find(name, _digits(parent_code, "parent_code"))

    def find_economic_code(
        self, name: str, scheme: str, parent_code: str | None = None, prefix: str | None = None
    ) -> str | None:
        """The economic code of a printed name in `scheme`, or None if unknown or ambiguous.

        `prefix` is a code as printed when the document truncates it ("3010" for 30101…30109,
        "3011" for 30110…30119): only codes starting with it are candidates. `parent_code`
        restricts to one class's items. Without either, classes are tried first, then any level.
        """
        return self._scheme(scheme).find(name, _digits(parent_code, "parent_code"), _digits(prefix, "prefix"))

    # -- listings
    def function_rows(self) -> tuple[FunctionRow, ...]:
        """The ref_function_codes rows in force this year."""
        return self._function_rows

    def economic_rows(self, scheme: str | None = None) -> tuple[EconomicRow, ...]:
        """The ref_economic_codes rows in force this year (one scheme, or both)."""
        if scheme is not None:
            self._scheme(scheme)
        return tuple(r for r in self._economic_rows if scheme is None or r.scheme == scheme)


def covered_years() -> range:
    """The fiscal years `load_reference` accepts."""
    return range(FIRST_YEAR, LAST_YEAR + 1)


@cache
def load_reference(fiscal_year: int) -> Reference:
    """The classification in force in `fiscal_year`; the seeds are read once per process.

    Raises UncoveredYearError for a year the seeds do not describe: inferring codes from another
    year's list would be a guess.
    """
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
        raise TypeError(f"fiscal_year must be an int, got {fiscal_year!r}")
    if fiscal_year not in covered_years():
        raise UncoveredYearError(
            f"fiscal year {fiscal_year} is outside the classification reference ({FIRST_YEAR}–{LAST_YEAR}); "
            f"add that year's 《政府收支分类科目》 to {SEEDS_DIR} (see README.md there)"
        )
    return Reference(fiscal_year, function_rows(), economic_rows(), alias_rows())
