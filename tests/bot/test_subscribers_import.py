"""`subscribers import`: all or nothing, a report per row, never a change to an existing person's consent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.db import people
from bot.db.database import open_database
from bot.db.models import Subscriber
from bot.db.subscribers_csv import import_csv

TOPICS = {"ocop-tccs", "iso-he-thong"}


@pytest.fixture
async def db(tmp_path):
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    yield database
    await database.dispose()


async def run(db, tmp_path, content: str | bytes):
    path = tmp_path / "in.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    async with db.writing() as s:
        report = await import_csv(s, str(path), TOPICS)
    async with db.session() as s:
        rows = (await s.exec(select(Subscriber))).all()
    return report, {(r.channel, r.chat_id): r for r in rows}


async def test_an_existing_person_who_left_is_not_subscribed_again(db, tmp_path):
    async with db.session() as s:
        await people.subscribe(s, "telegram", "1", [])
        await people.unsubscribe(s, "telegram", "1")
    report, rows = await run(db, tmp_path, "channel,chat_id,name\ntelegram,1,Lan\ntelegram,2,Bình\n")
    assert (report.added, report.updated, report.rejected) == (1, 1, [])
    assert rows[("telegram", "1")].status == "unsubscribed" and rows[("telegram", "1")].consent_at is None
    assert rows[("telegram", "1")].display_name == "Lan"
    assert rows[("telegram", "2")].status == "active" and rows[("telegram", "2")].consent_at is not None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("channel,chat_id\ntelegram,1\nviber,2\n", "line 3: channel must be telegram or zalo"),
        ("channel,chat_id\ntelegram,1\ntelegram," + "9" * 100 + "\n", "line 3: chat_id longer than 64"),
        ("channel,chat_id,name\ntelegram,1,Lan\ntelegram,2," + "x" * 300 + "\n", "line 3: name longer than 256"),
        ("channel,chat_id,topics\ntelegram,1,ocop-tccs\ntelegram,2,5s\n", "line 3: unknown topic(s) 5s"),
        ("channel,chat_id,status\ntelegram,1,active\ntelegram,2,vip\n", "line 3: status must be"),
        ("telegram,1\ntelegram,2\n", "the first line must name the columns"),
        (b"\xc3\x28 not utf-8", "not UTF-8"),
    ],
)
async def test_one_bad_row_imports_nothing_and_says_which(db, tmp_path, content, problem):
    report, rows = await run(db, tmp_path, content)
    assert rows == {} and report.added == 0
    assert any(problem in line for line in report.rejected), report.rejected


async def test_utf16_from_a_spreadsheet_is_read(db, tmp_path):
    report, rows = await run(db, tmp_path, "channel,chat_id,name\nzalo,z1,Nguyễn Thị Hoa\n".encode("utf-16"))
    assert report.added == 1 and rows[("zalo", "z1")].display_name == "Nguyễn Thị Hoa"
