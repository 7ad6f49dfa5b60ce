-- Performance targets placed for publishing: each row's department and year (from its document), its
-- project (project_key of the project-list entry the extraction matched it to, or of its own printed
-- name when it matched none; NULL for a department-wide table), its indicator and its table's status.
-- Of the rows sharing the grain (document, project, indicator, period) the first printed
-- (table_seq, block_seq, row_seq) is the fact; later ones go to quarantine as duplicates. Rows of another
-- unit's department-wide block (is_other_unit, see int_performance_blocks) have their own grain: the block.
{{ incremental_by_document() }}
with targets as (
    select * from {{ for_changed_documents(ref('stg_raw__performance_target')) }}
),

documents as (
    select * from {{ for_changed_documents(ref('int_documents')) }}
),

table_status as (
    select * from {{ for_changed_documents(ref('int_table_status')) }}
),

blocks as (
    select * from {{ for_changed_documents(ref('int_performance_blocks')) }}
),

placed as (
    select
        targets.*,
        documents.department_key,
        documents.fiscal_year,
        {{ project_key('documents.department_key', 'documents.fiscal_year',
                       'coalesce(targets.matched_project_name, targets.project_name)') }} as project_key,
        {{ indicator_key('targets.level1_name', 'targets.level2_name', 'targets.level3_name') }} as indicator_key,
        coalesce(blocks.is_other_unit, false) as is_other_unit,
        case when blocks.is_other_unit then blocks.printed_department_name end as unit_name,
        table_status.is_published,
        table_status.failed_checks
    from targets
    left join documents on documents.document_key = targets.document_key
    left join table_status
        on table_status.document_key = targets.document_key
        and table_status.table_seq = targets.table_seq
    left join blocks
        on blocks.document_key = targets.document_key
        and blocks.table_seq = targets.table_seq
        and blocks.block_seq = targets.block_seq
)

select
    *,
    row_number() over (
        partition by document_key, project_key, indicator_key, period, is_published, is_other_unit,
            case when is_other_unit then table_seq end, case when is_other_unit then block_seq end
        order by table_seq, block_seq, row_seq
    ) as rank_in_grain,
    first_value(source_table || ' line ' || line_number) over (
        partition by document_key, project_key, indicator_key, period, is_published, is_other_unit,
            case when is_other_unit then table_seq end, case when is_other_unit then block_seq end
        order by table_seq, block_seq, row_seq
    ) as first_stated_at
from placed
