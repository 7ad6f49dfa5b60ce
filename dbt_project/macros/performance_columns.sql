{#
    The columns of a published performance target / evaluation, shared by the contract tables
    (fct_performance_target, fct_performance_evaluation: the document's department) and their
    extensions for other units' department-wide blocks (fct_unit_performance_target / _evaluation).
#}
{% macro performance_target_columns() -%}
    cast(document_key as varchar) as document_key,
    cast(department_key as varchar) as department_key,
    cast(fiscal_year as integer) as fiscal_year,
    cast(project_key as varchar) as project_key,
    cast(indicator_key as varchar) as indicator_key,
    cast(period as varchar) as period,
    cast(target_text as varchar) as target_text,
    cast(comparator as varchar) as comparator,
    cast(target_value as decimal(20, 6)) as target_value,
    cast(target_unit as varchar) as target_unit,
    cast(weight as decimal(9, 4)) as weight,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(indicator_description as varchar) as indicator_description,
    cast(key_task as varchar) as key_task,
    cast(basis as varchar) as basis,
    cast(project_amount as decimal(18, 4)) as project_amount,
    cast(cell_reading as varchar) as cell_reading,
    cast(note as varchar) as note,
    cast(table_seq as integer) as table_seq,
    cast(block_seq as integer) as block_seq,
    cast(line_number as integer) as source_line
{%- endmacro %}

{% macro performance_evaluation_columns() -%}
    cast(document_key as varchar) as document_key,
    cast(department_key as varchar) as department_key,
    cast(fiscal_year as integer) as fiscal_year,
    cast(project_key as varchar) as project_key,
    cast(indicator_key as varchar) as indicator_key,
    cast(target_text as varchar) as target_text,
    cast(actual_text as varchar) as actual_text,
    cast(weight as decimal(9, 4)) as weight,
    cast(score as decimal(9, 4)) as score,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(row_kind as varchar) as row_kind,
    cast(comparator as varchar) as comparator,
    cast(target_value as decimal(20, 6)) as target_value,
    cast(target_unit as varchar) as target_unit,
    cast(actual_value as decimal(20, 6)) as actual_value,
    cast(completion_text as varchar) as completion_text,
    cast(planned_amount as decimal(18, 4)) as planned_amount,
    cast(executed_amount as decimal(18, 4)) as executed_amount,
    cast(execution_rate_text as varchar) as execution_rate_text,
    cast(deviation_reason as varchar) as deviation_reason,
    cast(improvement_measure as varchar) as improvement_measure,
    cast(cell_reading as varchar) as cell_reading,
    cast(note as varchar) as note,
    cast(table_seq as integer) as table_seq,
    cast(block_seq as integer) as block_seq,
    cast(line_number as integer) as source_line
{%- endmacro %}
