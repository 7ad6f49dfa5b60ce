-- Performance targets placed for publishing: each row's department and year (from its document), its
-- project (project_key of the project-list entry the extraction matched it to, or of its own printed
-- name when it matched none; NULL for a department-wide table), its indicator and its table's status.
-- Of the rows sharing the grain (document, project, indicator, period) the first printed
-- (table_seq, block_seq, row_seq) is the fact; later ones go to quarantine as duplicates.
with targets as (
    select * from {{ ref('stg_raw__performance_target') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

table_status as (
    select * from {{ ref('int_table_status') }}
),

placed as (
    select
        targets.*,
        documents.department_key,
        documents.fiscal_year,
        {{ project_key('documents.department_key', 'documents.fiscal_year',
                       'coalesce(targets.matched_project_name, targets.project_name)') }} as project_key,
        {{ indicator_key('targets.level1_name', 'targets.level2_name', 'targets.level3_name') }} as indicator_key,
        table_status.is_published,
        table_status.failed_checks
    from targets
    left join documents on documents.document_key = targets.document_key
    left join table_status
        on table_status.document_key = targets.document_key
        and table_status.table_seq = targets.table_seq
)

select
    *,
    row_number() over (
        partition by document_key, project_key, indicator_key, period, is_published
        order by table_seq, block_seq, row_seq
    ) as rank_in_grain,
    first_value(source_table || ' line ' || line_number) over (
        partition by document_key, project_key, indicator_key, period, is_published
        order by table_seq, block_seq, row_seq
    ) as first_stated_at
from placed
