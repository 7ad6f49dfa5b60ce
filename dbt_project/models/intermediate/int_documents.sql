-- One row per source document with its department key: the department is the one the document names,
-- spelt one way (normalised_name), so the same department gets the same key in every document and year.
with documents as (
    select * from {{ ref('stg_raw__documents') }}
),

named as (
    select
        *,
        {{ normalised_name('department_name') }} as normalised_department_name
    from documents
)

select
    document_key,
    source_name,
    sha256,
    document_status,
    document_error,
    doc_type,
    phase,
    fiscal_year,
    normalised_department_name as department_name,
    {{ department_key('department_name') }} as department_key,
    department_code,
    department_scope,
    province,
    prefecture,
    county,
    admin_level,
    division_code,
    title,
    publisher,
    source_url,
    retrieval_date
from named
