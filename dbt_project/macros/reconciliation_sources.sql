{#
    This year's money by source, written once for the two places int_reconciliation_within_table adds it
    up: a row of a revenue or project table (收入总表, 项目支出表: source_rows) and a column of a summary
    table (收支总表: summary_lines_by_column). Its sources are 财政拨款 (or, where that is not printed, its
    three budgets 一般公共预算 + 政府性基金 + 国有资本经营), 财政专户, and 单位资金 (or its parts 事业 + 经营 +
    上级补助 + 附属单位上缴 + 其他收入). Money carried over (funding 'carryover') is not this year's.

    reconciliation_sources_by_kind(condition): aggregates of the group's cells that also meet `condition`
    (SQL; none: every cell): fiscal, budgets, budget_cells, special_account, unit_funds, unit_sources,
    unit_source_cells. The other three read those columns: their total, how many printed figures the total
    adds (for the rounding tolerance) and the parts as a finding lists them.
#}
{% macro reconciliation_sources_by_kind(condition=none) -%}
    {%- set this_year = "funding <> 'carryover'" ~ ((' and ' ~ condition) if condition else '') -%}
    {%- set budgets = "revenue_source in ('general_public_budget', 'government_fund', 'state_capital')" -%}
    {%- set unit_sources = "revenue_source in ('business', 'operating', 'superior_subsidy', "
        ~ "'subordinate_remittance', 'other')" -%}
    sum(amount) filter (where {{ this_year }} and revenue_source = 'fiscal') as fiscal,
    {{ reconciliation_sum_and_count(this_year ~ ' and ' ~ budgets, 'budgets', 'budget_cells') }},
    sum(amount) filter (where {{ this_year }} and revenue_source = 'special_account') as special_account,
    sum(amount) filter (where {{ this_year }} and revenue_source = 'unit_funds') as unit_funds,
    {{ reconciliation_sum_and_count(
        this_year ~ ' and ' ~ unit_sources, 'unit_sources', 'unit_source_cells'
    ) }}
{%- endmacro %}

{% macro reconciliation_sources_total() -%}
    coalesce(fiscal, budgets, 0) + coalesce(special_account, 0) + coalesce(unit_funds, unit_sources, 0)
{%- endmacro %}

{% macro reconciliation_sources_summands() -%}
    case when fiscal is not null then 1 else budget_cells end
        + (special_account is not null)::int
        + case when unit_funds is not null then 1 else unit_source_cells end
{%- endmacro %}

{% macro reconciliation_sources_parts() -%}
    {{ reconciliation_parts([
        ['财政拨款', 'coalesce(fiscal, budgets)'],
        ['财政专户', 'special_account'],
        ['单位资金', 'coalesce(unit_funds, unit_sources)'],
    ]) }}
{%- endmacro %}
