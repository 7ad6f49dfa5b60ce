"""Extraction speed on the five seeds: read, metadata, financial and performance tables.

Run on demand (`make bench`); the goal is well under a second for all five documents. It prints
the best of several runs, so a cold start (loading the gazetteer and the classification once)
is reported separately from the steady state.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from orchestration.extract.pipeline import extract_document, list_source_documents

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def run_once(paths: list[Path]) -> tuple[float, int, int]:
    start = time.perf_counter()
    cells = quarantined = 0
    for path in paths:
        extraction = extract_document(path)
        cells += len(extraction.cells)
        quarantined += len(extraction.quarantine)
    return time.perf_counter() - start, cells, quarantined


def main() -> int:
    paths = list_source_documents(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCES)
    cold, cells, quarantined = run_once(paths)
    warm = min(run_once(paths)[0] for _ in range(5))
    print(f"documents: {len(paths)}, cells: {cells}, quarantined: {quarantined}")
    print(f"first run (loads gazetteer and classification): {cold * 1000:.0f} ms")
    print(f"steady state, best of 5: {warm * 1000:.0f} ms")
    return 0 if warm < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
