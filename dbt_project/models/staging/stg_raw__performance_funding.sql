-- Every amount a funding block of a target or evaluation table prints: renamed and cast.
select
    cast(document_key as varchar) as document_key,
    cast(table_seq as integer) as table_seq,
    cast(block_seq as integer) as block_seq,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(line_number as integer) as line_number,
    {{ source_place() }},
    cast(project_name as varchar) as project_name,
    cast(flow as varchar) as flow,
    cast(item_name as varchar) as item_name,
    cast(line_role as varchar) as line_role,
    cast(period as varchar) as period,
    cast(raw_value as varchar) as raw_value,
    cast(amount as decimal(18, 4)) as amount,
    cast(source_unit as varchar) as source_unit
from {{ source('raw', 'performance_funding') }}
