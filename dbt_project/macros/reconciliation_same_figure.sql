{#
    Join condition of int_reconciliation_cross_table: `one` and `other` state the same figure of the same
    document, in the same comparable fund scope and funding (int_reconciliation_inputs widens those to
    what is the same money in that document). Which tables are paired stays at the call.
#}
{% macro reconciliation_same_figure(one, other) -%}
    {{ one }}.document_key = {{ other }}.document_key
    and {{ one }}.comparable_scope = {{ other }}.comparable_scope
    and {{ one }}.comparable_funding = {{ other }}.comparable_funding
    and {{ one }}.figure = {{ other }}.figure
{%- endmacro %}
