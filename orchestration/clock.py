"""The one clock: "now" in Beijing time (UTC+08:00), whatever the host's time zone.

A release's version is a date and its `created` is a time; read from two clocks (the host's local
date, UTC for the time) they disagreed — under TZ=Pacific/Kiritimati a release was named 2026.12.01
while `created` said 2026-11-30. Both now come from one reading of this clock, in the publishers' own
time zone (the documents, the fiscal calendar and the daily 06:00 schedule are all Beijing time).
China has kept UTC+08:00 without daylight saving since 1991, so a fixed offset is exact and needs no
time-zone database on the host.
"""

from __future__ import annotations

import datetime

BEIJING = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")


def now() -> datetime.datetime:
    """The current time, aware, in Beijing time; independent of the TZ variable and the host's zone."""
    return datetime.datetime.now(datetime.UTC).astimezone(BEIJING)


def timestamp(moment: datetime.datetime) -> str:
    """ISO 8601 to the second with its offset: `2026-12-01T06:00:02+08:00`."""
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")
