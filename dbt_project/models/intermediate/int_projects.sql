-- The projects of the warehouse, one row per project_key = md5(department_key|fiscal_year|normalised
-- name): first the department's project list (project rows of published project-expenditure tables),
-- then every project of a published target or evaluation table that is not on it. A target table
-- whose project the extraction matched to a list entry carries that entry's name, hence its key; one
-- that matched nothing is a project of its own, never dropped.
with listed_rows as (
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
),

listed as (
    select
        project_key,
        any_value(department_key) as department_key,
        any_value(fiscal_year) as fiscal_year,
        any_value(project_name) as project_name,
        first(parent_project_name order by kind_priority, document_key, table_seq, row_seq, col_seq)
            filter (where parent_project_name is not null) as parent_project_name,
        first(project_category order by kind_priority, document_key, table_seq, row_seq, col_seq)
            filter (where project_category is not null) as project_category
    from listed_rows
    group by project_key
),

performance_rows as (
    select project_key, department_key, fiscal_year, normalised_project_name as project_name
    from {{ ref('int_performance_blocks') }}
    where is_published and project_key is not null
    union all
    select
        project_key, department_key, fiscal_year,
        {{ normalised_name('coalesce(matched_project_name, project_name)') }}
    from {{ ref('int_performance_targets') }}
    where is_published and rank_in_grain = 1 and project_key is not null
    union all
    select
        project_key, department_key, fiscal_year,
        {{ normalised_name('coalesce(matched_project_name, project_name)') }}
    from {{ ref('int_performance_evaluations') }}
    where is_published and rank_in_grain = 1 and project_key is not null
),

performance as (
    select
        project_key,
        any_value(department_key) as department_key,
        any_value(fiscal_year) as fiscal_year,
        any_value(project_name) as project_name
    from performance_rows
    group by project_key
)

select
    listed.project_key,
    listed.department_key,
    listed.fiscal_year,
    listed.project_name,
    listed.parent_project_name,
    listed.project_category,
    true as in_project_list,
    performance.project_key is not null as in_performance_tables
from listed
left join performance on performance.project_key = listed.project_key
union all
select
    performance.project_key,
    performance.department_key,
    performance.fiscal_year,
    performance.project_name,
    null as parent_project_name,
    null as project_category,
    false as in_project_list,
    true as in_performance_tables
from performance
where performance.project_key not in (select project_key from listed)
