-- Every rule that performance tables (绩效目标表, 绩效自评表) state about money, evaluated wherever a table
-- prints what the rule needs: one row per evaluation, passed or not. They are checked like the money
-- tables (int_reconciliation_within_table): one CTE per rule, the columns every rule states from
-- macros/reconciliation_check.sql, one verdict at the end with the same rounding tolerance, and a failed
-- rule is an `error` on the performance table (its facts go to quarantine) unless parts of it could not
-- be read and could explain the gap (`warning`). What each funding line is (total, a source, 基本支出 …)
-- is raw.performance_funding.line_role, from the vocabulary's line_roles.
--
-- Rules of one funding block, per period (annual, half-year, implementation period):
--   performance_revenue_total_equals_sources     资金总额 / 年度资金总额 = 财政拨款 (or its budgets) + the other sources
--   performance_fiscal_equals_its_budgets        财政拨款 (小计) = 一般公共预算 + 政府性基金 + 国有资本金
--   performance_expenditure_total_equals_items   支出 total = 基本支出 + 项目支出, or the sum of its items
--   performance_project_spending_equals_items    项目支出 = the projects listed under it
--   performance_revenue_equals_expenditure       收入 total = 支出 total (or 基本支出 + 项目支出)
--   performance_part_within_period               half-year ≤ annual, annual ≤ implementation period (per line)
--   performance_executed_within_budget           executed ≤ budget (全年执行数, 项目执行金额): a `warning` only
--   performance_execution_rate                   执行率 = executed / budget, within what rounding explains
-- and across tables:
--   performance_amount_equals_project            the block's amount = its project's in the project table
--   performance_project_equals_department_line   a project's table = its line in the 部门整体 table (002)
-- The comparison is `equal` (a sum), `at_most` (a part of a whole) or `rate` (a ratio of rounded figures).
{{ incremental_by_document() }}
with funding as (
    select * from {{ for_changed_documents(ref('stg_raw__performance_funding')) }}
),

blocks as (
    select * from {{ for_changed_documents(ref('stg_raw__performance_project')) }}
),

quarantine as (
    -- Money cells of performance tables that could not be read: parts of their block's sums.
    select
        document_key, table_seq, line_number,
        {{ reconciliation_unreadable_bound('raw_value') }} as bound
    from {{ for_changed_documents(ref('stg_raw__quarantine')) }}
    where table_seq is not null
        and (
            column_label like 'revenue/%' or column_label like 'expenditure/%'
            or column_label in ('funding', '项目资金', '项目下达金额', '项目执行金额', '年度主要任务')
        )
),

-- == One funding block, one period ====================================================================

block_periods as (
    {%- set line_of = {
        'revenue_total': "flow = 'revenue' and line_role = 'total'",
        'fiscal_subtotal': "flow = 'revenue' and line_role = 'fiscal_subtotal'",
        'expenditure_total': "flow = 'expenditure' and line_role = 'total'",
        'project_spending': "flow = 'expenditure' and line_role = 'project'",
        'executed': "flow = 'expenditure' and line_role = 'executed'",
    } %}
    select
        document_key,
        table_seq,
        block_seq,
        period,
        any_value(source_table) as source_table,
        any_value(project_name) as project_name,
        {%- for name, condition in line_of.items() %}
        arg_min(amount, line_number) filter (where {{ condition }}) as {{ name }},
        arg_min(source_row, line_number) filter (where {{ condition }}) as {{ name }}_row,
        min(line_number) filter (where {{ condition }}) as {{ name }}_line,
        {%- endfor %}
        {{ reconciliation_sum_and_count("flow = 'revenue' and line_role = 'fiscal_source'",
            'fiscal_sources', 'fiscal_source_cells') }},
        {{ reconciliation_sum_and_count("flow = 'revenue' and line_role = 'source'",
            'other_sources', 'other_source_cells') }},
        {{ reconciliation_sum_and_count("flow = 'expenditure' and line_role in ('basic', 'project')",
            'basic_and_project', 'basic_and_project_cells') }},
        {{ reconciliation_sum_and_count("flow = 'expenditure' and line_role = 'item'", 'items', 'item_cells') }},
        min(line_number) as first_line,
        max(line_number) as last_line,
        bool_and(source_unit = '元') as printed_in_yuan
    from funding
    group by document_key, table_seq, block_seq, period
),

