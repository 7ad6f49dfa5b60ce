"""Performance targets (绩效目标表) and self-evaluations (绩效自评表) read into indicator facts.

`extract_performance(grid, document_key, budget_projects)` is the one entry point; the matcher
`match_projects(targets, budget_projects)` links target tables to the department's project list.
"""

from .extract import PerformanceExtraction, extract_performance
from .indicator_values import IndicatorValue, parse_indicator_value
from .matching import TargetProject, match_projects

__all__ = [
    "IndicatorValue",
    "PerformanceExtraction",
    "TargetProject",
    "extract_performance",
    "match_projects",
    "parse_indicator_value",
]
