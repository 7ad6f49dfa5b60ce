"""Recognisers: one module per family of tables, each registered under its family's name.

A recogniser reads the body rows of one table whose columns are already understood (columns.py) and
writes every printed amount through its `TableContext` (context.py): as a fact with its canonical
meaning or quarantined with the reason. Which family a table belongs to is data (table_kinds.yaml).
"""

from __future__ import annotations

from collections.abc import Callable

from ...readers.grid import Row
from ..columns import Block
from .context import TableContext

Recogniser = Callable[[TableContext, list[Block], list[Row]], None]
RECOGNISERS: dict[str, Recogniser] = {}


def recogniser(family: str) -> Callable[[Recogniser], Recogniser]:
    """Register the function that reads the tables of `family`."""

    def register(function: Recogniser) -> Recogniser:
        if family in RECOGNISERS:
            raise ValueError(f"two recognisers for family {family!r}")
        RECOGNISERS[family] = function
        return function

    return register


def load_recognisers() -> dict[str, Recogniser]:
    """Every family's recogniser (importing the modules registers them)."""
    from . import (  # noqa: F401  (imported for their registration)
        admin_operating,
        economic,
        fixed_assets,
        function,
        project,
        revenue,
        summary,
        three_public,
    )

    return RECOGNISERS
