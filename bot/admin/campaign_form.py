"""The campaign pages' data: the draft as the form posts it, its checks and preview, and a campaign's progress."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.broadcast.audience import CHANNEL_WORDS, CHANNELS, Audience, AudienceError
from bot.broadcast.desk import DatabaseDesk
from bot.broadcast.image_check import ImageCheck
from bot.broadcast.message import LONGEST_NAME, campaign_reply, limit_for, too_long, visible_length
from bot.db.campaigns import image_problem
from handlers.numbers import number
from handlers.statuses import OPEN_DELIVERIES, CampaignStatus, DeliveryStatus
from handlers.types import Reply
from handlers.views import CampaignDraft, CampaignSummary, Sent

MAX_TEXT = 10_000  # characters read from the form; far over every channel's limit, so the check says why
SAMPLE_NAME = "Nguyễn Văn An"  # what {name} becomes in the preview and the test send
TEST_CHAT = re.compile(r"(telegram):(-?\d{1,20})|(zalo):([A-Za-z0-9_.-]{1,64})")
TEST_CHAT_HELP = (
    "Nơi nhận tin thử phải có dạng telegram:123456789 (mã cuộc trò chuyện Telegram) hoặc zalo:<mã người dùng Zalo>."
)


def sentence(problem: str) -> str:
    """A desk message ("thời điểm đó đã qua") as a sentence on its own line."""
    problem = problem.strip()
    return (problem[:1].upper() + problem[1:]).rstrip(".") + "." if problem else ""


def parse_test_chat(text: str) -> tuple[str, str] | None:
    """`telegram:123456` → ("telegram", "123456"); None when it is not one of the two forms."""
    found = TEST_CHAT.fullmatch(text.strip())
    if found is None:
        return None
    return (found[1], found[2]) if found[1] else (found[3], found[4])


def sample_problem(form: CampaignForm, channel: str) -> str | None:
    """Why this draft cannot go to a test chat on `channel` (the sender would refuse it), or None."""
    if not form.text:
        return "Nội dung đang trống."
    problem = image_problem(form.image) or too_long(form.text, [], form.image, (channel,))
    return sentence(problem) if problem else None


def sample_not_sent(channel: str, chat_id: str, sent: Sent, running: list[str]) -> str:
    """Why a test message did not arrive, as honestly as the relay can tell."""
    words = CHANNEL_WORDS[channel]
    if channel not in running:
        why = f"tiến trình đang chạy trang quản trị này không chạy kênh {words} (chưa đặt mã bot {words} cho nó)"
    elif sent.blocked:
        why = f"tài khoản {words} này đã chặn bot"
    else:
        why = f"{words} không nhận tin (mã cuộc trò chuyện sai, người đó chưa nhắn cho bot lần nào, hoặc nền tảng lỗi)"
    return f"Không gửi được tin thử tới {words} {chat_id}: {why}."


@dataclass
class CampaignForm:
    """What the create form and the preview's hidden fields carry, as typed."""

    text: str = ""
    audience: str = "all"  # the ready-made choice
    audience_free: str = ""  # a typed expression: wins when filled
    at: str = ""  # the datetime-local picker, "2026-12-05T08:00"
    when_words: str = ""  # or the time in words: "8h sáng mai", "thứ Hai hàng tuần lúc 8h"
    image: str = ""
    schedule: str = ""  # the resolved schedule from a preview, so the time does not move

    @classmethod
    def posted(cls, data: Mapping[str, object]) -> CampaignForm:
        def value(name: str, limit: int = 500) -> str:
            return str(data.get(name, "") or "")[:limit].strip()

        # Browsers post a textarea's line breaks as CRLF; recipients and the limits count "\n".
        text = str(data.get("text", "") or "")[:MAX_TEXT].replace("\r\n", "\n").strip()
        return cls(
            text=text,
            audience=value("audience") or "all",
            audience_free=value("audience_free"),
            at=value("at", 40),
            when_words=value("when_words", 200),
            image=value("image", 2000),
            schedule=value("schedule", 100),
        )

    @property
    def expression(self) -> str:
        return self.audience_free or self.audience or "all"

    def typed_when(self) -> str:
        """The draft's `when` from the two fields ("now" when both are empty); ValueError when unusable."""
        if self.at and self.when_words:
            raise ValueError("Bạn chọn giờ trên lịch hoặc gõ thời điểm bằng chữ, không dùng cả hai cùng lúc.")
        if self.at:
            try:
                moment = dt.datetime.fromisoformat(self.at)
            except ValueError:
                raise ValueError(f"Giờ trên lịch «{self.at}» không hợp lệ.") from None
            return f"{moment:%d/%m/%Y %H:%M}"  # read as local time, as staff type it in chat
        return self.when_words or "now"

    def draft(self, when: str) -> CampaignDraft:
        return CampaignDraft(self.text, self.expression, when, self.image)


