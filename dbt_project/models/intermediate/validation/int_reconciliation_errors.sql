-- Error-level findings that stop a table from publishing: one row per (document, table, check).
-- For now these are the extraction's own error rows (raw.dq_issue, severity 'error'); reconciliation
-- (totals against their items, the same fact in two tables) adds its findings here. A row whose
-- table_seq is NULL concerns the whole document: every table of that document is held back.
select
    document_key,
    table_seq,
    check_name,
    detail
from {{ ref('stg_raw__dq_issue') }}
where severity = 'error'
