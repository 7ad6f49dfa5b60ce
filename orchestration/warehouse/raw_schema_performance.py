"""Raw tables for performance targets (绩效目标表) and self-evaluations (绩效自评表).

Filled in by the performance extraction; see raw_schema.py for the conventions.
"""

from __future__ import annotations

PERFORMANCE_TABLES: dict[str, str] = {}