@dataclass(frozen=True)
class Sample:
    """The message one channel's recipient gets, with its longest length against the limit."""

    channel: str
    label: str
    reply: Reply
    longest: int  # with the longest name filled in
    limit: int
    reached: bool  # whether the chosen audience includes this channel

    @property
    def buttons(self) -> list[str]:
        return [b.label for b in self.reply.flat_buttons()]


@dataclass
class Preview:
    form: CampaignForm
    problems: list[str] = field(default_factory=list)
    audience: str = ""
    size: int | None = None
    when: str = ""
    schedule: str = ""
    note: str = ""
    samples: list[Sample] = field(default_factory=list)
    text_ok: bool = False  # something a test send can carry (its own channel's length is checked then)

    @property
    def can_confirm(self) -> bool:
        return not self.problems and bool(self.size) and bool(self.schedule)


async def build_preview(desk: DatabaseDesk, form: CampaignForm, images: ImageCheck | None = None) -> Preview:
    """Every problem of the draft (not only the first), and what recipients will see on each channel; with
    `images`, the picture is fetched once to check its kind and size for the audience's channels."""
    shown = Preview(form)
    try:
        channels = Audience.parse(form.expression).channels()
    except AudienceError:
        channels = CHANNELS
    try:
        shown.audience, shown.size = await desk.reach(form.expression)
    except ValueError as exc:
        shown.problems.append("Người nhận: " + sentence(str(exc)))
    bad_image = image_problem(form.image)
    if bad_image:
        shown.problems.append("Ảnh: " + sentence(bad_image))
    elif form.image and images is not None:
        fetched = await images.problems(form.image, channels)
        shown.problems += ["Ảnh: " + problem for problem in fetched]
        bad_image = fetched[0] if fetched else None
    image = "" if bad_image else form.image
    if not form.text:
        shown.problems.append("Nội dung đang trống.")
    else:
        shown.problems += [sentence(p) for c in channels if (p := too_long(form.text, [], image, (c,)))]
    shown.text_ok = bool(form.text) and not bad_image
    try:
        when = form.schedule or form.typed_when()
        shown.when = desk.when_words(when)
    except ValueError as exc:
        shown.problems.append("Thời điểm: " + sentence(str(exc)))
        when = ""
    if not shown.problems:
        try:
            plan = await desk.plan(form.draft(when))
        except ValueError as exc:
            shown.problems.append(sentence(str(exc)))
        else:
            shown.audience, shown.size, shown.when = plan.audience, plan.size, plan.when
            shown.schedule, shown.note = plan.schedule, plan.note
    draft = CampaignDraft(form.text, form.expression, "now", image)
    for channel in CHANNELS:
        longest = campaign_reply(form.text, [], image, LONGEST_NAME, channel)
        shown.samples.append(
            Sample(
                channel,
                CHANNEL_WORDS[channel],
                desk.sample(draft, channel, SAMPLE_NAME),
                visible_length(longest, channel),
                limit_for(channel, bool(image)),
                channel in channels,
            )
        )
    return shown


