"""Queries on `oa_recipient`: each Zalo OA user's standing with Zalo's rules (follows, last interaction, counts)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.channels.zalo_oa.rules import Recipient
from bot.db.models import OaRecipient


def local_day(now: dt.datetime, zone: ZoneInfo) -> str:
    """The rules' local day, as stored in `promotion_day` (YYYY-MM-DD)."""
    return now.astimezone(zone).strftime("%Y-%m-%d")


def local_month(now: dt.datetime, zone: ZoneInfo) -> str:
    """The rules' local month, as stored in `promotion_month` (YYYY-MM)."""
    return now.astimezone(zone).strftime("%Y-%m")


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive values of what was stored as UTC.
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def as_recipient(row: OaRecipient | None, zone: ZoneInfo, now: dt.datetime) -> Recipient:
    """The rules' view of one row; counts of an earlier day or month read as zero (they reset at midnight)."""
    if row is None:
        return Recipient(follows=False)
    return Recipient(
        follows=row.follows,
        last_interaction=_aware(row.last_interaction),
        promotions_today=row.promotions_today if row.promotion_day == local_day(now, zone) else 0,
        promotions_this_month=row.promotions_this_month if row.promotion_month == local_month(now, zone) else 0,
        replies_since_interaction=row.replies_since_interaction,
    )
