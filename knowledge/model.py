"""The knowledge base's data: entries, topics and the collection that holds them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

ENTRY_FIELDS = (
    "id",
    "topic",
    "question",
    "label",
    "alternates",
    "answer",
    "source",
    "reviewed",
    "valid_until",
    "review_by",
    "related",
    "tags",
)

# How admins read each field (the console, the spreadsheet's headers, problems per cell).
FIELD_NAMES = {
    "id": "Mã",
    "topic": "Chủ đề",
    "question": "Câu hỏi",
    "label": "Nhãn nút",
    "alternates": "Cách hỏi khác",
    "answer": "Câu trả lời",
    "source": "Nguồn",
    "reviewed": "Ngày xem xét",
    "valid_until": "Hiệu lực đến",
    "review_by": "Hạn xem lại",
    "related": "Câu liên quan",
    "tags": "Thẻ",
}


@dataclass
class Entry:
    """One curated question/answer with its provenance."""

    id: str
    topic: str
    question: str
    answer: str
    source: str
    alternates: list[str] = field(default_factory=list)
    reviewed: dt.date | None = None
    valid_until: dt.date | None = None
    # The day admins are reminded to check an entry whose facts hang on a dated plan or rule.
    review_by: dt.date | None = None
    # The text of a button offering this entry (phones cut longer ones); the question when empty.
    label: str = ""
    related: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # The file the entry was read from, for error messages; not exported and not part of equality.
    origin: str = field(default="", compare=False)

    @property
    def phrasings(self) -> list[str]:
        return [self.question, *self.alternates]

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the canonical field order, dates as ISO strings, empty optionals left out."""
        data = asdict(self)
        out: dict[str, Any] = {}
        for key in ENTRY_FIELDS:
            value = data[key]
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value is None or (key in ("valid_until", "review_by", "label") and not value):
                continue
            out[key] = value
        return out

    @property
    def button_label(self) -> str:
        return self.label or self.question

    def due_for_review(self, today: dt.date) -> bool:
        return self.review_by is not None and self.review_by <= today

    def is_current(self, today: dt.date) -> bool:
        return self.valid_until is None or self.valid_until >= today


@dataclass
class Topic:
    """A menu topic."""

    id: str
    title: str
    menu: bool = True
    description: str = ""


@dataclass
class KnowledgeBase:
    """Topics and entries in menu order, with lookups."""

    topics: list[Topic]
    entries: list[Entry]
    version: int = 0

    def __post_init__(self) -> None:
        self._by_id = {e.id: e for e in self.entries}

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def entries_of(self, topic_id: str) -> list[Entry]:
        return [e for e in self.entries if e.topic == topic_id]

    def menu_topics(self) -> list[Topic]:
        return [t for t in self.topics if t.menu]

    def __len__(self) -> int:
        return len(self.entries)
