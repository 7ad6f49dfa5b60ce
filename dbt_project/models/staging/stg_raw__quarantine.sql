-- Printed numeric cells the extraction could not turn into facts, with the reason: renamed and cast.
select
    cast(document_key as varchar) as document_key,
    cast(table_seq as integer) as table_seq,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(line_number as integer) as line_number,
    {{ source_place() }},
    cast(column_label as varchar) as column_label,
    cast(raw_value as varchar) as raw_value,
    cast(reason as varchar) as reason
from {{ source('raw', 'quarantine') }}
