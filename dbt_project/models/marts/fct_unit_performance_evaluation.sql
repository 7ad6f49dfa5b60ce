-- Extension: whole-unit self-evaluations of a subordinate unit printed in the department's document
-- (003 evaluates 中共朝阳市委组织部 and 朝阳市组织工作服务中心); one fact per document, unit block and
-- indicator. The document's own department-wide evaluation is in fct_performance_evaluation.
{{ incremental_by_document() }}
select
    {{ performance_evaluation_columns() }},
    cast(unit_name as varchar) as unit_name
from {{ for_changed_documents(ref('int_performance_evaluations')) }}
where is_published and rank_in_grain = 1 and is_other_unit
