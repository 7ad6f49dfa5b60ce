-- The project (or department-wide) blocks of target and evaluation tables, with their department, year,
-- project_key (matched project-list entry, else the printed name; NULL department-wide) and table status.
-- A document may print several department-wide blocks of one kind: the department's own and those of
-- its subordinate units (003 evaluates 中共朝阳市委组织部 and 朝阳市组织工作服务中心). The contract holds one
-- department-wide target / evaluation per indicator and document, so one block is the department's
-- (is_other_unit false): the one naming the document's department code or name, else the first printed;
-- the others are other units' (published in the fct_unit_performance_* extensions).
{{ incremental_by_document() }}
with blocks as (
    select * from {{ for_changed_documents(ref('stg_raw__performance_project')) }}
),

documents as (
    select * from {{ for_changed_documents(ref('int_documents')) }}
),

table_status as (
    select * from {{ for_changed_documents(ref('int_table_status')) }}
),

placed as (
    select
        blocks.*,
        documents.department_key,
        documents.fiscal_year,
        case when not blocks.is_department_wide then
            {{ project_key('documents.department_key', 'documents.fiscal_year',
                           'coalesce(blocks.matched_project_name, blocks.project_name)') }}
        end as project_key,
        {{ normalised_name('coalesce(blocks.matched_project_name, blocks.project_name)') }} as normalised_project_name,
        coalesce(
            contains(blocks.printed_department_name, documents.department_code)
            or contains({{ normalised_name('blocks.printed_department_name') }}, documents.department_name),
            false
        ) as names_the_department,
        table_status.is_published,
        table_status.failed_checks
    from blocks
    left join documents on documents.document_key = blocks.document_key
    left join table_status
        on table_status.document_key = blocks.document_key
        and table_status.table_seq = blocks.table_seq
),

ranked as (
    select
        *,
        case when is_department_wide then
            row_number() over (
                partition by document_key, is_department_wide, starts_with(table_kind, 'performance_target')
                order by names_the_department desc, table_seq, block_seq
            )
        end as department_block_rank
    from placed
)

select
    * exclude (department_block_rank),
    coalesce(department_block_rank > 1, false) as is_other_unit
from ranked
