-- Every arithmetic rule that holds inside one table, evaluated wherever the table prints what the rule
-- needs: one row per evaluation, passed or not (the report counts both). Each rule is one CTE below and
-- is written nowhere else; the verdict (pass / rounding gap / fail, and the severity) is decided once, at
-- the end, with the rounding tolerance of macros/rounding_tolerance.sql. A blank cell is no figure: a
-- total that is not printed is not checked, a part that is not printed counts as zero.
-- A failed sum is an `error`, unless cells that may be among its parts could not be read (quarantined,
-- or a code too damaged to place): then it cannot be verified and is a `warning`.
with inputs as (
    select * from {{ ref('int_reconciliation_inputs') }}
),

quarantine as (
    select document_key, table_seq, line_number, column_label
    from {{ ref('stg_raw__quarantine') }}
    where table_seq is not null
),

-- == Classification hierarchies (function 类/款/项, economic 类/款) ====================================

coded_cells as (
    select
        *,
        case when fact_table = 'expenditure_by_economic' then 'economic' else 'function' end as classification,
        coalesce(scheme, '-') as scheme_key,
        coalesce(function_code, economic_code) as code
    from inputs
    where not is_summary_table
        and row_role = 'item'
        and (
            (fact_table in ('expenditure_by_function', 'revenue_by_function') and function_code is not null)
            or (fact_table = 'expenditure_by_economic' and economic_code is not null)
        )
),

coded_rows as (
    select distinct document_key, table_seq, classification, scheme_key, row_seq, code
    from coded_cells
),

table_codes as (
    -- Per table and classification: codes printed once (a repeated code makes its sums ambiguous),
    -- the top level, and how many rows carry a code too damaged to place in the hierarchy.
    select
        document_key,
        table_seq,
        classification,
        min(length(code)) filter (
            where (classification = 'function' and length(code) in (3, 5, 7))
            or (classification = 'economic' and length(code) in (3, 5))
        ) as top_level_length,
        count(*) filter (
            where not ((classification = 'function' and length(code) in (3, 5, 7))
                or (classification = 'economic' and length(code) in (3, 5)))
        ) as unplaceable_rows
    from coded_rows
    group by document_key, table_seq, classification
),

repeated_codes as (
    select document_key, table_seq, classification, scheme_key, code
    from coded_rows
    group by document_key, table_seq, classification, scheme_key, code
    having count(*) > 1
),

hierarchy_links as (
    select
        parent.document_key,
        parent.table_seq,
        parent.classification,
        parent.row_seq as parent_row_seq,
        parent.code as parent_code,
        child.row_seq as child_row_seq,
        child.code as child_code
    from coded_rows as parent
    inner join coded_rows as child
        on child.document_key = parent.document_key
        and child.table_seq = parent.table_seq
        and child.classification = parent.classification
        and child.scheme_key = parent.scheme_key
        and length(child.code) = length(parent.code) + 2
        and starts_with(child.code, parent.code)
    where length(parent.code) in (3, 5)
        and not exists (
            select 1 from repeated_codes
            where repeated_codes.document_key = parent.document_key
                and repeated_codes.table_seq = parent.table_seq
                and repeated_codes.classification = parent.classification
                and repeated_codes.scheme_key = parent.scheme_key
                and repeated_codes.code in (parent.code, child.code)
        )
),

hierarchy as (
    -- A parent code equals the sum of its children (function 类 = its 款, 款 = its 项; economic 类 = its 款),
    -- column by column.
    select
        parent.document_key,
        parent.table_seq,
        any_value(parent.source_table) as source_table,
        parent.classification || '_hierarchy' as check_name,
        any_value(parent.classification || ' code ' || parent.code) || ' = the sum of its sub-codes' as rule,
        any_value(parent.source_row) as source_row,
        any_value(parent.line_number) as line_number,
        any_value(parent.column_label) as column_label,
        any_value(parent.code) as code,
        any_value(parent.amount) as stated,
        coalesce(sum(child.amount), 0) as computed,
        count(child.amount) as summands,
        array_to_string(list_slice(list(
            child.code || ' ' || {{ amount_text('child.amount') }} order by child.row_seq
        ) filter (where child.amount is not null), 1, 12), ' + ')
            || case when count(child.amount) > 12 then ' + …' else '' end as parts,
        'column' as located_by,
        any_value(table_codes.unplaceable_rows) as unplaceable_rows
    from coded_cells as parent
    inner join (
        select distinct document_key, table_seq, classification, parent_row_seq, parent_code from hierarchy_links
    ) as parents
        on parents.document_key = parent.document_key
        and parents.table_seq = parent.table_seq
        and parents.classification = parent.classification
        and parents.parent_row_seq = parent.row_seq
        and parents.parent_code = parent.code
    left join hierarchy_links as links
        on links.document_key = parent.document_key
        and links.table_seq = parent.table_seq
        and links.classification = parent.classification
        and links.parent_row_seq = parent.row_seq
        and links.parent_code = parent.code
    left join coded_cells as child
        on child.document_key = links.document_key
        and child.table_seq = links.table_seq
        and child.classification = links.classification
        and child.row_seq = links.child_row_seq
        and child.code = links.child_code
        and child.column_key = parent.column_key
    left join table_codes
        on table_codes.document_key = parent.document_key
        and table_codes.table_seq = parent.table_seq
        and table_codes.classification = parent.classification
    group by parent.document_key, parent.table_seq, parent.classification, parent.row_seq, parent.col_seq
),

