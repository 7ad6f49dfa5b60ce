"""A consumer of record batches on a thread of its own, fed through a short queue.

A release streams each table once and does two things with every batch: it adds it to the content
hash and writes it to the Parquet file. Reading the batches (from DuckDB, or from the previous
release's file), hashing them (Arrow casts, sha256) and compressing them (Parquet, zstd) all run
outside Python's GIL. Done in turn they take the sum of the three times; with the hash and the file
each on a thread they overlap on the machine's cores (the 1.95M rows of `fct_source_cell` rebuilt from
the previous release on 2 cores: 4.7 s in turn, 3.2 to 4.1 s overlapped). Each consumer sees every
batch in order, so what it makes does not depend on the timing; its queue holds at most `depth`
batches (2: with 4 the first release of 10,000 documents peaked 60 MB higher), so memory stays a few
batches per table.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

_END = object()


class ConsumerThread:
    """Calls `consume(item)` for every item `put`, in order, on its own thread.

    An error in `consume` is raised to the producer at its next `put` or at `close`; the thread then
    drains the queue without consuming, so the producer never waits on a consumer that has stopped.
    """

    def __init__(self, consume: Callable[[Any], None], name: str, depth: int = 2) -> None:
        self._consume = consume
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            if self._error is None:
                try:
                    self._consume(item)
                except BaseException as error:  # handed to the producer thread
                    self._error = error

    def put(self, item: Any) -> None:
        if self._error is not None:
            self.stop()
            raise self._error
        self._queue.put(item)

    def close(self) -> None:
        """Wait until every item is consumed; raise the consumer's error, if any."""
        self.stop()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """End the thread after the items already queued (their errors are kept, not raised)."""
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
