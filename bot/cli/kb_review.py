"""`kb unanswered` and `kb alternate`: what the bot could not answer, and making it an entry's phrasing.

The admin's loop: `kb unanswered` lists the questions the bot fell back or asked back on (most asked first)
and the answers people marked 👎; `kb alternate ENTRY_ID "question"` adds the question to that entry's
phrasings in the live copy, shows how the bot now answers it, and takes it off the unanswered list.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bot.cli.kb import Change, apply_change, print_report
from bot.cli.terminal import printable
from bot.db import conversation_log
from bot.db.database import open_database
from bot.db.models import ClarifyChoice, Feedback, UnansweredQuestion
from bot.settings import Settings
from bot.wiring import SearchBuilder
from knowledge.changes import ImportReport, merge
from knowledge.confidence import AskStatus
from knowledge.loader import Problem
from knowledge.model import KnowledgeBase
from knowledge.normalize import Normalizer


def show_unanswered(settings: Settings, limit: int) -> int:
    async def read() -> tuple[
        list[UnansweredQuestion], list[tuple[str, int, int]], list[Feedback], list[ClarifyChoice]
    ]:
        db = await open_database(settings.database_url)
        try:
            async with db.session() as s:
                return (
                    await conversation_log.unanswered(s, limit),
                    await conversation_log.feedback_by_entry(s),
                    await conversation_log.recent_comments(s),
                    await conversation_log.clarify_choices(s, limit),
                )
        finally:
            await db.dispose()

    questions, feedback, comments, picks = asyncio.run(read())
    if questions:
        print(f"câu hỏi chưa trả lời được, hỏi nhiều nhất trước (hiện {len(questions)}):")
        for q in questions:
            guess = f"gần nhất {q.best_entry_id} {q.best_score:.2f}" if q.best_entry_id else "không đoán được"
            print(f"  ×{q.count:<3} {AskStatus(q.status).label:<17} {guess:<40} «{printable(q.text)}»")
    else:
        print("chưa có câu hỏi nào chưa trả lời được")
    if feedback:
        print("câu trả lời bị bấm 👎:")
        for entry_id, bad, good in feedback:
            print(f"  {entry_id}: 👎 {bad}, 👍 {good}")
    for c in comments:
        print(f"  góp ý về {c.entry_id} ({c.created_at:%d/%m/%Y}): «{printable(c.comment)}»")
    if picks:
        print("chọn sau khi bot hỏi lại (câu hỏi → câu trả lời): nên thêm làm cách hỏi bằng kb alternate")
        for pick in picks:
            print(f"  ×{pick.count:<3} {pick.entry_id:<30} «{printable(pick.text)}»")
    if questions or picks:
        print('tiếp theo: python -m bot kb alternate MÃ "câu hỏi" thêm câu hỏi làm một cách hỏi của câu trả lời đó')
    return 0


def alternates_change(entry_id: str, texts: list[str], normalizer: Normalizer) -> Change[ImportReport]:
    """The change that appends `texts` (those not already phrasings of the entry) to its alternates."""

    def change(kb: KnowledgeBase) -> tuple[KnowledgeBase, ImportReport]:
        entry = kb.get(entry_id)
        if entry is None:
            return kb, ImportReport(rejected=[Problem("kb alternate", entry_id, "không có câu hỏi nào mang mã này")])
        known = {normalizer.analyze(p, repair=False).plain for p in entry.phrasings}
        fresh = []
        for text in texts:
            key = normalizer.analyze(text, repair=False).plain
            if key and key not in known:
                known.add(key)
                fresh.append(" ".join(text.split()))
        return merge(kb, [replace(entry, alternates=[*entry.alternates, *fresh])], [])

    return change


def add_alternates(settings: Settings, directory: Path | None, entry_id: str, texts: list[str], dry_run: bool) -> int:
    _, after, report = apply_change(settings, directory, alternates_change(entry_id, texts, Normalizer()), dry_run)
    code = print_report(report, dry_run)
    if report.rejected:
        return code
    # Show the admin what the bot now does with each question, on the knowledge base as changed.
    engine = SearchBuilder(settings)(after)
    keys = []
    for text in texts:
        result = engine.search(text)
        best = f"{result.best.entry.id} ({result.confidence:.2f})" if result.best else "-"
        print(f"«{text}» → nay {result.status.label}: {best}")
        keys += [result.analysis.plain, engine.normalizer.analyze(text).plain]
    if directory is None and report.changes and not dry_run:

        async def forget() -> int:
            db = await open_database(settings.database_url)
            try:
                async with db.writing() as s:
                    return await conversation_log.forget_unanswered(s, sorted(set(keys)))
            finally:
                await db.dispose()

        print(f"đã bỏ khỏi danh sách chưa trả lời được: {asyncio.run(forget())}")
    return code
