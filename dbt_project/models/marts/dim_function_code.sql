-- Every function code a published cell uses, with its ancestors; names from the reference of the
-- newest year that uses the code, or as printed when the reference does not know it (name_source).
select
    cast(function_code as varchar) as function_code,
    cast(function_name as varchar) as function_name,
    cast(level as integer) as level,
    cast(parent_code as varchar) as parent_code,
    cast(name_source as varchar) as name_source
from {{ ref('int_function_codes') }}
