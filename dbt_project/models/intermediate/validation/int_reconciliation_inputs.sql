-- The figures each recognised financial table states, in one long shape: every cell of raw.cells (with
-- its codes resolved for the document's year, int_resolved_cells) with what reconciliation needs to
-- compare it with other cells of its table and with other tables.
--   column_key   the cell's column by meaning (not by position): cells of one table with the same key
--                are in the same column, even when a side-by-side layout prints it twice;
--   figure       what the cell states in words every table uses ('function 201 total', 'expenditure
--                basic', 'revenue general_public_budget' ...), NULL when no other table can state it;
--   comparable_scope / comparable_funding
--                the cell's fund scope and funding, widened to what is the same money in this document:
--                where the document's revenue shows no government-fund or state-capital money, 一般公共预算
--                is all of 财政拨款; where it shows no non-fiscal money, 财政拨款 is all funds; where it shows
--                no money carried over, this year's money (本年) is all the money. A document that prints no
--                revenue is compared like with like only.
-- Nothing is decided here; the rules are in int_reconciliation_within_table and _cross_table.
{{ incremental_by_document() }}
with cells as (
    -- codes as the warehouse will publish them (a truncated 201320 is 2013204 here)
    select * from {{ for_changed_documents(ref('int_resolved_cells')) }}
),

table_shapes as (
    -- A summary table (收支总表) is the one that prints summary lines (本年收入合计, 收入总计 ...).
    select
        document_key,
        table_seq,
        bool_or(fact_table = 'summary_line') as is_summary_table
    from cells
    group by document_key, table_seq
),

project_rows as (
    select
        document_key,
        table_seq,
        row_seq,
        any_value(row_role) as row_role,
        any_value(project_name) as project_name,
        any_value(project_level) as project_level
    from cells
    where fact_table = 'project_expenditure'
    group by document_key, table_seq, row_seq
),

project_grand_total_rows as (
    -- The row that states a project table's total: its 合计 row; else the one row above all others.
    select document_key, table_seq, min(row_seq) as row_seq
    from project_rows
    where row_role = 'total' and project_name is null
    group by document_key, table_seq
    having count(*) = 1
    union all
    select document_key, table_seq, min(row_seq) as row_seq
    from project_rows as outer_rows
    where row_role = 'total'
        and not exists (
            select 1 from project_rows as named
            where named.document_key = outer_rows.document_key
                and named.table_seq = outer_rows.table_seq
                and named.row_role = 'total' and named.project_name is null
        )
        and project_level = (
            select min(levels.project_level) from project_rows as levels
            where levels.document_key = outer_rows.document_key and levels.table_seq = outer_rows.table_seq
        )
    group by document_key, table_seq
    having count(*) = 1
),

document_money as (
    -- What money a document shows anywhere it prints a non-zero amount.
    select
        document_key,
        bool_or(
            amount <> 0 and (fact_table in ('revenue', 'revenue_by_function', 'revenue_by_unit')
                or category in ('revenue_current_total', 'revenue_grand_total'))
        ) as prints_revenue,
        bool_or(
            amount <> 0 and (revenue_source in ('government_fund', 'state_capital')
                or fund_scope in ('government_fund', 'state_capital'))
        ) as has_other_budget_money,
        bool_or(
            amount <> 0 and revenue_source in (
                'special_account', 'unit_funds', 'business', 'operating', 'superior_subsidy',
                'subordinate_remittance', 'other', 'non_fiscal', 'non_fiscal_carryover', 'non_fiscal_surplus_used'
            )
        ) as has_non_fiscal_money,
        bool_or(
            amount <> 0 and (funding = 'carryover' or revenue_source in ('carryover', 'non_fiscal_carryover'))
        ) as has_carryover_money
    from cells
    group by document_key
),

described as (
    select
        cells.*,
        table_shapes.is_summary_table,
        project_grand_total_rows.row_seq is not null as is_project_grand_total,
        document_money.prints_revenue,
        document_money.has_other_budget_money,
        document_money.has_non_fiscal_money,
        document_money.has_carryover_money,
        concat_ws('|',
            coalesce(cells.expenditure_type, '-'), coalesce(cells.cost_type, '-'),
            coalesce(cells.revenue_source, '-'), coalesce(cells.fund_source, '-'),
            coalesce(cells.funding, '-'), coalesce(cells.fund_scope, '-'), coalesce(cells.measure, '-')
        ) as column_key
    from cells
    inner join table_shapes
        on table_shapes.document_key = cells.document_key
        and table_shapes.table_seq = cells.table_seq
    inner join document_money on document_money.document_key = cells.document_key
    left join project_grand_total_rows
        on project_grand_total_rows.document_key = cells.document_key
        and project_grand_total_rows.table_seq = cells.table_seq
        and project_grand_total_rows.row_seq = cells.row_seq
),

with_figure as (
    select
        *,
        case
            when fact_table = 'expenditure_by_function' and row_role = 'item' and function_code is not null
                and expenditure_type in ('total', 'basic', 'project', 'personnel', 'public')
                then 'function ' || function_code || ' ' || expenditure_type
            when fact_table = 'expenditure_by_function' and row_role = 'total' and not is_summary_table
                and expenditure_type in ('total', 'basic', 'project', 'personnel', 'public')
                then 'expenditure ' || expenditure_type
            when fact_table = 'summary_line' and category = 'expenditure_current_total'
                then 'expenditure total'
            when fact_table = 'expenditure_by_economic' and row_role = 'total'
                then case cost_type when 'total' then 'expenditure basic' else 'expenditure ' || cost_type end
            when fact_table = 'expenditure_by_economic' and row_role = 'item' and economic_code is not null
                then 'economic ' || coalesce(scheme, '-') || ' ' || economic_code || ' ' || cost_type
            when fact_table = 'revenue' and is_summary_table and row_role = 'item'
                then 'revenue ' || revenue_source
            when fact_table = 'summary_line' and category = 'revenue_grand_total'
                then 'revenue total'
            when fact_table = 'revenue' and not is_summary_table and row_role = 'total'
                then 'revenue ' || revenue_source
            when fact_table = 'three_public_costs'
                then 'three_public ' || category || ' ' || coalesce(measure, '-')
            when fact_table = 'admin_operating_costs' and row_role = 'total'
                then 'admin_operating total'
            when fact_table = 'project_expenditure' and is_project_grand_total and revenue_source = 'total'
                then 'expenditure project'
        end as figure,
        -- How a finding names the figure: with the code's name as printed where it has one.
        case
            when fact_table = 'expenditure_by_function' and row_role = 'item' and function_code is not null
                then function_code || ' ' || coalesce(printed_function_name, '') || ' (' || expenditure_type || ')'
            when fact_table = 'expenditure_by_economic' and row_role = 'item' and economic_code is not null
                then economic_code || ' ' || coalesce(printed_economic_name, '') || ' (' || cost_type || ')'
        end as code_label
    from described
)

select
    *,
    case when figure is not null then coalesce(code_label, figure) end as figure_label,
    -- Revenue by source is the same money whichever table's scope states it; totals keep their scope.
    case
        when figure like 'revenue %' and revenue_source not in ('total', 'carryover') then 'any'
        when not prints_revenue then fund_scope
        when fund_scope = 'general_public_budget' and not has_other_budget_money
            then case when has_non_fiscal_money then 'fiscal' else 'all' end
        when fund_scope = 'fiscal' and not has_non_fiscal_money then 'all'
        else fund_scope
    end as comparable_scope,
    case
        when funding = 'current_year' and prints_revenue and not has_carryover_money then 'total'
        else funding
    end as comparable_funding
from with_figure
