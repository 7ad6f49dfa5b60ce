-- Nothing silently lost: for every table, the numeric cells printed in its body (raw.tables.numeric_cells)
-- are exactly the cells in fct_source_cell plus the cells in quarantined_row. Returns the tables where
-- the counts differ, with both counts.
with printed as (
    select document_key, table_seq, source_table, numeric_cells
    from {{ ref('stg_raw__tables') }}
),

published as (
    select document_key, table_seq, count(*) as cells
    from {{ ref('fct_source_cell') }}
    group by document_key, table_seq
),

quarantined as (
    select document_key, table_seq, count(*) as cells
    from {{ ref('quarantined_row') }}
    where table_seq is not null
    group by document_key, table_seq
)

select
    printed.document_key,
    printed.table_seq,
    printed.source_table,
    printed.numeric_cells,
    coalesce(published.cells, 0) as published_cells,
    coalesce(quarantined.cells, 0) as quarantined_cells
from printed
left join published
    on published.document_key = printed.document_key and published.table_seq = printed.table_seq
left join quarantined
    on quarantined.document_key = printed.document_key and quarantined.table_seq = printed.table_seq
where printed.numeric_cells <> coalesce(published.cells, 0) + coalesce(quarantined.cells, 0)
