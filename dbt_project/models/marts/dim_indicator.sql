-- One row per performance indicator (indicator_key = md5 of the three normalised level names).
select
    cast(indicator_key as varchar) as indicator_key,
    cast(level1_name as varchar) as level1_name,
    cast(level2_name as varchar) as level2_name,
    cast(level3_name as varchar) as level3_name
from {{ ref('int_indicators') }}
