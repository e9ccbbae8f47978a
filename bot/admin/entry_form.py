"""The entry edit form: read it into an Entry (problems named by field), and preview the answer per channel."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.channels.numbered import ChoiceTexts, NumberedChoices
from bot.channels.telegram_render import render_html
from bot.channels.zalo import CHOOSE_HINT
from bot.channels.zalo import MAX_MESSAGE as ZALO_MAX
from handlers.conversation import Conversation
from handlers.memory_state import MemoryStateStore
from knowledge.answer_parts import split_answer
from knowledge.loader import Problem
from knowledge.model import Entry

TELEGRAM_MAX = 4096
_SPLIT_TAGS = re.compile(r"[,;\s]+")


@dataclass
class EntryForm:
    """What the form holds, as typed (so a refused form comes back exactly as the admin left it)."""

    id: str = ""
    topic: str = ""
    question: str = ""
    label: str = ""
    alternates: str = ""
    answer: str = ""
    source: str = ""
    reviewed: str = ""
    valid_until: str = ""
    review_by: str = ""
    related: tuple[str, ...] = ()
    tags: str = ""

    @classmethod
    def of(cls, entry: Entry) -> EntryForm:
        def day(value: dt.date | None) -> str:
            return value.isoformat() if value else ""

        return cls(
            entry.id,
            entry.topic,
            entry.question,
            entry.label,
            "\n".join(entry.alternates),
            entry.answer,
            entry.source,
            day(entry.reviewed),
            day(entry.valid_until),
            day(entry.review_by),
            tuple(entry.related),
            ", ".join(entry.tags),
        )

    @classmethod
    def posted(cls, data: Mapping[str, object], related: list[str]) -> EntryForm:
        def text(name: str) -> str:
            return str(data.get(name, "") or "").replace("\r\n", "\n").strip()

        return cls(
            text("id").lower(),
            text("topic"),
            text("question"),
            text("label"),
            text("alternates"),
            text("answer"),
            text("source"),
            text("reviewed"),
            text("valid_until"),
            text("review_by"),
            tuple(r for r in related if r),
            text("tags"),
        )

    def entry(self) -> tuple[Entry, list[Problem]]:
        """The entry the form describes; dates that do not read are problems of their field."""
        problems: list[Problem] = []

        def day(name: str, value: str) -> dt.date | None:
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                problems.append(Problem("", self.id, "ngày không hợp lệ (chọn trên lịch, dạng YYYY-MM-DD)", field=name))
                return None

        entry = Entry(
            id=self.id,
            topic=self.topic,
            question=self.question,
            answer=self.answer,
            source=self.source,
            alternates=[line.strip() for line in self.alternates.splitlines() if line.strip()],
            reviewed=day("reviewed", self.reviewed),
            valid_until=day("valid_until", self.valid_until),
            review_by=day("review_by", self.review_by),
            label=self.label,
            related=list(self.related),
            tags=[t for t in _SPLIT_TAGS.split(self.tags) if t],
        )
        return entry, problems


@dataclass(frozen=True)
class Preview:
    """How the answer reads on each channel, and the lengths that matter there."""

    telegram_html: str
    telegram_parts: int
    zalo_text: str
    zalo_parts: int
    visible: int
    short: int
    whole: int


async def preview(conversation: Conversation, entry: Entry) -> Preview:
    """The reply the conversation would send for `entry`, rendered by the channels' own renderers."""
    reply = conversation.answers.entry_reply(entry)
    telegram = render_html(reply)
    zalo = await NumberedChoices(MemoryStateStore(), "zalo", ChoiceTexts(hint=CHOOSE_HINT)).render("xem-truoc", reply)
    parts = split_answer(entry.answer)
    whole = conversation.ask_service.shown(entry).whole
    return Preview(
        telegram_html="\n\n".join(telegram),
        telegram_parts=len(telegram),
        zalo_text=zalo,
        zalo_parts=-(-len(zalo) // ZALO_MAX),
        visible=len(reply.text),
        short=len(parts.short),
        whole=len(whole),
    )
