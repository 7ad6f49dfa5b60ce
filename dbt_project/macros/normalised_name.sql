{#
    One spelling per name, so that keys built from names are stable across documents: white space
    (ASCII, no-break and the ideographic space U+3000) is removed and half-width brackets become the
    full-width brackets Chinese documents mostly print. `中共X委组织部(本级)` and `中共X委组织部（本级）`
    are then the same department.
#}
{% macro normalised_name(expression) -%}
    nullif(
        replace(replace(
            regexp_replace({{ expression }}, '[\s\x{00A0}\x{3000}]+', '', 'g'),
        '(', '（'), ')', '）'),
    '')
{%- endmacro %}
