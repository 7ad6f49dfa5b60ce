"""The raw tables the extraction writes into DuckDB (schema `raw`): dbt's sources.

This DDL is the interface between Python extraction and the dbt project. Every numeric cell of a
recognised table lands in `raw.cells` (with the canonical meaning the recogniser gave it) or in
`raw.quarantine` (with the reason); dbt's intermediate models decide which cells become the
contract's facts, and reconciliation decides which tables may publish at all.
"""

from __future__ import annotations

RAW_SCHEMA = "raw"

# Where a row was printed, in its format's own terms (readers/grid.py `Row.provenance`): the last two
# columns of every raw table whose rows carry a line number, so every fact and every quarantined cell
# can be found again on its page, sheet cell, table cell or line.
PROVENANCE_COLUMNS = """,
        source_page       INTEGER,           -- page of a PDF; NULL for formats without pages
        source_locator    VARCHAR NOT NULL   -- the cell's address: 'page 8, table 1, row 12, cell 5' |
                                             -- '收入决算表!C7' | 'table 2, row 5, cell 3' | 'line 120, cell 4';
                                             -- the row's ('line 120') when the column is unknown
"""

# raw.cells and raw.blank_totals share where a cell is printed (place) and what it means; only a cell of
# raw.cells states a value.
_CELL_PLACE = """
        document_key      VARCHAR NOT NULL,
        table_seq         INTEGER NOT NULL,
        table_kind        VARCHAR NOT NULL,
        kind_priority     INTEGER NOT NULL,  -- registry: when tables state the same fact, the lowest wins
        source_table      VARCHAR NOT NULL,  -- title as printed
        source_row        VARCHAR NOT NULL,  -- row label as printed
        row_seq           INTEGER NOT NULL,  -- order of the row within the table, from 1
        line_number       INTEGER NOT NULL,  -- line of the source where the row starts
        column_label      VARCHAR NOT NULL,  -- header path as printed, ' / ' between header rows
        col_seq           INTEGER NOT NULL,
"""
_CELL_VALUE = """
        raw_value         VARCHAR NOT NULL,  -- the cell as printed
        amount            DECIMAL(18,4) NOT NULL,  -- in 万元 (converted exactly when printed in 元 or 千元)
        source_unit       VARCHAR NOT NULL,  -- '万元' | '千元' | '元'
"""
_CELL_MEANING = """
        fact_table        VARCHAR NOT NULL,  -- expenditure_by_function | expenditure_by_economic | revenue |
                                             -- revenue_by_function | revenue_by_unit | three_public_costs |
                                             -- three_public_costs_detail (sub-items such as 教学科研人员因公出国) |
                                             -- project_expenditure | admin_operating_costs |
                                             -- summary_line (收支总表 totals: `category` names the line:
                                             -- revenue_current_total, revenue_grand_total,
                                             -- expenditure_current_total, expenditure_grand_total, carry_forward)
        phase             VARCHAR NOT NULL,  -- budget | final_account
        row_role          VARCHAR NOT NULL,  -- 'item' | 'total' (合计/总计/小计 rows state totals)
        funding           VARCHAR NOT NULL,  -- 'total' | 'current_year' (本年) | 'carryover' (上年结转)
        fund_scope        VARCHAR,           -- all | fiscal | general_public_budget | government_fund | state_capital
        function_code     VARCHAR,           -- 3/5/7 digits; NULL for a total row
        function_name     VARCHAR,           -- as printed, white space removed
        code_inferred     BOOLEAN NOT NULL,  -- code not printed (or truncated) and resolved from the reference
        expenditure_type  VARCHAR,           -- total | basic | project | personnel | public | business | remit | subsidy
        scheme            VARCHAR,           -- department | government
        economic_code     VARCHAR,
        economic_name     VARCHAR,
        cost_type         VARCHAR,           -- total | personnel | public
        revenue_source    VARCHAR,           -- contract revenue_source codes, or 'total'
        category          VARCHAR,           -- 三公 category
        measure           VARCHAR,           -- 三公 measure: budget | final
        project_name      VARCHAR,
        parent_project_name VARCHAR,         -- 一级项目
        project_category  VARCHAR,           -- 类型 (e.g. 专项业务支出)
        project_level     INTEGER,           -- 0 category row, 1 一级项目, 2 二级项目
        unit_name         VARCHAR,           -- 部门(单位)名称 where the row names a unit
        fund_source       VARCHAR            -- project fund source: a revenue_source value or 'total'
"""

