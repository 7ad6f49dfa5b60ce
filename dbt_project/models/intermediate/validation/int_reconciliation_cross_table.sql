-- The same figure stated by several tables of one document (收支总表, 收入总表, 支出总表, 财政拨款收支总表,
-- 一般公共预算支出表, 基本支出表, 项目支出表 ...) must be the same number. One row per table and figure that
-- at least one other table also states, with the verdict; plus `function_code_in_all_funds_table`
-- (a code a narrower table prints that the all-funds table does not).
-- Which table is wrong when they disagree (the odd one out):
--   1. majority: more than half of the tables stating the figure agree (within the rounding tolerance)
--      -> every other table is the odd one out (`error`);
--   2. otherwise, credibility: a table is credible when it agrees with another table on some figure,
--      is not the odd one out of any majority and passes its own arithmetic (int_reconciliation_within_
--      table). If the credible tables stating the figure agree with each other, the tables that
--      disagree with them are the odd ones out (`error`);
--   3. otherwise no table can be blamed: every table that disagrees gets a `warning` naming all values.
-- Agreement within the tolerance but not to the cent is a rounding gap (`info`).
{{ incremental_by_document() }}
with inputs as (
    select * from {{ for_changed_documents(ref('int_reconciliation_inputs')) }}
    where figure is not null
),

within_table_errors as (
    select distinct document_key, table_seq
    from {{ for_changed_documents(ref('int_reconciliation_within_table')) }}
    where severity = 'error'
),

stated as (
    -- What each table states for each comparable figure: its first cell (the others are compared with it
    -- in same_figure_within_table).
    select
        document_key,
        table_seq,
        comparable_scope,
        comparable_funding,
        figure,
        any_value(source_table) as source_table,
        arg_min(figure_label, [row_seq, col_seq]) as figure_label,
        arg_min(amount, [row_seq, col_seq]) as amount,
        arg_min(source_row, [row_seq, col_seq]) as source_row,
        arg_min(column_label, [row_seq, col_seq]) as column_label,
        arg_min(line_number, [row_seq, col_seq]) as line_number,
        1 as summands
    from inputs
    group by document_key, table_seq, comparable_scope, comparable_funding, figure
),

derived_basic as (
    -- An economic table that prints no total column states its basic expenditure as personnel + public.
    select
        document_key,
        table_seq,
        comparable_scope,
        comparable_funding,
        'expenditure basic' as figure,
        any_value(source_table) as source_table,
        'expenditure basic (personnel + public)' as figure_label,
        sum(amount) as amount,
        arg_min(source_row, [row_seq, col_seq]) as source_row,
        string_agg(column_label, ' + ' order by col_seq) as column_label,
        min(line_number) as line_number,
        2 as summands
    from inputs
    where fact_table = 'expenditure_by_economic' and row_role = 'total' and cost_type in ('personnel', 'public')
        and not exists (
            select 1 from inputs as totals
            where totals.document_key = inputs.document_key
                and totals.table_seq = inputs.table_seq
                and totals.fact_table = 'expenditure_by_economic'
                and totals.row_role = 'total'
                and totals.cost_type = 'total'
        )
    group by document_key, table_seq, comparable_scope, comparable_funding
    having count(distinct cost_type) = 2 and count(*) = 2
),

statements as (
    select
        document_key, table_seq, comparable_scope, comparable_funding, figure, source_table, figure_label,
        amount, source_row, column_label, line_number, summands
    from stated
    union all by name
    select * from derived_basic
),

compared as (
    -- Figures that at least two tables state.
    select
        statements.*,
        count(*) over (partition by document_key, comparable_scope, comparable_funding, figure) as tables_stating
    from statements
    qualify tables_stating >= 2
),

pairs as (
    select
        one.document_key,
        one.comparable_scope,
        one.comparable_funding,
        one.figure,
        one.table_seq,
        other.table_seq as other_table_seq,
        abs(one.amount - other.amount) <= {{ rounding_tolerance('one.summands + other.summands - 1') }} as agree
    from compared as one
    inner join compared as other
        on {{ reconciliation_same_figure('other', 'one') }}
        and other.table_seq <> one.table_seq
),

