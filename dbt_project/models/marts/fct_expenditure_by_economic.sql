-- Expenditure by economic class (支出经济分类): one fact per document, scheme, economic code and cost
-- type; fund_scope (extension) says which funds the stating table covers.
--
-- A code printed in one block only, in a table without a 合计 column (决算 tables print each code
-- under 人员经费 or under 公用经费) states its total too: that fact is also published with cost_type
-- 'total', from the same cell, so that one query (cost_type = 'total') sums every document the same way.
{{ incremental_by_document() }}
with printed as (
    select * from {{ for_changed_documents(ref('int_fact_cells')) }}
    where published_in = 'fct_expenditure_by_economic'
),

tables_with_total_column as (
    select distinct document_key, table_seq
    from {{ for_changed_documents(ref('int_fact_cells')) }}
    where fact_table = 'expenditure_by_economic' and cost_type = 'total' and row_role = 'item'
),

stated as (
    select
        document_key,
        scheme,
        economic_code,
        count(*) filter (where cost_type = 'total') as totals,
        count(distinct cost_type) filter (where cost_type in ('personnel', 'public')) as parts
    from printed
    group by document_key, scheme, economic_code
),

facts as (
    select printed.*, printed.cost_type as published_cost_type
    from printed
    union all
    select printed.*, 'total' as published_cost_type
    from printed
    inner join stated
        on stated.document_key = printed.document_key
        and stated.scheme is not distinct from printed.scheme
        and stated.economic_code = printed.economic_code
    left join tables_with_total_column as with_total
        on with_total.document_key = printed.document_key and with_total.table_seq = printed.table_seq
    where printed.cost_type in ('personnel', 'public') and stated.totals = 0 and stated.parts = 1
        and with_total.table_seq is null
)

select
    {{ fact_provenance() }},
    cast(scheme as varchar) as scheme,
    cast(economic_code as varchar) as economic_code,
    cast(published_cost_type as varchar) as cost_type,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount,
    cast(code_inferred as boolean) as code_inferred,
    cast(code_origin as varchar) as code_origin,
    cast(fund_scope as varchar) as fund_scope
from facts
