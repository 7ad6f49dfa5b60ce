{#
    Where a row or cell was printed, in its format's own terms (orchestration/readers/grid.py
    Row.provenance; raw tables: PROVENANCE_COLUMNS in orchestration/warehouse/raw_schema.py):
    source_page (the PDF page, NULL for formats without pages) and source_locator ('page 8, table 1,
    row 12, cell 5' | '收入决算表!C7' | 'table 2, row 5, cell 3' | 'line 120, cell 4'; a row's own
    address when the cell's column is unknown). Every model that carries a row's line carries these.
#}
{% macro source_place(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    cast({{ prefix }}source_page as integer) as source_page,
    cast({{ prefix }}source_locator as varchar) as source_locator
{%- endmacro %}