-- == A table's 合计 row equals the sum of its top-level rows =========================================

total_row_cells as (
    select
        *,
        case when fact_table = 'expenditure_by_economic' then 'economic' else 'function' end as classification
    from inputs
    where not is_summary_table
        and row_role = 'total'
        and fact_table in ('expenditure_by_function', 'expenditure_by_economic', 'revenue')
        and function_code is null
        and economic_code is null
),

total_rows as (
    select
        total.document_key,
        total.table_seq,
        any_value(total.source_table) as source_table,
        'total_row_equals_items' as check_name,
        'a table''s total row equals the sum of its top-level rows' as rule,
        any_value(total.source_row) as source_row,
        any_value(total.line_number) as line_number,
        any_value(total.column_label) as column_label,
        null as code,
        any_value(total.amount) as stated,
        coalesce(sum(item.amount), 0) as computed,
        count(item.amount) as summands,
        array_to_string(list_slice(list(
            item.code || ' ' || {{ amount_text('item.amount') }} order by item.row_seq, item.col_seq
        ) filter (where item.amount is not null), 1, 12), ' + ')
            || case when count(item.amount) > 12 then ' + …' else '' end as parts,
        'column' as located_by,
        any_value(table_codes.unplaceable_rows) as unplaceable_rows
    from total_row_cells as total
    inner join table_codes
        on table_codes.document_key = total.document_key
        and table_codes.table_seq = total.table_seq
        and table_codes.classification = total.classification
    left join coded_cells as item
        on item.document_key = total.document_key
        and item.table_seq = total.table_seq
        and item.classification = total.classification
        and item.column_key = total.column_key
        and length(item.code) = table_codes.top_level_length
    group by total.document_key, total.table_seq, total.row_seq, total.col_seq
),

-- == Columns of one row: total = basic + project, basic = personnel + public ========================

function_table_columns as (
    -- Which columns a table prints, per fund scope and funding (a table may split 本年 and 上年结转).
    select
        document_key,
        table_seq,
        fund_scope,
        funding,
        bool_or(expenditure_type = 'basic') as has_basic,
        bool_or(expenditure_type in ('personnel', 'public')) as has_personnel_or_public,
        bool_or(expenditure_type in ('basic', 'project', 'business', 'remit', 'subsidy', 'personnel', 'public'))
            as has_components
    from inputs
    where fact_table = 'expenditure_by_function' and not is_summary_table
    group by document_key, table_seq, fund_scope, funding
),

function_rows as (
    select
        document_key,
        table_seq,
        row_seq,
        fund_scope,
        funding,
        any_value(source_table) as source_table,
        any_value(source_row) as source_row,
        any_value(line_number) as line_number,
        any_value(function_code) as code,
        arg_min(column_label, col_seq) filter (where expenditure_type = 'total') as total_label,
        arg_min(column_label, col_seq) filter (where expenditure_type = 'basic') as basic_label,
        sum(amount) filter (where expenditure_type = 'total') as total_amount,
        sum(amount) filter (where expenditure_type = 'basic') as basic,
        sum(amount) filter (where expenditure_type = 'project') as project,
        sum(amount) filter (where expenditure_type = 'personnel') as personnel,
        sum(amount) filter (where expenditure_type = 'public') as public,
        sum(amount) filter (where expenditure_type in ('business', 'remit', 'subsidy')) as other_spending,
        count(*) filter (where expenditure_type in ('business', 'remit', 'subsidy')) as other_spending_cells
    from inputs
    where fact_table = 'expenditure_by_function' and not is_summary_table
    group by document_key, table_seq, row_seq, fund_scope, funding
),