performance_revenue_total_equals_sources as (
    -- Where 财政拨款 is printed as a sub-total its budgets are inside it, not beside it.
    select
        {{ reconciliation_check(
            check_name="'performance_revenue_total_equals_sources'",
            rule="'a funding block''s 资金总额 = the sum of its sources (' || period || ')'",
            found='revenue_total',
            expected='coalesce(fiscal_subtotal, fiscal_sources, 0) + coalesce(other_sources, 0)',
            summands='case when fiscal_subtotal is not null then 1 else fiscal_source_cells end + other_source_cells',
            parts=reconciliation_parts([
                ['财政拨款', 'coalesce(fiscal_subtotal, fiscal_sources)'], ['other sources', 'other_sources'],
            ]),
            located_by='block', source_row='revenue_total_row', line_number='revenue_total_line',
            column_label="'收入 / ' || period"
        ) }},
        'equal' as comparison,
        printed_in_yuan
    from block_periods
    where revenue_total is not null
        and (fiscal_subtotal is not null or fiscal_source_cells + other_source_cells > 0)
),

performance_fiscal_equals_its_budgets as (
    select
        {{ reconciliation_check(
            check_name="'performance_fiscal_equals_its_budgets'",
            rule="'财政拨款 = 一般公共预算资金 + 政府性基金 + 国有资本金 (' || period || ')'",
            found='fiscal_subtotal', expected='fiscal_sources', summands='fiscal_source_cells',
            parts=reconciliation_parts([['its budgets', 'fiscal_sources']]),
            located_by='block', source_row='fiscal_subtotal_row', line_number='fiscal_subtotal_line',
            column_label="'收入 / ' || period"
        ) }},
        'equal' as comparison,
        printed_in_yuan
    from block_periods
    where fiscal_subtotal is not null and fiscal_source_cells > 0
),

performance_expenditure_total_equals_items as (
    select
        {{ reconciliation_check(
            check_name="'performance_expenditure_total_equals_items'",
            rule="'a funding block''s 支出 total = 基本支出 + 项目支出, or the sum of its items (' || period || ')'",
            found='expenditure_total',
            expected='case when basic_and_project_cells > 0 then basic_and_project else items end',
            summands='case when basic_and_project_cells > 0 then basic_and_project_cells else item_cells end',
            parts="case when basic_and_project_cells > 0 then "
                ~ reconciliation_parts([['基本支出 + 项目支出', 'basic_and_project']]) ~ " else "
                ~ reconciliation_parts([['items', 'items']]) ~ " end",
            located_by='block', source_row='expenditure_total_row', line_number='expenditure_total_line',
            column_label="'支出 / ' || period"
        ) }},
        'equal' as comparison,
        printed_in_yuan
    from block_periods
    where expenditure_total is not null and basic_and_project_cells + item_cells > 0
),

performance_project_spending_equals_items as (
    select
        {{ reconciliation_check(
            check_name="'performance_project_spending_equals_items'",
            rule="'项目支出 = the projects listed under it (' || period || ')'",
            found='project_spending', expected='items', summands='item_cells',
            parts=reconciliation_parts([['the projects', 'items']]),
            located_by='block', source_row='project_spending_row', line_number='project_spending_line',
            column_label="'支出 / ' || period"
        ) }},
        'equal' as comparison,
        printed_in_yuan
    from block_periods
    where project_spending is not null and item_cells > 0
),

performance_revenue_equals_expenditure as (
    select
        {{ reconciliation_check(
            check_name="'performance_revenue_equals_expenditure'",
            rule="'a funding block''s 收入 total = its 支出 total (' || period || ')'",
            found='coalesce(expenditure_total, basic_and_project)',
            expected='revenue_total',
            summands='case when expenditure_total is not null then 1 else basic_and_project_cells end',
            parts="revenue_total_row || ' ' || " ~ amount_text('revenue_total'),
            located_by='block',
            source_row="coalesce(expenditure_total_row, '基本支出 + 项目支出')",
            line_number='coalesce(expenditure_total_line, last_line)',
            column_label="'支出 / ' || period"
        ) }},
        'equal' as comparison,
        printed_in_yuan
    from block_periods
    where revenue_total is not null and (expenditure_total is not null or basic_and_project_cells > 0)
),

