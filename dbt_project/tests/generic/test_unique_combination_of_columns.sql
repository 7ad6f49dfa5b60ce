{#
    The grain test: no two rows share the same values of these columns. NULLs count as one value
    (GROUP BY semantics), so a department-wide target (project_key NULL) may appear once per grain,
    not once per NULL.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select {{ columns_csv }}, count(*) as rows_sharing_grain
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
