{#
    How far a sum of printed figures may be from the figure printed for it before it is an error.
    Every figure is rounded to 0.01 万元 when published, so each of the `summands` figures and the
    stated total carry up to 0.005 of rounding each: the tolerance is 0.005 * (summands + 1), rounded
    up to the cent (1 or 2 figures -> 0.01 / 0.02, 4 -> 0.03, 9 -> 0.05). A difference within it is a
    rounding gap (`info`); beyond it, a failed check. See orchestration/validation/reconciliation.md.
#}
{% macro rounding_tolerance(summands) -%}
    cast(ceil((greatest({{ summands }}, 1) + 1) / 2.0) / 100.0 as decimal(18, 4))
{%- endmacro %}

{#
    An amount as a finding prints it: to the cent when it is a whole number of cents (as the documents
    print), else with all four decimals (a figure converted from 元). Exact: no float in between.
#}
{% macro amount_text(expression) -%}
    case
        when {{ expression }} = round({{ expression }}, 2)
            then cast(cast({{ expression }} as decimal(18, 2)) as varchar)
        else cast({{ expression }} as varchar)
    end
{%- endmacro %}