support as (
    select
        compared.*,
        1 + count(*) filter (where pairs.agree) as support,
        bool_or(not pairs.agree) as disagrees_with_some
    from compared
    inner join pairs
        on {{ reconciliation_same_figure('pairs', 'compared') }}
        and pairs.table_seq = compared.table_seq
    group by all
),

majority as (
    -- The best supported statement of each figure, and whether more than half the tables agree with it.
    select
        document_key, comparable_scope, comparable_funding, figure,
        arg_max(table_seq, [support, -table_seq]) as consensus_table_seq,
        max(support) * 2 > any_value(tables_stating) as has_majority
    from support
    group by document_key, comparable_scope, comparable_funding, figure
),

majority_verdicts as (
    select
        support.*,
        majority.has_majority,
        majority.consensus_table_seq as majority_table_seq,
        support.table_seq = majority.consensus_table_seq or coalesce(pairs.agree, false) as agrees_with_majority
    from support
    inner join majority
        on {{ reconciliation_same_figure('majority', 'support') }}
    left join pairs
        on {{ reconciliation_pair('pairs', 'majority.consensus_table_seq', 'support') }}
),

credibility as (
    select
        tables.document_key,
        tables.table_seq,
        bool_or(tables.support > 1) as corroborated,
        bool_or(tables.has_majority and not tables.agrees_with_majority) as odd_one_out_of_a_majority,
        any_value(within_table_errors.table_seq) is not null as fails_own_checks
    from majority_verdicts as tables
    left join within_table_errors
        on within_table_errors.document_key = tables.document_key
        and within_table_errors.table_seq = tables.table_seq
    group by tables.document_key, tables.table_seq
),

with_credibility as (
    select
        majority_verdicts.*,
        credibility.corroborated and not credibility.odd_one_out_of_a_majority and not credibility.fails_own_checks
            as is_credible,
        case
            when credibility.odd_one_out_of_a_majority then 'is the odd one out of other figures'
            when credibility.fails_own_checks then 'fails its own arithmetic'
            when not credibility.corroborated then 'agrees with no other table on any figure'
        end as discredited_because
    from majority_verdicts
    inner join credibility
        on credibility.document_key = majority_verdicts.document_key
        and credibility.table_seq = majority_verdicts.table_seq
),

credible_anchor as (
    -- Without a majority: the first credible table stating the figure, if every credible one agrees with it.
    select
        anchor.document_key, anchor.comparable_scope, anchor.comparable_funding, anchor.figure,
        anchor.table_seq as anchor_table_seq
    from (
        select
            *,
            row_number() over (
                partition by document_key, comparable_scope, comparable_funding, figure order by table_seq
            ) as credible_rank
        from with_credibility
        where is_credible and not has_majority
    ) as anchor
    where anchor.credible_rank = 1
        and not exists (
            select 1 from with_credibility as other
            inner join pairs
                on {{ reconciliation_pair('pairs', 'anchor.table_seq', 'other') }}
            where {{ reconciliation_same_figure('other', 'anchor') }}
                and other.is_credible
                and not pairs.agree
        )
),

decided as (
    select
        with_credibility.*,
        case
            when with_credibility.has_majority then with_credibility.majority_table_seq
            else credible_anchor.anchor_table_seq
        end as consensus_table_seq,
        case
            when with_credibility.has_majority then 'majority'
            when credible_anchor.anchor_table_seq is not null then 'credibility'
        end as decided_by
    from with_credibility
    left join credible_anchor
        on {{ reconciliation_same_figure('credible_anchor', 'with_credibility') }}
),

