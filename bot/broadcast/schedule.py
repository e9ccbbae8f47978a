"""When campaigns fire: local times to UTC, cron occurrences (APScheduler's CronTrigger), quiet hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

UTC = dt.UTC
# "every Monday 08:00" and friends, for staff who do not write cron.
_DAYS = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "thu 2": "mon",
    "thu 3": "tue",
    "thu 4": "wed",
    "thu 5": "thu",
    "thu 6": "fri",
    "thu 7": "sat",
    "chu nhat": "sun",
}


class ScheduleError(ValueError):
    """A time or recurrence that cannot be read."""


def parse_local(text: str, timezone: str) -> dt.datetime:
    """ "YYYY-MM-DD HH:MM" in local time → aware UTC."""
    try:
        local = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise ScheduleError(f"cannot read {text!r}: use YYYY-MM-DD HH:MM (local time)") from exc
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A 5-field crontab ("0 8 * * mon") or "every monday 08:00" / "every day 08:00"."""
    text = " ".join(expression.lower().split())
    if text.startswith("every "):
        words = text[len("every ") :].rsplit(" ", 1)
        if len(words) == 2 and ":" in words[1]:
            hour, _, minute = words[1].partition(":")
            day = "*" if words[0] in ("day", "ngay") else _DAYS.get(words[0])
            if day is not None and hour.isdigit() and minute.isdigit():
                text = f"{int(minute)} {int(hour)} * * {day}"
    try:
        return CronTrigger.from_crontab(text, timezone=ZoneInfo(timezone))
    except ValueError as exc:
        raise ScheduleError(
            f"cannot read the recurrence {expression!r}: use a crontab such as '0 8 * * mon' or 'every monday 08:00'"
        ) from exc


def next_fire(expression: str, timezone: str, after: dt.datetime) -> dt.datetime | None:
    """The first occurrence strictly after `after` (aware UTC in, aware UTC out)."""
    trigger = cron_trigger(expression, timezone)
    fire = trigger.get_next_fire_time(None, after + dt.timedelta(seconds=1))
    return fire.astimezone(UTC) if fire else None


def parse_hhmm(text: str) -> dt.time:
    hour, _, minute = text.partition(":")
    return dt.time(int(hour), int(minute or 0))


def in_quiet_hours(now: dt.datetime, timezone: str, start: str, end: str) -> bool:
    """True when local `now` lies in [start, end), a window that may cross midnight (21:00–07:00)."""
    if not start or not end or start == end:
        return False
    local = now.astimezone(ZoneInfo(timezone)).time()
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish
