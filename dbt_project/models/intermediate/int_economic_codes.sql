-- The economic codes the warehouse uses, with their 类 (3-digit ancestors), one row per scheme and code.
-- Name, level and parent from the reference row of the scheme valid in the newest fiscal year that uses
-- the code; otherwise the printed name, the level from the length (3/5 digits = 1/2) and the prefix.
with used as (
    select
        scheme, economic_code, fiscal_year, printed_economic_code, printed_economic_name,
        document_key, table_seq, row_seq, col_seq
    from {{ ref('int_published_cells') }}
    where economic_code is not null
),

reference as (
    select * from {{ ref('stg_reference__economic_codes') }}
),

used_years as (
    select distinct scheme, economic_code, fiscal_year from used
),

with_ancestors as (
    select scheme, economic_code, fiscal_year from used_years
    union
    select scheme, left(economic_code, 3), fiscal_year from used_years where length(economic_code) = 5
),

candidates as (
    select
        with_ancestors.scheme,
        with_ancestors.economic_code,
        reference.economic_name,
        reference.level,
        reference.parent_code,
        'reference' as name_source,
        1 as source_rank,
        with_ancestors.fiscal_year,
        '' as document_key, 0 as table_seq, 0 as row_seq, 0 as col_seq
    from with_ancestors
    inner join reference
        on reference.economic_code = with_ancestors.economic_code
        and reference.scheme is not distinct from with_ancestors.scheme
        and {{ valid_in_year('reference', 'with_ancestors.fiscal_year') }}
    union all
    select
        scheme,
        economic_code,
        printed_economic_name,
        case length(economic_code) when 3 then 1 when 5 then 2 end,
        case length(economic_code) when 5 then left(economic_code, 3) end,
        'printed',
        2,
        fiscal_year,
        document_key, table_seq, row_seq, col_seq
    from used
    where printed_economic_code = economic_code
)

select
    economic_code,
    scheme,
    economic_name,
    level,
    parent_code,
    name_source
from candidates
qualify row_number() over (
    partition by scheme, economic_code
    order by source_rank, fiscal_year desc nulls last, document_key, table_seq, row_seq, col_seq
) = 1
