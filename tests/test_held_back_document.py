"""A document whose department cannot be read, among good ones, through `cnbudget refresh`.

Before, its facts reached the fct tables with a NULL department_key, dbt's not-null tests failed and
the whole refresh published nothing. Now the good document publishes, dbt's tests pass, the nameless
one is reported with its cause and the manifest entry that fixes it, and its cells are quarantined
(held back, not lost). With that manifest entry, a refresh publishes it too (into a warehouse of its
own, so that each refresh's outcome can be read).
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
import yaml
from conftest import MINI_SOURCES_DIR, Refresh, refresh
from test_document_identity import MINI, write_nameless

pytestmark = pytest.mark.e2e

NAMELESS = "部门预算.txt"


def _query(refresh_: Refresh, sql: str, params=()):
    with duckdb.connect(str(refresh_.duckdb_path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def refreshes(tmp_path_factory, dbt_manifest) -> tuple[Refresh, Refresh]:
    root = tmp_path_factory.mktemp("held_back")
    sources = root / "sources"
    shutil.copytree(MINI_SOURCES_DIR, sources)
    write_nameless(sources, NAMELESS)
    held = refresh(sources, root / "held")
    (sources / "manifest.yaml").write_text(
        yaml.safe_dump({NAMELESS: {"department_name": "中共稷山县委组织部"}}, allow_unicode=True),
        encoding="utf-8",
    )
    fixed = refresh(sources, root / "fixed")
    return held, fixed


def _facts_by_document(refresh_: Refresh) -> dict[str, int]:
    return dict(
        _query(
            refresh_,
            "SELECT d.source_name, count(f.document_key) FROM marts.dim_document d "
            "LEFT JOIN marts.fct_source_cell f USING (document_key) GROUP BY 1",
        )
    )


def test_the_good_document_publishes_and_dbt_tests_pass(refreshes):
    held, _ = refreshes
    result = held.result
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "[4/6] dbt build: done" in result.stdout and "dbt build: FAILED" not in result.stdout
    assert held.latest is not None
    facts = _facts_by_document(held)
    assert facts[MINI.name] > 0 and facts[NAMELESS] == 0
    assert _query(held, "SELECT department_name FROM marts.dim_department") == [("中共稷山县委组织部",)]


def test_the_nameless_document_is_reported_with_its_cause_and_the_fix(refreshes):
    held, _ = refreshes
    ((status, department_key, error),) = _query(
        held,
        "SELECT document_status, department_key, document_error FROM marts.dim_document WHERE source_name = ?",
        (NAMELESS,),
    )
    assert (status, department_key) == ("read", None)
    assert "department_name" in error and "manifest.yaml" in error
    errors = _query(
        held,
        "SELECT i.check_name, i.detail FROM marts.dq_issue i JOIN marts.dim_document d USING (document_key) "
        "WHERE d.source_name = ? AND i.severity = 'error'",
        (NAMELESS,),
    )
    assert [check for check, _ in errors] == ["document_identified"]
    assert f"{NAMELESS}: {{department_name: " in errors[0][1]
    assert f"{NAMELESS}: 1 errors; held back" in held.result.stdout
    # every number it prints is accounted for: quarantined with the reason, none published
    printed, quarantined = _query(
        held,
        "SELECT (SELECT sum(numeric_cells) FROM raw.tables t JOIN raw.documents d USING (document_key) "
        "        WHERE d.source_name = ?), "
        "       (SELECT count(*) FILTER (WHERE q.reason = 'table failed document_identified') "
        "        FROM marts.quarantined_row q JOIN marts.dim_document d USING (document_key) WHERE d.source_name = ?)",
        (NAMELESS, NAMELESS),
    )[0]
    assert printed > 0 and quarantined == printed


def test_with_the_manifest_entry_the_document_publishes(refreshes):
    _, fixed = refreshes
    assert fixed.result.returncode == 0, fixed.result.stdout[-3000:] + fixed.result.stderr[-3000:]
    facts = _facts_by_document(fixed)
    assert facts[NAMELESS] == facts[MINI.name] > 0
    assert _query(fixed, "SELECT count(*) FROM marts.dq_issue WHERE check_name = 'document_identified'") == [
        (0,)
    ]
