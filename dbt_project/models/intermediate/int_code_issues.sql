-- Codes of cells (of every table, published or held back) that the reference does not know for the
-- document's fiscal year (kept as printed: `warning`) or that were repaired from their printed name
-- (`info`). One row per document and code, pointing at the first cell that prints it so the reader can
-- find it in the source (and its printed place: source_page, source_locator).
{{ incremental_by_document() }}
with cells as (
    select * from {{ for_changed_documents(ref('int_resolved_cells')) }}
),

code_usages as (
    select
        document_key, fiscal_year, table_seq, row_seq, col_seq, source_table, source_row, column_label,
        source_page, source_locator,
        'function' as classification,
        '支出功能分类科目' as classification_name,
        printed_function_code as printed_code,
        printed_function_name as printed_name,
        function_code as published_code,
        function_code_resolution as resolution
    from cells
    where function_code_resolution in ('unknown', 'repaired')
    union all
    select
        document_key, fiscal_year, table_seq, row_seq, col_seq, source_table, source_row, column_label,
        source_page, source_locator,
        'economic' as classification,
        coalesce(scheme, '') || ' scheme 支出经济分类科目' as classification_name,
        printed_economic_code as printed_code,
        printed_economic_name as printed_name,
        economic_code as published_code,
        economic_code_resolution as resolution
    from cells
    where economic_code_resolution in ('unknown', 'repaired')
),

per_document_code as (
    select
        document_key,
        classification,
        resolution,
        printed_code,
        published_code,
        any_value(fiscal_year) as fiscal_year,
        any_value(classification_name) as classification_name,
        count(*) as cells,
        arg_min(printed_name, [table_seq, row_seq, col_seq]) as printed_name,
        arg_min(table_seq, [table_seq, row_seq, col_seq]) as table_seq,
        arg_min(source_table, [table_seq, row_seq, col_seq]) as source_table,
        arg_min(source_row, [table_seq, row_seq, col_seq]) as source_row,
        arg_min(column_label, [table_seq, row_seq, col_seq]) as column_label,
        arg_min(source_page, [table_seq, row_seq, col_seq]) as source_page,
        arg_min(source_locator, [table_seq, row_seq, col_seq]) as source_locator
    from code_usages
    group by document_key, classification, resolution, printed_code, published_code
)

select
    document_key,
    case resolution
        when 'unknown' then 'unknown_' || classification || '_code'
        else 'repaired_' || classification || '_code'
    end as check_name,
    case resolution when 'unknown' then 'warning' else 'info' end as severity,
    source_table,
    table_seq,
    case resolution
        when 'unknown' then format(
            'expected a {} code valid in {}; found {} ({}), not in the reference: kept as printed ({} cell(s)); first at row "{}", column "{}"',
            classification_name, coalesce(cast(fiscal_year as varchar), 'an unknown year'), printed_code,
            coalesce(printed_name, 'no name printed'), cells, source_row, column_label
        )
        else format(
            'printed {} code {} ({}) is not in force in {}; its name names {} that year, published as {} ({} cell(s)); first at row "{}", column "{}"',
            classification_name, printed_code, coalesce(printed_name, 'no name printed'),
            cast(fiscal_year as varchar), published_code, published_code, cells, source_row, column_label
        )
    end as detail,
    source_page,
    source_locator
from per_document_code
