-- Every economic code a published cell uses, with its 类; names from the reference of its scheme, or
-- as printed when the reference does not know it (name_source).
select
    cast(economic_code as varchar) as economic_code,
    cast(scheme as varchar) as scheme,
    cast(economic_name as varchar) as economic_name,
    cast(level as integer) as level,
    cast(parent_code as varchar) as parent_code,
    cast(name_source as varchar) as name_source
from {{ ref('int_economic_codes') }}
