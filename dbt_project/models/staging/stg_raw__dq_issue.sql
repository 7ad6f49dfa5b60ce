-- Data-quality findings of the extraction and its checks: renamed and cast.
select
    cast(document_key as varchar) as document_key,
    cast(check_name as varchar) as check_name,
    cast(severity as varchar) as severity,
    cast(source_table as varchar) as source_table,
    cast(table_seq as integer) as table_seq,
    cast(detail as varchar) as detail
from {{ source('raw', 'dq_issue') }}
