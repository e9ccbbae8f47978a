"""Changes made in the console: save, retire, restore an entry or one of its versions — validated like an import,
written to the live copy with a compare-and-swap, kept in the entry's history and the audit log."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

from sqlalchemy import delete
from sqlmodel import col, select

from bot.admin import audit, history
from bot.db import live_knowledge
from bot.db.database import Database
from bot.db.live_knowledge import KnowledgeConflict
from bot.db.models import KnowledgeSnapshot
from knowledge.changes import ImportReport, merge, remove
from knowledge.loader import Problem, parse_entries, parse_entry
from knowledge.model import Entry, KnowledgeBase
from knowledge.validator import errors, validate

KEEP_SNAPSHOTS = 20  # imports that can still be undone
UNDO_STALE = (
    "Kho tri thức đã thay đổi sau lần nhập này (nay là phiên bản {now}, lần nhập tạo ra phiên bản {then}), nên "
    "không hoàn tác cả lần nhập được mà không xóa các thay đổi sau đó. Hãy khôi phục từng câu hỏi trong Lịch sử."
)
CONFLICT = (
    "Kho tri thức vừa được thay đổi ở nơi khác (phiên bản {now}) sau khi bạn mở trang này (phiên bản {then}). "
    "Chưa lưu gì: hãy mở lại câu hỏi, sửa lại rồi lưu."
)


@dataclass
class EditResult:
    """Saved, or the problems that stopped it (each names its field, in Vietnamese)."""

    saved: bool
    problems: list[Problem] = field(default_factory=list)
    version: int | None = None


def placed(kb: KnowledgeBase, entry: Entry, replaces: str | None) -> list[Entry]:
    """The entries with `entry` in place of `replaces`, or, when new, after the last entry of its topic."""
    if replaces is not None:
        return [entry if e.id == replaces else e for e in kb.entries]
    entries = list(kb.entries)
    last = max((i for i, e in enumerate(entries) if e.topic == entry.topic), default=len(entries) - 1)
    entries.insert(last + 1, entry)
    return entries


def new_errors(before: KnowledgeBase, after: KnowledgeBase, today: dt.date) -> list[Problem]:
    """The errors a change brings in; ones the live copy already had do not block an unrelated edit."""
    known = {(p.entry_id, p.message) for p in errors(validate(before, today=today))}
    return [p for p in errors(validate(after, today=today)) if (p.entry_id, p.message) not in known]


class Editor:
    """Applies console changes to the live knowledge base in `db`."""

    def __init__(self, db: Database, today: dt.date | None = None):
        self.db = db
        self._today = today
        self._cached: KnowledgeBase | None = None  # the live copy last read, reused while its version holds

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    async def live(self) -> KnowledgeBase:
        """The live copy as the database holds it now; parsed again only when its version changed."""
        async with self.db.session() as session:
            current = await live_knowledge.version(session)
            if self._cached is not None and self._cached.version == current:
                return self._cached
            kb = await live_knowledge.load(session)
        if kb is None:
            raise RuntimeError("the live knowledge base is empty: start the bot once to seed it")
        self._cached = kb
        return kb

    async def _commit(
        self, author: str, before: KnowledgeBase, after: KnowledgeBase, states: dict[str, Entry | None], note: str
    ) -> EditResult:
        found = new_errors(before, after, self.today)
        if found:
            return EditResult(False, found)
        async with self.db.session() as session:
            try:
                version = await live_knowledge.replace(session, after, expected=before.version)
            except KnowledgeConflict:
                now = await live_knowledge.version(session)
                return EditResult(False, [Problem("", "", CONFLICT.format(now=now, then=before.version))])
            for entry_id, state in states.items():
                old = before.get(entry_id)
                if old is not None:
                    await history.ensure_baseline(session, old)
                history.add(session, entry_id, state, author, note)
                await audit.record(session, author, note, entry_id, f"phiên bản kho {version}")
            await session.commit()
        return EditResult(True, [], version)

    async def save(self, author: str, draft: Entry, replaces: str | None, expected: int) -> EditResult:
        """Create (`replaces` None) or change an entry, made on live version `expected`."""
        before = await self.live()
        if before.version != expected:
            return EditResult(False, [Problem("", "", CONFLICT.format(now=before.version, then=expected))])
        if replaces is None and before.get(draft.id) is not None:
            return EditResult(False, [Problem("", draft.id, f"đã có câu hỏi mang mã «{draft.id}»", field="id")])
        if replaces is not None and draft.id != replaces:
            return EditResult(False, [Problem("", draft.id, "không đổi được mã của một câu hỏi đã có", field="id")])
        after = KnowledgeBase(before.topics, placed(before, draft, replaces), before.version)
        note = "tạo câu hỏi" if replaces is None else "sửa câu hỏi"
        return await self._commit(author, before, after, {draft.id: draft}, note)

    async def retire(self, author: str, entry_id: str, expected: int) -> EditResult:
        before = await self.live()
        if before.version != expected:
            return EditResult(False, [Problem("", "", CONFLICT.format(now=before.version, then=expected))])
        after, report = remove(before, [entry_id])
        if not report.applied:
            return EditResult(False, [Problem("", entry_id, "không có câu hỏi này trong kho")])
        # Entries that offered it as a next question no longer do: their new states are history too.
        states: dict[str, Entry | None] = {entry_id: None}
        for other in report.unlinked:
            states[other] = after.get(other)
        return await self._commit(author, before, after, states, "gỡ câu hỏi")

    async def add_phrasing(self, author: str, entry_id: str, text: str) -> EditResult:
        """A question people asked, added to an entry's phrasings (the review inbox's one click)."""
        before = await self.live()
        entry = before.get(entry_id)
        text = " ".join(text.split())
        if entry is None:
            return EditResult(False, [Problem("", entry_id, "không có câu hỏi này trong kho")])
        if not text:
            return EditResult(False, [Problem("", entry_id, "câu hỏi trống", field="alternates")])
        changed = replace(entry, alternates=[*entry.alternates, text])
        after = KnowledgeBase(before.topics, placed(before, changed, entry_id), before.version)
        return await self._commit(author, before, after, {entry_id: changed}, "thêm cách hỏi từ hộp thư")

    async def restore_content(self, author: str, data: dict[str, object], note: str) -> EditResult:
        """Put an entry back as `data` describes it (a retired entry, or an older version of a live one)."""
        entry, problems = parse_entry(data, "lịch sử")
        if entry is None:
            return EditResult(False, problems)
        before = await self.live()
        live = before.get(entry.id)
        # Links to entries retired since then are dropped rather than blocking the restore.
        entry = replace(entry, related=[r for r in entry.related if before.get(r) is not None or r == entry.id])
        after = KnowledgeBase(before.topics, placed(before, entry, entry.id if live else None), before.version)
        return await self._commit(author, before, after, {entry.id: entry}, note)

    async def import_entries(
        self, author: str, incoming: list[Entry], parse_problems: list[Problem], note: str
    ) -> tuple[ImportReport, int | None]:
        """All or nothing, like `kb import`; when applied, the state before is kept so it can be undone."""
        before = await self.live()
        after, report = merge(before, incoming, parse_problems)
        if not report.applied or not report.changes:
            return report, None
        states: dict[str, Entry | None] = {i: after.get(i) for i in report.added + report.changed}
        result = await self._commit(author, before, after, states, note)
        if not result.saved:
            report.applied = False
            report.rejected += result.problems
            return report, None
        assert result.version is not None
        data = json.dumps(
            {"topics": [vars(t) for t in before.topics], "entries": [e.to_dict() for e in before.entries]},
            ensure_ascii=False,
        )
        async with self.db.session() as session:
            snapshot = KnowledgeSnapshot(
                author=author, note=note, before_version=before.version, after_version=result.version, data=data
            )
            session.add(snapshot)
            await session.commit()
            await session.refresh(snapshot)
            old = (await session.exec(select(KnowledgeSnapshot.id).order_by(col(KnowledgeSnapshot.id).desc()))).all()[
                KEEP_SNAPSHOTS:
            ]
            if old:
                await session.exec(delete(KnowledgeSnapshot).where(col(KnowledgeSnapshot.id).in_(old)))
                await session.commit()
        return report, snapshot.id

    async def undo_import(self, author: str, snapshot_id: int) -> EditResult:
        """Put the live copy back as it was before an import — only if nothing changed since it."""
        async with self.db.session() as session:
            snapshot = await session.get(KnowledgeSnapshot, snapshot_id)
        if snapshot is None or snapshot.undone:
            return EditResult(False, [Problem("", "", "không có lần nhập này, hoặc nó đã được hoàn tác")])
        live = await self.live()
        if live.version != snapshot.after_version:
            return EditResult(
                False, [Problem("", "", UNDO_STALE.format(now=live.version, then=snapshot.after_version))]
            )
        saved = json.loads(snapshot.data)
        entries, _ = parse_entries(saved["entries"], "bản lưu trước khi nhập")
        before = KnowledgeBase(live.topics, entries, live.version)
        states: dict[str, Entry | None] = {}
        for entry in live.entries:
            old = before.get(entry.id)
            if old != entry:
                states[entry.id] = old  # None: the import had added it
        async with self.db.session() as session:
            try:
                version = await live_knowledge.replace(session, before, expected=live.version)
            except KnowledgeConflict:
                now = await live_knowledge.version(session)
                return EditResult(False, [Problem("", "", UNDO_STALE.format(now=now, then=snapshot.after_version))])
            for entry_id, state in states.items():
                history.add(session, entry_id, state, author, f"hoàn tác lần nhập #{snapshot_id}")
            stored = await session.get(KnowledgeSnapshot, snapshot_id)
            if stored is not None:
                stored.undone = True
                session.add(stored)
            await audit.record(
                session, author, "hoàn tác lần nhập Excel", f"#{snapshot_id}", f"phiên bản kho {version}"
            )
            await session.commit()
        return EditResult(True, [], version)

    async def imports(self) -> list[KnowledgeSnapshot]:
        async with self.db.session() as session:
            query = select(KnowledgeSnapshot).order_by(col(KnowledgeSnapshot.id).desc()).limit(KEEP_SNAPSHOTS)
            return list((await session.exec(query)).all())

    async def restore_version(self, author: str, version_id: int) -> EditResult:
        async with self.db.session() as session:
            row = await history.version(session, version_id)
        if row is None or not row.data:
            return EditResult(False, [Problem("", "", "không có phiên bản này (hoặc đó là lần gỡ)")])
        return await self.restore_content(author, json.loads(row.data), f"khôi phục phiên bản #{version_id}")
