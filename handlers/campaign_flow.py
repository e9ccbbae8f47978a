"""Staff's campaign commands in chat: a guided /campaign (text → audience → time → preview, with a test send
and an optional picture → confirm), /campaigns, and a status message that refreshes in place. The draft
lives in the shared state store."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from enum import StrEnum

from handlers import texts
from handlers.callbacks import (
    Callback,
    CampaignAbort,
    CampaignAddImage,
    CampaignAudience,
    CampaignCancel,
    CampaignConfirm,
    CampaignReport,
    CampaignResend,
    CampaignTestSend,
    CampaignTime,
    CampaignView,
    pack,
)
from handlers.numbers import number
from handlers.ports import CampaignDesk, StateStore
from handlers.state_keys import StateKind, state_key
from handlers.statuses import OPEN_DELIVERIES, CampaignStatus, DeliveryStatus
from handlers.types import Button, Incoming, Reply
from handlers.views import CampaignDraft, CampaignSummary

DRAFT_TTL = 3600.0  # seconds an unfinished draft waits for its next step
NOW = "now"
# Shown on the progress view even at zero; the other statuses only once they happen.
ALWAYS_SHOWN = (DeliveryStatus.SENT, DeliveryStatus.PENDING)


class DraftStep(StrEnum):
    TEXT = "text"
    AUDIENCE = "audience"
    TIME = "time"
    IMAGE = "image"
    CONFIRM = "confirm"


@dataclass
class DraftState:
    step: DraftStep = DraftStep.TEXT
    text: str = ""
    audience: str = ""
    when: str = ""  # the schedule the desk resolved (stable), once the time is chosen
    image: str = ""

    @property
    def draft(self) -> CampaignDraft:
        return CampaignDraft(self.text, self.audience, self.when or NOW, self.image)


def abort_row() -> list[Button]:
    return [Button(texts.CAMPAIGN_ABORT, pack(CampaignAbort()))]


class CampaignFlow:
    def __init__(self, desk: CampaignDesk, state: StateStore):
        self.desk = desk
        self.state = state

    @staticmethod
    def _key(incoming: Incoming) -> str:
        return state_key(StateKind.CAMPAIGN_DRAFT, incoming.channel, incoming.chat_id)

    async def _draft(self, incoming: Incoming) -> DraftState | None:
        stored = await self.state.get(self._key(incoming))
        if stored is None:
            return None
        stored = {**asdict(DraftState()), **stored}  # drafts saved before a field existed
        return DraftState(
            DraftStep(stored["step"]), stored["text"], stored["audience"], stored["when"], stored["image"]
        )

    async def _save(self, incoming: Incoming, draft: DraftState) -> None:
        await self.state.put(self._key(incoming), asdict(draft), DRAFT_TTL)

    async def active(self, incoming: Incoming) -> bool:
        return await self.state.get(self._key(incoming)) is not None

    async def begin(self, incoming: Incoming) -> Reply:
        await self._save(incoming, DraftState())
        return Reply(texts.CAMPAIGN_ASK_TEXT, [abort_row()])

    async def on_text(self, incoming: Incoming, text: str) -> list[Reply]:
        """Typed text while a draft is open: the message itself, the time, or a picture's link."""
        draft = await self._draft(incoming)
        if draft is None:
            return [Reply(texts.STALE_BUTTON)]
        if draft.step is DraftStep.TEXT:
            problem = await self.desk.check_text(text)
            if problem:
                return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=problem))]
            draft.text, draft.step = text, DraftStep.AUDIENCE
            await self._save(incoming, draft)
            return [await self._audience_question()]
        if draft.step is DraftStep.TIME:
            return await self._set_time(incoming, draft, text.strip())
        if draft.step is DraftStep.IMAGE:
            return await self._preview(incoming, dataclasses.replace(draft, image=text.strip()), back=DraftStep.IMAGE)
        return [Reply(texts.CAMPAIGN_USE_BUTTONS)]

    async def _audience_question(self, intro: str = texts.CAMPAIGN_ASK_AUDIENCE) -> Reply:
        rows = [
            [Button(f"{o.label} ({number(o.size)})", pack(CampaignAudience(o.expression)))]
            for o in await self.desk.audience_options()
        ]
        rows.append(abort_row())
        return Reply(intro, rows)

    async def _set_time(self, incoming: Incoming, draft: DraftState, when: str) -> list[Reply]:
        draft.when = when
        return await self._preview(incoming, draft, back=DraftStep.TIME)

    async def _preview(self, incoming: Incoming, draft: DraftState, back: DraftStep) -> list[Reply]:
        """Check everything and show what recipients will get; on a problem, stay at step `back`."""
        try:
            plan = await self.desk.plan(draft.draft)
        except ValueError as exc:
            return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=exc))]
        draft.when, draft.step = plan.schedule, DraftStep.CONFIRM
        await self._save(incoming, draft)
        summary = texts.CAMPAIGN_SUMMARY.format(
            audience=plan.audience,
            size=number(plan.size),
            when=plan.when,
            image=draft.image or texts.CAMPAIGN_NO_IMAGE,
        )
        if plan.note:
            summary += "\n" + plan.note
        image_button = texts.CAMPAIGN_DROP_IMAGE if draft.image else texts.CAMPAIGN_ADD_IMAGE
        rows = [
            [Button(texts.CAMPAIGN_TEST, pack(CampaignTestSend()))],
            [Button(image_button, pack(CampaignAddImage()))],
            abort_row(),
        ]
        if plan.size > 0:
            rows.insert(0, [Button(texts.CAMPAIGN_CONFIRM, pack(CampaignConfirm()))])
            summary += "\n\n" + texts.CAMPAIGN_CONFIRM_HINT
        else:
            summary += "\n\n" + texts.CAMPAIGN_NOBODY
        sample = self.desk.sample(draft.draft, incoming.channel, incoming.user_name)
        return [Reply(texts.CAMPAIGN_PREVIEW), Reply(sample.text, image=sample.image), Reply(summary, rows)]

    async def on_button(self, incoming: Incoming, pressed: Callback) -> list[Reply]:
        match pressed:
            case CampaignAbort():
                await self.state.delete(self._key(incoming))
                return [Reply(texts.CAMPAIGN_ABORTED)]
            case CampaignView(campaign_id) | CampaignCancel(campaign_id) | CampaignResend(campaign_id):
                return [await self.campaign_action(pressed, campaign_id)]
            case CampaignReport(campaign_id):
                return [await self.report(campaign_id)]
        draft = await self._draft(incoming)
        match pressed:
            case CampaignAudience(expression) if draft is not None and draft.step is DraftStep.AUDIENCE:
                problem = await self.desk.check_text(draft.text, expression)
                if problem:
                    return [await self._audience_question(texts.CAMPAIGN_TEXT_TOO_LONG_FOR.format(problem=problem))]
                draft.audience, draft.step = expression, DraftStep.TIME
                await self._save(incoming, draft)
                return [
                    Reply(texts.CAMPAIGN_ASK_TIME, [[Button(texts.CAMPAIGN_NOW, pack(CampaignTime(NOW)))], abort_row()])
                ]
            case CampaignTime(when) if draft is not None and draft.step is DraftStep.TIME:
                return await self._set_time(incoming, draft, when)
            case CampaignAddImage() if draft is not None and draft.step is DraftStep.CONFIRM:
                if draft.image:  # the button reads "Bỏ ảnh"
                    return await self._preview(incoming, dataclasses.replace(draft, image=""), back=DraftStep.CONFIRM)
                draft.step = DraftStep.IMAGE
                await self._save(incoming, draft)
                return [Reply(texts.CAMPAIGN_ASK_IMAGE, [abort_row()])]
            case CampaignTestSend() if draft is not None and draft.step is DraftStep.CONFIRM:
                sample = self.desk.sample(draft.draft, incoming.channel, incoming.user_name)
                return [Reply(texts.CAMPAIGN_TEST_SENT), sample]
            case CampaignConfirm() if draft is not None and draft.step is DraftStep.CONFIRM:
                await self.state.delete(self._key(incoming))
                try:
                    campaign_id = await self.desk.create(draft.draft, incoming.identity)
                except ValueError as exc:
                    return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=exc))]
                return [
                    Reply(
                        texts.CAMPAIGN_CREATED.format(id=campaign_id),
                        [[Button(texts.CAMPAIGN_PROGRESS, pack(CampaignView(campaign_id)))]],
                    )
                ]
        return [Reply(texts.STALE_BUTTON)]

    async def listing(self) -> Reply:
        rows = await self.desk.listing()
        if not rows:
            return Reply(texts.CAMPAIGN_NONE)
        lines = [
            texts.CAMPAIGN_LIST_LINE.format(
                id=r.id,
                status=CampaignStatus(r.status).label,
                sent=number(r.count(DeliveryStatus.SENT)),
                total=number(sum(r.counts.values())),
                text=r.text[:40],
            )
            for r in rows
        ]
        return Reply("\n".join(lines), [[Button(f"#{r.id}", pack(CampaignView(r.id)))] for r in rows])

    async def report(self, campaign_id: int) -> Reply:
        attachment = await self.desk.report(campaign_id)
        if attachment is None:
            return Reply(texts.STALE_BUTTON)
        return Reply(texts.CAMPAIGN_REPORT_READY.format(id=campaign_id), attachment=attachment)

    async def campaign_action(self, pressed: Callback, campaign_id: int) -> Reply:
        status = await self.desk.status(campaign_id)
        if status is None:
            return Reply(texts.STALE_BUTTON)
        back = [Button(texts.CAMPAIGN_KEEP, pack(CampaignView(campaign_id)))]
        match pressed:
            case CampaignCancel(_, False):
                waiting = sum(status.count(s) for s in OPEN_DELIVERIES)
                question = texts.CAMPAIGN_CANCEL_ASK.format(
                    id=campaign_id, waiting=number(waiting), sent=number(status.count(DeliveryStatus.SENT))
                )
                yes = Button(texts.CAMPAIGN_CANCEL_YES, pack(CampaignCancel(campaign_id, confirmed=True)))
                return Reply(question, [[yes], back], edit=True)
            case CampaignCancel(_, True):
                result = await self.desk.cancel(campaign_id)
                return Reply(texts.CAMPAIGN_CANCELLED.format(id=campaign_id, result=result))
            case CampaignResend(_, False):
                count = status.count(DeliveryStatus.UNKNOWN)
                question = texts.CAMPAIGN_RESEND_ASK.format(id=campaign_id, count=number(count))
                yes = Button(texts.CAMPAIGN_RESEND_YES, pack(CampaignResend(campaign_id, confirmed=True)))
                return Reply(question, [[yes], back], edit=True)
            case CampaignResend(_, True):
                moved = await self.desk.resend_unknowns(campaign_id)
                return Reply(texts.CAMPAIGN_RESENT.format(id=campaign_id, count=number(moved)))
        return self.progress(status)

    @staticmethod
    def progress(status: CampaignSummary) -> Reply:
        campaign_id = status.id
        lines = [
            texts.CAMPAIGN_STATUS.format(
                id=campaign_id,
                status=CampaignStatus(status.status).label,
                audience=status.audience,
                when=status.when,
                text=status.text[:200],
            )
        ]
        lines += [
            f"- {DeliveryStatus(key).label}: {number(status.count(key))}"
            for key in DeliveryStatus
            if status.count(key) or key in ALWAYS_SHOWN
        ]
        rows = [[Button(texts.CAMPAIGN_REFRESH, pack(CampaignView(campaign_id)))]]
        if status.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
            rows.append([Button(texts.CAMPAIGN_CANCEL, pack(CampaignCancel(campaign_id)))])
        if status.count(DeliveryStatus.UNKNOWN):
            rows.append([Button(texts.CAMPAIGN_RESEND, pack(CampaignResend(campaign_id)))])
        if sum(status.counts.values()):
            rows.append([Button(texts.CAMPAIGN_REPORT, pack(CampaignReport(campaign_id)))])
        # Edited in place on platforms that can edit; a new message elsewhere.
        return Reply("\n".join(lines), rows, edit=True)
