"""A table whose title names no kind, recognised by what it prints when that leaves no doubt.

The title is one piece of evidence; the header is another. A header that names 三公 categories
(因公出国（境）费, 公务用车购置及运行费, 公务接待费 …) can only be a 三公 table, and one whose columns
are the sources of a department's revenue (本年收入合计, 财政拨款收入, 上级补助收入, 事业收入 …) over
classification codes can only be the all-funds 收入表. Kinds whose fund scope only the title tells
(a function table may be all funds, 一般公共预算 or 政府性基金) are not guessed: a wrong scope would
contradict the document's other tables and hold back good numbers.
"""

from __future__ import annotations

from ..readers.grid import Row, squash
from .registry import Registry, TableKind

# Distinct header meanings that make a kind certain: (kind, alias group, dimension, how many, roles the
# header must name too).
_SIGNATURES = (
    ("three_public_costs", "three_public", "category", 2, frozenset()),
    ("revenue", "revenue", "revenue_source", 3, frozenset({"code", "name"})),
)
_PROJECT_ROLES = frozenset({"project_category", "project_level1", "project_level2"})


def _header_values(
    rows: list[Row], group: str, dimension: str, registry: Registry
) -> tuple[set[str], set[str]]:
    """The values of `dimension` the header names (totals aside), and the label roles it names."""
    values: set[str] = set()
    roles: set[str] = set()
    for row in rows:
        for _, cell in row.filled:
            alias = registry.header_meaning(group, squash(cell))
            if alias is None:
                continue
            if alias.role:
                roles.add(alias.role)
            value = dict(alias.assign).get(dimension)
            if value and value != "total":
                values.add(value)
    return values, roles


def kind_by_structure(rows: list[Row], registry: Registry) -> TableKind | None:
    """The kind the header rows (those before the first amount) leave no doubt about, if any."""
    header = []
    for row in rows:
        if any(any(ch.isdigit() for ch in cell) and "." in cell for _, cell in row.filled):
            break
        header.append(row)
    for kind, group, dimension, needed, required_roles in _SIGNATURES:
        values, roles = _header_values(header, group, dimension, registry)
        if len(values) >= needed and required_roles <= roles and not roles & _PROJECT_ROLES:
            return registry.kinds[kind]
    return None
