"""China's administrative divisions, read offline from the table the `cpca` package ships.

A department name such as 中共稷山县委组织部 or 中共辽宁省朝阳市委组织部 names its region; this module
turns it into province / prefecture / county, the admin level and the 6-digit 行政区划代码.

We read cpca's `adcodes.csv` ourselves instead of calling `cpca.transform`: importing cpca builds
its matcher through `pkg_resources` and a pandas DataFrame, which is slow, and, more importantly,
cpca silently takes the first candidate when a name is shared (朝阳区 is in 北京市 and in 长春市).
We must never guess a region, so an ambiguous name stays ambiguous unless the caller passes hint
texts (the document's title, a division code printed next to the name, the document itself) that
leave exactly one candidate. The table is loaded once per process, on first use, never at import.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEVELS = ("province", "prefecture", "county")

# Rows of the table that are groupings, not places (市辖区 under 北京市, 省直辖县级行政区划, ...).
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# cpca's own short forms of the autonomous regions; other provinces drop 省 / 市 / 特别行政区.
_PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "新疆维吾尔自治区": "新疆",
    "宁夏回族自治区": "宁夏",
}
_PROVINCE_SUFFIX = re.compile(r"(省|市|特别行政区)$")
# A department name starts with its region, after the party prefix where there is one.
_NAME_PREFIX = re.compile(r"^(中国共产党|中共)")


@dataclass(frozen=True)
class Division:
    """One row of the division table: a province, a prefecture or a county-level division."""

    code: str  # 6 digits
    name: str

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "prefecture"
        return "county"

    def within(self, other: Division) -> bool:
        """True when this division lies inside `other` (strictly smaller)."""
        if other.level == "province":
            return self.code[:2] == other.code[:2] and self.code != other.code
        if other.level == "prefecture":
            return self.code[:4] == other.code[:4] and self.code != other.code
        return False


@dataclass(frozen=True)
class Region:
    """Where a department sits: the contract's dim_department region columns."""

    province: str
    prefecture: str | None
    county: str | None
    admin_level: str  # province | prefecture | county
    division_code: str  # 6 digits


@dataclass(frozen=True)
class Mention:
    """A division name found in a text, with every division it may denote."""

    start: int
    text: str
    candidates: tuple[Division, ...]
    weak: bool  # a short form or a two-character name: too generic to open a region on its own


@dataclass(frozen=True)
class RegionResolution:
    """The outcome of reading a region from a name: a region, or why there is none."""

    region: Region | None
    candidates: tuple[Division, ...] = ()  # the divisions left when the name is ambiguous
    mention: str | None = None  # the name as printed that was ambiguous or resolved last

    @property
    def ambiguous(self) -> bool:
        return self.region is None and len(self.candidates) > 1


