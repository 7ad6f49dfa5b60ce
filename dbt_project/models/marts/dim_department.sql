-- One row per department (department_key = md5 of the normalised name).
select
    cast(department_key as varchar) as department_key,
    cast(department_name as varchar) as department_name,
    cast(department_code as varchar) as department_code,
    cast(province as varchar) as province,
    cast(prefecture as varchar) as prefecture,
    cast(county as varchar) as county,
    cast(admin_level as varchar) as admin_level,
    cast(division_code as varchar) as division_code
from {{ ref('int_departments') }}
