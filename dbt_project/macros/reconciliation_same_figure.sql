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

{#
    Join condition on `pairs` (int_reconciliation_cross_table): the row comparing the table `table_seq`
    with the table of `statement`, on `statement`'s figure. Its `agree` says whether the two agree.
#}
{% macro reconciliation_pair(pairs, table_seq, statement) -%}
    {{ reconciliation_same_figure(pairs, statement) }}
    and {{ pairs }}.table_seq = {{ table_seq }}
    and {{ pairs }}.other_table_seq = {{ statement }}.table_seq
{%- endmacro %}