def length_rules() -> list[dict[str, object]]:
    """What campaigns.js needs to count like message.py: per channel, the limits, the footer the sender adds,
    what one {name} adds at its longest, and whether the platform counts UTF-16 units or characters."""
    rules: list[dict[str, object]] = []
    for channel in CHANNELS:
        base = visible_length(campaign_reply("x", [], "", "", channel), channel) - 1
        named = visible_length(campaign_reply("{name}", [], "", LONGEST_NAME, channel), channel) - base
        rules.append(
            {
                "channel": channel,
                "label": CHANNEL_WORDS[channel],
                "text": limit_for(channel, False),
                "caption": limit_for(channel, True),
                "extra": base,
                "name": named,
                "utf16": channel == "telegram",
            }
        )
    return rules


# The bar's parts, in order: sent, still to go, held by Zalo OA's rules, and the ways a message ends without
# arriving. The OA's used-up quota is open (it goes when the quota resets) but shown apart, as the issue asks.
SEGMENTS: tuple[tuple[str, str, tuple[DeliveryStatus, ...]], ...] = (
    ("sent", "đã gửi", (DeliveryStatus.SENT,)),
    ("waiting", "đang chờ", tuple(s for s in OPEN_DELIVERIES if s != DeliveryStatus.QUOTA_USED_UP)),
    ("quota_used_up", "chờ hạn mức OA mới", (DeliveryStatus.QUOTA_USED_UP,)),
    ("outside_window", "ngoài khung Zalo cho phép", (DeliveryStatus.OUTSIDE_WINDOW,)),
    ("failed", "lỗi", (DeliveryStatus.FAILED,)),
    ("blocked", "đã chặn bot", (DeliveryStatus.BLOCKED,)),
    ("unknown", "chưa rõ", (DeliveryStatus.UNKNOWN,)),
    ("cancelled", "đã hủy", (DeliveryStatus.CANCELLED,)),
)
LIVE = (CampaignStatus.SCHEDULED, CampaignStatus.SENDING)


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int
    x: float  # where it starts, in percent of the bar
    width: float  # in percent of the bar

    @property
    def text(self) -> str:
        return number(self.count)

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "count": self.count, "text": self.text, "x": self.x, "width": self.width}


@dataclass(frozen=True)
class Progress:
    """One campaign's delivery figures as the bar and the numbers beside it show them."""

    id: int
    status: str
    total: int
    percent: int  # messages no longer waiting, of all
    segments: list[Segment]
    counts: dict[str, int]

    @property
    def status_label(self) -> str:
        return CampaignStatus(self.status).label

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def total_text(self) -> str:
        return number(self.total)

    def count_text(self, status: str) -> str:
        return number(self.counts.get(status, 0))

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "status_label": self.status_label,
            "live": self.live,
            "total": self.total,
            "total_text": self.total_text,
            "percent": self.percent,
            "segments": [s.as_json() for s in self.segments],
            "counts": {key: number(value) for key, value in self.counts.items()},
        }


def progress_of(summary: CampaignSummary) -> Progress:
    total = sum(summary.counts.values())
    segments, start = [], 0.0
    for key, label, statuses in SEGMENTS:
        count = sum(summary.count(s) for s in statuses)
        width = round(100 * count / total, 2) if total else 0.0
        segments.append(Segment(key, label, count, round(start, 2), width))
        start += width
    waiting = sum(summary.count(s) for s in OPEN_DELIVERIES)
    if total:
        percent = (total - waiting) * 100 // total
    else:  # nothing fanned out yet; a finished campaign with nobody to reach is done
        percent = 0 if summary.status in LIVE else 100
    return Progress(summary.id, summary.status, total, percent, segments, dict(summary.counts))
