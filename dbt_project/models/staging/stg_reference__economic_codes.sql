-- 支出经济分类科目 (economic classification) reference, both schemes, one row per code and validity window.
select
    cast(scheme as varchar) as scheme,
    cast(economic_code as varchar) as economic_code,
    cast(economic_name as varchar) as economic_name,
    cast(level as integer) as level,
    cast(parent_code as varchar) as parent_code,
    cast(valid_from as integer) as valid_from,
    cast(valid_to as integer) as valid_to,
    cast(source as varchar) as reference_source
from {{ ref('ref_economic_codes') }}
