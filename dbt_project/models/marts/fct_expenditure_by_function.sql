-- Expenditure by function class (支出功能分类): one fact per document, fund scope, function code and
-- expenditure type, from the cell that states it first (int_fact_cells).
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(fund_scope as varchar) as fund_scope,
    cast(function_code as varchar) as function_code,
    cast(expenditure_type as varchar) as expenditure_type,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount,
    cast(code_inferred as boolean) as code_inferred,
    cast(code_origin as varchar) as code_origin
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_expenditure_by_function'