function_row_totals as (
    -- total = basic + project (+ 经营支出, 上缴上级支出, 对附属单位补助支出 where the table has them); a table
    -- without a basic column adds personnel + public instead.
    select
        rows.document_key,
        rows.table_seq,
        rows.source_table,
        'total_equals_basic_plus_project' as check_name,
        'total = basic + project (+ business, remittance, subsidy)' as rule,
        rows.source_row,
        rows.line_number,
        rows.total_label as column_label,
        rows.code,
        rows.total_amount as stated,
        case when columns.has_basic then coalesce(rows.basic, 0)
            else coalesce(rows.personnel, 0) + coalesce(rows.public, 0) end
            + coalesce(rows.project, 0) + coalesce(rows.other_spending, 0) as computed,
        case when columns.has_basic then (rows.basic is not null)::int
            else (rows.personnel is not null)::int + (rows.public is not null)::int end
            + (rows.project is not null)::int + rows.other_spending_cells as summands,
        concat_ws(' + ',
            case when columns.has_basic then 'basic ' || {{ amount_text('rows.basic') }}
                else concat_ws(' + ', 'personnel ' || {{ amount_text('rows.personnel') }},
                    'public ' || {{ amount_text('rows.public') }}) end,
            'project ' || {{ amount_text('rows.project') }},
            'business/remittance/subsidy ' || {{ amount_text('rows.other_spending') }}
        ) as parts,
        'row' as located_by,
        0 as unplaceable_rows
    from function_rows as rows
    inner join function_table_columns as columns
        on columns.document_key = rows.document_key
        and columns.table_seq = rows.table_seq
        and columns.fund_scope is not distinct from rows.fund_scope
        and columns.funding is not distinct from rows.funding
    where rows.total_amount is not null and columns.has_components
),

function_row_basics as (
    select
        rows.document_key,
        rows.table_seq,
        rows.source_table,
        'basic_equals_personnel_plus_public' as check_name,
        'basic = personnel + public' as rule,
        rows.source_row,
        rows.line_number,
        rows.basic_label as column_label,
        rows.code,
        rows.basic as stated,
        coalesce(rows.personnel, 0) + coalesce(rows.public, 0) as computed,
        (rows.personnel is not null)::int + (rows.public is not null)::int as summands,
        concat_ws(' + ', 'personnel ' || {{ amount_text('rows.personnel') }},
            'public ' || {{ amount_text('rows.public') }}) as parts,
        'row' as located_by,
        0 as unplaceable_rows
    from function_rows as rows
    inner join function_table_columns as columns
        on columns.document_key = rows.document_key
        and columns.table_seq = rows.table_seq
        and columns.fund_scope is not distinct from rows.fund_scope
        and columns.funding is not distinct from rows.funding
    where rows.basic is not null and columns.has_personnel_or_public
),

economic_rows as (
    select
        document_key,
        table_seq,
        row_seq,
        fund_scope,
        funding,
        any_value(source_table) as source_table,
        any_value(source_row) as source_row,
        any_value(line_number) as line_number,
        any_value(economic_code) as code,
        arg_min(column_label, col_seq) filter (where cost_type = 'total') as total_label,
        sum(amount) filter (where cost_type = 'total') as total_amount,
        sum(amount) filter (where cost_type = 'personnel') as personnel,
        sum(amount) filter (where cost_type = 'public') as public
    from inputs
    where fact_table = 'expenditure_by_economic' and not is_summary_table
    group by document_key, table_seq, row_seq, fund_scope, funding
),

economic_row_totals as (
    select
        rows.document_key,
        rows.table_seq,
        rows.source_table,
        'economic_total_equals_personnel_plus_public' as check_name,
        'total = personnel + public' as rule,
        rows.source_row,
        rows.line_number,
        rows.total_label as column_label,
        rows.code,
        rows.total_amount as stated,
        coalesce(rows.personnel, 0) + coalesce(rows.public, 0) as computed,
        (rows.personnel is not null)::int + (rows.public is not null)::int as summands,
        concat_ws(' + ', 'personnel ' || {{ amount_text('rows.personnel') }},
            'public ' || {{ amount_text('rows.public') }}) as parts,
        'row' as located_by,
        0 as unplaceable_rows
    from economic_rows as rows
    where rows.total_amount is not null
        and exists (
            select 1 from inputs
            where inputs.document_key = rows.document_key
                and inputs.table_seq = rows.table_seq
                and inputs.fact_table = 'expenditure_by_economic'
                and inputs.cost_type in ('personnel', 'public')
                and inputs.fund_scope is not distinct from rows.fund_scope
                and inputs.funding is not distinct from rows.funding
        )
),

-- == Sources of money in one row (收入总表, 项目支出表): total = this year + carried over ==================

