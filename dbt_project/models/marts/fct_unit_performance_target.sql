-- Extension: department-wide targets of a subordinate unit printed in the department's document (a
-- second department-wide block, see int_performance_blocks); one fact per document, unit block,
-- indicator and period. The document's own department-wide targets are in fct_performance_target.
{{ incremental_by_document() }}
select
    {{ performance_target_columns() }},
    cast(unit_name as varchar) as unit_name
from {{ for_changed_documents(ref('int_performance_targets')) }}
where is_published and rank_in_grain = 1 and is_other_unit
