-- All data-quality findings in one list: the extraction's (raw.dq_issue), reconciliation's error
-- findings (int_reconciliation_errors, which start as copies of the extraction's error rows, hence
-- the de-duplication) and the code-resolution findings of dbt (int_code_issues).
with extraction as (
    select document_key, check_name, severity, source_table, table_seq, detail, 1 as origin_rank, 'extraction' as reported_by
    from {{ ref('stg_raw__dq_issue') }}
),

reconciliation as (
    select
        errors.document_key,
        errors.check_name,
        'error' as severity,
        tables.source_table,
        errors.table_seq,
        errors.detail,
        2 as origin_rank,
        'validation' as reported_by
    from {{ ref('int_reconciliation_errors') }} as errors
    left join {{ ref('stg_raw__tables') }} as tables
        on tables.document_key = errors.document_key
        and tables.table_seq = errors.table_seq
),

code_resolution as (
    select document_key, check_name, severity, source_table, table_seq, detail, 3 as origin_rank, 'dbt' as reported_by
    from {{ ref('int_code_issues') }}
),

all_issues as (
    select * from extraction
    union all
    select * from reconciliation
    union all
    select * from code_resolution
)

select document_key, check_name, severity, source_table, table_seq, detail, reported_by
from all_issues
qualify row_number() over (
    partition by document_key, check_name, severity, table_seq, detail
    order by origin_rank
) = 1
