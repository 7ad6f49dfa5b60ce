"""The words of performance tables, loaded from performance_vocabulary.yaml.

Readers never hard-code a label: they ask the vocabulary whether a cell is a level-1 name, a level-2
name, an attribute label or a closing row. The file is read on first use (never at import time)
and cached, so every document of a run sees the same vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .text import label_key

VOCABULARY_FILE = "performance_vocabulary.yaml"


@dataclass(frozen=True)
class Level2:
    name: str
    parent: str | None


@dataclass(frozen=True)
class HeaderColumn:
    """What one column of an indicator header holds."""

    field: str  # level1 | level2 | level3 | key_task | description | value | weight | basis | project fields
    period: str | None = None  # for value columns
    unit: str | None = None  # printed in the label, e.g. 年度资金总额(万元)


class Vocabulary:
    def __init__(self, data: dict):
        self.data = data
        titles = data["titles"]
        self.target_titles = tuple(label_key(t) for t in titles["target"])
        self.evaluation_titles = tuple(label_key(t) for t in titles["evaluation"])
        self.department_markers = tuple(titles["department_markers"])
        self.numbering_prefix = re.compile(titles["numbering_prefix"])
        self.year_suffix = re.compile(titles["year_suffix"])
        self.stop_patterns = tuple(re.compile(p) for p in data["stop_patterns"])
        self.year_pattern = re.compile(data["meta_patterns"]["year"])
        self.unit_pattern = re.compile(data["meta_patterns"]["unit"])
        self.section_labels = frozenset(label_key(x) for x in data["section_labels"])
        self.vertical_label_chars = frozenset(data["vertical_label_chars"])

        levels = data["levels"]
        self.level1: dict[str, str] = {}
        for canonical, aliases in levels["level1"].items():
            for printed in [canonical, *(aliases or [])]:
                self.level1[label_key(printed)] = canonical
        self.standard_level1 = frozenset(levels["standard_level1"])
        self.level2: dict[str, Level2] = {}
        for canonical, spec in levels["level2"].items():
            entry = Level2(canonical, spec.get("parent"))
            for printed in [canonical, *(spec.get("aliases") or [])]:
                self.level2[label_key(printed)] = entry
        self.truncation_min_length = int(levels["truncation_min_length"])

        header = data["indicator_header"]
        self.min_level_columns = int(header["min_level_columns"])
        self.header_columns: dict[str, str] = {}
        for field, labels in header["columns"].items():
            for label in labels:
                self.header_columns[label_key(label)] = field
        self.value_suffix = header["value_suffix"]
        self.header_periods = {label_key(k): v for k, v in header["periods"].items()}
        self.period_noise = tuple(label_key(x) for x in header["period_noise"])

        funding = data["funding"]
        self.funding_block_label = funding["block_label"]
        self.funding_block_title = re.compile(funding["block_title"])
        self.funding_flows = {label_key(k): v for k, v in funding["flows"].items()}
        self.funding_period_words = dict(funding["period_words"])
        self.funding_total_labels = frozenset(label_key(x) for x in funding["total_labels"])
        self.county_totals = {label_key(k): v for k, v in funding["county_totals"].items()}
        self.county_sources = tuple(label_key(x) for x in funding["county_sources"])
        self.funding_line_roles = {
            (flow, label_key(label)): role
            for flow, roles in funding["line_roles"].items()
            for role, labels in roles.items()
            for label in labels
        }

        self.attributes = self._label_map(data["attributes"])
        self.money_attributes = {label_key(k): v["column"] for k, v in data["money_attributes"].items()}
        self.money_flows = {label_key(k): v["flow"] for k, v in data["money_attributes"].items()}
        self.score_attributes = self._label_map(data["score_attributes"])
        self.closing_labels = tuple(label_key(x) for x in data["closing_labels"])
        county = data["county"]
        self.county_goal_header = tuple(label_key(x) for x in county["goal_header"])
        self.county_goal_label = label_key(county["goal_label"])
        self.county_text_sections = tuple(label_key(x) for x in county["text_sections"])
        self.county_sides = tuple(county["sides"])
        evaluation = data["evaluation"]
        self.task_header = tuple(label_key(x) for x in evaluation["task_header"])
        self.goal_header_first = tuple(label_key(x) for x in evaluation["goal_header_first"])
        self.goal_header_second = tuple(label_key(x) for x in evaluation["goal_header_second"])
        self.evaluation_header_words = tuple(label_key(x) for x in evaluation["header_words"])
        self.reason_flag = evaluation["reason_flag"]
        values = data["indicator_values"]
        self.comparators = dict(values["comparators"])
        self.unit_max_length = int(values["unit_max_length"])
        self.unit_stop_words = tuple(values["unit_stop_words"])
        self.calendar_date = re.compile(values["calendar_date"])

    @staticmethod
    def _label_map(section: dict) -> dict[str, str]:
        return {label_key(label): key for key, labels in section.items() for label in labels}

    # --- levels -------------------------------------------------------------------------------
    def level1_name(self, printed: str) -> str | None:
        return self.level1.get(label_key(printed))

    def level2_entry(self, printed: str) -> Level2 | None:
        return self.level2.get(label_key(printed))

    def level_kind(self, printed: str) -> str | None:
        """'level1', 'level2', 'both' (e.g. 成本指标, 社会效益) or None for any other text."""
        key = label_key(printed)
        one, two = key in self.level1, key in self.level2
        if one and two:
            return "both"
        return "level1" if one else "level2" if two else None

    def level2_names_longest_first(self) -> list[tuple[str, Level2]]:
        return sorted(self.level2.items(), key=lambda item: (-len(item[0]), item[0]))

    # --- labels -------------------------------------------------------------------------------
    def header_column(self, printed: str) -> HeaderColumn | None:
        """What an indicator-header cell names, or None for a cell that is not a known column (memoised
        per vocabulary: the same header texts recur in every table)."""
        cache = self.__dict__.setdefault("_header_columns_seen", {})
        if printed not in cache:
            cache[printed] = self._header_column(printed)
        return cache[printed]

    def _header_column(self, printed: str) -> HeaderColumn | None:
        key = label_key(printed)
        unit = None
        unit_match = re.search(r"\((万元|元)\)$", key)
        if unit_match:
            unit = unit_match.group(1)
            key = key[: unit_match.start()]
        if key in self.header_columns:
            return HeaderColumn(self.header_columns[key], unit=unit)
        if key.endswith(self.value_suffix):
            prefix = key[: -len(self.value_suffix)]
            for noise in self.period_noise:
                prefix = prefix.replace(noise, "")
            if prefix in self.header_periods:
                return HeaderColumn("value", period=self.header_periods[prefix])
        return None

    def funding_line_role(self, flow: str, item_name: str) -> str:
        """What a funding line is to the reconciliation: total, fiscal_subtotal, fiscal_source, source
        (收入); total, basic, project, executed, item (支出)."""
        role = self.funding_line_roles.get((flow, label_key(item_name)))
        return role or ("item" if flow == "expenditure" else "source")

    def is_closing(self, printed: str) -> bool:
        key = label_key(printed)
        return any(key.startswith(label) for label in self.closing_labels)

    def attribute(self, printed: str) -> tuple[str, str, str | None] | None:
        """(kind, key, unit) for an attribute label: kind is text | money | score.

        The key is the canonical attribute for text and scores, the label itself for money (see
        money_attributes for its column and flow).
        """
        key = label_key(printed)
        unit = None
        unit_match = re.search(r"\((万元|元)\)$", key)
        if unit_match:
            unit = unit_match.group(1)
            key = key[: unit_match.start()]
        if key in self.attributes:
            return "text", self.attributes[key], unit
        if key in self.money_attributes:
            return "money", key, unit
        if key in self.score_attributes:
            return "score", self.score_attributes[key], unit
        return None


@cache
def load_vocabulary() -> Vocabulary:
    text = resources.files(__package__).joinpath(VOCABULARY_FILE).read_text(encoding="utf-8")
    return Vocabulary(yaml.safe_load(text))
