"""What a process made of a file's bytes, remembered while the file cannot have changed.

A refresh run in one process reads the same files several times: the sources' sha256 (the CLI's
check, the source_documents and plan steps, the release) and the raw store's document markers (the
CLI's check, the plan, the load, the checks). For 10,000 documents each pass costs about half a second.

Any write to a file changes its status-change time (ctime), which no user call can set back, so the
same device, inode, size, mtime and ctime mean the same bytes, provided the file was not being written
when it was read: file times are coarse (a few milliseconds), so two writes that close together can
share a ctime. As git does with its index ("racy clean"), a value is kept only for a file last changed
more than two seconds before it was read. At most a few hundred bytes per file, for the life of the
process.
"""

from __future__ import annotations

import os
import time
from typing import Any

SETTLED_NS = 2_000_000_000


def _identity(status: os.stat_result) -> tuple[int, int, int, int, int]:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


class SettledFileMemo:
    """Values derived from files, by the identity (`os.stat`) the file had when it was read."""

    def __init__(self) -> None:
        self._values: dict[tuple[int, int, int, int, int], Any] = {}

    def get(self, status: os.stat_result) -> Any | None:
        """The value remembered for a file whose status is now `status`, or None."""
        return self._values.get(_identity(status))

    def put(self, status: os.stat_result, value: Any) -> None:
        """Remember `value`, made from the bytes of a file whose status was `status` when it was read
        (taken before reading), unless the file had changed too recently to be trusted."""
        if time.time_ns() - status.st_ctime_ns > SETTLED_NS:
            self._values[_identity(status)] = value
