"""Linking each target/evaluation table to its project in the department's project list.

Names differ slightly between the two (000: 人才培训经费 vs 人才培养经费; 公务员招录工作经费 vs
公务员考录工作经费), and a target table states this year's money while the list states the total
(公务员考录工作经费 335.21, of which 290 this year). So a pair matches on a normalised name that is
identical, or similar enough AND an amount equal to the project's total or this-year share (within
0.01 万元, the published rounding), or very similar when the target prints no amount. Pairs are
taken best first (identical name, amount agrees, similarity, then document order), one target per
project unless their names are identical.

The name comes first: a target left over whose name is similar (not identical) to a project nobody
took, each the other's most similar, is that project even when the amounts differ — a target that
states another amount for its project is a finding of the reconciliation
(performance_amount_equals_project), not a project of its own (000's 人才培训经费 printed 150 where the
list budgets 人才培养经费 15). A target with no match stays a project of its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Protocol

from .records import Sink

AMOUNT_TOLERANCE = Decimal("0.01")
SIMILAR_WITH_AMOUNT = 0.6
SIMILAR_WITHOUT_AMOUNT = 0.85
_NOISE = re.compile(r"[\s\u3000\xa0“”‘’\"'《》<>〈〉]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "—": "-", "－": "-"})


class BudgetProjectLike(Protocol):
    """What the matcher needs of a project of the department's list (financial.BudgetProject)."""

    name: str
    total: Decimal | None
    this_year: Decimal | None


@dataclass(frozen=True)
class TargetProject:
    """A project as a target or evaluation table names it, with the amount it prints (万元)."""

    name: str
    amount: Decimal | None


def normalise_project_name(name: str) -> str:
    return _NOISE.sub("", name).translate(_BRACKETS).lower()


def name_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(
        None, normalise_project_name(a), normalise_project_name(b), autojunk=False
    ).ratio()


def amount_agrees(amount: Decimal | None, project: BudgetProjectLike) -> bool | None:
    """True/False when both sides print an amount, None when there is nothing to compare."""
    stated = [v for v in (project.total, project.this_year) if v is not None]
    if amount is None or not stated:
        return None
    return any(abs(amount - value) <= AMOUNT_TOLERANCE for value in stated)


def _similar_enough(target_key: str, project_key: str, agrees: bool | None) -> float | None:
    """The names' similarity when it reaches the threshold the amounts call for, else None.

    The same test as `name_similarity` against SIMILAR_WITH_AMOUNT / SIMILAR_WITHOUT_AMOUNT, with
    difflib's cheap upper bounds tried first, so that most pairs never pay for a full comparison.
    """
    if agrees is False:
        return None
    threshold = SIMILAR_WITH_AMOUNT if agrees else SIMILAR_WITHOUT_AMOUNT
    matcher = difflib.SequenceMatcher(None, target_key, project_key, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    similarity = matcher.ratio()
    return similarity if similarity >= threshold else None


def _cent(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_FLOOR))


class _ProjectIndex:
    """The projects a target can match, found without comparing it with every project.

    A pair is a candidate only when the names are identical, the amounts agree (within 0.01 万元) or
    there is no amount to compare; any other pair is never one. So a target is compared with the
    projects of the same name, those stating an amount within a cent of its own, and those stating
    none — and with all of them only when it prints no amount itself. A document of thousands of
    projects then costs thousands of comparisons, not millions (targets x projects).
    """

    def __init__(self, keys: list[str], projects: Sequence[BudgetProjectLike]) -> None:
        self.everything = range(len(projects))
        self.by_key: dict[str, list[int]] = {}
        self.by_cent: dict[int, set[int]] = {}
        self.without_amount: list[int] = []
        for p_index, (key, project) in enumerate(zip(keys, projects, strict=True)):
            self.by_key.setdefault(key, []).append(p_index)
            stated = [v for v in (project.total, project.this_year) if v is not None]
            if not stated:
                self.without_amount.append(p_index)
            for value in stated:
                self.by_cent.setdefault(_cent(value), set()).add(p_index)

    def candidates(self, key: str, amount: Decimal | None) -> list[int]:
        if amount is None:
            return list(self.everything)
        found = set(self.by_key.get(key, ())) | set(self.without_amount)
        cent = _cent(amount)
        for near in (cent - 1, cent, cent + 1):
            found |= self.by_cent.get(near, set())
        return sorted(found)


