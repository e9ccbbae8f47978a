"""Staff's campaign commands in chat: a guided /campaign (text → audience → time → preview → confirm),
/campaigns, and a status message that refreshes in place. The draft lives in the shared state store."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

from handlers import texts
from handlers.callbacks import (
    Callback,
    CampaignAbort,
    CampaignAudience,
    CampaignCancel,
    CampaignConfirm,
    CampaignResend,
    CampaignTime,
    CampaignView,
    pack,
)
from handlers.ports import CampaignDesk, StateStore
from handlers.statuses import CampaignStatus, DeliveryStatus
from handlers.types import Button, Incoming, Reply

COUNT_LABELS = (
    (DeliveryStatus.SENT, "đã gửi"),
    (DeliveryStatus.PENDING, "chờ gửi"),
    (DeliveryStatus.INFLIGHT, "đang gửi"),
    (DeliveryStatus.FAILED, "lỗi"),
    (DeliveryStatus.BLOCKED, "đã chặn bot"),
    (DeliveryStatus.UNKNOWN, "chưa rõ"),
    (DeliveryStatus.CANCELLED, "đã hủy"),
)
DRAFT_TTL = 3600.0  # seconds an unfinished draft waits for its next step
NOW = "now"


class DraftStep(StrEnum):
    TEXT = "text"
    AUDIENCE = "audience"
    TIME = "time"
    CONFIRM = "confirm"


@dataclass
class DraftState:
    step: DraftStep = DraftStep.TEXT
    text: str = ""
    audience: str = ""
    when: str = ""


def abort_row() -> list[Button]:
    return [Button(texts.CAMPAIGN_ABORT, pack(CampaignAbort()))]


class CampaignFlow:
    def __init__(self, desk: CampaignDesk, state: StateStore):
        self.desk = desk
        self.state = state

    @staticmethod
    def _key(incoming: Incoming) -> str:
        return f"draft:{incoming.channel}:{incoming.chat_id}"

    async def _draft(self, incoming: Incoming) -> DraftState | None:
        stored = await self.state.get(self._key(incoming))
        if stored is None:
            return None
        return DraftState(DraftStep(stored["step"]), stored["text"], stored["audience"], stored["when"])

    async def _save(self, incoming: Incoming, draft: DraftState) -> None:
        await self.state.put(self._key(incoming), asdict(draft), DRAFT_TTL)

    async def active(self, incoming: Incoming) -> bool:
        return await self.state.get(self._key(incoming)) is not None

    async def begin(self, incoming: Incoming) -> Reply:
        await self._save(incoming, DraftState())
        return Reply(texts.CAMPAIGN_ASK_TEXT, [abort_row()])

    async def on_text(self, incoming: Incoming, text: str) -> list[Reply]:
        """Typed text while a draft is open: the message itself, or the time."""
        draft = await self._draft(incoming)
        if draft is None:
            return [Reply(texts.STALE_BUTTON)]
        if draft.step is DraftStep.TEXT:
            problem = await self.desk.check(text, "channel:telegram", NOW)
            if problem:
                return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=problem))]
            draft.text, draft.step = text, DraftStep.AUDIENCE
            await self._save(incoming, draft)
            rows = [
                [Button(f"{o.label} ({o.size})", pack(CampaignAudience(o.expression)))]
                for o in await self.desk.audience_options()
            ]
            rows.append(abort_row())
            return [Reply(texts.CAMPAIGN_ASK_AUDIENCE, rows)]
        if draft.step is DraftStep.TIME:
            return await self._set_time(incoming, draft, text.strip())
        return [Reply(texts.CAMPAIGN_USE_BUTTONS)]

    async def _set_time(self, incoming: Incoming, draft: DraftState, when: str) -> list[Reply]:
        problem = await self.desk.check(draft.text, draft.audience, when)
        if problem:
            return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=problem))]
        draft.when, draft.step = when, DraftStep.CONFIRM
        await self._save(incoming, draft)
        preview = Reply(draft.text.replace("{name}", incoming.user_name or "bạn"))
        summary = texts.CAMPAIGN_SUMMARY.format(audience=draft.audience, when=self._when_text(when))
        return [
            Reply(texts.CAMPAIGN_PREVIEW),
            preview,
            Reply(summary, [[Button(texts.CAMPAIGN_CONFIRM, pack(CampaignConfirm()))], abort_row()]),
        ]

    @staticmethod
    def _when_text(when: str) -> str:
        return "ngay bây giờ" if when == NOW else when

    async def on_button(self, incoming: Incoming, pressed: Callback) -> list[Reply]:
        match pressed:
            case CampaignAbort():
                await self.state.delete(self._key(incoming))
                return [Reply(texts.CAMPAIGN_ABORTED)]
            case CampaignView(campaign_id) | CampaignCancel(campaign_id) | CampaignResend(campaign_id):
                return [await self.campaign_action(pressed, campaign_id)]
        draft = await self._draft(incoming)
        match pressed:
            case CampaignAudience(expression) if draft is not None and draft.step is DraftStep.AUDIENCE:
                draft.audience, draft.step = expression, DraftStep.TIME
                await self._save(incoming, draft)
                return [
                    Reply(texts.CAMPAIGN_ASK_TIME, [[Button(texts.CAMPAIGN_NOW, pack(CampaignTime(NOW)))], abort_row()])
                ]
            case CampaignTime(when) if draft is not None and draft.step is DraftStep.TIME:
                return await self._set_time(incoming, draft, when)
            case CampaignConfirm() if draft is not None and draft.step is DraftStep.CONFIRM:
                await self.state.delete(self._key(incoming))
                try:
                    campaign_id = await self.desk.create(draft.text, draft.audience, draft.when, incoming.identity)
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
            f"#{r.id} ({r.status}) đã gửi {r.count(DeliveryStatus.SENT)}, "
            f"chờ {r.count(DeliveryStatus.PENDING)} — {r.text[:40]}"
            for r in rows
        ]
        return Reply("\n".join(lines), [[Button(f"#{r.id}", pack(CampaignView(r.id)))] for r in rows])

    async def campaign_action(self, pressed: Callback, campaign_id: int) -> Reply:
        if isinstance(pressed, CampaignCancel):
            result = await self.desk.cancel(campaign_id)
            return Reply(texts.CAMPAIGN_CANCELLED.format(id=campaign_id, result=result))
        if isinstance(pressed, CampaignResend):
            moved = await self.desk.resend_unknowns(campaign_id)
            return Reply(texts.CAMPAIGN_RESENT.format(id=campaign_id, count=moved))
        status = await self.desk.status(campaign_id)
        if status is None:
            return Reply(texts.STALE_BUTTON)
        lines = [
            texts.CAMPAIGN_STATUS.format(
                id=campaign_id, status=status.status, audience=status.audience, text=status.text[:200]
            )
        ]
        lines += [
            f"- {label}: {status.count(key)}"
            for key, label in COUNT_LABELS
            if status.count(key) or key in (DeliveryStatus.SENT, DeliveryStatus.PENDING)
        ]
        rows = [[Button(texts.CAMPAIGN_REFRESH, pack(CampaignView(campaign_id)))]]
        if status.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
            rows.append([Button(texts.CAMPAIGN_CANCEL, pack(CampaignCancel(campaign_id)))])
        if status.count(DeliveryStatus.UNKNOWN):
            rows.append([Button(texts.CAMPAIGN_RESEND, pack(CampaignResend(campaign_id)))])
        # Edited in place on platforms that can edit; a new message elsewhere.
        return Reply("\n".join(lines), rows, edit=True)
