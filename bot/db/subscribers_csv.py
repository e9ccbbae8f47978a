"""Moving subscriber lists in and out as CSV (channel, chat_id, name, topics, district, sector)."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import people
from bot.db.models import Subscriber
from handlers.statuses import SubscriberStatus

COLUMNS = ("channel", "chat_id", "name", "topics", "district", "sector", "status")
CHANNELS = ("telegram", "zalo")


@dataclass
class CsvReport:
    added: int = 0
    updated: int = 0
    rejected: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"added {self.added}, updated {self.updated}, rejected {len(self.rejected)}", *self.rejected]


async def export_csv(session: AsyncSession, path: str) -> int:
    rows = (await session.exec(select(Subscriber).order_by(col(Subscriber.id)))).all()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for p in rows:
        writer.writerow([p.channel, p.chat_id, p.display_name, ";".join(p.topic_list), p.district, p.sector, p.status])
    # File I/O off the event loop, so a large list does not stall a bot answering in the same process.
    await asyncio.to_thread(Path(path).write_text, buffer.getvalue(), encoding="utf-8", newline="")
    return len(rows)


async def import_csv(session: AsyncSession, path: str) -> CsvReport:
    """Subscribers from an earlier bot: they had opted in there, so they arrive active (unless blocked)."""
    report = CsvReport()
    text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for number, row in enumerate(reader, start=2):
        channel = (row.get("channel") or "").strip().lower()
        chat_id = (row.get("chat_id") or "").strip()
        if channel not in CHANNELS or not chat_id:
            report.rejected.append(f"  line {number}: needs channel (telegram|zalo) and chat_id")
            continue
        existing = await people.get_person(session, channel, chat_id)
        topics = [t.strip() for t in (row.get("topics") or "").replace(",", ";").split(";") if t.strip()]
        await people.subscribe(session, channel, chat_id, topics)
        person = await people.get_person(session, channel, chat_id)
        assert person is not None  # subscribe() just stored the row
        person.display_name = (row.get("name") or person.display_name or "").strip()[:256]
        person.district = (row.get("district") or "").strip()[:128]
        person.sector = (row.get("sector") or "").strip()[:128]
        if (row.get("status") or "").strip() in (SubscriberStatus.BLOCKED, SubscriberStatus.UNSUBSCRIBED):
            person.status = row["status"].strip()
        session.add(person)
        await session.commit()
        if existing is None:
            report.added += 1
        else:
            report.updated += 1
    return report
