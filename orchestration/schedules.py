"""A daily refresh, so the warehouse and releases follow the sources folder without anyone asking."""

from __future__ import annotations

import dagster as dg

from .jobs import refresh_job

# Early morning in China, after departments' daytime publishing.
daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refresh every day at 06:00 Beijing time.",
)
