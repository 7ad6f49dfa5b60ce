"""The scale benchmark's corpus (benchmarks/corpus.py): distinct documents that reconcile as their seeds do.

A corpus document must read as a department, region and year of its own, and every figure it prints
must be its seed's, so that every reconciliation rule gives it the seed's verdict: the benchmark then
measures clean documents doing the whole pipeline's work, not documents held back for errors the
generator made.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestration.extract.pipeline import extract_document
from orchestration.warehouse.raw_schema import all_raw_tables

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import SEEDS, make_document, write_corpus  # noqa: E402

# Columns that name the document (or derive from its name); everything else is what was read.
_IDENTITY = {"document_key", "source_name", "sha256", "department_name", "department_key", "fiscal_year"}


def _figures(extraction) -> dict[str, list[tuple]]:
    """Every raw row of the extraction, without its identity columns, in a stable order."""
    figures = {}
    for table in all_raw_tables():
        if table == "documents":
            continue
        rows = [
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in _IDENTITY and "year" not in k))
            for row in extraction.rows_for(table)
            # which department a table header prints against the document's is about names, not figures
            if row.get("check_name") != "metadata_consistent"
        ]
        figures[table] = sorted(rows)
    return figures


@pytest.mark.parametrize("index", [0, 1, 2, 3, 4, 157, 1203])
def test_a_corpus_document_reads_as_its_seed_under_its_own_name(tmp_path, index):
    name, text = make_document(index)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    document = extract_document(path)
    seed = extract_document(SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[index % 5])

    assert document.document["status"] == "read"
    assert document.document["department_name"] != seed.document["department_name"]
    assert document.document_key != seed.document_key
    # Same figures, same tables, same quarantine: the same verdict from every rule.
    mine, theirs = _figures(document), _figures(seed)
    assert sum(len(rows) for rows in mine.values()) > 100
    for table in mine:
        amounts = [v for row in mine[table] for k, v in row if k == "amount"]
        assert len(mine[table]) == len(theirs[table]), table
        assert amounts == [v for row in theirs[table] for k, v in row if k == "amount"], table


def test_the_corpus_is_deterministic_and_distinct(tmp_path):
    # text only: the corpus's PDFs are byte copies of one real PDF, made departments by its manifest
    first = write_corpus(40, tmp_path / "a", text_only=True)
    second = write_corpus(40, tmp_path / "b", text_only=True)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert len({p.read_bytes() for p in first}) == 40
