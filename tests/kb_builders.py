"""Small knowledge bases built in code, for tests that need exact control over entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from knowledge.model import Entry, KnowledgeBase, Topic

TOPICS = [Topic("chung", "Chung"), Topic("thue", "Thuế và thuê")]


def entry(entry_id: str, question: str, answer: str = "", **fields) -> Entry:
    fields.setdefault("topic", "chung")
    fields.setdefault("source", "Nguồn thử nghiệm")
    fields.setdefault("alternates", [])
    fields.setdefault("reviewed", dt.date(2026, 11, 24))
    return Entry(id=entry_id, question=question, answer=answer or f"Trả lời cho {question}", **fields)


def own_alternates(entry_id: str) -> list[str]:
    """Four phrasings that belong to this entry alone: the same words under two entries are refused."""
    return [f"{entry_id} cách hỏi {n}" for n in ("một", "hai", "ba", "bốn")]


def kb_of(*entries: Entry) -> KnowledgeBase:
    return KnowledgeBase(list(TOPICS), list(entries))


def write_knowledge_dir(root: Path, entries: list[Entry]) -> Path:
    """A KNOWLEDGE_DIR folder holding `entries` in one file."""
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(
        yaml.safe_dump([{"id": t.id, "title": t.title} for t in TOPICS], allow_unicode=True), encoding="utf-8"
    )
    (root / "entries" / "01-test.yaml").write_text(
        yaml.safe_dump([e.to_dict() for e in entries], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root