with_consensus as (
    select
        decided.*,
        consensus.amount as consensus_amount,
        consensus.summands as consensus_summands,
        consensus.table_seq = decided.table_seq or coalesce(pairs.agree, false) as agrees_with_consensus,
        {{ rounding_tolerance('decided.summands + coalesce(consensus.summands, 1) - 1') }} as tolerance,
        (
            select string_agg(
                format('{} (table {}) row "{}": {}', others.source_table, others.table_seq, others.source_row,
                    {{ amount_text('others.amount') }}),
                '; ' order by others.table_seq)
            from compared as others
            where {{ reconciliation_same_figure('others', 'decided') }}
                and others.table_seq <> decided.table_seq
        ) as other_statements,
        (
            select count(*)
            from pairs as agreeing
            where {{ reconciliation_same_figure('agreeing', 'decided') }}
                and agreeing.table_seq = decided.consensus_table_seq
                and agreeing.agree
        ) + 1 as tables_agreeing_with_consensus
    from decided
    left join compared as consensus
        on {{ reconciliation_same_figure('consensus', 'decided') }}
        and consensus.table_seq = decided.consensus_table_seq
    left join pairs
        on {{ reconciliation_pair('pairs', 'decided.consensus_table_seq', 'decided') }}
),

across_tables as (
    select
        document_key,
        table_seq,
        source_table,
        'same_figure_across_tables' as check_name,
        figure_label || ' is the same in every table that states it' as rule,
        source_row,
        line_number,
        column_label,
        amount as found,
        consensus_amount as expected,
        summands,
        cast(amount - consensus_amount as decimal(18, 4)) as difference,
        tolerance,
        case
            when consensus_table_seq is null then case when disagrees_with_some then 'disagreement' else 'pass' end
            when amount = consensus_amount then 'pass'
            when agrees_with_consensus then 'rounding_gap'
            else 'fail'
        end as outcome,
        decided_by,
        tables_stating,
        tables_agreeing_with_consensus,
        other_statements,
        discredited_because,
        comparable_scope,
        comparable_funding
    from with_consensus
),

within_one_table as (
    -- A table that states one figure twice (e.g. a 财政拨款 column and its 一般公共预算 column when the
    -- document has no other fiscal money) must state it the same way.
    select
        document_key,
        table_seq,
        any_value(source_table) as source_table,
        'same_figure_within_table' as check_name,
        arg_min(figure_label, [row_seq, col_seq]) || ' is the same wherever this table states it' as rule,
        arg_max(source_row, [row_seq, col_seq]) as source_row,
        arg_max(line_number, [row_seq, col_seq]) as line_number,
        arg_max(column_label, [row_seq, col_seq]) as column_label,
        arg_max(amount, [row_seq, col_seq]) as found,
        arg_min(amount, [row_seq, col_seq]) as expected,
        1 as summands,
        cast(arg_max(amount, [row_seq, col_seq]) - arg_min(amount, [row_seq, col_seq]) as decimal(18, 4))
            as difference,
        {{ rounding_tolerance('1') }} as tolerance,
        case
            when max(amount) = min(amount) then 'pass'
            when max(amount) - min(amount) <= {{ rounding_tolerance('1') }} then 'rounding_gap'
            else 'fail'
        end as outcome,
        'the table itself' as decided_by,
        count(*) as tables_stating,
        null as tables_agreeing_with_consensus,
        string_agg(format('row "{}", column "{}": {}', source_row, column_label, {{ amount_text('amount') }}), '; '
            order by row_seq, col_seq) as other_statements,
        comparable_scope,
        comparable_funding
    from inputs
    group by document_key, table_seq, comparable_scope, comparable_funding, figure
    having count(*) > 1
),

-- == Codes a narrower table prints that the all-funds table lacks ===================================

function_table_codes as (
    select
        document_key,
        table_seq,
        any_value(source_table) as source_table,
        fund_scope,
        function_code,
        arg_min(printed_function_name, [row_seq, col_seq]) as function_name,
        arg_min(source_row, [row_seq, col_seq]) as source_row,
        arg_min(line_number, [row_seq, col_seq]) as line_number,
        arg_min(column_label, [row_seq, col_seq]) as column_label,
        max(abs(amount)) as largest_amount
    from {{ for_changed_documents(ref('int_reconciliation_inputs')) }}
    where fact_table = 'expenditure_by_function'
        and not is_summary_table
        and row_role = 'item'
        and function_code is not null
        and length(function_code) in (3, 5, 7)
    group by document_key, table_seq, fund_scope, function_code
),

