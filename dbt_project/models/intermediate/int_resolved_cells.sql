-- Every cell with its codes resolved for the document's fiscal year: what the warehouse will publish
-- as the cell's function / economic code. Independent of validation, so reconciliation can compare
-- cells by the codes they will be published under (a truncated 201320 is 2013204 here).
-- code_origin says where a published code comes from: `printed`, `inferred` (by the extraction, from
-- the name and its parent, when the source omits or truncates it) or `repaired` (a printed code not in
-- force that year, replaced by the code its printed name names). code_inferred: the code is not as printed.
{{ incremental_by_document() }}
with cells as (
    select * from {{ for_changed_documents(ref('int_cells')) }}
),

function_codes as (
    select * from {{ ref('int_function_code_resolution') }}
),

economic_codes as (
    select * from {{ ref('int_economic_code_resolution') }}
),

resolved as (
    select
        cells.*,
        function_codes.function_code,
        function_codes.resolution as function_code_resolution,
        economic_codes.economic_code,
        economic_codes.resolution as economic_code_resolution
    from cells
    left join function_codes
        on function_codes.printed_code = cells.printed_function_code
        and function_codes.printed_name is not distinct from cells.printed_function_name
        and function_codes.fiscal_year is not distinct from cells.fiscal_year
    left join economic_codes
        on economic_codes.printed_code = cells.printed_economic_code
        and economic_codes.printed_name is not distinct from cells.printed_economic_name
        and economic_codes.scheme is not distinct from cells.scheme
        and economic_codes.fiscal_year is not distinct from cells.fiscal_year
)

select
    *,
    case
        when function_code is null and economic_code is null then null
        when coalesce(function_code_resolution = 'repaired' or economic_code_resolution = 'repaired', false)
            then 'repaired'
        when code_inferred_by_extraction then 'inferred'
        else 'printed'
    end as code_origin,
    case
        when function_code is null and economic_code is null then null
        else code_inferred_by_extraction
            or coalesce(function_code_resolution = 'repaired' or economic_code_resolution = 'repaired', false)
    end as code_inferred
from resolved
