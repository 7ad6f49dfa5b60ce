-- One row per project of a department and year
-- (project_key = md5(department_key | fiscal_year | normalised project name)).
select
    cast(project_key as varchar) as project_key,
    cast(department_key as varchar) as department_key,
    cast(fiscal_year as integer) as fiscal_year,
    cast(project_name as varchar) as project_name,
    cast(parent_project_name as varchar) as parent_project_name,
    cast(project_category as varchar) as project_category,
    cast(in_project_list as boolean) as in_project_list,
    cast(in_performance_tables as boolean) as in_performance_tables
from {{ ref('int_projects') }}
