-- Self-evaluation rows placed for publishing, as int_performance_targets: department, year, project
-- (matched project-list entry, else its own name; NULL department-wide), indicator (a 年度主要任务 line's
-- indicator is its task name) and table status. Of the rows sharing (document, project, indicator) the
-- first printed is the fact; later ones go to quarantine as duplicates.
with evaluations as (
    select * from {{ ref('stg_raw__performance_evaluation') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

table_status as (
    select * from {{ ref('int_table_status') }}
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
        table_status.is_published,
        table_status.failed_checks
    from evaluations
    left join documents on documents.document_key = evaluations.document_key
    left join table_status
        on table_status.document_key = evaluations.document_key
        and table_status.table_seq = evaluations.table_seq
)

select
    *,
    row_number() over (
        partition by document_key, project_key, indicator_key, is_published
        order by table_seq, block_seq, row_seq
    ) as rank_in_grain,
    first_value(source_table || ' line ' || line_number) over (
        partition by document_key, project_key, indicator_key, is_published
        order by table_seq, block_seq, row_seq
    ) as first_stated_at
from placed
