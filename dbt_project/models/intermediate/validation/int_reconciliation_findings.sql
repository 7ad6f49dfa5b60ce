-- Every reconciliation check that did not pass, with its severity (error | warning | info), what was
-- expected, what was found, and where (table, row label, column, source line, and the printed place:
-- source_page, source_locator). The rounding gaps are here as `info`: they are part of what the source
-- shows, not errors. Feeds dq_issue (int_dq_issues) and, for the error-level ones,
-- int_reconciliation_errors.
{{ incremental_by_document() }}
with findings as (
    select * from {{ for_changed_documents(ref('int_reconciliation_checks')) }}
    where outcome <> 'pass'
),

printed_places as (
    -- Where a finding's figure can be printed: a cell of a financial table (named by its column), a total
    -- printed blank there, or a block of a performance table (read by content: the row's own place,
    -- column_label NULL).
    select document_key, table_seq, line_number, column_label, col_seq as place_order, source_page, source_locator
    from {{ for_changed_documents(ref('int_cells')) }}
    union all
    select document_key, table_seq, line_number, column_label, col_seq, source_page, source_locator
    from {{ for_changed_documents(ref('stg_raw__blank_totals')) }}
    union all
    select document_key, table_seq, line_number, null, 0, source_page, source_locator
    from {{ for_changed_documents(ref('stg_raw__performance_project')) }}
),

finding_places as (
    select distinct document_key, table_seq, line_number, column_label
    from findings
),

located as (
    -- The cell a finding names (same line and column; the leftmost if a label repeats), else the row's
    -- page with no locator: a finding about a whole row names no single cell.
    select
        finding_places.*,
        places.source_page,
        case
            when places.column_label is null or places.column_label = finding_places.column_label
                then places.source_locator
        end as source_locator
    from finding_places
    inner join printed_places as places
        on places.document_key = finding_places.document_key
        and places.table_seq = finding_places.table_seq
        and places.line_number = finding_places.line_number
    qualify row_number() over (
        partition by finding_places.document_key, finding_places.table_seq, finding_places.line_number,
            finding_places.column_label
        order by (places.column_label is null or places.column_label = finding_places.column_label) desc,
            places.place_order
    ) = 1
)

select
    findings.document_key,
    findings.table_seq,
    findings.source_table,
    findings.rule_family,
    findings.check_name,
    findings.severity,
    findings.source_row,
    findings.column_label,
    findings.line_number,
    located.source_page,
    located.source_locator,
    findings.expected,
    findings.found,
    findings.difference,
    findings.tolerance,
    findings.detail
from findings
left join located
    on located.document_key = findings.document_key
    and located.table_seq is not distinct from findings.table_seq
    and located.line_number is not distinct from findings.line_number
    and located.column_label is not distinct from findings.column_label
