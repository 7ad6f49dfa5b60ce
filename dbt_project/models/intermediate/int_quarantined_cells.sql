-- Every printed numeric cell that is not a published fact or source cell: what the extraction put in
-- quarantine, and every cell of a table that failed an error-level check (reason `table failed <checks>`).
with extraction_quarantine as (
    select
        document_key,
        table_seq,
        source_table,
        source_row,
        line_number,
        column_label,
        raw_value,
        reason,
        'extraction' as quarantined_by
    from {{ ref('stg_raw__quarantine') }}
),

failed_table_cells as (
    select
        document_key,
        table_seq,
        source_table,
        source_row,
        line_number,
        column_label,
        raw_value,
        'table failed ' || failed_checks as reason,
        'validation' as quarantined_by
    from {{ ref('int_cells') }}
    where not is_published
)

select * from extraction_quarantine
union all
select * from failed_table_cells
