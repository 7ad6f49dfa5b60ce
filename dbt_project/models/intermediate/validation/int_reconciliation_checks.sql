-- Every reconciliation check evaluated on every document, passed or not: the arithmetic inside each
-- table, the same figure across tables, and performance amounts against the project table. The data-
-- quality report counts checks passed and failed from here; int_reconciliation_findings keeps the ones
-- that did not pass. outcome: pass | rounding_gap (info) | fail (error, or warning when parts could not
-- be read) | disagreement (warning: tables disagree and none can be blamed) | missing (warning).
{{ incremental_by_document() }}
with within_table as (
    select *, 'within_table' as rule_family
    from {{ for_changed_documents(ref('int_reconciliation_within_table')) }}
),

cross_table as (
    select *, 'cross_table' as rule_family
    from {{ for_changed_documents(ref('int_reconciliation_cross_table')) }}
),

performance as (
    select *, 'performance' as rule_family
    from {{ for_changed_documents(ref('int_reconciliation_performance')) }}
),

all_checks as (
    select * from within_table
    union all by name
    select * from cross_table
    union all by name
    select * from performance
)

select
    document_key,
    table_seq,
    source_table,
    rule_family,
    check_name,
    rule,
    source_row,
    line_number,
    column_label,
    expected,
    found,
    difference,
    tolerance,
    outcome,
    severity,
    detail
from all_checks
