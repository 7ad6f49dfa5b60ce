-- Extension: revenue by function class (收入决算表 / 收入预算表 by 功能分类科目), one fact per document,
-- function code, revenue source and funding (total, this year's, carried over).
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(function_code as varchar) as function_code,
    cast(revenue_source as varchar) as revenue_source,
    cast(funding as varchar) as funding,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount,
    cast(code_inferred as boolean) as code_inferred,
    cast(code_origin as varchar) as code_origin
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_revenue_by_function'
