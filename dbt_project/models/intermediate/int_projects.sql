-- The project list: one row per project of a department and year, from the project rows of the
-- published project-expenditure tables. The name is normalised (the key is built from it); the
-- 一级项目 and category are the first that any row of the project states.
with project_rows as (
    select
        project_key,
        department_key,
        fiscal_year,
        {{ normalised_name('project_name') }} as project_name,
        {{ normalised_name('parent_project_name') }} as parent_project_name,
        project_category,
        kind_priority, document_key, table_seq, row_seq, col_seq
    from {{ ref('int_fact_cells') }}
    where candidate_for = 'fct_project_expenditure'
)

select
    project_key,
    any_value(department_key) as department_key,
    any_value(fiscal_year) as fiscal_year,
    any_value(project_name) as project_name,
    first(parent_project_name order by kind_priority, document_key, table_seq, row_seq, col_seq)
        filter (where parent_project_name is not null) as parent_project_name,
    first(project_category order by kind_priority, document_key, table_seq, row_seq, col_seq)
        filter (where project_category is not null) as project_category,
    true as in_project_list
from project_rows
group by project_key
