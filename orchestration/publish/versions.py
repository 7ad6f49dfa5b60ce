"""Calendar versions of releases: `YYYY.MM.DD`, then `YYYY.MM.DD.2`, `.3`, … for later releases that day.

Versions are compared as (year, month, day, n) with the plain date counting as n = 1, so that sorting
names as text (where `2024.05.01.10` < `2024.05.01.2`) never decides which release is newest.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

_VERSION = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})(?:\.([1-9]\d*))?$")


def is_version(name: str) -> bool:
    """True for a well-formed calendar version naming a real date (`.1` is spelt without suffix)."""
    match = _VERSION.match(name)
    if match is None or match.group(4) == "1":
        return False
    try:
        datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def version_key(name: str) -> tuple[int, int, int, int]:
    """Sort key of a version name; raises ValueError for anything that is not a version."""
    if not is_version(name):
        raise ValueError(f"not a release version (expected YYYY.MM.DD or YYYY.MM.DD.N): {name!r}")
    match = _VERSION.match(name)
    assert match is not None
    year, month, day, n = match.groups()
    return int(year), int(month), int(day), int(n or 1)


def sort_versions(names: Iterable[str]) -> list[str]:
    return sorted(names, key=version_key)


def next_version(today: datetime.date, existing: Iterable[str]) -> str:
    """The version a release cut `today` gets, given every version name already used in the target."""
    base = today.strftime("%Y.%m.%d")
    same_day = [
        version_key(name)[3]
        for name in existing
        if is_version(name) and name.split(".")[:3] == base.split(".")
    ]
    if not same_day:
        return base
    return f"{base}.{max(same_day) + 1}"
