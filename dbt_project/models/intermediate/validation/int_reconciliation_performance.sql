-- A performance table's project amount (年度资金总额 of a 绩效目标表 block, 全年预算数 of a 绩效自评表 block)
-- against the amount the same document's project table (项目支出表) gives the project it was matched to
-- (matched_project_name): it must equal the project's total, or its money of this year (a target table
-- often states only 本年). One row per project block that has both; a mismatch is a `warning` on the
-- performance table, because the project table is the figure that publishes and the targets stay true.
with blocks as (
    select * from {{ ref('stg_raw__performance_project') }}
    where not is_department_wide and matched_project_name is not null
),

target_amounts as (
    select document_key, table_seq, block_seq, min(project_amount) as project_amount
    from {{ ref('stg_raw__performance_target') }}
    where project_amount is not null
    group by document_key, table_seq, block_seq
),

project_cells as (
    select * from {{ ref('int_reconciliation_inputs') }}
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
    where coalesce(blocks.budget_amount, target_amounts.project_amount) is not null
),

compared as (
    select
        stated.*,
        candidates.meaning,
        candidates.amount as project_amount,
        candidates.source_table as project_table,
        candidates.source_row as project_row,
        abs(stated.amount - candidates.amount) as gap,
        {{ rounding_tolerance('candidates.summands') }} as tolerance
    from stated
    inner join candidates
        on candidates.document_key = stated.document_key
        and candidates.project_name = stated.matched_project_name
),

closest as (
    select
        *,
        count(*) over (partition by document_key, table_seq, line_number) as amounts_compared,
        string_agg(format('{} {} ({} row "{}")', meaning, {{ amount_text('project_amount') }}, project_table,
            project_row), '; ') over (partition by document_key, table_seq, line_number) as project_statements
    from compared
    qualify row_number() over (partition by document_key, table_seq, line_number order by gap, meaning) = 1
)

select
    document_key,
    table_seq,
    source_table,
    'performance_amount_equals_project' as check_name,
    'the amount of project ' || matched_project_name || ' in a performance table equals the project table''s' as rule,
    coalesce(project_name, matched_project_name) as source_row,
    line_number,
    '年度资金总额' as column_label,
    cast(amount as decimal(18, 4)) as found,
    cast(project_amount as decimal(18, 4)) as expected,
    1 as summands,
    cast(amount - project_amount as decimal(18, 4)) as difference,
    tolerance,
    case when gap = 0 then 'pass' when gap <= tolerance then 'rounding_gap' else 'fail' end as outcome,
    case when gap = 0 then null when gap <= tolerance then 'info' else 'warning' end as severity,
    case when gap <> 0 then format(
        '{}: expected {} ({}), found {} for "{}" at line {}: difference {}, tolerance {}{}',
        'the amount of project ' || matched_project_name || ' in a performance table equals the project table''s',
        {{ amount_text('project_amount') }}, project_statements, {{ amount_text('amount') }},
        coalesce(project_name, matched_project_name), coalesce(cast(line_number as varchar), '?'),
        {{ amount_text('amount - project_amount') }}, {{ amount_text('tolerance') }},
        case when gap <= tolerance then ' (a rounding gap, not an error)' else '' end
    ) end as detail
from closest
