-- Every printed numeric cell with what the rest of the project needs to place it: its document's
-- department and year, whether its table publishes, and its stable keys (cell_key; project_key for a
-- project row, the same key dim_project gives the project). Left joins: a cell whose table or document
-- is missing is kept, and the not_null test on is_published reports it.
with cells as (
    select * from {{ ref('stg_raw__cells') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

table_status as (
    select * from {{ ref('int_table_status') }}
)

select
    {{ stable_key(['cells.document_key', 'cells.table_seq', 'cells.row_seq', 'cells.col_seq']) }} as cell_key,
    cells.*,
    documents.department_key,
    documents.fiscal_year,
    {{ project_key('documents.department_key', 'documents.fiscal_year', 'cells.project_name') }} as project_key,
    table_status.is_published,
    table_status.failed_checks
from cells
left join documents on documents.document_key = cells.document_key
left join table_status
    on table_status.document_key = cells.document_key
    and table_status.table_seq = cells.table_seq
