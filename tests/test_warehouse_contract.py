"""The warehouse built from the five seeds against the published contract (docs/contract.md).

Tables, columns, grains and relationships are read from the contract document itself, so that a
mart drifting away from what users were promised fails here. Sample values are figures printed in
the seeds; codes are those of the national classification.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import SEEDS_DIR, refresh

from orchestration.cli import EXIT_DOCUMENTS_NOT_READ

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "contract.md"
GRAIN_ALIASES = {"document": "document_key"}


def _contract_tables() -> dict[str, dict]:
    """{table: {"columns": [...], "grain": [...]}} from the contract's Dimensions, Facts and Data quality."""
    text = CONTRACT.read_text(encoding="utf-8").split("## Extensions")[0]
    tables: dict[str, dict] = {}
    fact_common = ["document_key", "department_key", "fiscal_year", "source_table", "source_row"]
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        if name.startswith("dim_") or name in ("dq_issue", "quarantined_row"):
            columns = re.findall(r"`([a-z_][a-z_0-9]*)`", cells[1])
            tables[name] = {"columns": columns, "grain": columns[:1] if name.startswith("dim_") else []}
        elif name.startswith("fct_") and len(cells) >= 3:
            grain = [
                GRAIN_ALIASES.get(g, g)
                for g in re.findall(r"`?([a-z_]+)`?", re.sub(r"\([^)]*\)", "", cells[1]))
            ]
            grain = [g for g in grain if g not in ("a", "or", "null", "for")]
            columns = fact_common + grain + re.findall(r"`([a-z_]+)`", cells[2].split("(`>=`")[0])
            tables[name] = {"columns": list(dict.fromkeys(columns)), "grain": grain}
    return tables


CONTRACT_TABLES = _contract_tables()


@pytest.fixture(scope="module")
def con(seeds_refresh):
    # the seeds come with files no reader can use: completed, published, and said in the exit status
    assert seeds_refresh.result.returncode == EXIT_DOCUMENTS_NOT_READ, seeds_refresh.result.stderr
    connection = duckdb.connect(str(seeds_refresh.duckdb_path), read_only=True)
    yield connection
    connection.close()


def test_the_contract_lists_every_published_table():
    assert len(CONTRACT_TABLES) == 16
    assert CONTRACT_TABLES["fct_expenditure_by_function"]["grain"] == [
        "document_key",
        "fund_scope",
        "function_code",
        "expenditure_type",
    ]


@pytest.mark.parametrize("table", sorted(CONTRACT_TABLES))
def test_every_contract_table_and_column_exists(con, table):
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    }
    assert columns, f"marts.{table} is missing"
    assert set(CONTRACT_TABLES[table]["columns"]) <= columns


@pytest.mark.parametrize("table", sorted(t for t, spec in CONTRACT_TABLES.items() if spec["grain"]))
def test_every_table_is_unique_at_its_grain(con, table):
    grain = ", ".join(CONTRACT_TABLES[table]["grain"])
    duplicates = con.execute(
        f"select {grain}, count(*) from marts.{table} group by all having count(*) > 1"
    ).fetchall()
    assert duplicates == []
    assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0


def _declared_not_null() -> dict[str, set[str]]:
    """{mart: columns} whose model YAML declares a not_null constraint (the contract's enforced NOT NULL)."""
    import yaml

    declared = {}
    for path in sorted((CONTRACT.parent.parent / "dbt_project" / "models" / "marts").glob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            declared[model["name"]] = {
                column["name"]
                for column in model.get("columns", [])
                if {"type": "not_null"} in column.get("constraints", [])
            }
    return declared


def test_declared_not_null_columns_are_enforced_by_duckdb(con):
    # Not a dbt test per column but the table's own NOT NULL: DuckDB refuses the row at insert, in a
    # full build and in every incremental append, and the build fails (nothing is published).
    declared = _declared_not_null()
    assert sum(len(columns) for columns in declared.values()) > 200
    for table, columns in declared.items():
        not_null = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? and is_nullable = 'NO'",
                [table],
            ).fetchall()
        }
        assert not_null == columns, table