source_rows as (
    select
        document_key,
        table_seq,
        row_seq,
        fund_scope,
        any_value(source_table) as source_table,
        any_value(source_row) as source_row,
        any_value(line_number) as line_number,
        arg_min(column_label, col_seq) filter (where revenue_source = 'total' and funding = 'total') as grand_label,
        arg_min(column_label, col_seq) filter (where revenue_source = 'total' and funding = 'current_year')
            as this_year_label,
        arg_min(column_label, col_seq) filter (
            where revenue_source in ('total', 'carryover') and funding = 'carryover') as carryover_label,
        arg_min(column_label, col_seq) filter (where revenue_source = 'fiscal' and funding <> 'carryover')
            as fiscal_label,
        arg_min(column_label, col_seq) filter (where revenue_source = 'unit_funds' and funding <> 'carryover')
            as unit_funds_label,
        sum(amount) filter (where revenue_source = 'total' and funding = 'total') as grand,
        sum(amount) filter (where revenue_source = 'total' and funding = 'current_year') as this_year,
        sum(amount) filter (where revenue_source in ('total', 'carryover') and funding = 'carryover') as carryover,
        sum(amount) filter (where revenue_source not in ('total', 'carryover') and funding = 'carryover')
            as carryover_sources,
        count(*) filter (where revenue_source not in ('total', 'carryover') and funding = 'carryover')
            as carryover_source_cells,
        sum(amount) filter (where revenue_source = 'fiscal' and funding <> 'carryover') as fiscal,
        sum(amount) filter (
            where revenue_source in ('general_public_budget', 'government_fund', 'state_capital')
            and funding <> 'carryover') as budgets,
        count(*) filter (
            where revenue_source in ('general_public_budget', 'government_fund', 'state_capital')
            and funding <> 'carryover') as budget_cells,
        sum(amount) filter (where revenue_source = 'special_account' and funding <> 'carryover') as special_account,
        sum(amount) filter (where revenue_source = 'unit_funds' and funding <> 'carryover') as unit_funds,
        sum(amount) filter (
            where revenue_source in ('business', 'operating', 'superior_subsidy', 'subordinate_remittance', 'other')
            and funding <> 'carryover') as unit_sources,
        count(*) filter (
            where revenue_source in ('business', 'operating', 'superior_subsidy', 'subordinate_remittance', 'other')
            and funding <> 'carryover') as unit_source_cells
    from inputs
    where not is_summary_table
        and fact_table in ('revenue', 'revenue_by_function', 'revenue_by_unit', 'project_expenditure')
    group by document_key, table_seq, row_seq, fund_scope
),

source_row_sums as (
    select
        *,
        -- this year's money by source: 财政拨款 (or its three budgets), 财政专户, 单位资金 (or its parts)
        coalesce(fiscal, budgets, 0) + coalesce(special_account, 0) + coalesce(unit_funds, unit_sources, 0)
            as this_year_sources,
        case when fiscal is not null then 1 else budget_cells end
            + (special_account is not null)::int
            + case when unit_funds is not null then 1 else unit_source_cells end as this_year_source_cells
    from source_rows
),

source_row_checks as (
    select
        document_key, table_seq, source_table,
        'total_equals_this_year_plus_carryover' as check_name,
        'total = this year''s money + money carried over' as rule,
        source_row, line_number, grand_label as column_label, null as code,
        grand as stated,
        coalesce(this_year, this_year_sources) + coalesce(carryover, carryover_sources, 0) as computed,
        case when this_year is not null then 1 else this_year_source_cells end
            + case when carryover is not null then 1 else carryover_source_cells end as summands,
        concat_ws(' + ', 'this year ' || {{ amount_text('coalesce(this_year, this_year_sources)') }},
            'carried over ' || {{ amount_text('coalesce(carryover, carryover_sources)') }}) as parts,
        'row' as located_by, 0 as unplaceable_rows
    from source_row_sums
    where grand is not null
        and (this_year is not null or this_year_source_cells > 0 or carryover is not null or carryover_source_cells > 0)
    union all
    select
        document_key, table_seq, source_table,
        'this_year_equals_its_sources' as check_name,
        'this year''s money = the sum of its sources' as rule,
        source_row, line_number, this_year_label, null,
        this_year, this_year_sources, this_year_source_cells,
        concat_ws(' + ', '财政拨款 ' || {{ amount_text('coalesce(fiscal, budgets)') }},
            '财政专户 ' || {{ amount_text('special_account') }},
            '单位资金 ' || {{ amount_text('coalesce(unit_funds, unit_sources)') }}),
        'row', 0
    from source_row_sums
    where this_year is not null and this_year_source_cells > 0
    union all
    select
        document_key, table_seq, source_table,
        'carryover_equals_its_sources' as check_name,
        'money carried over = the sum of its sources' as rule,
        source_row, line_number, carryover_label, null,
        carryover, carryover_sources, carryover_source_cells,
        'carried over by source ' || {{ amount_text('carryover_sources') }},
        'row', 0
    from source_row_sums
    where carryover is not null and carryover_source_cells > 0
    union all
    select
        document_key, table_seq, source_table,
        'fiscal_equals_its_budgets' as check_name,
        '财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营' as rule,
        source_row, line_number, fiscal_label, null,
        fiscal, budgets, budget_cells,
        'the three budgets ' || {{ amount_text('budgets') }},
        'row', 0
    from source_row_sums
    where fiscal is not null and budget_cells > 0
    union all
    select
        document_key, table_seq, source_table,
        'unit_funds_equal_their_sources' as check_name,
        '单位资金 = 事业 + 经营 + 上级补助 + 附属单位上缴 + 其他收入' as rule,
        source_row, line_number, unit_funds_label, null,
        unit_funds, unit_sources, unit_source_cells,
        'its sources ' || {{ amount_text('unit_sources') }},
        'row', 0
    from source_row_sums
    where unit_funds is not null and unit_source_cells > 0
),

