-- Extension: the amounts printed in the funding blocks of target and evaluation tables (资金总额, fund
-- sources, 基本支出 / 项目支出 and sub-items), one fact per block, flow, item and period.
{{ incremental_by_document() }}
select
    cast(document_key as varchar) as document_key,
    cast(department_key as varchar) as department_key,
    cast(fiscal_year as integer) as fiscal_year,
    cast(project_key as varchar) as project_key,
    cast(flow as varchar) as flow,
    cast(item_name as varchar) as item_name,
    cast(period as varchar) as period,
    cast(amount as decimal(18, 4)) as amount,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(raw_value as varchar) as raw_value,
    cast(source_unit as varchar) as source_unit,
    cast(table_seq as integer) as table_seq,
    cast(block_seq as integer) as block_seq,
    cast(line_number as integer) as source_line,
    {{ source_place() }}
from {{ for_changed_documents(ref('int_performance_funding')) }}
where is_published