# Money is DECIMAL(18,4) in 万元 everywhere; Python hands DuckDB `Decimal`s, never floats.
RAW_TABLES: dict[str, str] = {
    "documents": """
        document_key      VARCHAR NOT NULL,  -- deterministic: first 16 hex of sha256('document|' + file name)
        source_name       VARCHAR NOT NULL,  -- file name in the sources folder
        sha256            VARCHAR NOT NULL,  -- of the file's bytes
        status            VARCHAR NOT NULL,  -- 'read' | 'unreadable' (not text) | 'failed' (extraction error)
        error             VARCHAR,           -- why it could not be read, or why a read one is held back
        encoding          VARCHAR,
        layout            VARCHAR,           -- readers.grid.LAYOUTS: a text layout or the file format
        doc_type          VARCHAR,           -- contract: budget | final_account | performance_target | performance_evaluation
        phase             VARCHAR,           -- budget | final_account
        fiscal_year       INTEGER,
        department_name   VARCHAR,           -- normalised
        department_code   VARCHAR,           -- as printed (e.g. 317001), nullable
        department_scope  VARCHAR,           -- 'department' (whole) | 'unit' (本级 / 机关)
        province          VARCHAR,
        prefecture        VARCHAR,
        county            VARCHAR,
        admin_level       VARCHAR,           -- province | prefecture | county
        division_code     VARCHAR,           -- 6-digit 行政区划代码
        title             VARCHAR,           -- the document's own title as printed
        publisher         VARCHAR,
        source_url        VARCHAR,
        retrieval_date    VARCHAR,
        metadata_origin   VARCHAR            -- JSON: field -> 'inferred' | 'manifest' | 'publisher' | 'missing'
    """,
    "tables": """
        document_key      VARCHAR NOT NULL,
        table_seq         INTEGER NOT NULL,  -- order of the table in the document, from 1
        source_table      VARCHAR NOT NULL,  -- the title as printed
        table_kind        VARCHAR,           -- registry kind, NULL when not recognised
        status            VARCHAR NOT NULL,  -- 'recognised' | 'empty' | 'unrecognised'
        unit              VARCHAR,           -- '万元' | '千元' | '元' (table_kinds.yaml units) | NULL
        line_start        INTEGER NOT NULL,
        line_end          INTEGER NOT NULL,
        numeric_cells     INTEGER NOT NULL,  -- numeric cells printed in the table body
        facts             INTEGER NOT NULL,  -- of which became rows of raw.cells
        quarantined       INTEGER NOT NULL,  -- of which went to raw.quarantine
        note              VARCHAR            -- empty-table statement or note printed under it
    """,
    "cells": _CELL_PLACE + _CELL_VALUE + _CELL_MEANING + PROVENANCE_COLUMNS,
    # How dbt turns raw.cells into the contract's facts (the recognisers guarantee these meanings):
    # - fct_expenditure_by_function: fact_table='expenditure_by_function', funding='total', function_code set;
    #   grain (document, fund_scope, function_code, expenditure_type).
    # - fct_expenditure_by_economic: fact_table='expenditure_by_economic', funding='total', economic_code set;
    #   grain (document, scheme, economic_code, cost_type).
    # - fct_revenue: fact_table='revenue', revenue_source <> 'total' and
    #   (funding='current_year' or revenue_source='carryover'); grain (document, revenue_source).
    # - fct_three_public_costs: fact_table='three_public_costs', fund_scope='fiscal'; grain (document, category, measure).
    # - fct_project_expenditure: fact_table='project_expenditure', row_role='item'; grain (document, project, fund_source).
    # - fct_admin_operating_costs: fact_table='admin_operating_costs', row_role='total'; grain (document, fund_scope).
    # - fct_revenue_by_function: fact_table='revenue_by_function', function_code set;
    #   grain (document, function_code, revenue_source, funding).
    # When several cells share a grain, the one with the lowest (kind_priority, table_seq, row_seq, col_seq) is the
    # fact; the others are kept in fct_source_cell and compared by reconciliation.
    # A cell that states a sum of other lines (table_kinds.yaml `sum_lines`: 总计, 本年收入合计, a 三公 total …)
    # printed blank: where it is and what it would mean. Reconciliation reports it where its parts carry
    # amounts (a warning: the total cannot be verified); it is never a fact.
    "blank_totals": _CELL_PLACE
    + """
        table_prints_sums BOOLEAN NOT NULL,  -- whether its table prints any of its sums in some cell: in a
                                             -- table that prints none (its total lines all left empty) a
                                             -- blank one is an `info`, not a warning
"""
    + _CELL_MEANING
    + PROVENANCE_COLUMNS,
    "quarantine": """
        document_key      VARCHAR NOT NULL,
        table_seq         INTEGER,
        source_table      VARCHAR,
        source_row        VARCHAR,
        line_number       INTEGER,
        column_label      VARCHAR,
        raw_value         VARCHAR,
        reason            VARCHAR NOT NULL
    """
    + PROVENANCE_COLUMNS,
    "dq_issue": """
        document_key      VARCHAR NOT NULL,
        check_name        VARCHAR NOT NULL,
        severity          VARCHAR NOT NULL,  -- error | warning | info
        source_table      VARCHAR,
        table_seq         INTEGER,
        detail            VARCHAR NOT NULL
    """,
}


def all_raw_tables() -> dict[str, str]:
    """Financial tables above plus the performance tables (targets, evaluations, project attributes)."""
    from .raw_schema_performance import PERFORMANCE_TABLES

    return {**RAW_TABLES, **PERFORMANCE_TABLES}


def create_raw_tables_sql() -> list[str]:
    statements = [f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}"]
    for name, columns in all_raw_tables().items():
        statements.append(f"CREATE OR REPLACE TABLE {RAW_SCHEMA}.{name} ({columns})")
    return statements
