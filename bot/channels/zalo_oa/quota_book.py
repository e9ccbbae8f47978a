"""The OA's promotion quota as last read from Zalo, counted down locally per send until the next read."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.channels.zalo_oa.client import OaClient, OaError, OaRefusal
from bot.channels.zalo_oa.rules import Quota
from bot.db.oa_recipients import local_month

log = logging.getLogger(__name__)


class QuotaBook:
    """One per process. Zalo is asked at most every `recheck` (and again once the local month turns, as the
    quota resets then); between reads every send taken counts down the figure, so a campaign never relies on a
    number the endpoint gave many sends ago. Several processes each count their own sends: a joint overshoot
    before the next read is refused by Zalo (-211), which `used_up` records."""

    def __init__(
        self,
        client: OaClient,
        recheck: dt.timedelta,
        zone: ZoneInfo,
        followers: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.client, self.recheck, self.zone = client, recheck, zone
        self._followers = followers
        self._lock = asyncio.Lock()  # concurrent sends share one read
        self._read_at: dt.datetime | None = None
        self.left: int | None = None  # promotions left this month; None: unknown (never sent blind)
        self.followers: int | None = None

    def _due(self, now: dt.datetime) -> bool:
        if self._read_at is None or now - self._read_at >= self.recheck:
            return True
        return local_month(self._read_at, self.zone) != local_month(now, self.zone)

    async def refresh(self, now: dt.datetime) -> None:
        """Read the quota when due. A failed read leaves it unknown until the next recheck (the rules hold sends
        that long); only a refused access token is raised, for the token keeper to act on."""
        async with self._lock:
            if not self._due(now):
                return
            self._read_at = now
            try:
                read = await self.client.quota()
            except OaError as exc:
                self.left = None
                if exc.refusal is OaRefusal.TOKEN:
                    self._read_at = None  # ask again as soon as the token is renewed
                    raise
                log.warning("zalo_oa: the quota could not be read (%s); promotions wait", exc)
                return
            # ASSUMPTION (client.quota): `remain` is what is left of the month's promotion quota.
            self.left = read.remain
            if self._followers is not None:
                self.followers = await self._followers()

    def quota(self, sent_today: int) -> Quota:
        """The rules' view: promotions left, followers, and the OA's promotion sends this local day."""
        return Quota(promotion=self.left, followers=self.followers, promotion_requests_today=sent_today)

    def take(self) -> None:
        """One send allowed: counted before any await, so two sends in one process never share the last one."""
        if self.left is not None:
            self.left -= 1

    def give_back(self) -> None:
        """A taken send that did not go out."""
        if self.left is not None:
            self.left += 1

    def used_up(self) -> None:
        """Zalo said the quota is used up (-211), whatever our count said."""
        self.left = 0
