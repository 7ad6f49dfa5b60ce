-- All data-quality findings in one list: the extraction's (raw.dq_issue), reconciliation's findings of
-- every severity (int_reconciliation_findings: errors, warnings and rounding gaps) and the
-- code-resolution findings of dbt (int_code_issues); a finding stated twice is kept once. A reconciliation
-- finding and a code issue name the place their figure is printed (source_page, source_locator); the
-- extraction's issues name their table and row in the detail only.
{{ incremental_by_document() }}
with extraction as (
    select
        document_key, check_name, severity, source_table, table_seq, detail,
        cast(null as integer) as source_page, cast(null as varchar) as source_locator,
        1 as origin_rank, 'extraction' as reported_by
    from {{ for_changed_documents(ref('stg_raw__dq_issue')) }}
),

reconciliation as (
    select
        document_key, check_name, severity, source_table, table_seq, detail, source_page, source_locator,
        2 as origin_rank, 'validation' as reported_by
    from {{ for_changed_documents(ref('int_reconciliation_findings')) }}
),

code_resolution as (
    select
        document_key, check_name, severity, source_table, table_seq, detail, source_page, source_locator,
        3 as origin_rank, 'dbt' as reported_by
    from {{ for_changed_documents(ref('int_code_issues')) }}
),

all_issues as (
    select * from extraction
    union all
    select * from reconciliation
    union all
    select * from code_resolution
)

select document_key, check_name, severity, source_table, table_seq, detail, reported_by, source_page, source_locator
from all_issues
qualify row_number() over (
    partition by document_key, check_name, severity, table_seq, detail
    order by origin_rank
) = 1
