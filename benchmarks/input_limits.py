"""Extraction time against input size, at the limits of orchestration/readers/limits.py.

The hot paths must grow linearly: a row of n cells and a document of n projects once cost n² (a
750,000-character line took 68 s in the metadata scan; project matching compared every performance
table with every project). Here each shape is timed at one size and at four times that size; a
linear path takes about four times as long, a quadratic one sixteen. Run on demand (`make bench`):
it fails when a ratio exceeds 8, or when the largest document the limits allow (a seed repeated to
the text size limit) takes more than three minutes (measured: 132 s on a shared, loaded 2-core
machine before project matching pruned by difflib's quick bounds).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from orchestration.extract.pipeline import extract_document
from orchestration.readers.limits import MAX_FILE_BYTES, MAX_LINE_CHARS

SOURCES = Path(__file__).resolve().parent.parent / "sources"
TSV_SEED = (SOURCES / "003_fea1944156b82701.txt").read_bytes()
PROJECTS_SEED = (SOURCES / "000_3dc14b99499346cd.txt").read_bytes()  # 12 performance tables, 20 projects
MAX_RATIO = 8.0
MAX_SECONDS_AT_LIMIT = 180.0


def wide_row(cells: int) -> bytes:
    return TSV_SEED.rstrip(b"\n") + b"\n" + "\t".join(["1"] * cells).encode() + b"\n"


def repeated(copies: int) -> bytes:
    return PROJECTS_SEED * copies


def seconds(data: bytes) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.txt"
        path.write_bytes(data)
        start = time.perf_counter()
        extraction = extract_document(path)
        elapsed = time.perf_counter() - start
    assert extraction.document["status"] == "read", extraction.document["error"]
    return elapsed


def ratio(name: str, make: Callable[[int], bytes], size: int) -> bool:
    small, large = seconds(make(size)), seconds(make(4 * size))
    growth = large / max(small, 1e-6)
    print(
        f"{name}: {small:.2f}s at {size:,}, {large:.2f}s at {4 * size:,} -> x{growth:.1f} (linear ~4, quadratic ~16)"
    )
    return growth <= MAX_RATIO


def main() -> int:
    ok = ratio("one row of n cells", wide_row, MAX_LINE_CHARS // 8)
    ok &= ratio("n copies of a budget with performance tables", repeated, 10)
    copies = MAX_FILE_BYTES["text"] // len(PROJECTS_SEED)
    at_limit = seconds(repeated(copies))
    print(
        f"largest text document allowed ({copies} copies, {copies * len(PROJECTS_SEED) / 2**20:.1f} MB): {at_limit:.1f}s"
    )
    return 0 if ok and at_limit <= MAX_SECONDS_AT_LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
