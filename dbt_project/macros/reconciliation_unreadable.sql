{#
    How much an unreadable cell could still explain. A quarantined cell printed "4.5O" or "O" was meant as a
    number of at most as many integer digits as it prints before its decimal point: below 10 for "4.5O",
    below 10 000 for "1,2O3.00". reconciliation_unreadable_bound(raw) is that bound in the printed unit
    (万元 unless the table prints 元, where the bound only overstates it), or NULL when the cell does not
    look like a number at all (a text, a cell of unknown width): then it could be any amount.

    A failed sum whose unreadable parts, all at their largest, cannot close the gap is wrong whatever those
    cells say: an error, not "cannot be verified" (see orchestration/validation/reconciliation.md).
#}
{% macro reconciliation_unreadable_bound(raw) -%}
    case
        when {{ reconciliation_quarantined_amount(raw) }} is not null
            then abs({{ reconciliation_quarantined_amount(raw) }})
        when {{ raw }} is not null
            and regexp_full_match(trim({{ raw }}), '[0-9OoIlS.,\s]*[0-9OoIlS][0-9OoIlS.,\s]*')
            then cast(power(10, length(regexp_replace(
                split_part(replace(trim({{ raw }}), ',', ''), '.', 1), '\s', '', 'g'))) as decimal(18, 4))
    end
{%- endmacro %}

{#
    A quarantined cell that is a well-formed amount (set aside because its column or row is ambiguous, not
    because it cannot be read) states exactly what it could add: reconciliation_quarantined_amount(raw) is
    that amount in the printed unit, NULL for a cell that cannot be read as one.
#}
{% macro reconciliation_quarantined_amount(raw) -%}
    case
        when regexp_full_match(trim({{ raw }}), '-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?')
            then cast(replace(trim({{ raw }}), ',', '') as decimal(18, 4))
    end
{%- endmacro %}

{#
    The severity of a failed sum given its unreadable parts: `error` when none could not be read; when they
    are all bounded (`bounded_parts` = `unreadable_parts`) and the gap is larger than their bounds together
    (`bound`); or when the one part set aside is a readable amount (`exact_value`) and neither it nor nothing
    closes the gap within the tolerance. Else `warning` (the sum cannot be verified).
#}
{% macro reconciliation_fail_severity(
    unreadable_parts, bounded_parts, bound, difference, exact_value='null', tolerance='0'
) -%}
    case
        when {{ unreadable_parts }} = 0 then 'error'
        when {{ bounded_parts }} = {{ unreadable_parts }} and abs({{ difference }}) > {{ bound }} then 'error'
        when {{ unreadable_parts }} = 1 and {{ exact_value }} is not null
            and abs(abs({{ difference }}) - abs({{ exact_value }})) > {{ tolerance }} then 'error'
        else 'warning'
    end
{%- endmacro %}
