{#
    What int_reconciliation_within_table and int_reconciliation_cross_table both publish about a check, so
    that int_reconciliation_checks can union them by name and every finding reads alike.

    reconciliation_check_columns(): the columns that say which check it is and where the figure it judges
    is printed (document, table, row label, source line, column), in the models' column order.
#}
{% macro reconciliation_check_columns() -%}
    document_key,
    table_seq,
    source_table,
    check_name,
    rule,
    source_row,
    line_number,
    column_label
{%- endmacro %}

{#
    The severity of an outcome: a pass is no finding, a rounding gap is `info`, a failure is an `error`
    unless `fail` says otherwise (a sum whose parts could not all be read cannot be verified: `warning`),
    and any other outcome (disagreement, missing) is a `warning`.
#}
{% macro reconciliation_severity(outcome='outcome', fail="'error'") -%}
    case {{ outcome }}
        when 'pass' then null
        when 'rounding_gap' then 'info'
        when 'fail' then {{ fail }}
        else 'warning'
    end
{%- endmacro %}

{#
    Where a finding's figure is printed, as every finding says it: row "<label>", column "<label>", line <n>
    (an unknown line is '?').
#}
{% macro reconciliation_place() -%}
    format('row "{}", column "{}", line {}',
        coalesce(source_row, ''), coalesce(column_label, ''), coalesce(cast(line_number as varchar), '?'))
{%- endmacro %}
