-- Nothing silently lost: for every table, the numeric values printed in its body
-- (raw.tables.numeric_cells) are exactly its published facts (fct_source_cell for financial tables;
-- fct_performance_target / _evaluation / _funding and fct_unit_performance_* for performance tables)
-- plus its rows of quarantined_row. Returns the tables where the counts differ, with the counts.
with printed as (
    select document_key, table_seq, source_table, numeric_cells
    from {{ ref('stg_raw__tables') }}
),

accounted as (
    select document_key, table_seq, 'published' as outcome from {{ ref('fct_source_cell') }}
    union all
    select document_key, table_seq, 'published' from {{ ref('fct_performance_target') }}
    union all
    select document_key, table_seq, 'published' from {{ ref('fct_performance_evaluation') }}
    union all
    select document_key, table_seq, 'published' from {{ ref('fct_performance_funding') }}
    union all
    select document_key, table_seq, 'published' from {{ ref('fct_unit_performance_target') }}
    union all
    select document_key, table_seq, 'published' from {{ ref('fct_unit_performance_evaluation') }}
    union all
    select document_key, table_seq, 'quarantined' from {{ ref('quarantined_row') }}
    where table_seq is not null
),

counted as (
    select
        document_key,
        table_seq,
        count(*) filter (where outcome = 'published') as published,
        count(*) filter (where outcome = 'quarantined') as quarantined
    from accounted
    group by document_key, table_seq
)

select
    printed.document_key,
    printed.table_seq,
    printed.source_table,
    printed.numeric_cells,
    coalesce(counted.published, 0) as published,
    coalesce(counted.quarantined, 0) as quarantined
from printed
left join counted
    on counted.document_key = printed.document_key and counted.table_seq = printed.table_seq
where printed.numeric_cells <> coalesce(counted.published, 0) + coalesce(counted.quarantined, 0)
