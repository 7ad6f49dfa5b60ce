-- Every data-quality finding: the extraction's, reconciliation's and code resolution's (int_dq_issues).
{{ incremental_by_document() }}
select
    cast(document_key as varchar) as document_key,
    cast(check_name as varchar) as check_name,
    cast(severity as varchar) as severity,
    cast(source_table as varchar) as source_table,
    cast(detail as varchar) as detail,
    cast(table_seq as integer) as table_seq,
    cast(reported_by as varchar) as reported_by,
    {{ source_place() }}
from {{ for_changed_documents(ref('int_dq_issues')) }}
