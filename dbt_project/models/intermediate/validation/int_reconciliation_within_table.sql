-- Every arithmetic rule that holds inside one table, evaluated wherever the table prints what the rule
-- needs: one row per evaluation, passed or not (the report counts both). Each rule is one CTE below,
-- named after its check, and is written nowhere else; the columns every rule states come from
-- macros/reconciliation_check.sql, so a rule's CTE says only what is its own (the figure, its parts, where
-- the table prints them). The verdict (pass / rounding gap / fail, and the severity) is decided once, at
-- the end, with the rounding tolerance of macros/rounding_tolerance.sql. A blank cell is no figure: a
-- part that is not printed counts as zero; a total printed blank (stg_raw__blank_totals: a cell that
-- states a sum, left empty) is an input without an amount, and a rule whose total it is reports it as
-- `missing` (a warning: the total cannot be verified) wherever its parts are printed.
-- A failed sum is an `error`, unless cells that may be among its parts could not be read (quarantined,
-- or a code too damaged to place): then it cannot be verified and is a `warning`.
{{ incremental_by_document() }}
with printed as (
    select * from {{ for_changed_documents(ref('int_reconciliation_inputs')) }}
),

inputs as (
    -- the printed cells, and the totals printed blank (amount NULL) in the tables of those cells
    select * from printed
    union all by name
    select
        blank.document_key, blank.table_seq, blank.source_table, blank.source_row, blank.row_seq,
        blank.line_number, blank.column_label, blank.col_seq, blank.fact_table, blank.row_role, blank.funding,
        blank.fund_scope, blank.revenue_source, blank.category, blank.measure,
        cast(null as decimal(18, 4)) as amount,
        tables.is_summary_table
    from {{ for_changed_documents(ref('stg_raw__blank_totals')) }} as blank
    inner join (
        select document_key, table_seq, bool_or(is_summary_table) as is_summary_table
        from printed group by document_key, table_seq
    ) as tables
        on tables.document_key = blank.document_key and tables.table_seq = blank.table_seq
),

quarantine as (
    -- what each quarantined cell could still add to a sum, in 万元: at most its bound; exactly its amount
    -- where it is a well-formed one (macros/reconciliation_unreadable.sql)
    select
        quarantine.document_key, quarantine.table_seq, quarantine.line_number, quarantine.column_label,
        {{ reconciliation_unreadable_bound('quarantine.raw_value') }}
            / case when tables.source_unit = '元' then 10000 else 1 end as bound,
        {{ reconciliation_quarantined_amount('quarantine.raw_value') }}
            / case when tables.source_unit = '元' then 10000 else 1 end as exact_value
    from {{ for_changed_documents(ref('stg_raw__quarantine')) }} as quarantine
    left join {{ for_changed_documents(ref('stg_raw__tables')) }} as tables
        on tables.document_key = quarantine.document_key and tables.table_seq = quarantine.table_seq
    where quarantine.table_seq is not null
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
    -- is_placeable: a code of a length its classification has (function 类/款/项, economic 类/款)
    select distinct
        document_key, table_seq, classification, scheme_key, row_seq, code,
        (classification = 'function' and length(code) in (3, 5, 7))
            or (classification = 'economic' and length(code) in (3, 5)) as is_placeable
    from coded_cells
),