class Gazetteer:
    """Division table with a longest-match name scanner; build with `load_gazetteer()`."""

    def __init__(self, divisions: Iterable[Division], nations: Sequence[str] = ()) -> None:
        self._by_code: dict[str, Division] = {}
        self._by_name: dict[str, list[Division]] = {}
        self._weak_names: set[str] = set()
        for division in divisions:
            self._by_code[division.code] = division
            if division.name in _PLACEHOLDERS:
                continue
            self._add(division.name, division, weak=len(division.name) <= 2)
            for alias in _aliases(division, nations):
                self._add(alias, division, weak=True)
        self._longest = max((len(name) for name in self._by_name), default=0)

    def _add(self, name: str, division: Division, weak: bool) -> None:
        entries = self._by_name.setdefault(name, [])
        if division not in entries:
            entries.append(division)
        if weak:
            self._weak_names.add(name)
        else:
            self._weak_names.discard(name)

    def by_code(self, code: str) -> Division | None:
        return self._by_code.get(code[:6])

    def named(self, name: str) -> tuple[Division, ...]:
        return tuple(self._by_name.get(name, ()))

    def region_of(self, division: Division) -> Region:
        province = self._by_code.get(division.code[:2] + "0000")
        prefecture = None
        if division.level == "prefecture":
            prefecture = division.name
        elif division.level == "county":
            parent = self._by_code.get(division.code[:4] + "00")
            if parent is not None and parent.name not in _PLACEHOLDERS:
                prefecture = parent.name
        return Region(
            province=province.name if province else division.name,
            prefecture=prefecture,
            county=division.name if division.level == "county" else None,
            admin_level=division.level,
            division_code=division.code,
        )

    def ancestors(self, division: Division) -> list[Division]:
        found = []
        for code in (division.code[:2] + "0000", division.code[:4] + "00"):
            parent = self._by_code.get(code)
            if parent is not None and parent != division and parent.name not in _PLACEHOLDERS:
                found.append(parent)
        return found

    def mentions(self, text: str) -> list[Mention]:
        """Division names in `text`, longest match first, left to right, not overlapping."""
        found: list[Mention] = []
        i = 0
        while i < len(text):
            for length in range(min(self._longest, len(text) - i), 1, -1):
                piece = text[i : i + length]
                if piece in self._by_name:
                    weak = piece in self._weak_names
                    found.append(Mention(i, piece, tuple(self._by_name[piece]), weak))
                    i += length
                    break
            else:
                i += 1
        return found

    def resolve(self, name: str, hints: Sequence[str] = ()) -> RegionResolution:
        """Read the region a name opens with; use `hints` only to choose among candidates.

        The first division mentioned opens the region (a short form or a two-character name only
        at the start, after 中共); each later mention narrows it when it lies inside it and is
        ignored otherwise (it is part of the institution's name, e.g. 援疆). A mention with several
        candidates is kept ambiguous unless exactly one of them is supported by a hint text.
        """
        start = _NAME_PREFIX.match(name)
        opening = start.end() if start else 0
        current: Division | None = None
        last_text: str | None = None
        for mention in self.mentions(name):
            candidates = mention.candidates
            if current is not None:
                candidates = tuple(c for c in candidates if c.within(current))
                if not candidates:
                    continue
            elif mention.weak and mention.start != opening:
                continue
            if len(candidates) > 1:
                chosen = self._choose(candidates, hints)
                if chosen is None:
                    return RegionResolution(None, candidates, mention.text)
                candidates = (chosen,)
            current, last_text = candidates[0], mention.text
        if current is None:
            return RegionResolution(None)
        return RegionResolution(self.region_of(current), (current,), last_text)

    def _choose(self, candidates: Sequence[Division], hints: Sequence[str]) -> Division | None:
        """The one candidate a hint supports: its code printed, or its province/prefecture named."""
        for hint in hints:
            supported = [c for c in candidates if self._supported_by(c, hint)]
            if len(supported) == 1:
                return supported[0]
        return None

    def _supported_by(self, division: Division, hint: str) -> bool:
        if re.fullmatch(r"\d{6,12}", hint):
            return hint[:6] == division.code or division.within(self._by_code.get(hint[:6], division))
        return any(parent.name in hint for parent in self.ancestors(division))


@cache
def _autonomous_pattern(nations: tuple[str, ...]) -> re.Pattern:
    """Compiled once (it was escaped and compiled again for each of the ~3,000 divisions)."""
    ethnic = "|".join(map(re.escape, (*nations, "各族")))
    return re.compile(rf"(.+?)(?:{ethnic})+自治(州|县|旗)")


def _aliases(division: Division, nations: Sequence[str]) -> list[str]:
    """Short forms in use: 江苏 for 江苏省, 延边州 for 延边朝鲜族自治州, 围场县 for 围场满族蒙古族自治县."""
    aliases = []
    if division.level == "province":
        short = _PROVINCE_SHORT.get(division.name) or _PROVINCE_SUFFIX.sub("", division.name)
        if short != division.name:
            aliases.append(short)
    if nations and "自治" in division.name:
        match = _autonomous_pattern(tuple(nations)).fullmatch(division.name)
        if match:
            aliases.append(match.group(1) + match.group(2))
    return aliases


def _cpca_resources() -> Path:
    """cpca's data folder, found without importing cpca (its import builds a matcher)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca package is not installed: it provides the division table")
    return Path(spec.origin).parent / "resources"


@cache
def load_gazetteer() -> Gazetteer:
    """The division table of the installed cpca package, loaded once per process."""
    resources = _cpca_resources()
    with (resources / "adcodes.csv").open(encoding="utf-8", newline="") as handle:
        divisions = [Division(code=row["adcode"][:6], name=row["name"]) for row in csv.DictReader(handle)]
    nations_path = resources / "56_nations.csv"
    nations: list[str] = []
    if nations_path.exists():
        nations = [line.strip() for line in nations_path.read_text(encoding="utf-8").splitlines()]
        nations = [n for n in nations if n]
    return Gazetteer(divisions, nations)
