"""Moving subscriber lists in and out on the command line: CSV (channel, chat_id, name, topics, district,
sector, status); its row check and row apply are shared with the console's files (subscriber_files.py)."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import people
from bot.db.models import Subscriber, utcnow
from bot.db.spreadsheet_cells import neutralise, restore
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
        cells = [p.channel, p.chat_id, p.display_name, ";".join(p.topic_list), p.district, p.sector, p.status]
        writer.writerow([neutralise(cell) for cell in cells])
    # File I/O off the event loop, so a large list does not stall a bot answering in the same process.
    await asyncio.to_thread(Path(path).write_text, buffer.getvalue(), encoding="utf-8", newline="")
    return len(rows)


MAX_FILE_BYTES = 20_000_000  # about 200,000 rows: far past any province's list, well inside memory
MAX_ROWS = 200_000
LIMITS = {"chat_id": 64, "name": 256, "district": 128, "sector": 128, "topics": 1024}
STATUSES = {"": None, **{s.value: s for s in SubscriberStatus}}


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, as spreadsheets save CSV; ValueError otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start}); save it as «CSV UTF-8»") from None


def check_row(number: int, row: dict[str, str], topics: set[str] | None) -> str | None:
    """Why this row cannot be imported, or None."""
    if None in row:
        return f"line {number}: more cells than columns"
    channel = (row.get("channel") or "").strip().lower()
    if channel not in CHANNELS:
        return f"line {number}: channel must be telegram or zalo, got {channel[:20]!r}"
    chat_id = (row.get("chat_id") or "").strip()
    if not chat_id or any(ch.isspace() for ch in chat_id):
        return f"line {number}: chat_id is empty or has spaces"
    for column, limit in LIMITS.items():
        if len((row.get(column) or "").strip()) > limit:
            return f"line {number}: {column} longer than {limit} characters"
    if (row.get("status") or "").strip().lower() not in STATUSES:
        return f"line {number}: status must be active, unsubscribed or blocked, got {row['status'][:20]!r}"
    unknown = [t for t in row_topics(row) if topics is not None and t not in topics]
    if unknown:
        return f"line {number}: unknown topic(s) {', '.join(unknown)[:100]}"
    return None


def row_topics(row: dict[str, str]) -> list[str]:
    return [t.strip() for t in (row.get("topics") or "").replace(",", ";").split(";") if t.strip()]


async def import_csv(session: AsyncSession, path: str, topics: set[str] | None = None) -> CsvReport:
    """Subscribers from an earlier bot, all or nothing: every row is checked first and one bad row applies
    none. New people arrive with the row's status (active when it has none: they opted in there); an
    existing person's subscription and consent are never changed, only their name, district and sector."""
    report = CsvReport()
    size = await asyncio.to_thread(lambda: Path(path).stat().st_size)
    if size > MAX_FILE_BYTES:
        report.rejected.append(f"the file is {size:,} bytes; at most {MAX_FILE_BYTES:,}")
        return report
    try:
        text = decode_text(await asyncio.to_thread(Path(path).read_bytes))
    except ValueError as exc:
        report.rejected.append(str(exc))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "channel" not in header or "chat_id" not in header:
        report.rejected.append(
            f"the first line must name the columns, at least channel and chat_id ({', '.join(COLUMNS)})"
        )
        return report
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                report.rejected.append(f"more than {MAX_ROWS:,} rows")
                return report
            row = {k: restore(v) if isinstance(v, str) else v for k, v in raw.items()}
            problem = check_row(number, row, topics)
            if problem:
                report.rejected.append(problem)
            rows.append(row)
    except csv.Error as exc:
        report.rejected.append(f"not a readable CSV file ({exc})")
    if report.rejected:
        report.rejected.append("nothing was imported")
        return report
    for row in rows:
        await apply_row(session, row, report)
    await session.commit()
    return report


async def apply_row(session: AsyncSession, row: dict[str, str], report: CsvReport) -> None:
    channel, chat_id = row["channel"].strip().lower(), row["chat_id"].strip()
    person = await people.get_person(session, channel, chat_id)
    if person is None:
        status = STATUSES[(row.get("status") or "").strip().lower()] or SubscriberStatus.ACTIVE
        person = Subscriber(
            channel=channel,
            chat_id=chat_id,
            topics=",".join(dict.fromkeys(row_topics(row))),
            status=status,
            consent_at=utcnow() if status is SubscriberStatus.ACTIVE else None,
        )
        report.added += 1
    else:
        report.updated += 1
    for column, attribute in (("name", "display_name"), ("district", "district"), ("sector", "sector")):
        value = (row.get(column) or "").strip()
        if value:
            setattr(person, attribute, value)
    session.add(person)
