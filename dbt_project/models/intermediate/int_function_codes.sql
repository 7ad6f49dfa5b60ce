-- The function codes the warehouse uses, with their ancestors (类 and 款 of each 项), one row per code.
-- Name, level and parent come from the reference row valid in the newest fiscal year that uses the
-- code; a code the reference does not know takes the name printed in the source (the first cell that
-- prints it), its level from its length (3/5/7 digits = 1/2/3) and its parent from its prefix.
with used as (
    select
        function_code, fiscal_year, printed_function_code, printed_function_name,
        document_key, table_seq, row_seq, col_seq
    from {{ ref('int_published_cells') }}
    where function_code is not null
),

reference as (
    select * from {{ ref('stg_reference__function_codes') }}
),

used_years as (
    select distinct function_code, fiscal_year from used
),

with_ancestors as (
    select function_code, fiscal_year from used_years
    union
    select left(function_code, 5), fiscal_year from used_years where length(function_code) = 7
    union
    select left(function_code, 3), fiscal_year from used_years where length(function_code) in (5, 7)
),

candidates as (
    select
        with_ancestors.function_code,
        reference.function_name,
        reference.level,
        reference.parent_code,
        'reference' as name_source,
        1 as source_rank,
        with_ancestors.fiscal_year,
        '' as document_key, 0 as table_seq, 0 as row_seq, 0 as col_seq
    from with_ancestors
    inner join reference
        on reference.function_code = with_ancestors.function_code
        and {{ valid_in_year('reference', 'with_ancestors.fiscal_year') }}
    union all
    select
        function_code,
        printed_function_name,
        case length(function_code) when 3 then 1 when 5 then 2 when 7 then 3 end,
        case length(function_code) when 5 then left(function_code, 3) when 7 then left(function_code, 5) end,
        'printed',
        2,
        fiscal_year,
        document_key, table_seq, row_seq, col_seq
    from used
    -- a repaired code is named by the reference above, never by the alias's printed name
    where printed_function_code = function_code
)

select
    function_code,
    function_name,
    level,
    parent_code,
    name_source
from candidates
qualify row_number() over (
    partition by function_code
    order by source_rank, fiscal_year desc nulls last, document_key, table_seq, row_seq, col_seq
) = 1
