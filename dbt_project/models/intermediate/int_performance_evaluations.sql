-- Self-evaluation rows placed for publishing, as int_performance_targets: department, year, project
-- (matched project-list entry, else its own name; NULL department-wide), indicator (a 年度主要任务 line's
-- indicator is its task name) and table status. Of the rows sharing (document, project, indicator) the
-- first printed is the fact; later ones go to quarantine as duplicates. Rows of another unit's
-- department-wide block (is_other_unit, see int_performance_blocks) have their own grain: the block.
{{ incremental_by_document() }}
with evaluations as (
    select * from {{ for_changed_documents(ref('stg_raw__performance_evaluation')) }}
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
        evaluations.*,
        documents.department_key,
        documents.fiscal_year,
        {{ project_key('documents.department_key', 'documents.fiscal_year',
                       'coalesce(evaluations.matched_project_name, evaluations.project_name)') }} as project_key,
        {{ indicator_key('evaluations.level1_name', 'evaluations.level2_name', 'evaluations.level3_name') }}
            as indicator_key,
        coalesce(blocks.is_other_unit, false) as is_other_unit,
        case when blocks.is_other_unit then blocks.printed_department_name end as unit_name,
        table_status.is_published,
        table_status.failed_checks
    from evaluations
    left join documents on documents.document_key = evaluations.document_key
    left join table_status
        on table_status.document_key = evaluations.document_key
        and table_status.table_seq = evaluations.table_seq
    left join blocks
        on blocks.document_key = evaluations.document_key
        and blocks.table_seq = evaluations.table_seq
        and blocks.block_seq = evaluations.block_seq
)

select
    *,
    row_number() over (
        partition by document_key, project_key, indicator_key, is_published, is_other_unit,
            case when is_other_unit then table_seq end, case when is_other_unit then block_seq end
        order by table_seq, block_seq, row_seq
    ) as rank_in_grain,
    first_value(source_table || ' line ' || line_number) over (
        partition by document_key, project_key, indicator_key, is_published, is_other_unit,
            case when is_other_unit then table_seq end, case when is_other_unit then block_seq end
        order by table_seq, block_seq, row_seq
    ) as first_stated_at
from placed
