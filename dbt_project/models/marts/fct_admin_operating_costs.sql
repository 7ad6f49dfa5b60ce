-- Extension: 机关运行经费 (the administrative operating costs of the department's organs), one fact per
-- document and fund scope, from the table's total row.
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(fund_scope as varchar) as fund_scope,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_admin_operating_costs'
