-- The fiscal years the documents cover.
select distinct cast(fiscal_year as integer) as fiscal_year
from {{ ref('int_documents') }}
where fiscal_year is not null
