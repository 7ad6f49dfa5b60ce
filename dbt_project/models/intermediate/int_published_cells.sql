-- The cells of the tables that publish (int_table_status), with their resolved codes: the input of the
-- fact tables (int_fact_cells) and of the code dimensions.
{{ incremental_by_document() }}
with cells as (
    select * from {{ for_changed_documents(ref('int_resolved_cells')) }}
),

table_status as (
    select * from {{ for_changed_documents(ref('int_table_status')) }}
)

select cells.*
from cells
inner join table_status
    on table_status.document_key = cells.document_key
    and table_status.table_seq = cells.table_seq
where table_status.is_published
