{#
    Whether a year-versioned reference row applies in a fiscal year: valid_from <= year <= valid_to,
    valid_to NULL meaning "still valid". Classification codes are renamed, split and retired between
    years, so a code is only known for the years its row covers.
#}
{% macro valid_in_year(relation_alias, year_expression) -%}
    ({{ relation_alias }}.valid_from <= {{ year_expression }}
        and ({{ relation_alias }}.valid_to is null or {{ year_expression }} <= {{ relation_alias }}.valid_to))
{%- endmacro %}
