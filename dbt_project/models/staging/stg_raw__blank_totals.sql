-- Sums printed blank (a 总计, 本年收入合计 or 三公 合计 cell left empty): where each is and what it would
-- state, renamed and cast as stg_raw__cells. Reconciliation reads them as totals without a figure.
select
    cast(document_key as varchar) as document_key,
    cast(table_seq as integer) as table_seq,
    cast(table_kind as varchar) as table_kind,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(row_seq as integer) as row_seq,
    cast(line_number as integer) as line_number,
    {{ source_place() }},
    cast(column_label as varchar) as column_label,
    cast(col_seq as integer) as col_seq,
    cast(fact_table as varchar) as fact_table,
    cast(row_role as varchar) as row_role,
    cast(funding as varchar) as funding,
    cast(fund_scope as varchar) as fund_scope,
    cast(revenue_source as varchar) as revenue_source,
    cast(category as varchar) as category,
    cast(measure as varchar) as measure,
    cast(table_prints_sums as boolean) as table_prints_sums
from {{ source('raw', 'blank_totals') }}