-- == Summary tables (收支总表): each side adds up, and 收入总计 = 支出总计 ==================================

summary_cells as (
    select * from inputs where is_summary_table
),

summary_balance as (
    select
        revenue.document_key,
        revenue.table_seq,
        revenue.source_table,
        'revenue_equals_expenditure' as check_name,
        '收入总计 = 支出总计' as rule,
        expenditure.source_row,
        expenditure.line_number,
        expenditure.column_label,
        null as code,
        expenditure.amount as stated,
        revenue.amount as computed,
        1 as summands,
        revenue.source_row || ' ' || {{ amount_text('revenue.amount') }} || ' (column "' || revenue.column_label || '")'
            as parts,
        'row' as located_by,
        0 as unplaceable_rows
    from summary_cells as revenue
    inner join summary_cells as expenditure
        on expenditure.document_key = revenue.document_key
        and expenditure.table_seq = revenue.table_seq
        and expenditure.category = 'expenditure_grand_total'
        and expenditure.funding = revenue.funding
        and expenditure.fund_scope = revenue.fund_scope
    where revenue.category = 'revenue_grand_total'
),

summary_lines_by_column as (
    -- Per summary table and printed column: its totals and the lines they add up.
    select
        document_key,
        table_seq,
        col_seq,
        any_value(source_table) as source_table,
        arg_min(source_row, row_seq) filter (where category = 'expenditure_current_total') as expenditure_row,
        arg_min(line_number, row_seq) filter (where category = 'expenditure_current_total') as expenditure_line,
        arg_min(amount, row_seq) filter (where category = 'expenditure_current_total') as expenditure_this_year,
        arg_min(source_row, row_seq) filter (where category = 'expenditure_grand_total') as expenditure_grand_row,
        arg_min(line_number, row_seq) filter (where category = 'expenditure_grand_total') as expenditure_grand_line,
        arg_min(amount, row_seq) filter (where category = 'expenditure_grand_total') as expenditure_grand,
        -- 结转下年 / 年末结转和结余, and 结余分配 where a final account prints it
        sum(amount) filter (where category in ('carry_forward', 'surplus_distribution')) as carried_forward,
        count(*) filter (where category in ('carry_forward', 'surplus_distribution')) as carried_forward_cells,
        sum(amount) filter (
            where fact_table = 'expenditure_by_function' and row_role = 'item' and length(function_code) = 3
        ) as classes,
        count(*) filter (
            where fact_table = 'expenditure_by_function' and row_role = 'item' and length(function_code) = 3
        ) as class_cells,
        array_to_string(list_slice(list(function_code || ' ' || {{ amount_text('amount') }} order by row_seq) filter (
            where fact_table = 'expenditure_by_function' and row_role = 'item' and length(function_code) = 3
        ), 1, 12), ' + ') as class_parts,
        arg_min(source_row, row_seq) filter (where category = 'revenue_current_total') as revenue_row,
        arg_min(line_number, row_seq) filter (where category = 'revenue_current_total') as revenue_line,
        arg_min(amount, row_seq) filter (where category = 'revenue_current_total') as revenue_this_year,
        arg_min(source_row, row_seq) filter (where category = 'revenue_grand_total') as revenue_grand_row,
        arg_min(line_number, row_seq) filter (where category = 'revenue_grand_total') as revenue_grand_line,
        arg_min(amount, row_seq) filter (where category = 'revenue_grand_total') as revenue_grand,
        arg_min(column_label, row_seq) filter (where fact_table = 'summary_line') as column_label,
        -- revenue lines by source, as in source_rows: 财政拨款 or its budgets, 财政专户, 单位资金 or its parts
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item' and revenue_source = 'fiscal'
            and funding <> 'carryover') as fiscal,
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item'
            and revenue_source in ('general_public_budget', 'government_fund', 'state_capital')
            and funding <> 'carryover') as budgets,
        count(*) filter (where fact_table = 'revenue' and row_role = 'item'
            and revenue_source in ('general_public_budget', 'government_fund', 'state_capital')
            and funding <> 'carryover') as budget_cells,
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item'
            and revenue_source = 'special_account' and funding <> 'carryover') as special_account,
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item' and revenue_source = 'unit_funds'
            and funding <> 'carryover') as unit_funds,
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item' and revenue_source in (
            'business', 'operating', 'superior_subsidy', 'subordinate_remittance', 'other')
            and funding <> 'carryover') as unit_sources,
        count(*) filter (where fact_table = 'revenue' and row_role = 'item' and revenue_source in (
            'business', 'operating', 'superior_subsidy', 'subordinate_remittance', 'other')
            and funding <> 'carryover') as unit_source_cells,
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item'
            and revenue_source in ('carryover', 'non_fiscal_carryover', 'non_fiscal_surplus_used')) as carryover_lines,
        count(*) filter (where fact_table = 'revenue' and row_role = 'item'
            and revenue_source in ('carryover', 'non_fiscal_carryover', 'non_fiscal_surplus_used'))
            as carryover_line_cells,
        sum(amount) filter (where fact_table = 'revenue' and row_role = 'item' and funding = 'carryover'
            and revenue_source not in ('carryover', 'non_fiscal_carryover', 'non_fiscal_surplus_used', 'total'))
            as carryover_by_source,
        count(*) filter (where fact_table = 'revenue' and row_role = 'item' and funding = 'carryover'
            and revenue_source not in ('carryover', 'non_fiscal_carryover', 'non_fiscal_surplus_used', 'total'))
            as carryover_by_source_cells
    from summary_cells
    group by document_key, table_seq, col_seq
),