performance_executed_within_budget as (
    -- What was executed may fall short of the budget; more than the budget is possible (an adjustment)
    -- but worth a look: a warning, never an error.
    select
        {{ reconciliation_check(
            check_name="'performance_executed_within_budget'",
            rule="'executed (全年执行数) ≤ the budget'",
            found='executed', expected='revenue_total', summands='1',
            parts="revenue_total_row || ' ' || " ~ amount_text('revenue_total'),
            located_by='block', source_row='executed_row', line_number='executed_line',
            column_label="'支出 / ' || period"
        ) }},
        'at_most' as comparison,
        printed_in_yuan
    from block_periods
    where executed is not null and revenue_total is not null
),

-- == A part of a period is within the whole: half-year ≤ annual ≤ implementation period ===============

period_order as (
    select * from (values ('half_year', 1), ('annual', 2), ('implementation_period', 3)) as t(period, rank)
),

funding_lines as (
    -- how many lines of its block print the label for the period: a label printed once per period is
    -- the same line whether its periods share a printed line or not (002's 干部工作经费 prints them apart)
    select *, count(*) over (partition by document_key, table_seq, block_seq, flow, item_name, period) as printed
    from funding
),

performance_part_within_period as (
    -- The same line for a shorter and the next longer period.
    select
        {{ reconciliation_check(
            check_name="'performance_part_within_period'",
            rule="'a funding line''s ' || part.period || ' amount ≤ its ' || whole.period || ' amount'",
            found='part.amount', expected='whole.amount', summands='1',
            parts="whole.period || ' ' || " ~ amount_text('whole.amount'),
            located_by='block', at='part', column_label="part.flow || ' / ' || part.period"
        ) }},
        'at_most' as comparison,
        part.source_unit = '元' as printed_in_yuan
    from funding_lines as part
    inner join period_order as part_rank on part_rank.period = part.period
    inner join funding_lines as whole
        on whole.document_key = part.document_key
        and whole.table_seq = part.table_seq
        and whole.block_seq = part.block_seq
        and whole.flow = part.flow
        and whole.item_name = part.item_name
        and (whole.line_number = part.line_number or (whole.printed = 1 and part.printed = 1))
    inner join period_order as whole_rank on whole_rank.period = whole.period and whole_rank.rank = part_rank.rank + 1
),

-- == A project's table against the line the department-wide table gives it ===========================

department_lines as (
    -- 002: the 部门整体 table lists each project's 支出 by period, under a 项目支出 they must add up to.
    select
        funding.document_key, funding.table_seq, funding.source_table, funding.line_number, funding.period,
        funding.amount, {{ normalised_name('funding.item_name') }} as project_key,
        periods.project_spending is not null
            and abs(periods.project_spending - periods.items) <= {{ rounding_tolerance('periods.item_cells') }}
            as corroborated
    from funding
    inner join blocks
        on blocks.document_key = funding.document_key
        and blocks.table_seq = funding.table_seq
        and blocks.block_seq = funding.block_seq
        and blocks.is_department_wide
    inner join block_periods as periods
        on periods.document_key = funding.document_key
        and periods.table_seq = funding.table_seq
        and periods.block_seq = funding.block_seq
        and periods.period = funding.period
    where funding.flow = 'expenditure' and funding.line_role = 'item'
),

project_block_amounts as (
    -- what a project's own table states for a period: its 支出 total, else (annual) its 收入 total
    select
        periods.document_key, periods.table_seq, periods.source_table, periods.period,
        {{ normalised_name('periods.project_name') }} as project_key,
        periods.project_name,
        coalesce(periods.expenditure_total, case when periods.period = 'annual' then periods.revenue_total end)
            as amount,
        coalesce(periods.expenditure_total_line, periods.revenue_total_line) as line_number,
        case when periods.expenditure_total is not null then periods.expenditure_total_row
            else periods.revenue_total_row end as source_row
    from block_periods as periods
    inner join blocks
        on blocks.document_key = periods.document_key
        and blocks.table_seq = periods.table_seq
        and blocks.block_seq = periods.block_seq
        and not blocks.is_department_wide
),

performance_project_equals_department_line as (
    -- The department table's line is corroborated when its 项目支出 adds up: then the project's own table
    -- is the odd one out (error); otherwise nobody can be blamed (warning).
    select
        {{ reconciliation_check(
            check_name="'performance_project_equals_department_line'",
            rule="'project ' || project.project_name || ' states the amount the department table gives it ('
                || project.period || ')'",
            found='project.amount', expected='department.amount', summands='1',
            parts="department.source_table || ' line ' || department.line_number",
            located_by='block', at='project', column_label="'支出 / ' || project.period"
        ) }},
        'equal' as comparison,
        case when department.corroborated then 'error' else 'warning' end as fail_severity
    from project_block_amounts as project
    inner join department_lines as department
        on department.document_key = project.document_key
        and department.project_key = project.project_key
        and department.period = project.period
    where project.amount is not null
),

-- == 年度主要任务 and project evaluations: executed against planned, and the printed 执行率 ==============

executions as (
    -- A project block's budget and execution (003 预算项目绩效自评表), and each task line of a department
    -- evaluation (项目下达金额, 项目执行金额, 项目执行率).
    select
        'project' as kind, document_key, table_seq, source_table, line_number,
        coalesce(project_name, '') as source_row,
        budget_amount as planned, executed_amount as executed, execution_rate_text as rate_text
    from blocks
    where budget_amount is not null and executed_amount is not null
    union all
    select
        'task', document_key, table_seq, source_table, line_number, source_row,
        planned_amount, executed_amount, execution_rate_text
    from {{ for_changed_documents(ref('stg_raw__performance_evaluation')) }}
    where row_kind = 'task' and planned_amount is not null and executed_amount is not null
),

task_executed_within_planned as (
    select
        {{ reconciliation_check(
            check_name="'performance_executed_within_budget'",
            rule="'executed (项目执行金额) ≤ planned (项目下达金额)'",
            found='executed', expected='planned', summands='1',
            parts="'planned ' || " ~ amount_text('planned'),
            located_by='block', column_label="'项目执行金额'"
        ) }},
        'at_most' as comparison
    from executions
    where kind = 'task'
),

rates as (
    select
        *,
        cast(regexp_extract(rate_text, '(-?[0-9]+(?:\.[0-9]+)?)\s*%?', 1) as decimal(18, 4)) as printed_rate,
        length(regexp_extract(rate_text, '\.([0-9]+)', 1)) as rate_decimals
    from executions
    where planned > 0 and regexp_matches(coalesce(rate_text, ''), '[0-9]')
),

performance_execution_rate as (
    -- The rate is computed from figures rounded to the cent (±0.005 each), and printed rounded: to its
    -- decimals, or to the whole percent where it prints ".00" (003's task lines: 94.00% for 94.08).
    select
        {{ reconciliation_check(
            check_name="'performance_execution_rate'",
            rule="'执行率 = executed / planned'",
            found='printed_rate',
            expected='cast(round(100 * executed / planned, 4) as decimal(18, 4))',
            summands='2',
            parts="'executed ' || " ~ amount_text('executed') ~ " || ' / planned ' || " ~ amount_text('planned'),
            located_by='block', column_label="'执行率'"
        ) }},
        'rate' as comparison,
        cast(
            100 * (0.005 / planned + executed * 0.005 / (planned * planned))
            + case when rate_decimals = 0 or regexp_matches(rate_text, '\.0+\s*%?$') then 0.5
                else 0.5 * power(10, -rate_decimals) end
            as decimal(18, 4)
        ) as rate_tolerance
    from rates
),

-- == A block's amount against its project in the department's project list ==========================

target_amounts as (
    select document_key, table_seq, block_seq, min(project_amount) as project_amount
    from {{ for_changed_documents(ref('stg_raw__performance_target')) }}
    where project_amount is not null
    group by document_key, table_seq, block_seq
),

project_cells as (
    select * from {{ for_changed_documents(ref('int_reconciliation_inputs')) }}
    where fact_table = 'project_expenditure' and row_role = 'item' and project_name is not null
),

project_amounts as (
    -- What each project table states for a project: its total, this year's money, what was carried over.
    select
        document_key,
        table_seq,
        project_name,
        any_value(source_table) as source_table,
        arg_min(source_row, row_seq) as source_row,
        max(amount) filter (where revenue_source = 'total' and funding = 'total') as total_amount,
        max(amount) filter (where revenue_source = 'total' and funding = 'current_year') as this_year_total,
        sum(amount) filter (where revenue_source not in ('total', 'carryover') and funding = 'current_year')
            as this_year_sources,
        sum(amount) filter (where funding = 'carryover' and revenue_source <> 'total') as carried_over
    from project_cells
    group by document_key, table_seq, project_name
),

candidates as (
    -- Every amount the project tables give the project, with what it is.
    select document_key, project_name, source_table, source_row, 'total' as meaning, total_amount as amount, 1 as summands
    from project_amounts where total_amount is not null
    union all
    select document_key, project_name, source_table, source_row, 'this year', this_year_total, 1
    from project_amounts where this_year_total is not null
    union all
    select document_key, project_name, source_table, source_row, 'this year by source', this_year_sources, 2
    from project_amounts where this_year_sources is not null and this_year_total is null
    union all
    select document_key, project_name, source_table, source_row, 'total less carried over',
        total_amount - carried_over, 2
    from project_amounts where total_amount is not null and carried_over is not null
    union all
    select document_key, project_name, any_value(source_table), any_value(source_row), 'all project tables together',
        sum(coalesce(total_amount, this_year_total, this_year_sources, 0) + case
            when total_amount is null then coalesce(carried_over, 0) else 0 end), 2
    from project_amounts
    group by document_key, project_name
    having count(*) > 1
),

project_tables_at_fault as (
    -- Project tables that fail a rule of their own: a figure they state cannot convict another table.
    select distinct document_key, source_table
    from {{ for_changed_documents(ref('int_reconciliation_within_table')) }}
    where severity = 'error'
    union
    select distinct document_key, source_table
    from {{ for_changed_documents(ref('int_reconciliation_cross_table')) }}
    where severity = 'error'
),

stated as (
    select
        blocks.document_key,
        blocks.table_seq,
        blocks.source_table,
        blocks.project_name,
        blocks.matched_project_name,
        blocks.line_number,
        coalesce(blocks.budget_amount, target_amounts.project_amount) as amount
    from blocks
    left join target_amounts
        on target_amounts.document_key = blocks.document_key
        and target_amounts.table_seq = blocks.table_seq
        and target_amounts.block_seq = blocks.block_seq
    where not blocks.is_department_wide
        and blocks.matched_project_name is not null
        and coalesce(blocks.budget_amount, target_amounts.project_amount) is not null
),

closest as (
    select
        stated.*,
        candidates.meaning,
        candidates.amount as project_amount,
        candidates.summands,
        candidates.source_table as project_table,
        count(*) over (partition by stated.document_key, stated.table_seq, stated.line_number) as amounts_compared,
        string_agg(format('{} {} ({} row "{}")', candidates.meaning, {{ amount_text('candidates.amount') }},
            candidates.source_table, candidates.source_row), '; ')
            over (partition by stated.document_key, stated.table_seq, stated.line_number) as project_statements
    from stated
    inner join candidates
        on candidates.document_key = stated.document_key
        and candidates.project_name = stated.matched_project_name
    qualify row_number() over (
        partition by stated.document_key, stated.table_seq, stated.line_number
        order by abs(stated.amount - candidates.amount), candidates.meaning
    ) = 1
),

performance_amount_equals_project as (
    -- A mismatch convicts the performance table, unless the project table fails a rule of its own: then
    -- nobody can be blamed (warning), as for the same figure across tables.
    select
        {{ reconciliation_check(
            check_name="'performance_amount_equals_project'",
            rule="'the amount of project ' || closest.matched_project_name
                || ' in a performance table equals the project table''s'",
            found='closest.amount', expected='closest.project_amount', summands='closest.summands',
            parts='closest.project_statements',
            located_by='block', at='closest',
            source_row='coalesce(closest.project_name, closest.matched_project_name)',
            column_label="'年度资金总额'"
        ) }},
        'equal' as comparison,
        case when at_fault.source_table is not null then 'warning' else 'error' end as fail_severity
    from closest
    left join project_tables_at_fault as at_fault
        on at_fault.document_key = closest.document_key
        and at_fault.source_table = closest.project_table
),

-- == One verdict for every rule ====================================================================

evaluations as (
    {{ reconciliation_rules([
        'performance_revenue_total_equals_sources',
        'performance_fiscal_equals_its_budgets',
        'performance_expenditure_total_equals_items',
        'performance_project_spending_equals_items',
        'performance_revenue_equals_expenditure',
        'performance_part_within_period',
        'performance_executed_within_budget',
        'task_executed_within_planned',
        'performance_execution_rate',
        'performance_amount_equals_project',
        'performance_project_equals_department_line',
    ]) }}
),

with_unreadable_parts as (
    -- Money cells of the same table that could not be read may be among the parts.
    select
        evaluations.*,
        coalesce(unreadable.cells, 0) as unreadable_parts,
        coalesce(unreadable.bounded, 0) as bounded_parts,
        coalesce(unreadable.bound, 0) as unreadable_bound,
        cast(evaluations.found - evaluations.expected as decimal(18, 4)) as difference,
        -- 万元 tables print to the cent of a 万元; a table in 元 prints whole 元 (or cents of them), exact
        -- at the warehouse's four decimals of 万元: its figures must add up exactly
        coalesce(
            evaluations.rate_tolerance,
            case when evaluations.printed_in_yuan then cast(0 as decimal(18, 4))
                else {{ rounding_tolerance('evaluations.summands') }} end
        ) as tolerance
    from evaluations
    left join lateral (
        select count(*) as cells, count(quarantine.bound) as bounded, sum(quarantine.bound) as bound
        from quarantine
        where quarantine.document_key = evaluations.document_key
            and quarantine.table_seq = evaluations.table_seq
    ) as unreadable on true
),

verdicts as (
    select
        *,
        case
            when comparison = 'at_most' and difference <= 0 then 'pass'
            when comparison = 'rate' and abs(difference) <= tolerance then 'pass'
            when difference = 0 then 'pass'
            when abs(difference) <= tolerance then 'rounding_gap'
            else 'fail'
        end as outcome,
        case
            when check_name = 'performance_executed_within_budget' then 'warning'
            when fail_severity is not null then fail_severity
            else {{ reconciliation_fail_severity('unreadable_parts', 'bounded_parts', 'unreadable_bound', 'difference') }}
        end as severity_if_failed
    from with_unreadable_parts
)

select
    {{ reconciliation_check_columns() }},
    cast(found as decimal(18, 4)) as found,
    cast(expected as decimal(18, 4)) as expected,
    summands,
    parts,
    difference,
    tolerance,
    unreadable_parts,
    outcome,
    {{ reconciliation_severity(fail='severity_if_failed') }} as severity,
    case when outcome <> 'pass' then
        format(
            '{}: expected {}{} ({}), found {} at {}: difference {}, tolerance {}{}',
            rule, case when comparison = 'at_most' then 'at most ' else '' end, {{ amount_text('expected') }},
            coalesce(nullif(parts, ''), 'none printed'), {{ amount_text('found') }}, {{ reconciliation_place() }},
            {{ amount_text('difference') }}, {{ amount_text('tolerance') }},
            case
                when outcome = 'rounding_gap' then ' (a rounding gap, not an error)'
                when severity_if_failed = 'warning' and unreadable_parts > 0 then format(
                    ' ({} money cell(s) of the table could not be read: the sum cannot be verified)',
                    unreadable_parts)
                else ''
            end
        )
    end as detail
from verdicts
