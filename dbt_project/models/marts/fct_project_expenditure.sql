-- Project expenditure: one fact per document, project and fund source (a revenue_source value or total).
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(project_key as varchar) as project_key,
    cast(fund_source as varchar) as fund_source,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount,
    cast(funding as varchar) as funding
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_project_expenditure'
