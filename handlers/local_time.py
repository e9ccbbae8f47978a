"""Times as people here read them: local time, day first (05/12/2026 08:00)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_time(value: dt.datetime | None, zone: ZoneInfo) -> str:
    """A stored UTC time in `zone`, "—" when there is none."""
    if not value:
        return "—"
    if value.tzinfo is None:  # SQLite may hand back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone).strftime("%d/%m/%Y %H:%M")
