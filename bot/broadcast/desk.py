"""The CampaignDesk port over the database, for the staff's in-chat campaign commands."""

from __future__ import annotations

from collections.abc import Callable

from bot.broadcast.audience import Audience, AudienceError
from bot.broadcast.schedule import ScheduleError, parse_local
from bot.db import campaigns
from bot.db.campaigns import CampaignError, Draft
from bot.db.database import Database
from bot.db.models import utcnow
from handlers.statuses import ScheduleKind
from handlers.views import AudienceOption, CampaignSummary
from knowledge.model import Topic


class DatabaseDesk:
    def __init__(self, db: Database, timezone: str, topics: Callable[[], list[Topic]], wake: Callable[[], None]):
        self.db, self.timezone, self.topics, self.wake = db, timezone, topics, wake

    def _draft(self, text: str, audience: str, when: str, created_by: str = "") -> Draft:
        when = when.strip()
        parsed = Audience.parse(audience)
        if when == ScheduleKind.NOW:
            return Draft(text, parsed, ScheduleKind.NOW, timezone=self.timezone, created_by=created_by)
        if when[:1].isdigit():
            return Draft(
                text,
                parsed,
                ScheduleKind.AT,
                parse_local(when, self.timezone),
                timezone=self.timezone,
                created_by=created_by,
            )
        return Draft(text, parsed, ScheduleKind.CRON, cron=when, timezone=self.timezone, created_by=created_by)

    async def audience_options(self) -> list[AudienceOption]:
        options = [("Tất cả người đăng ký", "all"), ("Chỉ Telegram", "channel:telegram"), ("Chỉ Zalo", "channel:zalo")]
        options += [(f"Chủ đề: {t.title}", f"topic:{t.id}") for t in self.topics()]
        async with self.db.session() as session:
            return [
                AudienceOption(label, expr, await campaigns.audience_size(session, expr)) for label, expr in options
            ]

    async def check(self, text: str, audience: str, when: str) -> str | None:
        try:
            campaigns.check(self._draft(text, audience, when), utcnow())
        except (CampaignError, AudienceError, ScheduleError) as exc:
            return str(exc)
        return None

    async def create(self, text: str, audience: str, when: str, created_by: str) -> int:
        try:
            async with self.db.writing() as session:
                campaign = await campaigns.create(session, self._draft(text, audience, when, created_by))
        except (CampaignError, AudienceError, ScheduleError) as exc:
            raise ValueError(str(exc)) from exc
        self.wake()
        assert campaign.id is not None  # the commit in create() assigned it
        return campaign.id

    async def listing(self) -> list[CampaignSummary]:
        async with self.db.session() as session:
            rows = await campaigns.listing(session, 10)
            return [
                CampaignSummary(c.id or 0, c.status, c.text, counts=await campaigns.counts(session, c.id or 0))
                for c in rows
            ]

    async def status(self, campaign_id: int) -> CampaignSummary | None:
        async with self.db.session() as session:
            campaign = await campaigns.get(session, campaign_id)
            if campaign is None:
                return None
            return CampaignSummary(
                campaign_id,
                campaign.status,
                campaign.text,
                Audience.from_json(campaign.audience).describe(),
                await campaigns.counts(session, campaign_id),
            )

    async def cancel(self, campaign_id: int) -> str:
        try:
            async with self.db.writing() as session:
                dropped = await campaigns.cancel(session, campaign_id)
        except CampaignError as exc:
            return str(exc)
        return f"cancelled; {dropped} pending deliveries dropped"

    async def resend_unknowns(self, campaign_id: int) -> int:
        async with self.db.writing() as session:
            moved = await campaigns.resend_unknowns(session, campaign_id)
        self.wake()
        return moved
