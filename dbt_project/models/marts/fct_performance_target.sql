-- Performance targets: one fact per document, project (NULL department-wide), indicator and period.
{{ incremental_by_document() }}
select
    {{ performance_target_columns() }}
from {{ for_changed_documents(ref('int_performance_targets')) }}
where is_published and rank_in_grain = 1 and not is_other_unit
