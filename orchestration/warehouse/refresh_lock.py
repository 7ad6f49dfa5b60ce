"""One refresh at a time per warehouse folder: a lock file held for the whole run.

DuckDB's own file lock is taken and released by every connection, so two refreshes started a second
apart both passed a "can I open it?" pre-check and then collided half-way (in the middle of dbt, with
DuckDB's raw "Could not set lock"). The refresh lock is instead taken once, before anything runs, and
held until the run ends: `<warehouse>/.refresh.lock`, an exclusive `flock` that the operating system
releases when the holding process exits, however it exits (a crash or `kill -9` leaves no stale lock).

The lock is re-entrant within a process: `cnbudget refresh` takes it before starting the Dagster run so
that a second refresh is refused at once, and the run's warehouse resource takes it again (the same
resource takes it alone when the run comes from the UI, the schedule or the sensor).
"""

from __future__ import annotations

import datetime
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..clock import now

LOCK_NAME = ".refresh.lock"

_held: dict[Path, tuple[int, int]] = {}  # lock path -> (file descriptor, depth) held by this process
_guard = threading.Lock()


class RefreshInProgress(RuntimeError):
    """Another process is refreshing this warehouse; the message says which and what to do."""


def lock_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / LOCK_NAME


def acquire(warehouse_dir: Path) -> Path:
    """Take the refresh lock of the folder now, or raise `RefreshInProgress` at once (never wait)."""
    path = lock_path(warehouse_dir).resolve()
    with _guard:
        if path in _held:
            fd, depth = _held[path]
            _held[path] = (fd, depth + 1)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise RefreshInProgress(
                f"another refresh is running on {path.parent}{holder}: wait for it to finish and retry"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {now().isoformat(timespec='seconds')}\n".encode())
        _held[path] = (fd, 1)
        return path


def release(path: Path) -> None:
    """Give back one level of the lock; the last one closes the file (and so unlocks it)."""
    with _guard:
        fd, depth = _held[path]
        if depth > 1:
            _held[path] = (fd, depth - 1)
            return
        del _held[path]
        os.close(fd)


@contextmanager
def refresh_lock(warehouse_dir: Path) -> Iterator[Path]:
    path = acquire(warehouse_dir)
    try:
        yield path
    finally:
        release(path)


def _read_holder(fd: int) -> str:
    """ " (PID 123, since 2026-12-01T06:00:02+08:00)" from what the holder wrote, or "" if unreadable."""
    try:
        text = os.pread(fd, 200, 0).decode("ascii", "replace").split()
    except OSError:
        return ""
    if len(text) >= 2 and text[0].isdigit():
        try:
            datetime.datetime.fromisoformat(text[1])
        except ValueError:
            return f" (PID {text[0]})"
        return f" (PID {text[0]}, since {text[1]})"
    return ""
