-- The performance indicators published targets and evaluations use, one row per indicator_key
-- (md5 of the three normalised level names; the names shown are those normalised names).
with used as (
    select level1_name, level2_name, level3_name
    from {{ ref('int_performance_targets') }}
    where is_published and rank_in_grain = 1
    union all
    select level1_name, level2_name, level3_name
    from {{ ref('int_performance_evaluations') }}
    where is_published and rank_in_grain = 1
)

select distinct
    {{ indicator_key('level1_name', 'level2_name', 'level3_name') }} as indicator_key,
    {{ normalised_name('level1_name') }} as level1_name,
    {{ normalised_name('level2_name') }} as level2_name,
    {{ normalised_name('level3_name') }} as level3_name
from used
