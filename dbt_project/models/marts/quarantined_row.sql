-- Every printed numeric cell that is not published, with the reason: the extraction's quarantine and
-- the cells of tables that failed an error-level check (reason `table failed <checks>`).
{{ incremental_by_document() }}
select
    cast(document_key as varchar) as document_key,
    cast(source_table as varchar) as source_table,
    cast(source_row as varchar) as source_row,
    cast(column_label as varchar) as column_label,
    cast(raw_value as varchar) as raw_value,
    cast(reason as varchar) as reason,
    cast(table_seq as integer) as table_seq,
    cast(line_number as integer) as source_line,
    cast(quarantined_by as varchar) as quarantined_by,
    {{ source_place() }}
from {{ for_changed_documents(ref('int_quarantined_cells')) }}
