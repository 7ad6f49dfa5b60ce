-- Example queries on the cnbudget warehouse (DuckDB: `duckdb warehouse/cnbudget.duckdb`, tables in
-- schema `marts`; on a release, read `<table>.parquet` instead). Amounts are 万元, DECIMAL(18,4).
-- Each query is one statement ending with `;` (tests/test_dbt_project.py runs every one of them).


-- 1. A department's spending by function class (类): all funds, total expenditure, per document.
--    Level-1 codes only, so that 款 and 项 are not counted twice.
select
    dept.department_name,
    fct.fiscal_year,
    fct.phase,
    fct.function_code,
    code.function_name,
    fct.amount,
    round(100 * fct.amount / sum(fct.amount) over (partition by fct.document_key), 1) as share_pct
from marts.fct_expenditure_by_function as fct
join marts.dim_function_code as code using (function_code)
join marts.dim_department as dept using (department_key)
where dept.department_name like '%稷山县委组织部%'
    and fct.fund_scope = 'all'
    and fct.expenditure_type = 'total'
    and code.level = 1
order by fct.fiscal_year, fct.phase, fct.amount desc;


-- 2. Personnel vs public costs (人员经费 / 公用经费) across departments, from the basic-expenditure
--    tables by economic class. Level-1 codes (类) only, so that 款 are not counted twice.
select
    dept.department_name,
    dept.admin_level,
    fct.fiscal_year,
    fct.phase,
    sum(fct.amount) filter (where fct.cost_type = 'personnel') as personnel,
    sum(fct.amount) filter (where fct.cost_type = 'public') as public,
    round(
        100 * sum(fct.amount) filter (where fct.cost_type = 'personnel')
        / nullif(sum(fct.amount) filter (where fct.cost_type in ('personnel', 'public')), 0),
        1
    ) as personnel_pct
from marts.fct_expenditure_by_economic as fct
join marts.dim_economic_code as code using (economic_code)
join marts.dim_department as dept using (department_key)
where code.level = 1
group by all
order by dept.department_name, fct.fiscal_year, fct.phase;


-- 3. 三公经费 over the years: the total per department, year and measure (budget / final), with its parts.
select
    dept.department_name,
    fct.fiscal_year,
    fct.phase,
    fct.measure,
    sum(fct.amount) filter (where fct.category = 'total') as three_public_total,
    sum(fct.amount) filter (where fct.category = 'overseas_travel') as overseas_travel,
    sum(fct.amount) filter (where fct.category = 'official_reception') as official_reception,
    sum(fct.amount) filter (where fct.category = 'vehicle_total') as vehicles
from marts.fct_three_public_costs as fct
join marts.dim_department as dept using (department_key)
group by all
order by dept.department_name, fct.fiscal_year, fct.phase, fct.measure;


-- 4. Projects with their performance targets: the project's budget (project table, all fund sources)
--    next to each indicator's target. A project with targets but no budget line is still listed.
select
    dept.department_name,
    project.fiscal_year,
    project.project_name,
    project.in_project_list,
    budget.amount as project_budget,
    indicator.level1_name,
    indicator.level2_name,
    indicator.level3_name,
    target.period,
    target.target_text,
    target.comparator,
    target.target_value,
    target.target_unit
from marts.dim_project as project
join marts.dim_department as dept using (department_key)
join marts.fct_performance_target as target using (project_key)
join marts.dim_indicator as indicator using (indicator_key)
left join marts.fct_project_expenditure as budget
    on budget.project_key = project.project_key
    and budget.fund_source = 'total'
order by dept.department_name, project.fiscal_year, project.project_name, indicator.level1_name,
    indicator.level2_name, indicator.level3_name, target.period;


-- 5. Which documents have data-quality problems: errors, warnings and quarantined values per document,
--    worst first. Every printed number is published or quarantined with its reason.
with issues as (
    select
        document_key,
        count(*) filter (where severity = 'error') as errors,
        count(*) filter (where severity = 'warning') as warnings,
        count(*) filter (where severity = 'info') as infos,
        string_agg(distinct check_name, ', ' order by check_name) filter (where severity = 'error') as failed_checks
    from marts.dq_issue
    group by document_key
),

quarantine as (
    select document_key, count(*) as quarantined_values
    from marts.quarantined_row
    group by document_key
)

select
    doc.source_name,
    doc.doc_type,
    doc.fiscal_year,
    dept.department_name,
    coalesce(issues.errors, 0) as errors,
    coalesce(issues.warnings, 0) as warnings,
    coalesce(issues.infos, 0) as infos,
    coalesce(quarantine.quarantined_values, 0) as quarantined_values,
    issues.failed_checks
from marts.dim_document as doc
left join marts.dim_department as dept using (department_key)
left join issues using (document_key)
left join quarantine using (document_key)
order by errors desc, warnings desc, quarantined_values desc, doc.source_name;
