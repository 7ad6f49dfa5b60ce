{#
    The columns every fact table carries so that a number can be found again in its source: the
    contract's document_key, department_key, fiscal_year, source_table, source_row, and the extensions
    table_seq, source_column (header path as printed), source_line, source_cell_key (-> fct_source_cell)
    and the printed cell's source_page and source_locator (macros/source_place.sql).
#}
{% macro fact_provenance() -%}
    cast(document_key as varchar) as document_key,
    cast(department_key as varchar) as department_key,
    cast(fiscal_year as integer) as fiscal_year,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(table_seq as integer) as table_seq,
    cast(column_label as varchar) as source_column,
    cast(line_number as integer) as source_line,
    cast(cell_key as varchar) as source_cell_key,
    {{ source_place() }}
{%- endmacro %}
