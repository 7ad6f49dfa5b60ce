-- Every reconciliation check that did not pass, with its severity (error | warning | info), what was
-- expected, what was found, and where (table, row label, column, source line). The rounding gaps are
-- here as `info`: they are part of what the source shows, not errors. Feeds dq_issue (int_dq_issues)
-- and, for the error-level ones, int_reconciliation_errors.
select
    document_key,
    table_seq,
    source_table,
    rule_family,
    check_name,
    severity,
    source_row,
    column_label,
    line_number,
    expected,
    found,
    difference,
    tolerance,
    detail
from {{ ref('int_reconciliation_checks') }}
where outcome <> 'pass'
