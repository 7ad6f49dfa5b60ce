-- Printed variants of classification names (shortened, renamed, other bracket width) and the code
-- each stands for: renamed and cast. An alias applies in the years its code is in force.
select
    cast(kind as varchar) as classification,
    cast(nullif(scheme, '') as varchar) as scheme,
    cast(alias as varchar) as alias_name,
    cast(code as varchar) as code,
    cast(note as varchar) as note
from {{ ref('ref_code_aliases') }}
