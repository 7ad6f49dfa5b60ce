-- One row per department. Several documents may describe the same department (budget and final
-- accounts, several years); each attribute is taken from the newest document that states it, so the
-- choice is the same in every run.
with documents as (
    select * from {{ ref('int_documents') }}
    where department_key is not null
)

select
    department_key,
    min(department_name) as department_name,
    {%- for attribute in ['department_code', 'province', 'prefecture', 'county', 'admin_level', 'division_code'] %}
    first({{ attribute }} order by fiscal_year desc nulls last, document_key)
        filter (where {{ attribute }} is not null) as {{ attribute }},
    {%- endfor %}
    count(*) as documents
from documents
group by department_key
