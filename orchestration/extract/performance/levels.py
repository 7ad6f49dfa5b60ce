"""Indicator level names: carried down merged cells, normalised so provinces compare.

A level-1 or level-2 cell is printed once for the rows it spans, so each row inherits the levels
above it until a new one is printed. Names are normalised through the vocabulary (产出 -> 产出指标,
效果指标 -> 效益指标, 社会效益 -> 社会效益指标); the printed names are kept alongside. When a merged
cell lands on the wrong row (002 prints 社会效益 under 产出指标), the level-2 name, which belongs to
exactly one level-1 of the national framework, decides, and the row's note says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import squash_name
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class Levels:
    level1_printed: str | None
    level1_name: str | None
    level2_printed: str | None
    level2_name: str | None
    level3_printed: str | None
    level3_name: str | None
    note: str | None = None

    def columns(self) -> dict[str, str | None]:
        """The printed and normalised names as the raw tables' columns (note is a column of its own)."""
        return {
            "level1_printed": self.level1_printed,
            "level1_name": self.level1_name,
            "level2_printed": self.level2_printed,
            "level2_name": self.level2_name,
            "level3_printed": self.level3_printed,
            "level3_name": self.level3_name,
        }


class LevelTracker:
    """The levels in force at the current row of one indicator block."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.level1: str | None = None
        self.level2: str | None = None
        self.key_task: str | None = None

    def reset(self) -> None:
        self.level1 = self.level2 = self.key_task = None

    def set_level1(self, printed: str) -> None:
        self.level1, self.level2, self.key_task = printed, None, None

    def set_level2(self, printed: str) -> None:
        self.level2, self.key_task = printed, None

    def resolve(
        self, level3_printed: str | None, level3_name: str | None = None, note: str | None = None
    ) -> Levels:
        return resolve_levels(self.vocabulary, self.level1, self.level2, level3_printed, level3_name, note)


def resolve_levels(
    vocabulary: Vocabulary,
    level1: str | None,
    level2: str | None,
    level3_printed: str | None,
    level3_name: str | None = None,
    note: str | None = None,
) -> Levels:
    notes = [note] if note else []
    level1_printed, level2_printed = squash_name(level1), squash_name(level2)
    level1_name = vocabulary.level1_name(level1_printed) if level1_printed else None
    level1_name = level1_name or level1_printed
    entry = vocabulary.level2_entry(level2_printed) if level2_printed else None
    level2_name = entry.name if entry else level2_printed
    parent = entry.parent if entry else None
    if parent and level1_name is None:
        level1_name = parent
        notes.append(f"level-1 not printed: {parent} from level-2 {level2_printed}")
    elif (
        parent
        and level1_name != parent
        and level1_name in vocabulary.standard_level1
        and parent in vocabulary.standard_level1
    ):
        notes.append(f"level-1 printed {level1_printed} but level-2 {level2_printed} belongs to {parent}")
        level1_name = parent
    level3_printed = level3_printed.strip() if level3_printed and level3_printed.strip() else None
    return Levels(
        level1_printed,
        level1_name,
        level2_printed,
        level2_name,
        level3_printed,
        level3_name or squash_name(level3_printed),
        "; ".join(notes) or None,
    )


def take_level_prefix(
    texts: list[str], vocabulary: Vocabulary, keep: int = 1
) -> tuple[str | None, str | None, int]:
    """(level1, level2, cells consumed) from the level names that open a run of cells.

    Two leading level names are level-1 then level-2. A single one is a level-1 only when it is
    never a level-2 (成本指标 and 社会效益 are both: printed alone before an indicator they are the
    level-2). At least `keep` cells are left for the indicator itself.
    """
    run: list[str] = []
    while (
        len(run) < 2 and len(run) < len(texts) - keep and vocabulary.level_kind(texts[len(run)]) is not None
    ):
        run.append(texts[len(run)])
    if len(run) == 2:
        return run[0], run[1], 2
    if len(run) == 1:
        if vocabulary.level_kind(run[0]) == "level1":
            return run[0], None, 1
        return None, run[0], 1
    return None, None, 0
