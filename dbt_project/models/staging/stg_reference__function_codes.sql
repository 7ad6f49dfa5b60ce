-- 支出功能分类科目 (function classification) reference, one row per code and validity window: cast only.
select
    cast(function_code as varchar) as function_code,
    cast(function_name as varchar) as function_name,
    cast(level as integer) as level,
    cast(parent_code as varchar) as parent_code,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    cast(source as varchar) as reference_source
from {{ ref('ref_function_codes') }}