def match_projects(
    targets: list[TargetProject], budget_projects: list[BudgetProjectLike]
) -> dict[str, str | None]:
    """Target project name -> name of the matching project of the list, or None."""
    result: dict[str, str | None] = {target.name: None for target in targets}
    candidates = []
    project_keys = [normalise_project_name(project.name) for project in budget_projects]
    index = _ProjectIndex(project_keys, budget_projects)
    for t_index, target in enumerate(targets):
        target_key = normalise_project_name(target.name)
        for p_index in index.candidates(target_key, target.amount):
            identical = target_key == project_keys[p_index]
            agrees = amount_agrees(target.amount, budget_projects[p_index])
            similarity = 1.0 if identical else _similar_enough(target_key, project_keys[p_index], agrees)
            if similarity is not None:
                candidates.append((not identical, agrees is not True, -similarity, t_index, p_index))
    candidates.sort()
    owner: dict[int, str] = {}  # project index -> normalised name of the target that took it
    matched: set[int] = set()
    for *_, t_index, p_index in candidates:
        target_key = normalise_project_name(targets[t_index].name)
        if t_index in matched or owner.get(p_index, target_key) != target_key:
            continue
        owner[p_index] = target_key
        matched.add(t_index)
        result[targets[t_index].name] = budget_projects[p_index].name
    for t_index, p_index in _mutual_best_by_name(targets, budget_projects, matched, set(owner)):
        result[targets[t_index].name] = budget_projects[p_index].name
    return result


def _mutual_best_by_name(
    targets: list[TargetProject], budget_projects: list[BudgetProjectLike], matched: set[int], taken: set[int]
) -> list[tuple[int, int]]:
    """Pairs of a target and a project both left over, similar by name whatever their amounts, each the
    other's most similar (ties: no pair, as neither is known to be the one)."""
    free_targets = [t for t in range(len(targets)) if t not in matched]
    free_projects = [p for p in range(len(budget_projects)) if p not in taken]
    score = {
        (t, p): name_similarity(targets[t].name, budget_projects[p].name)
        for t in free_targets
        for p in free_projects
    }

    def best(options: list[tuple[float, int]]) -> int | None:
        options = sorted(options, reverse=True)
        if not options or options[0][0] < SIMILAR_WITH_AMOUNT:
            return None
        if len(options) > 1 and options[1][0] == options[0][0]:
            return None
        return options[0][1]

    pairs = []
    for t in free_targets:
        p = best([(score[t, q], q) for q in free_projects])
        if p is not None and best([(score[u, p], u) for u in free_targets]) == t:
            pairs.append((t, p))
    return pairs


def link_projects(sink: Sink, budget_projects: Sequence[BudgetProjectLike]) -> None:
    """Fill matched_project_name in every performance row; report projects left unmatched."""
    projects = [row for row in sink.projects if not row["is_department_wide"] and row["project_name"]]
    if not projects:
        return
    targets = [TargetProject(row["project_name"], row["budget_amount"]) for row in projects]
    matches = match_projects(targets, list(budget_projects))
    for rows in (sink.projects, sink.targets, sink.evaluations):
        for row in rows:
            if row["project_name"] is not None:
                row["matched_project_name"] = matches.get(row["project_name"])
    if not budget_projects:
        sink.issue(
            None,
            "performance_project_unmatched",
            "info",
            f"{len(projects)} project(s) with performance tables, but the document has no project list to "
            "link them to: each is a project of its own",
        )
        return
    for row in projects:
        if row["matched_project_name"] is None:
            sink.issues.append(
                {
                    "document_key": sink.document_key,
                    "check_name": "performance_project_unmatched",
                    "severity": "info",
                    "source_table": row["source_table"],
                    "table_seq": row["table_seq"],
                    "detail": f"project {row['project_name']!r} (amount {row['budget_amount']}) matches no "
                    "project of the department's list by name and amount: it is a project of its own",
                }
            )
