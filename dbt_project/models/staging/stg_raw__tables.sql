-- One row per table found in a document: renamed and cast.
select
    cast(document_key as varchar) as document_key,
    cast(table_seq as integer) as table_seq,
    cast(source_table as varchar) as source_table,
    cast(table_kind as varchar) as table_kind,
    cast(status as varchar) as table_status,
    cast(unit as varchar) as source_unit,
    cast(line_start as integer) as line_start,
    cast(line_end as integer) as line_end,
    cast(numeric_cells as integer) as numeric_cells,
    cast(facts as integer) as fact_cells,
    cast(quarantined as integer) as quarantined_cells,
    cast(note as varchar) as note
from {{ source('raw', 'tables') }}
