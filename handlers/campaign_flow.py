"""Staff's campaign commands in chat: a guided /campaign (text → audience → time → preview → confirm),
/campaigns, and a status message that refreshes in place."""
from __future__ import annotations

from dataclasses import dataclass, field

from handlers import texts
from handlers.ports import CampaignDesk
from handlers.types import Button, Incoming, Reply

COUNT_LABELS = (("sent", "đã gửi"), ("pending", "chờ gửi"), ("inflight", "đang gửi"), ("failed", "lỗi"),
                ("blocked", "đã chặn bot"), ("unknown", "chưa rõ"), ("cancelled", "đã hủy"))


@dataclass
class DraftState:
    step: str = "text"  # text → audience → time → confirm
    text: str = ""
    audience: str = ""
    when: str = ""
    extra: dict = field(default_factory=dict)


class CampaignFlow:
    def __init__(self, desk: CampaignDesk):
        self.desk = desk
        self._drafts: dict[tuple[str, str], DraftState] = {}

    def active(self, incoming: Incoming) -> bool:
        return (incoming.channel, incoming.chat_id) in self._drafts

    def begin(self, incoming: Incoming) -> Reply:
        self._drafts[(incoming.channel, incoming.chat_id)] = DraftState()
        return Reply(texts.CAMPAIGN_ASK_TEXT, [[Button(texts.CAMPAIGN_ABORT, "cw:no")]])

    async def on_text(self, incoming: Incoming, text: str) -> list[Reply]:
        """Typed text while a draft is open: the message itself, or the time."""
        state = self._drafts[(incoming.channel, incoming.chat_id)]
        if state.step == "text":
            state.text = text
            problem = await self.desk.check(text, "channel:telegram", "now")
            if problem:
                return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=problem))]
            state.step = "audience"
            rows = [[Button(f"{label} ({size})", f"cw:a:{expr}")] for label, expr, size in await self.desk.audience_options()]
            rows.append([Button(texts.CAMPAIGN_ABORT, "cw:no")])
            return [Reply(texts.CAMPAIGN_ASK_AUDIENCE, rows)]
        if state.step == "time":
            return await self._set_time(incoming, state, text.strip())
        return [Reply(texts.CAMPAIGN_USE_BUTTONS)]

    async def _set_time(self, incoming: Incoming, state: DraftState, when: str) -> list[Reply]:
        problem = await self.desk.check(state.text, state.audience, when)
        if problem:
            return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=problem))]
        state.when, state.step = when, "confirm"
        preview = Reply(state.text.replace("{name}", incoming.user_name or "bạn"))
        summary = texts.CAMPAIGN_SUMMARY.format(audience=state.audience, when=self._when_text(when))
        return [Reply(texts.CAMPAIGN_PREVIEW), preview,
                Reply(summary, [[Button(texts.CAMPAIGN_CONFIRM, "cw:ok")], [Button(texts.CAMPAIGN_ABORT, "cw:no")]])]

    @staticmethod
    def _when_text(when: str) -> str:
        return "ngay bây giờ" if when == "now" else when

    async def on_button(self, incoming: Incoming, arg: str) -> list[Reply]:
        key = (incoming.channel, incoming.chat_id)
        kind, _, value = arg.partition(":")
        state = self._drafts.get(key)
        if kind == "no":
            self._drafts.pop(key, None)
            return [Reply(texts.CAMPAIGN_ABORTED)]
        if kind == "a" and state is not None and state.step == "audience":
            state.audience, state.step = value, "time"
            return [Reply(texts.CAMPAIGN_ASK_TIME, [[Button(texts.CAMPAIGN_NOW, "cw:t:now")],
                                                    [Button(texts.CAMPAIGN_ABORT, "cw:no")]])]
        if kind == "t" and state is not None and state.step == "time":
            return await self._set_time(incoming, state, value)
        if kind == "ok" and state is not None and state.step == "confirm":
            self._drafts.pop(key, None)
            try:
                campaign_id = await self.desk.create(state.text, state.audience, state.when, incoming.identity)
            except ValueError as exc:
                return [Reply(texts.CAMPAIGN_PROBLEM.format(problem=exc))]
            return [Reply(texts.CAMPAIGN_CREATED.format(id=campaign_id), [[Button(texts.CAMPAIGN_PROGRESS, f"cw:s:{campaign_id}")]])]
        if kind in ("s", "x", "r") and value.isdigit():
            return [await self.campaign_action(kind, int(value))]
        return [Reply(texts.STALE_BUTTON)]

    async def listing(self) -> Reply:
        rows = await self.desk.listing()
        if not rows:
            return Reply(texts.CAMPAIGN_NONE)
        lines = [f"#{r['id']} ({r['status']}) đã gửi {r['counts']['sent']}, chờ {r['counts']['pending']} — "
                 f"{r['text'][:40]}" for r in rows]
        return Reply("\n".join(lines), [[Button(f"#{r['id']}", f"cw:s:{r['id']}")] for r in rows])

    async def campaign_action(self, kind: str, campaign_id: int) -> Reply:
        if kind == "x":
            result = await self.desk.cancel(campaign_id)
            return Reply(texts.CAMPAIGN_CANCELLED.format(id=campaign_id, result=result))
        if kind == "r":
            moved = await self.desk.resend_unknowns(campaign_id)
            return Reply(texts.CAMPAIGN_RESENT.format(id=campaign_id, count=moved))
        status = await self.desk.status(campaign_id)
        if status is None:
            return Reply(texts.STALE_BUTTON)
        counts = status["counts"]
        lines = [texts.CAMPAIGN_STATUS.format(id=campaign_id, status=status["status"], audience=status["audience"],
                                              text=status["text"][:200])]
        lines += [f"- {label}: {counts[key]}" for key, label in COUNT_LABELS if counts[key] or key in ("sent", "pending")]
        rows = [[Button(texts.CAMPAIGN_REFRESH, f"cw:s:{campaign_id}")]]
        if status["status"] in ("scheduled", "sending"):
            rows.append([Button(texts.CAMPAIGN_CANCEL, f"cw:x:{campaign_id}")])
        if counts["unknown"]:
            rows.append([Button(texts.CAMPAIGN_RESEND, f"cw:r:{campaign_id}")])
        # Edited in place on platforms that can edit; a new message elsewhere.
        return Reply("\n".join(lines), rows, edit=True)
