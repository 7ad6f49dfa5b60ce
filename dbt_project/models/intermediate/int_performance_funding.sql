-- The amounts printed in the funding blocks of target and evaluation tables, with the block's project
-- and the table's status (a failed table's amounts go to quarantine).
{{ incremental_by_document() }}
with funding as (
    select * from {{ for_changed_documents(ref('stg_raw__performance_funding')) }}
),

blocks as (
    select * from {{ for_changed_documents(ref('int_performance_blocks')) }}
),

documents as (
    select * from {{ for_changed_documents(ref('int_documents')) }}
),

table_status as (
    select * from {{ for_changed_documents(ref('int_table_status')) }}
)

select
    funding.*,
    documents.department_key,
    documents.fiscal_year,
    blocks.project_key,
    table_status.is_published,
    table_status.failed_checks
from funding
left join documents on documents.document_key = funding.document_key
left join blocks
    on blocks.document_key = funding.document_key
    and blocks.table_seq = funding.table_seq
    and blocks.block_seq = funding.block_seq
left join table_status
    on table_status.document_key = funding.document_key
    and table_status.table_seq = funding.table_seq
