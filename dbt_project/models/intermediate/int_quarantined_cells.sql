-- Every printed value that is not published: what the extraction put in quarantine; every cell, target,
-- evaluation and funding amount of a table that failed an error-level check (reason `table failed
-- <checks>`); and a target or evaluation that repeats one stated earlier in its document (same project,
-- indicator and period), which cannot be a second fact of the same grain.
{{ incremental_by_document() }}
with extraction_quarantine as (
    select
        document_key,
        table_seq,
        source_table,
        source_row,
        line_number,
        source_page,
        source_locator,
        column_label,
        raw_value,
        reason,
        'extraction' as quarantined_by
    from {{ for_changed_documents(ref('stg_raw__quarantine')) }}
),

failed_table_cells as (
    -- A cell whose table is missing from raw.tables has no status: it is held back too, saying so.
    select
        cells.document_key,
        cells.table_seq,
        cells.source_table,
        cells.source_row,
        cells.line_number,
        cells.source_page,
        cells.source_locator,
        cells.column_label,
        cells.raw_value,
        coalesce('table failed ' || table_status.failed_checks, 'table not in raw.tables') as reason,
        'validation' as quarantined_by
    from {{ for_changed_documents(ref('int_cells')) }} as cells
    left join {{ for_changed_documents(ref('int_table_status')) }} as table_status
        on table_status.document_key = cells.document_key
        and table_status.table_seq = cells.table_seq
    where not coalesce(table_status.is_published, false)
),

performance_targets as (
    select
        document_key,
        table_seq,
        source_table,
        source_row,
        line_number,
        source_page,
        source_locator,
        '指标值 / ' || period as column_label,
        target_text as raw_value,
        case
            when not is_published then 'table failed ' || failed_checks
            else 'duplicate target: the same project, indicator and period is stated first at ' || first_stated_at
        end as reason,
        case when not is_published then 'validation' else 'dbt' end as quarantined_by
    from {{ for_changed_documents(ref('int_performance_targets')) }}
    where not is_published or rank_in_grain > 1
),

performance_evaluations as (
    select
        document_key,
        table_seq,
        source_table,
        source_row,
        line_number,
        source_page,
        source_locator,
        case row_kind when 'task' then '年度主要任务' else '全年完成值' end as column_label,
        coalesce(actual_text, cast(executed_amount as varchar), cast(score as varchar), target_text) as raw_value,
        case
            when not is_published then 'table failed ' || failed_checks
            else 'duplicate evaluation: the same project and indicator is stated first at ' || first_stated_at
        end as reason,
        case when not is_published then 'validation' else 'dbt' end as quarantined_by
    from {{ for_changed_documents(ref('int_performance_evaluations')) }}
    where not is_published or rank_in_grain > 1
),

performance_funding as (
    select
        document_key,
        table_seq,
        source_table,
        source_row,
        line_number,
        source_page,
        source_locator,
        flow || ' / ' || period as column_label,
        raw_value,
        'table failed ' || failed_checks as reason,
        'validation' as quarantined_by
    from {{ for_changed_documents(ref('int_performance_funding')) }}
    where not is_published
)

select * from extraction_quarantine
union all
select * from failed_table_cells
union all
select * from performance_targets
union all
select * from performance_evaluations
union all
select * from performance_funding
