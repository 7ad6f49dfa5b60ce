-- One row per source document, read or not (an unreadable one has its status and error, and no year).
select
    cast(document_key as varchar) as document_key,
    cast(source_name as varchar) as source_name,
    cast(sha256 as varchar) as sha256,
    cast(doc_type as varchar) as doc_type,
    cast(department_key as varchar) as department_key,
    cast(fiscal_year as integer) as fiscal_year,
    cast(phase as varchar) as phase,
    cast(department_scope as varchar) as department_scope,
    cast(title as varchar) as title,
    cast(publisher as varchar) as publisher,
    cast(source_url as varchar) as source_url,
    cast(retrieval_date as varchar) as retrieval_date,
    cast(document_status as varchar) as document_status,
    cast(document_error as varchar) as document_error
from {{ ref('int_documents') }}
