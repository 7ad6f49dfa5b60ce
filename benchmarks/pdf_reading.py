"""PDF reading: the product's reader beside pdfplumber's `extract_tables` and `pdftotext -layout`.

Run on demand (`make bench`, or `.venv/bin/python benchmarks/pdf_reading.py [PDF ...]`). On the same
files, in one run, it prints pages per second of each way of reading, and how many table cells each
recovers:
- `amount cells`: cells inside tables that hold an amount ("2,940.05");
- `wrapped cells`: cells whose text wraps inside the cell ("本年支出合" + "计", a long label), as
  pdfplumber finds them, and how many of them the product reads as one cell with the same text —
  pdftotext prints the pieces on separate lines and has no cells at all;
- `agree`: amount cells the product reads with the same row label and value as pdfplumber (the
  reference for "cells at least as correct").
The goal (issue: readers): at least twice pdfplumber's pages/s with cells at least as correct.
pdfplumber is a dev dependency (benchmark only); pdftotext comes from Debian's poppler-utils and is
skipped when absent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from orchestration.extract.numbers import is_decimal_amount
from orchestration.readers.grid import squash
from orchestration.readers.pdf import read_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"
REPEAT = 3


def _best(function, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def _product(path: Path) -> list[tuple[str, ...]]:
    grid = read_pdf(path.read_bytes(), path.name)
    return [row.cells for row in grid.rows if row.origin and row.origin.table is not None]


def _pdfplumber(path: Path) -> list[tuple[str, ...]]:
    import pdfplumber

    rows = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows.extend(tuple(cell or "" for cell in row) for row in table)
    return rows


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _amounts(rows: list[tuple[str, ...]]) -> set[tuple[str, str, int]]:
    """(row label, amount, occurrence) of every amount cell: the label is the row's last text cell
    before the amount, so that the same figure in two rows counts twice."""
    seen: dict[tuple[str, str], int] = {}
    out = set()
    for row in rows:
        label = ""
        for cell in row:
            text = squash(cell)
            if is_decimal_amount(text):
                key = (label, text)
                seen[key] = seen.get(key, 0) + 1
                out.add((label, text, seen[key]))
            elif text and not text.isdigit():
                label = text
    return out


def _wrapped(rows: list[tuple[str, ...]]) -> set[str]:
    return {squash(cell) for row in rows for cell in row if "\n" in cell.strip()}


def main() -> int:
    paths = [Path(p) for p in sys.argv[1:]] or sorted(FIXTURES.glob("*.pdf"))
    import pypdfium2

    totals = {"product": 0.0, "pdfplumber": 0.0, "pdftotext": 0.0}
    pages_total = 0
    ok = True
    for path in paths:
        pages = len(pypdfium2.PdfDocument(path))
        pages_total += pages
        product_time, product_rows = _best(_product, path)
        plumber_time, plumber_rows = _best(_pdfplumber, path)
        totals["product"] += product_time
        totals["pdfplumber"] += plumber_time
        mine, reference = _amounts(product_rows), _amounts(plumber_rows)
        print(f"{path.name}: {pages} pages")
        wrapped = _wrapped(plumber_rows)
        whole = wrapped & {squash(cell) for row in product_rows for cell in row}
        print(
            f"  product    {pages / product_time:7.1f} pages/s  amount cells {len(mine):4}  "
            f"wrapped cells read whole {len(whole):3}  amounts agreeing with pdfplumber {len(mine & reference)}"
        )
        print(
            f"  pdfplumber {pages / plumber_time:7.1f} pages/s  amount cells {len(reference):4}  "
            f"wrapped cells {len(wrapped):3}"
        )
        if shutil.which("pdftotext"):
            text_time, _ = _best(_pdftotext, path)
            totals["pdftotext"] += text_time
            print(f"  pdftotext  {pages / text_time:7.1f} pages/s  (text only, no cells)")
        if not reference <= mine or whole != wrapped:
            ok = False
            print(f"  amounts pdfplumber reads and the product does not: {sorted(reference - mine)[:10]}")
            print(f"  wrapped cells the product does not read whole: {sorted(wrapped - whole)[:10]}")
    print(f"all files, {pages_total} pages:")
    for name, seconds in totals.items():
        if seconds:
            print(f"  {name:<10} {pages_total / seconds:7.1f} pages/s")
    speedup = totals["pdfplumber"] / totals["product"]
    print(f"  product / pdfplumber: {speedup:.1f}x (goal: at least 2x, cells at least as correct)")
    return 0 if ok and speedup >= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
