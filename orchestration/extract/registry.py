"""The table-kind registry (table_kinds.yaml) loaded once, with its patterns compiled.

Everything that varies by province, year or template — titles, header texts, row labels — lives
in the YAML file; this module only gives it a typed, fast shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from ..readers.grid import squash

REGISTRY_PATH = Path(__file__).with_name("table_kinds.yaml")

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_LEADING_YEAR = re.compile(r"^\d{4}年度?")
_QUALIFIER = re.compile(r"[（(]([^（）()]*)[）)]$")
_NUMBERING = re.compile(
    r"^(其中[:：])?\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|[①②③④⑤⑥⑦⑧⑨⑩])"
)


@dataclass(frozen=True)
class TableKind:
    name: str
    family: str
    fund_scope: str | None
    priority: int
    titles: frozenset[str]


@dataclass(frozen=True)
class HeaderAlias:
    pattern: re.Pattern
    role: str | None
    assign: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RowAlias:
    pattern: re.Pattern
    values: tuple[tuple[str, str], ...]


# Titles remembered by Registry.title_stem before the memo starts again (bounds its memory).
_MAX_REMEMBERED = 1 << 16


@dataclass(frozen=True)
class Registry:
    kinds: dict[str, TableKind]
    title_index: dict[str, str]
    title_qualifiers: dict[str, str]
    table_end: tuple[re.Pattern, ...]
    meta: tuple[re.Pattern, ...]
    structural_headers: frozenset[str]
    header_aliases: dict[str, tuple[HeaderAlias, ...]]
    refines: dict[str, str]
    canonical_order: dict[str, tuple[str, ...]]
    row_aliases: dict[str, tuple[RowAlias, ...]]
    totals: re.Pattern
    sum_lines: dict[str, frozenset[str]]  # dimension -> the values of it that state a sum of other lines
    units: dict[str, Decimal]
    unit_patterns: tuple[re.Pattern, ...]
    title_prefixes: tuple[re.Pattern, ...]
    title_suffix: re.Pattern
    title_patterns: tuple[tuple[re.Pattern, str], ...]

    def kind_for_title(self, text: str) -> tuple[TableKind | None, str | None]:
        """The kind a printed title names, and its qualifier (e.g. 不含上年结转).

        An exact title alias first; otherwise the first kind (in the registry's order, most specific
        first) whose `title_patterns` entry the title's stem matches — so 表一、部门收支总表, 附表3 2024年
        一般公共预算支出功能分类预算表 and 01表 单位财务收支总表 need no entry of their own.
        """
        title, qualifier = normalise_title(text)
        name = self.title_index.get(title)
        if name is None and qualifier:
            name = self.title_index.get(title + f"（{qualifier}）")
        if name is None:
            stem = self.title_stem(title)
            if stem and stem.endswith("表"):
                name = next((kind for pattern, kind in self.title_patterns if pattern.search(stem)), None)
        return (self.kinds[name] if name else None), qualifier

    def title_stem(self, title: str) -> str:
        """`_title_stem`, remembered per title: the same titles (and title-like lines) recur in every
        document, and a stem costs a dozen pattern substitutions."""
        stems = self._stems
        stem = stems.get(title)
        if stem is None:
            if len(stems) >= _MAX_REMEMBERED:
                stems.clear()
            stem = stems[title] = self._title_stem(title)
        return stem

    @property
    def _stems(self) -> dict[str, str]:
        try:
            return self.__dict__["_stem_memo"]
        except KeyError:
            memo: dict[str, str] = {}
            object.__setattr__(self, "_stem_memo", memo)
            return memo

    def _title_stem(self, title: str) -> str:
        """A normalised title without what varies around the national name: numbering (表一, 附表3,
        01表, 一、), years and the wording of its ending (预算总表, 功能分类预算表, 决算表 → 表)."""
        stem = title
        changed = True
        while changed:
            changed = False
            for pattern in self.title_prefixes:
                shorter = pattern.sub("", stem, count=1)
                if shorter != stem and shorter:
                    stem, changed = shorter, True
        return self.title_suffix.sub("表", stem)

    def unit_divisor(self, unit: str) -> Decimal:
        """How many of `unit` make one 万元."""
        try:
            return self.units[unit]
        except KeyError:
            raise ValueError(f"unit {unit!r} is not in table_kinds.yaml units") from None

    def unit_in(self, text: str) -> str | None:
        """The unit a line or header cell names (单位：元, 金额单位：千元, （万元）), if any."""
        plain = squash(text)
        for pattern in self.unit_patterns:
            match = pattern.search(plain)
            if match:
                return match.group("unit")
        return None

    def header_meaning(self, family: str, text: str) -> HeaderAlias | None:
        key = squash(text).replace("(", "（").replace(")", "）")
        plain = squash(text)
        for alias in self.header_aliases.get("common", ()) + self.header_aliases.get(family, ()):
            if alias.pattern.search(plain) or alias.pattern.search(key):
                return alias
        return None

    def row_meaning(self, group: str, label: str) -> dict[str, str] | None:
        text = strip_numbering(label)
        for alias in self.row_aliases.get(group, ()):
            if alias.pattern.search(text):
                return dict(alias.values)
        return None

    def states_a_sum(self, dims: dict) -> bool:
        """Whether a cell of this meaning states the sum of other lines of its table (`sum_lines`)."""
        return any(dims.get(dim) in values for dim, values in self.sum_lines.items())

    def is_total_label(self, label: str) -> bool:
        return bool(self.totals.search(strip_numbering(label)))


def normalise_title(text: str) -> tuple[str, str | None]:
    title = squash(_BOOKMARK.sub("", text))
    title = re.sub(r"^(预算公开表|部门公开表|公开)\d+表?", "", title)
    title = _LEADING_YEAR.sub("", title)
    qualifier = None
    match = _QUALIFIER.search(title)
    if match:
        qualifier = match.group(1)
        title = title[: match.start()]
    return title.replace('"', "“"), qualifier


def strip_numbering(label: str) -> str:
    """ "一、一般公共服务" -> "一般公共服务"; "其中：（1）公务用车运行维护费" -> "公务用车运行维护费"."""
    text = squash(label)
    for _ in range(2):
        text = _NUMBERING.sub("", text)
        text = re.sub(r"^其中[:：]", "", text)  # "其中：公务用车购置费": a sub-item, no numbering
    return text.replace("(", "（").replace(")", "）")


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@cache
def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {
        name: TableKind(
            name=name,
            family=spec["family"],
            fund_scope=spec.get("fund_scope"),
            priority=int(spec["priority"]),
            titles=frozenset(squash(t) for t in spec["titles"]),
        )
        for name, spec in data["kinds"].items()
    }
    title_index: dict[str, str] = {}
    for kind in kinds.values():
        for title in kind.titles:
            if title in title_index:
                raise ValueError(f"table_kinds.yaml: title {title!r} belongs to two kinds")
            title_index[title] = kind.name
    header_aliases = {
        family: tuple(
            HeaderAlias(
                pattern=_compile(entry["match"]),
                role=entry.get("role"),
                assign=tuple(sorted((entry.get("set") or {}).items())),
            )
            for entry in entries
        )
        for family, entries in data["header_aliases"].items()
    }
    row_aliases = {
        group: tuple(
            RowAlias(
                pattern=_compile(entry["match"]),
                values=tuple(sorted((k, v) for k, v in entry.items() if k != "match")),
            )
            for entry in entries
        )
        for group, entries in data["row_aliases"].items()
        if isinstance(entries, list)
    }
    return Registry(
        kinds=kinds,
        title_index=title_index,
        title_qualifiers=dict(data["title_qualifiers"]),
        table_end=tuple(_compile(p) for p in data["table_end_patterns"]),
        meta=tuple(_compile(p) for p in data["meta_patterns"]),
        structural_headers=frozenset(data["structural_headers"]),
        header_aliases=header_aliases,
        refines=dict(data["refines"]),
        canonical_order={k: tuple(v) for k, v in data["canonical_order"].items()},
        row_aliases=row_aliases,
        totals=_compile(data["row_aliases"]["totals"]),
        sum_lines={dim: frozenset(values) for dim, values in data["row_aliases"]["sum_lines"].items()},
        units={unit: Decimal(str(size)) for unit, size in data["units"]["sizes"].items()},
        unit_patterns=tuple(_compile(p) for p in data["units"]["patterns"]),
        title_prefixes=tuple(_compile(p) for p in data["title_wording"]["prefixes"]),
        title_suffix=_compile(data["title_wording"]["suffix"]),
        title_patterns=_title_patterns(data["title_wording"]["kinds"], kinds),
    )


def _title_patterns(entries: list[dict], kinds: dict[str, TableKind]) -> tuple[tuple[re.Pattern, str], ...]:
    for entry in entries:
        if entry["kind"] not in kinds:
            raise ValueError(f"table_kinds.yaml title_wording: unknown kind {entry['kind']!r}")
    return tuple((_compile(entry["match"]), entry["kind"]) for entry in entries)