table_codes as (
    -- Per table and classification: codes printed once (a repeated code makes its sums ambiguous),
    -- the top level, and how many rows carry a code too damaged to place in the hierarchy.
    select
        document_key,
        table_seq,
        classification,
        min(length(code)) filter (where is_placeable) as top_level_length,
        count(*) filter (where not is_placeable) as unplaceable_rows
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

code_hierarchy as (
    -- A parent code equals the sum of its children (function 类 = its 款, 款 = its 项; economic 类 = its 款),
    -- column by column. check_name: function_hierarchy | economic_hierarchy.
    select
        {{ reconciliation_sum_of_cells(
            check_name="parent.classification || '_hierarchy'",
            rule="any_value(parent.classification || ' code ' || parent.code)
                || ' = the sum of its sub-codes'",
            total='parent', part='child', part_label='child.code', order_by='child.row_seq, child.col_seq',
            code='any_value(parent.code)',
            unplaceable_rows='any_value(table_codes.unplaceable_rows)'
        ) }}
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

total_row_equals_items as (
    select
        {{ reconciliation_sum_of_cells(
            check_name="'total_row_equals_items'",
            rule="'a table''s total row equals the sum of its top-level rows'",
            total='total', part='item', part_label='item.code', order_by='item.row_seq, item.col_seq',
            unplaceable_rows='any_value(table_codes.unplaceable_rows)'
        ) }}
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
        {{ reconciliation_sum_and_count("expenditure_type in ('business', 'remit', 'subsidy')",
            'other_spending', 'other_spending_cells') }}
    from inputs
    where fact_table = 'expenditure_by_function' and not is_summary_table
    group by document_key, table_seq, row_seq, fund_scope, funding
),

function_rows_in_table as (
    -- each row with the columns its table prints in the row's fund scope and funding
    select rows.*, columns.has_basic, columns.has_personnel_or_public, columns.has_components
    from function_rows as rows
    inner join function_table_columns as columns
        on columns.document_key = rows.document_key
        and columns.table_seq = rows.table_seq
        and columns.fund_scope is not distinct from rows.fund_scope
        and columns.funding is not distinct from rows.funding
),

total_equals_basic_plus_project as (
    -- total = basic + project (+ 经营支出, 上缴上级支出, 对附属单位补助支出 where the table has them); a table
    -- without a basic column adds personnel + public instead.
    select
        {{ reconciliation_check(
            check_name="'total_equals_basic_plus_project'",
            rule="'total = basic + project (+ business, remittance, subsidy)'",
            found='rows.total_amount',
            expected='case when rows.has_basic then coalesce(rows.basic, 0)
                else coalesce(rows.personnel, 0) + coalesce(rows.public, 0) end
                + coalesce(rows.project, 0) + coalesce(rows.other_spending, 0)',
            summands='case when rows.has_basic then (rows.basic is not null)::int
                else (rows.personnel is not null)::int + (rows.public is not null)::int end
                + (rows.project is not null)::int + rows.other_spending_cells',
            parts=reconciliation_parts([
                'case when rows.has_basic then ' ~ reconciliation_parts([['basic', 'rows.basic']]) ~ ' else '
                    ~ reconciliation_parts([['personnel', 'rows.personnel'], ['public', 'rows.public']]) ~ ' end',
                ['project', 'rows.project'],
                ['business/remittance/subsidy', 'rows.other_spending'],
            ]),
            located_by='row', at='rows', column_label='rows.total_label', code='rows.code'
        ) }}
    from function_rows_in_table as rows
    where rows.total_amount is not null and rows.has_components
),

basic_equals_personnel_plus_public as (
    select
        {{ reconciliation_check(
            check_name="'basic_equals_personnel_plus_public'",
            rule="'basic = personnel + public'",
            found='rows.basic',
            expected='coalesce(rows.personnel, 0) + coalesce(rows.public, 0)',
            summands='(rows.personnel is not null)::int + (rows.public is not null)::int',
            parts=reconciliation_parts([['personnel', 'rows.personnel'], ['public', 'rows.public']]),
            located_by='row', at='rows', column_label='rows.basic_label', code='rows.code'
        ) }}
    from function_rows_in_table as rows
    where rows.basic is not null and rows.has_personnel_or_public
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

economic_total_equals_personnel_plus_public as (
    select
        {{ reconciliation_check(
            check_name="'economic_total_equals_personnel_plus_public'",
            rule="'total = personnel + public'",
            found='rows.total_amount',
            expected='coalesce(rows.personnel, 0) + coalesce(rows.public, 0)',
            summands='(rows.personnel is not null)::int + (rows.public is not null)::int',
            parts=reconciliation_parts([['personnel', 'rows.personnel'], ['public', 'rows.public']]),
            located_by='row', at='rows', column_label='rows.total_label', code='rows.code'
        ) }}
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
        {{ reconciliation_sum_and_count(
            "revenue_source not in ('total', 'carryover') and funding = 'carryover'",
            'carryover_sources', 'carryover_source_cells') }},
        {{ reconciliation_sources_by_kind() }}
    from inputs
    where not is_summary_table
        and fact_table in ('revenue', 'revenue_by_function', 'revenue_by_unit', 'project_expenditure')
    group by document_key, table_seq, row_seq, fund_scope
),

source_row_sums as (
    select
        *,
        -- this year's money by source (macros/reconciliation_sources.sql)
        {{ reconciliation_sources_total() }} as this_year_sources,
        {{ reconciliation_sources_summands() }} as this_year_source_cells
    from source_rows
),

total_equals_this_year_plus_carryover as (
    -- Where a row does not print this year's money (or what was carried over) as one figure, the sum of
    -- its sources stands for it.
    select
        {{ reconciliation_check(
            check_name="'total_equals_this_year_plus_carryover'",
            rule="'total = this year''s money + money carried over'",
            found='grand',
            expected='coalesce(this_year, this_year_sources) + coalesce(carryover, carryover_sources, 0)',
            summands='case when this_year is not null then 1 else this_year_source_cells end
                + case when carryover is not null then 1 else carryover_source_cells end',
            parts=reconciliation_parts([
                ['this year', 'coalesce(this_year, this_year_sources)'],
                ['carried over', 'coalesce(carryover, carryover_sources)'],
            ]),
            located_by='row', column_label='grand_label'
        ) }}
    from source_row_sums
    where grand is not null
        and (this_year is not null or this_year_source_cells > 0 or carryover is not null or carryover_source_cells > 0)
),

this_year_equals_its_sources as (
    select
        {{ reconciliation_check(
            check_name="'this_year_equals_its_sources'",
            rule="'this year''s money = the sum of its sources'",
            found='this_year', expected='this_year_sources', summands='this_year_source_cells',
            parts=reconciliation_sources_parts(),
            located_by='row', column_label='this_year_label'
        ) }}
    from source_row_sums
    where this_year is not null and this_year_source_cells > 0
),

carryover_equals_its_sources as (
    select
        {{ reconciliation_check(
            check_name="'carryover_equals_its_sources'",
            rule="'money carried over = the sum of its sources'",
            found='carryover', expected='carryover_sources', summands='carryover_source_cells',
            parts=reconciliation_parts([['carried over by source', 'carryover_sources']]),
            located_by='row', column_label='carryover_label'
        ) }}
    from source_row_sums
    where carryover is not null and carryover_source_cells > 0
),

fiscal_equals_its_budgets as (
    select
        {{ reconciliation_check(
            check_name="'fiscal_equals_its_budgets'",
            rule="'财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营'",
            found='fiscal', expected='budgets', summands='budget_cells',
            parts=reconciliation_parts([['the three budgets', 'budgets']]),
            located_by='row', column_label='fiscal_label'
        ) }}
    from source_row_sums
    where fiscal is not null and budget_cells > 0
),

unit_funds_equal_their_sources as (
    select
        {{ reconciliation_check(
            check_name="'unit_funds_equal_their_sources'",
            rule="'单位资金 = 事业 + 经营 + 上级补助 + 附属单位上缴 + 其他收入'",
            found='unit_funds', expected='unit_sources', summands='unit_source_cells',
            parts=reconciliation_parts([['its sources', 'unit_sources']]),
            located_by='row', column_label='unit_funds_label'
        ) }}
    from source_row_sums
    where unit_funds is not null and unit_source_cells > 0
),

-- == Summary tables (收支总表): each side adds up, and 收入总计 = 支出总计 ==================================

summary_cells as (
    select * from inputs where is_summary_table
),

revenue_equals_expenditure as (
    -- 收入总计 (the revenue side) = 支出总计 (the expenditure side), in the same printed column.
    select
        {{ reconciliation_check(
            check_name="'revenue_equals_expenditure'",
            rule="'收入总计 = 支出总计'",
            found='expenditure.amount', expected='revenue.amount', summands='1',
            parts="revenue.source_row || ' ' || " ~ amount_text('revenue.amount')
                ~ " || ' (column \"' || revenue.column_label || '\")'",
            located_by='row', at='revenue',
            source_row='expenditure.source_row',
            line_number='expenditure.line_number',
            column_label='expenditure.column_label'
        ) }}
    from summary_cells as revenue
    inner join summary_cells as expenditure
        on expenditure.document_key = revenue.document_key
        and expenditure.table_seq = revenue.table_seq
        and expenditure.category = 'expenditure_grand_total'
        and expenditure.funding = revenue.funding
        and expenditure.fund_scope = revenue.fund_scope
    where revenue.category = 'revenue_grand_total' and revenue.amount is not null
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
        {{ reconciliation_sum_and_count("category in ('carry_forward', 'surplus_distribution')",
            'carried_forward', 'carried_forward_cells') }},
        -- the function classes (类)
        {%- set is_class = "fact_table = 'expenditure_by_function' and row_role = 'item'
            and length(function_code) = 3" %}
        {{ reconciliation_sum_and_count(is_class, 'classes', 'class_cells') }},
        array_to_string(list_slice(list(function_code || ' ' || {{ amount_text('amount') }} order by row_seq)
            filter (where {{ is_class }}), 1, 12), ' + ') as class_parts,
        arg_min(source_row, row_seq) filter (where category = 'revenue_current_total') as revenue_row,
        arg_min(line_number, row_seq) filter (where category = 'revenue_current_total') as revenue_line,
        arg_min(amount, row_seq) filter (where category = 'revenue_current_total') as revenue_this_year,
        arg_min(source_row, row_seq) filter (where category = 'revenue_grand_total') as revenue_grand_row,
        arg_min(line_number, row_seq) filter (where category = 'revenue_grand_total') as revenue_grand_line,
        arg_min(amount, row_seq) filter (where category = 'revenue_grand_total') as revenue_grand,
        arg_min(column_label, row_seq) filter (where fact_table = 'summary_line') as column_label,
        -- revenue lines by source, as in source_rows (macros/reconciliation_sources.sql)
        {{ reconciliation_sources_by_kind("fact_table = 'revenue' and row_role = 'item'") }},
        -- 上年结转 lines, and money carried over as the revenue lines break it down by source
        {{ reconciliation_sum_and_count("fact_table = 'revenue' and row_role = 'item'
            and revenue_source in ('carryover', 'non_fiscal_carryover', 'non_fiscal_surplus_used')",
            'carryover_lines', 'carryover_line_cells') }},
        {{ reconciliation_sum_and_count("fact_table = 'revenue' and row_role = 'item' and funding = 'carryover' and
            revenue_source not in ('carryover', 'non_fiscal_carryover', 'non_fiscal_surplus_used', 'total')",
            'carryover_by_source', 'carryover_by_source_cells') }}
    from summary_cells
    group by document_key, table_seq, col_seq
),

summary_sums as (
    select
        *,
        {{ reconciliation_sources_total() }} as revenue_sources,
        {{ reconciliation_sources_summands() }} as revenue_source_cells,
        -- 上年结转 lines; where only their breakdown by source is printed, the breakdown
        case when carryover_line_cells > 0 then carryover_lines else coalesce(carryover_by_source, 0) end
            as carried_over,
        case when carryover_line_cells > 0 then carryover_line_cells else carryover_by_source_cells end
            as carried_over_cells
    from summary_lines_by_column
),

summary_expenditure_equals_classes as (
    select
        {{ reconciliation_check(
            check_name="'summary_expenditure_equals_classes'",
            rule="'本年支出合计 = the sum of the function classes'",
            found='expenditure_this_year', expected='coalesce(classes, 0)', summands='class_cells',
            parts="class_parts || case when class_cells > 12 then ' + …' else '' end",
            located_by='column', source_row='expenditure_row', line_number='expenditure_line'
        ) }}
    from summary_sums
    where expenditure_row is not null and class_cells > 0
),

summary_expenditure_total_equals_this_year_plus_carried_forward as (
    select
        {{ reconciliation_check(
            check_name="'summary_expenditure_total_equals_this_year_plus_carried_forward'",
            rule="'支出总计 = 本年支出合计 + 结转下年 (+ 结余分配)'",
            found='expenditure_grand',
            expected='expenditure_this_year + coalesce(carried_forward, 0)',
            summands='1 + carried_forward_cells',
            parts=reconciliation_parts([
                ['本年支出合计', 'expenditure_this_year'],
                ['结转下年 / 结余分配', 'carried_forward'],
            ]),
            located_by='column', source_row='expenditure_grand_row', line_number='expenditure_grand_line'
        ) }}
    from summary_sums
    where expenditure_grand_row is not null and expenditure_this_year is not null
),

summary_revenue_equals_sources as (
    select
        {{ reconciliation_check(
            check_name="'summary_revenue_equals_sources'",
            rule="'本年收入合计 = the sum of the revenue lines'",
            found='revenue_this_year', expected='revenue_sources', summands='revenue_source_cells',
            parts=reconciliation_sources_parts(),
            located_by='column', source_row='revenue_row', line_number='revenue_line'
        ) }}
    from summary_sums
    where revenue_row is not null and revenue_source_cells > 0
),

summary_revenue_total_equals_this_year_plus_carryover as (
    select
        {{ reconciliation_check(
            check_name="'summary_revenue_total_equals_this_year_plus_carryover'",
            rule="'收入总计 = 本年收入合计 + 上年结转'",
            found='revenue_grand',
            expected='revenue_this_year + carried_over',
            summands='1 + carried_over_cells',
            parts=reconciliation_parts([
                ['本年收入合计', 'revenue_this_year'],
                ['上年结转', 'case when carried_over_cells > 0 then carried_over end'],
            ]),
            located_by='column', source_row='revenue_grand_row', line_number='revenue_grand_line'
        ) }}
    from summary_sums
    where revenue_grand_row is not null and revenue_this_year is not null
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
        arg_min(amount, row_seq) filter (where category = 'vehicle_operation') as vehicle_operation,
        arg_min(column_label, row_seq) as any_label
    from inputs
    where fact_table = 'three_public_costs'
    group by document_key, table_seq, measure, fund_scope
),

three_public_total_equals_parts as (
    -- 公务用车 is its printed total where there is one, else 购置 + 运行维护.
    select
        {{ reconciliation_check(
            check_name="'three_public_total_equals_parts'",
            rule="'三公 total = 因公出国（境） + 公务接待 + 公务用车'",
            found='total_amount',
            expected='coalesce(overseas_travel, 0) + coalesce(official_reception, 0)
                + coalesce(vehicles, coalesce(vehicle_purchase, 0) + coalesce(vehicle_operation, 0))',
            summands='(overseas_travel is not null)::int + (official_reception is not null)::int
                + case when vehicles is not null then 1
                    else (vehicle_purchase is not null)::int + (vehicle_operation is not null)::int end',
            parts=reconciliation_parts([
                ['因公出国（境）', 'overseas_travel'],
                ['公务接待', 'official_reception'],
                ['公务用车',
                    'coalesce(vehicles, coalesce(vehicle_purchase, 0) + coalesce(vehicle_operation, 0))'],
            ]),
            located_by='column', source_row='total_row', line_number='total_line', column_label='total_label'
        ) }}
    from three_public_columns
    where total_row is not null
        and coalesce(overseas_travel, official_reception, vehicles, vehicle_purchase, vehicle_operation) is not null
),

vehicles_equal_purchase_plus_operation as (
    select
        {{ reconciliation_check(
            check_name="'vehicles_equal_purchase_plus_operation'",
            rule="'公务用车 = 购置 + 运行维护'",
            found='vehicles',
            expected='coalesce(vehicle_purchase, 0) + coalesce(vehicle_operation, 0)',
            summands='(vehicle_purchase is not null)::int + (vehicle_operation is not null)::int',
            parts=reconciliation_parts([['购置', 'vehicle_purchase'], ['运行维护', 'vehicle_operation']]),
            located_by='column',
            source_row='vehicle_row', line_number='vehicle_line', column_label='vehicle_label'
        ) }}
    from three_public_columns
    where vehicle_row is not null and coalesce(vehicle_purchase, vehicle_operation) is not null
),

-- == 固定资产: 资产总额 = its classes (其中：办公用房 is inside 房屋, not beside it) =====================

fixed_asset_columns as (
    select
        document_key,
        table_seq,
        column_label,
        any_value(source_table) as source_table,
        arg_min(source_row, row_seq) filter (where category = 'total') as total_row,
        arg_min(line_number, row_seq) filter (where category = 'total') as total_line,
        arg_min(amount, row_seq) filter (where category = 'total') as total_amount,
        arg_min(amount, row_seq) filter (where category = 'buildings') as buildings,
        arg_min(amount, row_seq) filter (where category = 'land') as land,
        arg_min(amount, row_seq) filter (where category = 'vehicles') as vehicles,
        arg_min(amount, row_seq) filter (where category = 'high_value_equipment') as equipment,
        arg_min(amount, row_seq) filter (where category = 'other') as other_assets
    from inputs
    where fact_table = 'fixed_assets'
    group by document_key, table_seq, column_label
),

fixed_assets_total_equals_classes as (
    select
        {{ reconciliation_check(
            check_name="'fixed_assets_total_equals_classes'",
            rule="'资产总额 = 房屋 + 土地 + 车辆 + 单价 N 万元以上的设备 + 其他固定资产'",
            found='total_amount',
            expected='coalesce(buildings, 0) + coalesce(land, 0) + coalesce(vehicles, 0)
                + coalesce(equipment, 0) + coalesce(other_assets, 0)',
            summands='(buildings is not null)::int + (land is not null)::int + (vehicles is not null)::int
                + (equipment is not null)::int + (other_assets is not null)::int',
            parts=reconciliation_parts([
                ['房屋', 'buildings'], ['土地', 'land'], ['车辆', 'vehicles'],
                ['设备', 'equipment'], ['其他', 'other_assets'],
            ]),
            located_by='column', source_row='total_row', line_number='total_line', column_label='column_label'
        ) }}
    from fixed_asset_columns
    where total_amount is not null and coalesce(buildings, land, vehicles, equipment, other_assets) is not null
),

-- == 机关运行经费: the department's total = its units =================================================

admin_operating_total_equals_units as (
    -- Every unit is listed in the finding (a department has few).
    select
        {{ reconciliation_sum_of_cells(
            check_name="'admin_operating_total_equals_units'",
            rule="'机关运行经费 total = the sum of its units'",
            total='total', part='unit', part_label='unit.source_row', order_by='unit.row_seq, unit.col_seq', at_most=none
        ) }}
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

project_total_equals_items as (
    select
        {{ reconciliation_sum_of_cells(
            check_name="'project_total_equals_items'",
            rule="'a project table''s total row equals the sum of the rows under it'",
            total='parent', part='child', part_label='child.source_row', order_by='child.row_seq, child.col_seq'
        ) }}
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
    {{ reconciliation_rules([
        'code_hierarchy',
        'total_row_equals_items',
        'total_equals_basic_plus_project',
        'basic_equals_personnel_plus_public',
        'economic_total_equals_personnel_plus_public',
        'total_equals_this_year_plus_carryover',
        'this_year_equals_its_sources',
        'carryover_equals_its_sources',
        'fiscal_equals_its_budgets',
        'unit_funds_equal_their_sources',
        'revenue_equals_expenditure',
        'summary_expenditure_equals_classes',
        'summary_expenditure_total_equals_this_year_plus_carried_forward',
        'summary_revenue_equals_sources',
        'summary_revenue_total_equals_this_year_plus_carryover',
        'three_public_total_equals_parts',
        'vehicles_equal_purchase_plus_operation',
        'admin_operating_total_equals_units',
        'fixed_assets_total_equals_classes',
        'project_total_equals_items',
    ]) }}
),

with_unreadable_parts as (
    -- Parts that could not be read: quarantined cells of the same row (a rule across a row) or of the
    -- same column (a rule down a column), and rows whose code is too damaged to place (of any size). A
    -- quarantined cell that still shows how many digits it has bounds what it could explain
    -- (macros/reconciliation_unreadable.sql).
    select
        evaluations.*,
        coalesce(evaluations.unplaceable_rows, 0) + coalesce(unreadable.cells, 0) as unreadable_parts,
        coalesce(unreadable.bounded, 0) as bounded_parts,
        coalesce(unreadable.bound, 0) as unreadable_bound,
        unreadable.exact_value,
        cast(evaluations.found - evaluations.expected as decimal(18, 4)) as difference,
        {{ rounding_tolerance('evaluations.summands') }} as tolerance
    from evaluations
    left join lateral (
        select
            count(*) as cells, count(quarantine.bound) as bounded, sum(quarantine.bound) as bound,
            any_value(quarantine.exact_value) as exact_value
        from quarantine
        where quarantine.document_key = evaluations.document_key
            and quarantine.table_seq = evaluations.table_seq
            and (
                (evaluations.located_by = 'row' and quarantine.line_number = evaluations.line_number)
                or (evaluations.located_by = 'column' and quarantine.column_label = evaluations.column_label)
            )
    ) as unreadable on true
),

verdicts as (
    select
        with_unreadable_parts.*,
        blank.source_locator as blank_locator,
        blank.table_prints_sums as blank_in_table_of_sums,
        case
            when found is null then 'missing'  -- a total printed blank (stg_raw__blank_totals) with its parts printed
            when difference = 0 then 'pass'
            when abs(difference) <= tolerance then 'rounding_gap'
            else 'fail'
        end as outcome
    from with_unreadable_parts
    left join (
        select
            document_key, table_seq, line_number, column_label, min(source_locator) as source_locator,
            bool_or(table_prints_sums) as table_prints_sums
        from {{ for_changed_documents(ref('stg_raw__blank_totals')) }}
        group by document_key, table_seq, line_number, column_label
    ) as blank
        on with_unreadable_parts.found is null
        and blank.document_key = with_unreadable_parts.document_key
        and blank.table_seq = with_unreadable_parts.table_seq
        and blank.line_number = with_unreadable_parts.line_number
        and blank.column_label = with_unreadable_parts.column_label
    -- one blank total is one finding, whichever rules it is the total of
    qualify with_unreadable_parts.found is not null or row_number() over (
        partition by with_unreadable_parts.document_key, with_unreadable_parts.table_seq,
            with_unreadable_parts.line_number, with_unreadable_parts.column_label, with_unreadable_parts.found is null
        order by with_unreadable_parts.check_name
    ) = 1
)

select
    {{ reconciliation_check_columns() }},
    code,
    cast(found as decimal(18, 4)) as found,
    cast(expected as decimal(18, 4)) as expected,
    summands,
    parts,
    difference,
    tolerance,
    unreadable_parts,
    outcome,
    -- a failed sum with parts that could not be read cannot be verified, unless those parts could not
    -- close the gap whatever they say; a total printed blank is a warning, an `info` in a table that prints
    -- none of its sums (its total lines all left empty)
    case when outcome = 'missing' and not coalesce(blank_in_table_of_sums, true) then 'info' else
    {{ reconciliation_severity(
        fail=reconciliation_fail_severity(
            'unreadable_parts', 'bounded_parts', 'unreadable_bound', 'difference', 'exact_value', 'tolerance')
    ) }} end as severity,
    case when outcome = 'missing' then
        format(
            '{}: the total is printed blank at {}{} while its parts are printed: {} expected ({}), '
            || 'not verified', rule, {{ reconciliation_place() }},
            coalesce(' (' || blank_locator || ')', ''), {{ amount_text('expected') }},
            coalesce(nullif(parts, ''), 'none printed'))
    when outcome <> 'pass' then
        format(
            '{}: expected {} (the sum of {} figure(s): {}), found {} at {}: difference {}, tolerance {}{}',
            rule, {{ amount_text('expected') }}, summands, coalesce(nullif(parts, ''), 'none printed'),
            {{ amount_text('found') }}, {{ reconciliation_place() }},
            {{ amount_text('difference') }}, {{ amount_text('tolerance') }},
            case
                when outcome = 'rounding_gap' then ' (a rounding gap, not an error)'
                when unreadable_parts > 0
                    and {{ reconciliation_fail_severity(
                        'unreadable_parts', 'bounded_parts', 'unreadable_bound', 'difference', 'exact_value',
                        'tolerance') }} = 'error'
                    then format(
                    ' ({} cell(s) that may be among the parts could not be read or placed, but {} {}: '
                    || 'they cannot explain the difference)', unreadable_parts,
                    case when unreadable_parts = 1 and exact_value is not null then 'it states' else
                        'together they are below' end,
                    {{ amount_text('coalesce(case when unreadable_parts = 1 then exact_value end, unreadable_bound)') }})
                when unreadable_parts > 0 then format(
                    ' ({} cell(s) that may be among the parts could not be read: the sum cannot be verified)',
                    unreadable_parts)
                else ''
            end
        )
    end as detail
from verdicts
