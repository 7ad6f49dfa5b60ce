-- How each economic code printed (or inferred by the extraction) in a table resolves against
-- its scheme's classification in force in the document's fiscal year; one row per (fiscal_year, scheme,
-- printed code, printed name). Same rules as int_function_code_resolution: `reference` (in force, as is),
-- `repaired` (the printed name is the official name, or else an alias, of exactly one code of the same
-- 类 in force that year, e.g. a truncated `3010 基本工资` -> 30101) or `unknown` (kept, warned).
with usages as (
    select distinct
        fiscal_year,
        scheme,
        printed_economic_code as printed_code,
        printed_economic_name as printed_name
    from {{ ref('int_cells') }}
    where printed_economic_code is not null
),

reference as (
    select *, {{ comparison_name('economic_name') }} as name_key
    from {{ ref('stg_reference__economic_codes') }}
),

aliases as (
    select *, {{ comparison_name('alias_name') }} as name_key
    from {{ ref('stg_reference__code_aliases') }}
    where classification = 'economic'
),

keyed as (
    select *, {{ comparison_name('printed_name') }} as name_key
    from usages
),

in_force as (
    select distinct keyed.fiscal_year, keyed.scheme, keyed.printed_code
    from keyed
    inner join reference
        on reference.economic_code = keyed.printed_code
        and reference.scheme = keyed.scheme
        and {{ valid_in_year('reference', 'keyed.fiscal_year') }}
),

by_official_name as (
    select
        keyed.fiscal_year, keyed.scheme, keyed.printed_code, keyed.printed_name,
        count(distinct reference.economic_code) as candidates,
        min(reference.economic_code) as code
    from keyed
    inner join reference
        on reference.name_key = keyed.name_key
        and reference.scheme = keyed.scheme
        and left(reference.economic_code, 3) = left(keyed.printed_code, 3)
        and {{ valid_in_year('reference', 'keyed.fiscal_year') }}
    group by all
),

by_alias as (
    select
        keyed.fiscal_year, keyed.scheme, keyed.printed_code, keyed.printed_name,
        count(distinct aliases.code) as candidates,
        min(aliases.code) as code
    from keyed
    inner join aliases
        on aliases.name_key = keyed.name_key
        and aliases.scheme = keyed.scheme
        and left(aliases.code, 3) = left(keyed.printed_code, 3)
    inner join reference
        on reference.economic_code = aliases.code
        and reference.scheme = keyed.scheme
        and {{ valid_in_year('reference', 'keyed.fiscal_year') }}
    group by all
),

resolved as (
    select
        keyed.fiscal_year,
        keyed.scheme,
        keyed.printed_code,
        keyed.printed_name,
        in_force.printed_code is not null as printed_code_in_force,
        case
            when by_official_name.candidates = 1 then by_official_name.code
            when by_official_name.candidates is null and by_alias.candidates = 1 then by_alias.code
        end as repaired_code
    from keyed
    left join in_force
        on in_force.fiscal_year is not distinct from keyed.fiscal_year
        and in_force.scheme is not distinct from keyed.scheme
        and in_force.printed_code = keyed.printed_code
    left join by_official_name
        on by_official_name.fiscal_year is not distinct from keyed.fiscal_year
        and by_official_name.scheme is not distinct from keyed.scheme
        and by_official_name.printed_code = keyed.printed_code
        and by_official_name.printed_name is not distinct from keyed.printed_name
    left join by_alias
        on by_alias.fiscal_year is not distinct from keyed.fiscal_year
        and by_alias.scheme is not distinct from keyed.scheme
        and by_alias.printed_code = keyed.printed_code
        and by_alias.printed_name is not distinct from keyed.printed_name
)

select
    fiscal_year,
    scheme,
    printed_code,
    printed_name,
    case
        when printed_code_in_force then printed_code
        when repaired_code is not null then repaired_code
        else printed_code
    end as economic_code,
    case
        when printed_code_in_force then 'reference'
        when repaired_code is not null then 'repaired'
        else 'unknown'
    end as resolution
from resolved
