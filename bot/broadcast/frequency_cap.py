"""How many campaign messages one recipient may get per local day and week, and when a held one may go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Windows:
    """The current day and week in local time, as aware UTC bounds."""

    day_start: dt.datetime
    week_start: dt.datetime
    next_day: dt.datetime
    next_week: dt.datetime


@dataclass(frozen=True)
class FrequencyCap:
    """`per_day` / `per_week` campaign messages per recipient (0: no limit). Days and weeks are calendar ones
    in local time (weeks start on Monday), as staff count them: "at most two a day" resets at midnight."""

    per_day: int = 2
    per_week: int = 5
    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def active(self) -> bool:
        return self.per_day > 0 or self.per_week > 0

    def windows(self, now: dt.datetime) -> Windows:
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        midnight = dt.datetime.combine(local.date(), dt.time(), zone)
        monday = midnight - dt.timedelta(days=local.weekday())
        # Adding days to a local midnight and converting back keeps midnight even across an offset change.
        return Windows(
            midnight.astimezone(dt.UTC),
            monday.astimezone(dt.UTC),
            (midnight + dt.timedelta(days=1)).astimezone(dt.UTC),
            (monday + dt.timedelta(days=7)).astimezone(dt.UTC),
        )

    def hold_until(self, today: int, this_week: int, windows: Windows) -> dt.datetime | None:
        """When a message to someone who already had `today` / `this_week` may go; None: it may go now."""
        if self.per_week and this_week >= self.per_week:
            return windows.next_week
        if self.per_day and today >= self.per_day:
            return windows.next_day
        return None
