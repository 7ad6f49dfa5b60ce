-- Revenue by source: this year's money per revenue source, and what was carried over (`carryover`).
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(revenue_source as varchar) as revenue_source,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount,
    cast(funding as varchar) as funding
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_revenue'
