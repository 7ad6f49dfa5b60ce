-- Expenditure by economic class (支出经济分类): one fact per document, scheme, economic code and cost
-- type; fund_scope (extension) says which funds the stating table covers.
select
    {{ fact_provenance() }},
    cast(scheme as varchar) as scheme,
    cast(economic_code as varchar) as economic_code,
    cast(cost_type as varchar) as cost_type,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount,
    cast(code_inferred as boolean) as code_inferred,
    cast(code_origin as varchar) as code_origin,
    cast(fund_scope as varchar) as fund_scope
from {{ ref('int_fact_cells') }}
where published_in = 'fct_expenditure_by_economic'