summary_sums as (
    select
        *,
        coalesce(fiscal, budgets, 0) + coalesce(special_account, 0) + coalesce(unit_funds, unit_sources, 0)
            as revenue_sources,
        (fiscal is not null)::int * 1 + case when fiscal is null then budget_cells else 0 end
            + (special_account is not null)::int
            + case when unit_funds is not null then 1 else unit_source_cells end as revenue_source_cells,
        -- 上年结转 lines; where only their breakdown by source is printed, the breakdown
        case when carryover_line_cells > 0 then carryover_lines else coalesce(carryover_by_source, 0) end
            as carried_over,
        case when carryover_line_cells > 0 then carryover_line_cells else carryover_by_source_cells end
            as carried_over_cells
    from summary_lines_by_column
),

summary_checks as (
    select
        document_key, table_seq, source_table,
        'summary_expenditure_equals_classes' as check_name,
        '本年支出合计 = the sum of the function classes' as rule,
        expenditure_row as source_row, expenditure_line as line_number, column_label, null as code,
        expenditure_this_year as stated, coalesce(classes, 0) as computed, class_cells as summands,
        class_parts || case when class_cells > 12 then ' + …' else '' end as parts,
        'column' as located_by, 0 as unplaceable_rows
    from summary_sums
    where expenditure_this_year is not null and class_cells > 0
    union all
    select
        document_key, table_seq, source_table,
        'summary_expenditure_total_equals_this_year_plus_carried_forward',
        '支出总计 = 本年支出合计 + 结转下年 (+ 结余分配)',
        expenditure_grand_row, expenditure_grand_line, column_label, null,
        expenditure_grand, expenditure_this_year + coalesce(carried_forward, 0), 1 + carried_forward_cells,
        concat_ws(' + ', '本年支出合计 ' || {{ amount_text('expenditure_this_year') }},
            '结转下年 / 结余分配 ' || {{ amount_text('carried_forward') }}),
        'column', 0
    from summary_sums
    where expenditure_grand is not null and expenditure_this_year is not null
    union all
    select
        document_key, table_seq, source_table,
        'summary_revenue_equals_sources',
        '本年收入合计 = the sum of the revenue lines',
        revenue_row, revenue_line, column_label, null,
        revenue_this_year, revenue_sources, revenue_source_cells,
        concat_ws(' + ', '财政拨款 ' || {{ amount_text('coalesce(fiscal, budgets)') }},
            '财政专户 ' || {{ amount_text('special_account') }},
            '单位资金 ' || {{ amount_text('coalesce(unit_funds, unit_sources)') }}),
        'column', 0
    from summary_sums
    where revenue_this_year is not null and revenue_source_cells > 0
    union all
    select
        document_key, table_seq, source_table,
        'summary_revenue_total_equals_this_year_plus_carryover',
        '收入总计 = 本年收入合计 + 上年结转',
        revenue_grand_row, revenue_grand_line, column_label, null,
        revenue_grand, revenue_this_year + carried_over, 1 + carried_over_cells,
        concat_ws(' + ', '本年收入合计 ' || {{ amount_text('revenue_this_year') }},
            '上年结转 ' || {{ amount_text('case when carried_over_cells > 0 then carried_over end') }}),
        'column', 0
    from summary_sums
    where revenue_grand is not null and revenue_this_year is not null
),

-- == 三公: total = its parts; vehicles = purchase + operation =======================================

three_public_columns as (
    select
        document_key,
        table_seq,
        measure,
        fund_scope,
        any_value(source_table) as source_table,
        arg_min(source_row, row_seq) filter (where category = 'total') as total_row,
        arg_min(line_number, row_seq) filter (where category = 'total') as total_line,
        arg_min(column_label, row_seq) filter (where category = 'total') as total_label,
        arg_min(amount, row_seq) filter (where category = 'total') as total_amount,
        arg_min(source_row, row_seq) filter (where category = 'vehicle_total') as vehicle_row,
        arg_min(line_number, row_seq) filter (where category = 'vehicle_total') as vehicle_line,
        arg_min(column_label, row_seq) filter (where category = 'vehicle_total') as vehicle_label,
        arg_min(amount, row_seq) filter (where category = 'vehicle_total') as vehicles,
        arg_min(amount, row_seq) filter (where category = 'overseas_travel') as overseas_travel,
        arg_min(amount, row_seq) filter (where category = 'official_reception') as official_reception,
        arg_min(amount, row_seq) filter (where category = 'vehicle_purchase') as vehicle_purchase,
        arg_min(amount, row_seq) filter (where category = 'vehicle_operation') as vehicle_operation
    from inputs
    where fact_table = 'three_public_costs'
    group by document_key, table_seq, measure, fund_scope
),

