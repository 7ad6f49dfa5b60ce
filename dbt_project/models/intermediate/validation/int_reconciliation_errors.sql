-- Error-level findings that stop a table from publishing: one row per (document, table, check, detail).
-- Two sources: the extraction's own error rows (raw.dq_issue, e.g. a header that does not line up, an
-- unreadable document) and reconciliation's error findings (int_reconciliation_findings). A row whose
-- table_seq is NULL concerns the whole document: every table of that document is held back.
{{ incremental_by_document() }}
select
    document_key,
    table_seq,
    check_name,
    detail
from {{ for_changed_documents(ref('stg_raw__dq_issue')) }}
where severity = 'error'
union
select
    document_key,
    table_seq,
    check_name,
    detail
from {{ for_changed_documents(ref('int_reconciliation_findings')) }}
where severity = 'error'
