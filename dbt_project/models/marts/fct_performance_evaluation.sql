-- Self-evaluations: one fact per document, project (NULL department-wide) and indicator; a 年度主要任务
-- line is a row of kind `task` whose indicator is the task, with its planned and executed amounts.
{{ incremental_by_document() }}
select
    {{ performance_evaluation_columns() }}
from {{ for_changed_documents(ref('int_performance_evaluations')) }}
where is_published and rank_in_grain = 1 and not is_other_unit