code_coverage as (
    -- The all-funds table (支出总表) holds all the department's money, so every code a narrower table
    -- prints with money must be in it, wherever it itemises that level under the code's parent.
    select
        narrow.document_key,
        narrow.table_seq,
        narrow.source_table,
        'function_code_in_all_funds_table' as check_name,
        'function code ' || narrow.function_code || ' of this table is in the all-funds table' as rule,
        narrow.source_row,
        narrow.line_number,
        narrow.column_label,
        narrow.largest_amount as found,
        null as expected,
        1 as summands,
        null as difference,
        null as tolerance,
        case when exists (
            select 1 from function_table_codes as present
            where present.document_key = narrow.document_key
                and present.table_seq = all_funds.table_seq
                and present.function_code = narrow.function_code
        ) then 'pass' else 'missing' end as outcome,
        all_funds.source_table as decided_by,
        null as tables_stating,
        null as tables_agreeing_with_consensus,
        format('{} {} ({} in this table) is not in {} (table {}), which itemises {}',
            narrow.function_code, coalesce(narrow.function_name, ''), {{ amount_text('narrow.largest_amount') }},
            all_funds.source_table, all_funds.table_seq,
            case when length(narrow.function_code) = 3 then 'the 类 of the classification'
                else 'the sub-codes of ' || left(narrow.function_code, length(narrow.function_code) - 2) end
        ) as other_statements,
        narrow.fund_scope as comparable_scope,
        null as comparable_funding
    from function_table_codes as narrow
    inner join (
        select distinct document_key, table_seq, source_table
        from function_table_codes
        where fund_scope = 'all'
    ) as all_funds
        on all_funds.document_key = narrow.document_key
        and all_funds.table_seq <> narrow.table_seq
    where narrow.fund_scope <> 'all'
        and narrow.largest_amount <> 0
        and exists (
            -- the all-funds table itemises this level: it prints the parent and another code of this length
            select 1 from function_table_codes as sibling
            where sibling.document_key = narrow.document_key
                and sibling.table_seq = all_funds.table_seq
                and length(sibling.function_code) = length(narrow.function_code)
                and (
                    length(narrow.function_code) = 3
                    or starts_with(sibling.function_code, left(narrow.function_code, length(narrow.function_code) - 2))
                )
        )
),

all_checks as (
    select * from across_tables
    union all by name
    select * from within_one_table
    union all by name
    select * from code_coverage
)

select
    {{ reconciliation_check_columns() }},
    cast(found as decimal(18, 4)) as found,
    cast(expected as decimal(18, 4)) as expected,
    summands,
    difference,
    tolerance,
    outcome,
    {{ reconciliation_severity() }} as severity,
    decided_by,
    comparable_scope,
    comparable_funding,
    case outcome
        when 'pass' then null
        when 'missing' then other_statements
            || ': the table was probably taken from another document or the all-funds table is missing a row'
        when 'disagreement' then format(
            '{}: found {} at {}; the other tables state {}. No majority and no '
            || 'otherwise consistent table settles which is right',
            rule, {{ amount_text('found') }}, {{ reconciliation_place() }}, other_statements)
        when 'rounding_gap' then format(
            '{}: expected {} as the other table(s) state ({}), found {} at {}: '
            || 'difference {}, tolerance {} (a rounding gap, not an error)',
            rule, {{ amount_text('expected') }}, other_statements, {{ amount_text('found') }},
            {{ reconciliation_place() }}, {{ amount_text('difference') }}, {{ amount_text('tolerance') }})
        else format(
            '{}: expected {}, found {} at {}: difference {}, tolerance {}. {}: {}',
            rule, {{ amount_text('expected') }}, {{ amount_text('found') }}, {{ reconciliation_place() }},
            {{ amount_text('difference') }}, {{ amount_text('tolerance') }},
            case decided_by
                when 'majority' then format('This table is the odd one out: {} of the {} tables stating it agree on {}',
                    tables_agreeing_with_consensus, tables_stating, {{ amount_text('expected') }})
                when 'credibility' then format('This table is the odd one out: no majority, but the table(s) '
                    || 'stating {} agree with other tables elsewhere and pass their own checks, while this one {}',
                    {{ amount_text('expected') }}, coalesce(discredited_because, 'disagrees with them'))
                else 'The table states it twice, differently'
            end,
            other_statements)
    end as detail
from all_checks
