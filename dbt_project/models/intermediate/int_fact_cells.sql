-- Which contract fact each published cell states, and which cell is THE fact when several state it.
-- Rules (orchestration/warehouse/raw_schema.py): a cell is a candidate for one fact table by its
-- fact_table and role; its grain is that table's grain within the document; of the cells sharing a
-- grain, the lowest (kind_priority, table_seq, row_seq, col_seq) is the fact (published_in names the
-- mart) and the others keep published_in NULL, pointing at the fact through fact_cell_key so that
-- reconciliation can compare them. Cells that are no candidate (totals rows, carry-over columns,
-- component fund scopes of 三公) also keep published_in NULL.
{{ incremental_by_document() }}
with cells as (
    select * from {{ for_changed_documents(ref('int_published_cells')) }}
),

candidates as (
    select
        *,
        case
            -- 事业单位经营支出 / 上缴上级支出 / 对附属单位补助支出 columns have no contract expenditure_type:
            -- their cells stay in fct_source_cell.
            when fact_table = 'expenditure_by_function' and funding = 'total' and function_code is not null
                and expenditure_type in ('total', 'basic', 'project', 'personnel', 'public')
                then 'fct_expenditure_by_function'
            when fact_table = 'expenditure_by_economic' and funding = 'total' and economic_code is not null
                then 'fct_expenditure_by_economic'
            when fact_table = 'revenue' and revenue_source <> 'total'
                and (funding = 'current_year' or revenue_source = 'carryover')
                then 'fct_revenue'
            when fact_table = 'three_public_costs' and fund_scope = 'fiscal'
                then 'fct_three_public_costs'
            when fact_table = 'project_expenditure' and row_role = 'item' and project_key is not null
                then 'fct_project_expenditure'
            when fact_table = 'admin_operating_costs' and row_role = 'total'
                then 'fct_admin_operating_costs'
            when fact_table = 'revenue_by_function' and function_code is not null
                then 'fct_revenue_by_function'
            when fact_table = 'fixed_assets' and category is not null
                then 'fct_fixed_assets'
        end as candidate_for
    from cells
),

with_grain as (
    select
        *,
        -- The grain within the document; '∅' stands for NULL so that no two grains collide.
        concat_ws('|', case candidate_for
            when 'fct_expenditure_by_function'
                then concat_ws('|', coalesce(fund_scope, '∅'), function_code, coalesce(expenditure_type, '∅'))
            when 'fct_expenditure_by_economic'
                then concat_ws('|', coalesce(scheme, '∅'), economic_code, coalesce(cost_type, '∅'))
            when 'fct_revenue' then coalesce(revenue_source, '∅')
            when 'fct_three_public_costs' then concat_ws('|', coalesce(category, '∅'), coalesce(measure, '∅'))
            when 'fct_project_expenditure' then concat_ws('|', project_key, coalesce(fund_source, '∅'))
            when 'fct_admin_operating_costs' then coalesce(fund_scope, '∅')
            when 'fct_revenue_by_function'
                then concat_ws('|', function_code, coalesce(revenue_source, '∅'), coalesce(funding, '∅'))
            when 'fct_fixed_assets' then category
        end) as grain
    from candidates
),

ranked as (
    select
        *,
        case when candidate_for is not null then
            row_number() over (
                partition by candidate_for, document_key, grain
                order by kind_priority, table_seq, row_seq, col_seq
            )
        end as rank_in_grain,
        case when candidate_for is not null then
            first_value(cell_key) over (
                partition by candidate_for, document_key, grain
                order by kind_priority, table_seq, row_seq, col_seq
            )
        end as fact_cell_key
    from with_grain
)

select
    *,
    case when rank_in_grain = 1 then candidate_for end as published_in
from ranked