def _declared_checks() -> dict[str, dict[str, list[str]]]:
    """{mart: {column: [expression]}} of the check constraints the model YAML declares (accepted values)."""
    import yaml

    declared: dict[str, dict[str, list[str]]] = {}
    for path in sorted((CONTRACT.parent.parent / "dbt_project" / "models" / "marts").glob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            for column in model.get("columns", []):
                for constraint in column.get("constraints", []):
                    if constraint["type"] == "check":
                        declared.setdefault(model["name"], {}).setdefault(column["name"], []).append(
                            constraint["expression"]
                        )
    return declared


def test_declared_accepted_values_are_enforced_by_duckdb(con):
    # Not a dbt test per column but the table's own CHECK: DuckDB refuses a value outside the list at
    # insert, in a full build and in every incremental append, and the build fails.
    declared = _declared_checks()
    assert sum(len(columns) for columns in declared.values()) > 50
    checks: dict[str, list[set[str]]] = {}  # table -> the columns each of its CHECK constraints reads
    for table, columns in con.execute(
        "select table_name, constraint_column_names from duckdb_constraints() "
        "where schema_name = 'marts' and constraint_type = 'CHECK'"
    ).fetchall():
        checks.setdefault(table, []).append(set(columns))
    assert {table: len(found) for table, found in checks.items()} == {
        table: sum(len(expressions) for expressions in columns.values())
        for table, columns in declared.items()
    }
    for table, columns in declared.items():
        assert set(columns) <= set().union(*checks[table]), table
    # And DuckDB applies them: the table as the warehouse defines it refuses a phase outside the list.
    [(ddl,)] = con.execute(
        "select sql from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_revenue'"
    ).fetchall()
    row = con.sql("select * from marts.fct_revenue limit 1").to_arrow_table().to_pylist()[0]
    with duckdb.connect() as scratch:
        scratch.execute("create schema marts")
        scratch.execute(ddl)
        columns = ", ".join(row)
        values = ", ".join("?" for _ in row)
        scratch.execute(f"insert into marts.fct_revenue ({columns}) values ({values})", list(row.values()))
        with pytest.raises(duckdb.ConstraintException, match="CHECK"):
            scratch.execute(
                f"insert into marts.fct_revenue ({columns}) values ({values})",
                list({**row, "phase": "forecast"}.values()),
            )


def test_money_is_decimal_in_wan_yuan_with_four_places(con):
    types = con.execute(
        "select distinct data_type from information_schema.columns "
        "where table_schema = 'marts' and column_name = 'amount'"
    ).fetchall()
    assert types == [("DECIMAL(18,4)",)]


RELATIONSHIPS = [
    ("document_key", "dim_document", "document_key"),
    ("department_key", "dim_department", "department_key"),
    ("fiscal_year", "dim_year", "fiscal_year"),
]


@pytest.mark.parametrize("table", sorted(t for t in CONTRACT_TABLES if t.startswith("fct_")))
def test_every_fact_joins_its_dimensions(con, table):
    checks = list(RELATIONSHIPS)
    columns = CONTRACT_TABLES[table]["columns"]
    if "function_code" in columns:
        checks.append(("function_code", "dim_function_code", "function_code"))
    if "project_key" in columns:
        checks.append(("project_key", "dim_project", "project_key"))
    if "indicator_key" in columns:
        checks.append(("indicator_key", "dim_indicator", "indicator_key"))
    for column, dimension, key in checks:
        orphans = con.execute(
            f"select count(*) from marts.{table} f where f.{column} is not null "
            f"and not exists (select 1 from marts.{dimension} d where d.{key} = f.{column})"
        ).fetchone()[0]
        assert orphans == 0, f"{table}.{column} has {orphans} rows without a {dimension}"
    if "economic_code" in columns:
        orphans = con.execute(
            f"select count(*) from marts.{table} f where not exists (select 1 from marts.dim_economic_code d "
            "where d.economic_code = f.economic_code and d.scheme = f.scheme)"
        ).fetchone()[0]
        assert orphans == 0


def _document_key(con, prefix: str) -> str:
    return con.execute(
        "select document_key from marts.dim_document where source_name like ?", [prefix + "%"]
    ).fetchone()[0]


def test_codes_inferred_for_000_match_the_national_classification(con):
    doc = _document_key(con, "000")
    rows = dict(
        con.execute(
            "select f.function_code, d.function_name from marts.fct_expenditure_by_function f "
            "join marts.dim_function_code d using (function_code) "
            "where f.document_key = ? and f.code_inferred and f.fund_scope = 'general_public_budget' "
            "and f.expenditure_type = 'total'",
            [doc],
        ).fetchall()
    )
    assert rows["2013201"] == "行政运行"
    assert rows["2013204"] == "公务员事务"
    assert rows["2013299"] == "其他组织事务支出"
    assert rows["2080505"] == "机关事业单位基本养老保险缴费支出"
    amount = con.execute(
        "select amount from marts.fct_expenditure_by_function where document_key = ? and function_code = '2013299' "
        "and fund_scope = 'general_public_budget' and expenditure_type = 'project'",
        [doc],
    ).fetchone()[0]
    assert amount == Decimal("5368.6400")


def test_codes_repaired_for_003_match_the_national_classification(con):
    doc = _document_key(con, "003")
    rows = {
        code: (name, amount, inferred)
        for code, name, amount, inferred in con.execute(
            "select f.economic_code, d.economic_name, f.amount, f.code_inferred "
            "from marts.fct_expenditure_by_economic f join marts.dim_economic_code d using (economic_code, scheme) "
            "where f.document_key = ? and f.scheme = 'department'",
            [doc],
        ).fetchall()
    }
    assert rows["30101"] == ("基本工资", Decimal("306.6400"), True)
    assert rows["30239"] == ("其他交通费用", Decimal("56.6700"), True)
    assert rows["30110"][1] == Decimal("38.9700")
    assert rows["301"] == ("工资福利支出", Decimal("997.2900"), False)


def test_sample_facts_of_every_seed(con):
    def fact(sql: str, prefix: str):
        return con.execute(sql, [_document_key(con, prefix)]).fetchall()

    assert fact(
        "select amount from marts.fct_three_public_costs where document_key = ? and category = 'total'", "000"
    ) == [(Decimal("135.0400"),)]
    assert fact(
        "select revenue_source, amount from marts.fct_revenue where document_key = ? "
        "and revenue_source in ('general_public_budget', 'carryover') order by 1",
        "004",
    ) == [("carryover", Decimal("94.7100")), ("general_public_budget", Decimal("2184.4400"))]
    assert fact(
        "select amount from marts.fct_expenditure_by_function where document_key = ? and fund_scope = 'all' "
        "and function_code = '2130126' and expenditure_type = 'project'",
        "004",
    ) == [(Decimal("610.0000"),)]
    assert fact(
        "select p.project_name, sum(f.amount) from marts.fct_project_expenditure f join marts.dim_project p "
        "using (project_key) where f.document_key = ? and f.fund_source = 'total' group by 1 order by 1",
        "001",
    )[0] == ("党员干部教育培训经费", Decimal("11.4600"))
    assert fact(
        "select count(*), sum(amount) from marts.fct_project_expenditure where document_key = ? "
        "and fund_source = 'total'",
        "001",
    ) == [(6, Decimal("148.8400"))]
    assert fact(
        "select asset_class, amount from marts.fct_fixed_assets where document_key = ? order by 1", "004"
    ) == [
        ("high_value_equipment", Decimal("80.1000")),
        ("other", Decimal("224.1200")),
        ("total", Decimal("313.0700")),
        ("vehicles", Decimal("8.8500")),
    ]
    by_measure = fact(
        "select measure, amount from marts.fct_three_public_costs where document_key = ? and category = 'total' "
        "order by 1",
        "003",
    )
    assert by_measure == [("budget", Decimal("4.9200")), ("final", Decimal("4.9200"))]
    assert fact(
        "select count(*) from marts.fct_expenditure_by_function where document_key = ? and function_code like '20128%'",
        "001",
    ) == [(0,)]  # 统战部 codes pasted into 001's tables 5 and 6 are not published


def test_every_fact_carries_its_provenance(con):
    for table in (t for t in CONTRACT_TABLES if t.startswith("fct_")):
        missing = con.execute(
            f"select count(*) from marts.{table} where document_key is null or source_table is null "
            "or source_row is null"
        ).fetchone()[0]
        assert missing == 0, table


MARTS_ORDER = "select * from marts.{table} order by all"


def test_two_refreshes_give_identical_keys_and_marts(con, seeds_refresh, tmp_path_factory):
    root = tmp_path_factory.mktemp("second_refresh")
    sources = root / "sources"
    shutil.copytree(seeds_refresh.sources, sources)
    second = refresh(sources, root / "warehouse")
    assert second.result.returncode == EXIT_DOCUMENTS_NOT_READ, second.result.stderr
    other = duckdb.connect(str(second.duckdb_path), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert tables == [
            t
            for (t,) in other.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for table in tables:
            assert (
                con.execute(MARTS_ORDER.format(table=table)).fetchall()
                == other.execute(MARTS_ORDER.format(table=table)).fetchall()
            ), table
    finally:
        other.close()


def test_seeds_dir_is_the_repository_sources():
    assert sorted(p.name for p in SEEDS_DIR.glob("*.txt")) == [
        "000_3dc14b99499346cd.txt",
        "001_c9601cb349fb6821.txt",
        "002_0851205fe117d4ca.txt",
        "003_fea1944156b82701.txt",
        "004_909d9174802cb080.txt",
    ]
