-- How each function code printed (or inferred by the extraction) in a table resolves against
-- the classification in force in the document's fiscal year. One row per (fiscal_year, printed code,
-- printed name):
--   reference  the code is in force that year: published as is;
--   repaired   it is not, but the printed name is, in that year, the official name (or else a curated
--              alias, ref_code_aliases) of exactly one code of the same 类: published as that code, and
--              the fact records code_inferred (e.g. a truncated `20805` for 2080505 named 机关事业单位...);
--   unknown    neither: the code is KEPT as printed and reported as a warning in dq_issue.
-- Names are compared in their comparison form (comparison_name), exactly, as the extraction does.
with usages as (
    select distinct
        fiscal_year,
        printed_function_code as printed_code,
        printed_function_name as printed_name
    from {{ ref('int_cells') }}
    where printed_function_code is not null
),

reference as (
    select *, {{ comparison_name('function_name') }} as name_key
    from {{ ref('stg_reference__function_codes') }}
),

aliases as (
    select *, {{ comparison_name('alias_name') }} as name_key
    from {{ ref('stg_reference__code_aliases') }}
    where classification = 'function'
),

keyed as (
    select *, {{ comparison_name('printed_name') }} as name_key
    from usages
),

in_force as (
    select distinct keyed.fiscal_year, keyed.printed_code
    from keyed
    inner join reference
        on reference.function_code = keyed.printed_code
        and {{ valid_in_year('reference', 'keyed.fiscal_year') }}
),

by_official_name as (
    select
        keyed.fiscal_year, keyed.printed_code, keyed.printed_name,
        count(distinct reference.function_code) as candidates,
        min(reference.function_code) as code
    from keyed
    inner join reference
        on reference.name_key = keyed.name_key
        and left(reference.function_code, 3) = left(keyed.printed_code, 3)
        and {{ valid_in_year('reference', 'keyed.fiscal_year') }}
    group by all
),

by_alias as (
    select
        keyed.fiscal_year, keyed.printed_code, keyed.printed_name,
        count(distinct aliases.code) as candidates,
        min(aliases.code) as code
    from keyed
    inner join aliases
        on aliases.name_key = keyed.name_key
        and left(aliases.code, 3) = left(keyed.printed_code, 3)
    inner join reference
        on reference.function_code = aliases.code
        and {{ valid_in_year('reference', 'keyed.fiscal_year') }}
    group by all
),

resolved as (
    select
        keyed.fiscal_year,
        keyed.printed_code,
        keyed.printed_name,
        in_force.printed_code is not null as printed_code_in_force,
        -- official names first; aliases only when no official name matches (as the extraction)
        case
            when by_official_name.candidates = 1 then by_official_name.code
            when by_official_name.candidates is null and by_alias.candidates = 1 then by_alias.code
        end as repaired_code
    from keyed
    left join in_force
        on in_force.fiscal_year is not distinct from keyed.fiscal_year
        and in_force.printed_code = keyed.printed_code
    left join by_official_name
        on by_official_name.fiscal_year is not distinct from keyed.fiscal_year
        and by_official_name.printed_code = keyed.printed_code
        and by_official_name.printed_name is not distinct from keyed.printed_name
    left join by_alias
        on by_alias.fiscal_year is not distinct from keyed.fiscal_year
        and by_alias.printed_code = keyed.printed_code
        and by_alias.printed_name is not distinct from keyed.printed_name
)

select
    fiscal_year,
    printed_code,
    printed_name,
    case
        when printed_code_in_force then printed_code
        when repaired_code is not null then repaired_code
        else printed_code
    end as function_code,
    case
        when printed_code_in_force then 'reference'
        when repaired_code is not null then 'repaired'
        else 'unknown'
    end as resolution
from resolved
