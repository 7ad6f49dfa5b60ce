-- Every printed numeric cell with its document's department and year and its stable keys: cell_key,
-- and for a project row project_key (the same key dim_project gives the project). Nothing here depends
-- on validation, so reconciliation can read the cells (with resolved codes: int_resolved_cells) before
-- deciding which tables publish. Left join: a cell whose document is missing keeps a NULL department,
-- which the tests on the marts report.
{{ incremental_by_document() }}
with cells as (
    select * from {{ for_changed_documents(ref('stg_raw__cells')) }}
),

documents as (
    select * from {{ for_changed_documents(ref('int_documents')) }}
)

select
    {{ stable_key(['cells.document_key', 'cells.table_seq', 'cells.row_seq', 'cells.col_seq']) }} as cell_key,
    cells.*,
    documents.department_key,
    documents.fiscal_year,
    {{ project_key('documents.department_key', 'documents.fiscal_year', 'cells.project_name') }} as project_key
from cells
left join documents on documents.document_key = cells.document_key
