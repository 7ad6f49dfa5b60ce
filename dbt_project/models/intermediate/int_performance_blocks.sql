-- The project (or department-wide) blocks of target and evaluation tables, with their department, year,
-- project_key (matched project-list entry, else the printed name; NULL department-wide) and table status.
with blocks as (
    select * from {{ ref('stg_raw__performance_project') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

table_status as (
    select * from {{ ref('int_table_status') }}
)

select
    blocks.*,
    documents.department_key,
    documents.fiscal_year,
    case when not blocks.is_department_wide then
        {{ project_key('documents.department_key', 'documents.fiscal_year',
                       'coalesce(blocks.matched_project_name, blocks.project_name)') }}
    end as project_key,
    {{ normalised_name('coalesce(blocks.matched_project_name, blocks.project_name)') }} as normalised_project_name,
    table_status.is_published,
    table_status.failed_checks
from blocks
left join documents on documents.document_key = blocks.document_key
left join table_status
    on table_status.document_key = blocks.document_key
    and table_status.table_seq = blocks.table_seq
