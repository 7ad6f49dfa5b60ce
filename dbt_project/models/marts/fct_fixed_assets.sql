-- Extension: the value of each class of a department's fixed assets (固定资产 / 国有资产占用情况表), one
-- fact per document and asset class. The tables' 数量 column (m², vehicles, sets) is not money: its
-- cells are in quarantined_row with that reason.
{{ incremental_by_document() }}
select
    {{ fact_provenance() }},
    cast(category as varchar) as asset_class,
    cast(phase as varchar) as phase,
    cast(amount as decimal(18, 4)) as amount
from {{ for_changed_documents(ref('int_fact_cells')) }}
where published_in = 'fct_fixed_assets'
