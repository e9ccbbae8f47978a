"""The daily housekeeping job: the dashboard's daily rollups, retention (old personal data removed) and requests
to staff left idle closed."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.db import handoffs, oa_events, question_log, retention
from bot.db.database import Database
from bot.db.models import utcnow
from handlers.views import RetentionPolicy

log = logging.getLogger(__name__)
RETENTION_EVERY = 24 * 3600.0  # seconds between runs
FIRST_RUN_AFTER = 60.0  # seconds after start-up: not in the way of a restart's first answers


async def run_once(
    db: Database, policy: RetentionPolicy, handoff_idle_hours: float, timezone: str = "Asia/Ho_Chi_Minh"
) -> dict[str, int]:
    """One pass; returns rows touched per kind (logged, and printed by `python -m bot privacy purge`)."""
    now = utcnow()
    # Before retention: the raw log's last days become daily rows, which outlive it.
    async with db.writing() as session:
        rolled = await question_log.roll_up(session, now, ZoneInfo(timezone))
    async with db.writing() as session:
        idle = await handoffs.close_idle(session, now - dt.timedelta(hours=handoff_idle_hours))
    async with db.writing() as session:
        done = await retention.purge(session, policy, now)
    async with db.writing() as session:  # the Zalo OA webhook's replay guard: names nobody, only grows
        done["oa events"] = await oa_events.purge(session, now - oa_events.KEPT)
    done["idle requests closed"] = len(idle)
    done["questions rolled up"] = rolled
    return done


async def run_forever(
    db: Database,
    policy: RetentionPolicy,
    handoff_idle_hours: float,
    reminders: Callable[[], list[str]] = list,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> None:
    """Every day: the pass above, and the admins' reminders (unset contacts, entries due for review) again."""
    await asyncio.sleep(FIRST_RUN_AFTER)
    while True:
        for reminder in reminders():
            log.warning("%s", reminder)
        try:
            done = await run_once(db, policy, handoff_idle_hours, timezone)
            log.info("housekeeping: %s", ", ".join(f"{k}: {v}" for k, v in sorted(done.items())))
        except Exception:
            log.exception("housekeeping failed; next try in a day")
        await asyncio.sleep(RETENTION_EVERY)