three_public_checks as (
    select
        document_key, table_seq, source_table,
        'three_public_total_equals_parts' as check_name,
        '三公 total = 因公出国（境） + 公务接待 + 公务用车' as rule,
        total_row as source_row, total_line as line_number, total_label as column_label, null as code,
        total_amount as stated,
        coalesce(overseas_travel, 0) + coalesce(official_reception, 0)
            + coalesce(vehicles, coalesce(vehicle_purchase, 0) + coalesce(vehicle_operation, 0)) as computed,
        (overseas_travel is not null)::int + (official_reception is not null)::int
            + case when vehicles is not null then 1
                else (vehicle_purchase is not null)::int + (vehicle_operation is not null)::int end as summands,
        concat_ws(' + ', '因公出国（境） ' || {{ amount_text('overseas_travel') }},
            '公务接待 ' || {{ amount_text('official_reception') }},
            '公务用车 ' || {{ amount_text('coalesce(vehicles, coalesce(vehicle_purchase, 0) + coalesce(vehicle_operation, 0))') }}
        ) as parts,
        'column' as located_by, 0 as unplaceable_rows
    from three_public_columns
    where total_amount is not null
        and coalesce(overseas_travel, official_reception, vehicles, vehicle_purchase, vehicle_operation) is not null
    union all
    select
        document_key, table_seq, source_table,
        'vehicles_equal_purchase_plus_operation',
        '公务用车 = 购置 + 运行维护',
        vehicle_row, vehicle_line, vehicle_label, null,
        vehicles, coalesce(vehicle_purchase, 0) + coalesce(vehicle_operation, 0),
        (vehicle_purchase is not null)::int + (vehicle_operation is not null)::int,
        concat_ws(' + ', '购置 ' || {{ amount_text('vehicle_purchase') }},
            '运行维护 ' || {{ amount_text('vehicle_operation') }}),
        'column', 0
    from three_public_columns
    where vehicles is not null and coalesce(vehicle_purchase, vehicle_operation) is not null
),

-- == 机关运行经费: the department's total = its units =================================================

admin_operating_checks as (
    select
        total.document_key,
        total.table_seq,
        any_value(total.source_table) as source_table,
        'admin_operating_total_equals_units' as check_name,
        '机关运行经费 total = the sum of its units' as rule,
        any_value(total.source_row) as source_row,
        any_value(total.line_number) as line_number,
        any_value(total.column_label) as column_label,
        null as code,
        any_value(total.amount) as stated,
        coalesce(sum(unit.amount), 0) as computed,
        count(unit.amount) as summands,
        array_to_string(list(unit.source_row || ' ' || {{ amount_text('unit.amount') }} order by unit.row_seq)
            filter (where unit.amount is not null), ' + ') as parts,
        'column' as located_by,
        0 as unplaceable_rows
    from inputs as total
    left join inputs as unit
        on unit.document_key = total.document_key
        and unit.table_seq = total.table_seq
        and unit.fact_table = 'admin_operating_costs'
        and unit.row_role = 'item'
        and unit.column_key = total.column_key
    where total.fact_table = 'admin_operating_costs' and total.row_role = 'total'
    group by total.document_key, total.table_seq, total.row_seq, total.col_seq
    having count(unit.amount) > 0
),

-- == 项目支出表: each total row (category, 一级项目, 合计) = the rows under it ===========================

project_rows as (
    select
        document_key,
        table_seq,
        row_seq,
        any_value(project_level) as project_level,
        any_value(row_role) as row_role,
        any_value(project_name) is null and any_value(row_role) = 'total' as is_grand_total
    from inputs
    where fact_table = 'project_expenditure' and project_level is not null
    group by document_key, table_seq, row_seq
),

project_candidates as (
    -- The rows under a total row: after it and before the next row at its level or above; for the 合计
    -- row, every other row.
    select
        parent.document_key,
        parent.table_seq,
        parent.row_seq as parent_row_seq,
        child.row_seq as child_row_seq,
        child.project_level
    from project_rows as parent
    inner join project_rows as child
        on child.document_key = parent.document_key
        and child.table_seq = parent.table_seq
        and child.row_seq <> parent.row_seq
        and not child.is_grand_total
    where parent.row_role = 'total'
        and (
            parent.is_grand_total
            or (
                child.row_seq > parent.row_seq
                and child.row_seq < coalesce((
                    select min(boundary.row_seq) from project_rows as boundary
                    where boundary.document_key = parent.document_key
                        and boundary.table_seq = parent.table_seq
                        and boundary.row_seq > parent.row_seq
                        and boundary.project_level <= parent.project_level
                ), 2147483647)
            )
        )
),

project_children as (
    -- of those, the ones at the highest level among them
    select candidates.*
    from project_candidates as candidates
    where candidates.project_level = (
        select min(others.project_level) from project_candidates as others
        where others.document_key = candidates.document_key
            and others.table_seq = candidates.table_seq
            and others.parent_row_seq = candidates.parent_row_seq
    )
),

project_checks as (
    select
        parent.document_key,
        parent.table_seq,
        any_value(parent.source_table) as source_table,
        'project_total_equals_items' as check_name,
        'a project table''s total row equals the sum of the rows under it' as rule,
        any_value(parent.source_row) as source_row,
        any_value(parent.line_number) as line_number,
        any_value(parent.column_label) as column_label,
        null as code,
        any_value(parent.amount) as stated,
        coalesce(sum(child.amount), 0) as computed,
        count(child.amount) as summands,
        array_to_string(list_slice(list(child.source_row || ' ' || {{ amount_text('child.amount') }}
            order by child.row_seq) filter (where child.amount is not null), 1, 12), ' + ')
            || case when count(child.amount) > 12 then ' + …' else '' end as parts,
        'column' as located_by,
        0 as unplaceable_rows
    from inputs as parent
    inner join (select distinct document_key, table_seq, parent_row_seq from project_children) as parents
        on parents.document_key = parent.document_key
        and parents.table_seq = parent.table_seq
        and parents.parent_row_seq = parent.row_seq
    left join project_children as links
        on links.document_key = parent.document_key
        and links.table_seq = parent.table_seq
        and links.parent_row_seq = parent.row_seq
    left join inputs as child
        on child.document_key = links.document_key
        and child.table_seq = links.table_seq
        and child.row_seq = links.child_row_seq
        and child.column_key = parent.column_key
    where parent.fact_table = 'project_expenditure'
    group by parent.document_key, parent.table_seq, parent.row_seq, parent.col_seq
),

-- == One verdict for every rule ==================================================================

evaluations as (
    select * from hierarchy
    union all by name
    select * from total_rows
    union all by name
    select * from function_row_totals
    union all by name
    select * from function_row_basics
    union all by name
    select * from economic_row_totals
    union all by name
    select * from source_row_checks
    union all by name
    select * from summary_balance
    union all by name
    select * from summary_checks
    union all by name
    select * from three_public_checks
    union all by name
    select * from admin_operating_checks
    union all by name
    select * from project_checks
),

with_unreadable_parts as (
    -- Parts that could not be read: quarantined cells of the same row (a rule across a row) or of the
    -- same column (a rule down a column), and rows whose code is too damaged to place.
    select
        evaluations.*,
        coalesce(evaluations.unplaceable_rows, 0) + (
            select count(*) from quarantine
            where quarantine.document_key = evaluations.document_key
                and quarantine.table_seq = evaluations.table_seq
                and (
                    (evaluations.located_by = 'row' and quarantine.line_number = evaluations.line_number)
                    or (evaluations.located_by = 'column' and quarantine.column_label = evaluations.column_label)
                )
        ) as unreadable_parts,
        cast(evaluations.stated - evaluations.computed as decimal(18, 4)) as difference,
        {{ rounding_tolerance('evaluations.summands') }} as tolerance
    from evaluations
),

verdicts as (
    select
        *,
        case
            when difference = 0 then 'pass'
            when abs(difference) <= tolerance then 'rounding_gap'
            else 'fail'
        end as outcome
    from with_unreadable_parts
)

select
    document_key,
    table_seq,
    source_table,
    check_name,
    rule,
    source_row,
    line_number,
    column_label,
    code,
    cast(stated as decimal(18, 4)) as found,
    cast(computed as decimal(18, 4)) as expected,
    summands,
    parts,
    difference,
    tolerance,
    unreadable_parts,
    outcome,
    case outcome
        when 'pass' then null
        when 'rounding_gap' then 'info'
        else case when unreadable_parts > 0 then 'warning' else 'error' end
    end as severity,
    case when outcome <> 'pass' then
        format(
            '{}: expected {} (the sum of {} figure(s): {}), found {} at row "{}", column "{}", line {}: '
            || 'difference {}, tolerance {}{}',
            rule, {{ amount_text('computed') }}, summands, coalesce(nullif(parts, ''), 'none printed'),
            {{ amount_text('stated') }}, coalesce(source_row, ''), coalesce(column_label, ''),
            coalesce(cast(line_number as varchar), '?'),
            {{ amount_text('difference') }}, {{ amount_text('tolerance') }},
            case
                when outcome = 'rounding_gap' then ' (a rounding gap, not an error)'
                when unreadable_parts > 0 then format(
                    ' ({} cell(s) that may be among the parts could not be read: the sum cannot be verified)',
                    unreadable_parts)
                else ''
            end
        )
    end as detail
from verdicts
