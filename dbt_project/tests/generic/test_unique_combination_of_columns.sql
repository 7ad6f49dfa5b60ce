{#
    The grain test: no two rows share the same values of these columns. NULLs count as one value
    (GROUP BY semantics), so a department-wide target (project_key NULL) may appear once per grain,
    not once per NULL. Without document_key among the columns the grain spans documents: an incremental
    build counts only the keys of the pending documents' rows (changed_keys_condition, in
    macros/incremental_by_document.sql, says why that is the whole result).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select {{ columns_csv }}, count(*) as rows_sharing_grain
    from (select * from {{ model }}) as tested_rows
    {%- if 'document_key' not in combination_of_columns %}
    where {{ changed_keys_condition(model, combination_of_columns) }}
    {%- endif %}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
