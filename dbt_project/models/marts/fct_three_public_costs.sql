-- 三公经费 paid from fiscal appropriations: one fact per document, category and measure.
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(category as varchar) as category,
    cast(measure as varchar) as measure,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_three_public_costs'
