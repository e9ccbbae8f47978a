"""The CampaignDesk port over the database, for the staff's in-chat campaign commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcast.audience import Audience, AudienceError
from bot.broadcast.message import campaign_reply, too_long
from bot.broadcast.schedule import ScheduleError, in_quiet_hours, parse_hhmm
from bot.broadcast.when_words import When, describe_when, read_when
from bot.db import campaign_report, campaigns
from bot.db.campaigns import CampaignError, Draft
from bot.db.database import Database
from bot.db.models import Campaign, utcnow
from handlers.statuses import ScheduleKind
from handlers.types import Attachment, Reply
from handlers.views import AudienceOption, CampaignDraft, CampaignPlan, CampaignSummary
from knowledge.communes import CommuneList
from knowledge.model import Topic


def schedule_key(when: When) -> str:
    """A resolved schedule as text a draft can keep: "8h sáng mai" must not move if confirmed after midnight."""
    if when.kind is ScheduleKind.AT and when.run_at is not None:
        return f"at:{when.run_at.isoformat()}"
    if when.kind is ScheduleKind.CRON:
        return f"cron:{when.cron}"
    return "now"


def campaign_when(campaign: Campaign, timezone: str) -> str:
    """When a stored campaign goes (or went, or next goes), in words; the chat and the CLI show this."""
    if campaign.schedule == ScheduleKind.CRON:
        return describe_when(When(ScheduleKind.CRON, cron=campaign.cron), timezone)
    moment = campaign.next_run_at or campaign.run_at
    return describe_when(When(ScheduleKind.AT, run_at=moment), timezone) if moment else ""


class DatabaseDesk:
    def __init__(
        self,
        db: Database,
        timezone: str,
        topics: Callable[[], list[Topic]],
        wake: Callable[[], None],
        quiet: tuple[str, str] = ("", ""),
        clock: Callable[[], dt.datetime] = utcnow,
        communes: CommuneList | None = None,
    ):
        self.db, self.timezone, self.topics, self.wake = db, timezone, topics, wake
        self.quiet, self.clock = quiet, clock
        # The province's communes, loaded once by the wiring (campaigns.py reads the file when it is not given).
        self.communes = communes

    def _titles(self) -> dict[str, str]:
        return {t.id: t.title for t in self.topics()}

    async def _checked(self, session: AsyncSession, expression: str) -> tuple[Audience, int]:
        return await campaigns.checked_audience(session, expression, self._titles(), self.communes)

    def resolve(self, typed: str) -> When:
        """The draft's time: a resolved key from `schedule_key`, or what staff typed (ScheduleError)."""
        kind, _, value = typed.strip().partition(":")
        if typed.strip() == "now":
            return When(ScheduleKind.NOW)
        if kind == "at" and value[:4].isdigit():
            return When(ScheduleKind.AT, run_at=dt.datetime.fromisoformat(value))
        if kind == "cron" and value:
            return When(ScheduleKind.CRON, cron=value)
        return read_when(typed, self.clock(), self.timezone)

    def _draft(self, draft: CampaignDraft, audience: Audience, when: When, created_by: str = "") -> Draft:
        return Draft(
            draft.text,
            audience,
            when.kind,
            when.run_at,
            when.cron,
            timezone=self.timezone,
            created_by=created_by,
            image_url=draft.image.strip(),
        )

    async def audience_options(self) -> list[AudienceOption]:
        options = [
            ("Tất cả người đăng ký", "all"),
            ("Chỉ Telegram", "channel:telegram"),
            ("Chỉ Zalo", "channel:zalo"),
            ("Chỉ Zalo OA", "channel:zalo_oa"),
        ]
        options += [(f"Chủ đề: {t.title}", f"topic:{t.id}") for t in self.topics()]
        async with self.db.session() as session:
            return [
                AudienceOption(label, expr, await campaigns.audience_size(session, expr)) for label, expr in options
            ]

    async def check_text(self, text: str, audience: str = "") -> str | None:
        if not text.strip():
            return "nội dung đang trống"
        try:
            channels = Audience.parse(audience).channels() if audience else ("telegram",)
        except AudienceError as exc:
            return str(exc)
        return too_long(text, [], "", channels)

    async def plan(self, draft: CampaignDraft) -> CampaignPlan:
        try:
            when = self.resolve(draft.when)
            async with self.db.session() as session:
                audience, size = await campaigns.checked_audience(
                    session, draft.audience, self._titles(), self.communes
                )
            first = campaigns.check(self._draft(draft, audience, when), self.clock())
        except (CampaignError, ScheduleError) as exc:
            raise ValueError(str(exc)) from exc
        return CampaignPlan(
            audience.in_words(self._titles()),
            size,
            describe_when(when, self.timezone),
            schedule_key(when),
            self.quiet_note(first),
        )

    def quiet_note(self, first: dt.datetime) -> str:
        """When the first message really goes, if the chosen time falls in the quiet hours."""
        start, end = self.quiet
        if not in_quiet_hours(first, self.timezone, start, end):
            return ""
        zone = ZoneInfo(self.timezone)
        local = first.astimezone(zone)
        resume = dt.datetime.combine(local.date(), parse_hhmm(end), zone)
        if resume <= local:
            resume += dt.timedelta(days=1)
        return (
            f"Thời điểm này nằm trong giờ yên lặng ({start}–{end}): tin bắt đầu đi lúc "
            f"{describe_when(When(ScheduleKind.AT, run_at=resume.astimezone(dt.UTC)), self.timezone)}."
        )

    async def create(self, draft: CampaignDraft, created_by: str) -> int:
        try:
            when = self.resolve(draft.when)
            async with self.db.writing() as session:
                audience, _size = await campaigns.checked_audience(
                    session, draft.audience, self._titles(), self.communes
                )
                campaign = await campaigns.create(session, self._draft(draft, audience, when, created_by), self.clock())
        except (CampaignError, ScheduleError) as exc:
            raise ValueError(str(exc)) from exc
        self.wake()
        assert campaign.id is not None  # the commit in create() assigned it
        return campaign.id

    def sample(self, draft: CampaignDraft, channel: str, name: str) -> Reply:
        # The console renders like Zalo: plain text, no buttons under a campaign message.
        return campaign_reply(draft.text, [], draft.image.strip(), name, channel)

    async def _summary(self, session: AsyncSession, campaign: Campaign) -> CampaignSummary:
        assert campaign.id is not None  # a stored row has its primary key
        return CampaignSummary(
            campaign.id,
            campaign.status,
            campaign.text,
            Audience.from_json(campaign.audience).in_words(self._titles()),
            await campaigns.counts(session, campaign.id),
            campaign_when(campaign, self.timezone),
        )

    async def listing(self) -> list[CampaignSummary]:
        async with self.db.session() as session:
            return [await self._summary(session, c) for c in await campaigns.listing(session, 10)]

    async def status(self, campaign_id: int) -> CampaignSummary | None:
        async with self.db.session() as session:
            campaign = await campaigns.get(session, campaign_id)
            return None if campaign is None else await self._summary(session, campaign)

    async def cancel(self, campaign_id: int) -> str:
        try:
            async with self.db.writing() as session:
                dropped = await campaigns.cancel(session, campaign_id)
        except CampaignError as exc:
            return f"không hủy được: {exc}"
        return f"đã hủy; {dropped} tin chưa gửi được bỏ"

    async def resend_unknowns(self, campaign_id: int) -> int:
        async with self.db.writing() as session:
            moved = await campaigns.resend_unknowns(session, campaign_id)
        self.wake()
        return moved

    async def report(self, campaign_id: int) -> Attachment | None:
        async with self.db.session() as session:
            data = await campaign_report.report_workbook(session, campaign_id, self.timezone, self._titles())
        return None if data is None else Attachment(campaign_report.file_name(campaign_id), data)

    # -- for the web console ---------------------------------------------------------------------
    async def reach(self, expression: str) -> tuple[str, int]:
        """Who `expression` reaches, in words, and how many now; ValueError (in Vietnamese) when it names
        something that cannot be read or does not exist."""
        try:
            async with self.db.session() as session:
                audience, size = await self._checked(session, expression)
        except CampaignError as exc:
            raise ValueError(str(exc)) from exc
        return audience.in_words(self._titles()), size

    def when_words(self, typed: str) -> str:
        """A typed time (or a resolved key) in words; ValueError (in Vietnamese) when it cannot be read."""
        try:
            return describe_when(self.resolve(typed), self.timezone)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from exc

    async def _summaries(self, session: AsyncSession, rows: list[Campaign]) -> list[CampaignSummary]:
        counted = await campaigns.counts_for(session, [c.id for c in rows if c.id is not None])
        titles = self._titles()
        return [
            CampaignSummary(
                c.id,
                c.status,
                c.text,
                Audience.from_json(c.audience).in_words(titles),
                counted[c.id],
                campaign_when(c, self.timezone),
            )
            for c in rows
            if c.id is not None
        ]

    async def recent(self, limit: int) -> list[CampaignSummary]:
        """The latest `limit` campaigns, newest first, counted in one query."""
        async with self.db.session() as session:
            return await self._summaries(session, await campaigns.listing(session, limit))

    async def summaries(self, ids: list[int]) -> list[CampaignSummary]:
        """The campaigns of `ids` that exist, newest first: the console's live progress."""
        async with self.db.session() as session:
            return await self._summaries(session, await campaigns.get_many(session, ids))

    async def cancel_counted(self, campaign_id: int) -> int:
        """`cancel` for the console: how many unsent messages were dropped; ValueError (in Vietnamese) when
        the campaign does not exist or is over."""
        try:
            async with self.db.writing() as session:
                return await campaigns.cancel(session, campaign_id)
        except CampaignError as exc:
            raise ValueError(str(exc)) from exc

    async def recent_twin(self, draft: CampaignDraft, created_by: str, within: dt.timedelta) -> int | None:
        """The campaign `created_by` made from this same draft within `within`, if any (a double confirm)."""
        try:
            audience = Audience.parse(draft.audience)
        except AudienceError:
            return None
        async with self.db.session() as session:
            return await campaigns.recent_twin(
                session, draft.text, audience, created_by, self.clock() - within, communes=self.communes
            )
