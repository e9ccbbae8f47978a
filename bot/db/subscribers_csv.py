"""Moving subscriber lists in and out on the command line: CSV (channel, chat_id, name, topics, commune,
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
from knowledge.communes import CommuneList, load_communes

COLUMNS = ("channel", "chat_id", "name", "topics", "commune", "sector", "status")
# Lists exported before communes replaced districts (migration 0012) name the column "district".
RENAMED = {"district": "commune"}
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
        cells = [p.channel, p.chat_id, p.display_name, ";".join(p.topic_list), p.commune, p.sector, p.status]
        writer.writerow([neutralise(cell) for cell in cells])
    # File I/O off the event loop, so a large list does not stall a bot answering in the same process.
    await asyncio.to_thread(Path(path).write_text, buffer.getvalue(), encoding="utf-8", newline="")
    return len(rows)


MAX_FILE_BYTES = 20_000_000  # about 200,000 rows: far past any province's list, well inside memory
MAX_ROWS = 200_000
LIMITS = {"chat_id": 64, "name": 256, "commune": 128, "sector": 128, "topics": 1024}
STATUSES = {"": None, **{s.value: s for s in SubscriberStatus}}


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, as spreadsheets save CSV; ValueError otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start}); save it as «CSV UTF-8»") from None


def row_commune(row: dict[str, str], communes: CommuneList) -> str | None:
    """The row's commune as its canonical name ("" for an empty cell); None when it names no unit, or several."""
    typed = (row.get("commune") or "").strip()
    if not typed:
        return ""
    found = communes.resolve(typed)
    return found.name if found is not None else None


def check_row(
    number: int, row: dict[str, str], topics: set[str] | None, communes: CommuneList | None = None
) -> str | None:
    """Why this row cannot be imported, or None. `communes`: the province's list (read from the data file
    when the caller has none)."""
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
    if row_commune(row, communes or load_communes()) is None:
        typed = row["commune"].strip()[:60]
        return f"line {number}: {typed!r} is not one commune, ward or special zone of the province"
    return None


def row_topics(row: dict[str, str]) -> list[str]:
    return [t.strip() for t in (row.get("topics") or "").replace(",", ";").split(";") if t.strip()]


async def import_csv(
    session: AsyncSession, path: str, topics: set[str] | None = None, communes: CommuneList | None = None
) -> CsvReport:
    """Subscribers from an earlier bot, all or nothing: every row is checked first and one bad row applies
    none. New people arrive with the row's status (active when it has none: they opted in there); an
    existing person's subscription and consent are never changed, only their name, commune and sector."""
    report = CsvReport()
    communes = communes or load_communes()
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
    header = [RENAMED.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames or []]
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
            problem = check_row(number, row, topics, communes)
            if problem:
                report.rejected.append(problem)
            rows.append(row)
    except csv.Error as exc:
        report.rejected.append(f"not a readable CSV file ({exc})")
    if report.rejected:
        report.rejected.append("nothing was imported")
        return report
    for row in rows:
        await apply_row(session, row, report, communes)
    await session.commit()
    return report


async def apply_row(
    session: AsyncSession, row: dict[str, str], report: CsvReport, communes: CommuneList | None = None
) -> None:
    """One checked row: a new person, or an existing one's name, commune and sector (empty cells change nothing)."""
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
    for column, attribute in (("name", "display_name"), ("sector", "sector")):
        value = (row.get(column) or "").strip()
        if value:
            setattr(person, attribute, value)
    commune = row_commune(row, communes or load_communes())
    if commune:  # check_row refused a name that resolves to nothing
        person.commune = commune
    session.add(person)
