-- Performance targets: one fact per document, project (NULL department-wide), indicator and period.
select
    {{ performance_target_columns() }}
from {{ ref('int_performance_targets') }}
where is_published and rank_in_grain = 1 and not is_other_unit
