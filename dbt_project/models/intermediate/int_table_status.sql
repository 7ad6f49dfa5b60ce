-- Whether each table of each document may publish its facts: a table publishes unless an error-level
-- finding names it (or names its whole document). failed_checks lists the failed checks, sorted, so the
-- quarantine reason is the same in every run.
{{ incremental_by_document() }}
with tables as (
    select * from {{ for_changed_documents(ref('stg_raw__tables')) }}
),

reconciliation_errors as (
    select * from {{ for_changed_documents(ref('int_reconciliation_errors')) }}
),

errors_per_table as (
    select
        tables.document_key,
        tables.table_seq,
        array_to_string(list_sort(list_distinct(list(reconciliation_errors.check_name))), ', ') as failed_checks
    from tables
    inner join reconciliation_errors
        on reconciliation_errors.document_key = tables.document_key
        and (reconciliation_errors.table_seq = tables.table_seq or reconciliation_errors.table_seq is null)
    group by tables.document_key, tables.table_seq
)

select
    tables.document_key,
    tables.table_seq,
    tables.source_table,
    tables.table_kind,
    tables.table_status,
    errors_per_table.failed_checks is null as is_published,
    errors_per_table.failed_checks
from tables
left join errors_per_table
    on errors_per_table.document_key = tables.document_key
    and errors_per_table.table_seq = tables.table_seq
