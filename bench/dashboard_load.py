"""How fast the console's dashboard (Tổng quan) renders over a year of questions and a large list of people.

Run:  python bench/dashboard_load.py [--database-url URL] [--subscribers 100000] [--questions 1000000]
                                      [--rounds 50]

With a PostgreSQL URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench_dashboard) the database is created
when missing (the `test` database is refused: it belongs to CI) and its tables are dropped first; the default is
a fresh SQLite file (pass smaller --subscribers/--questions for a quick run). The schema comes from the app's own
migrations (open_database). Seeded in bulk (COPY on PostgreSQL): `--subscribers` people (80 % subscribed,
Telegram and Zalo) with a year of nightly snapshots, `--questions` logged questions spread over the last 365 days
(answered / asked back / fell back, entries of the shipped knowledge base, most asked first), 20,000 votes,
20,000 unanswered questions, 3,000 requests to staff and 5 campaigns sent to every subscriber. Every past day is
then rolled up as the nightly job does (question_log.roll_up_day), and the console runs on the bot's own core
(lexical search), a staff member signs in, and the page is requested `--rounds` times per period after two
warm-up requests, through the real aiohttp app. Prints p50 / p95 / max in milliseconds per period, and checks
that the page's question total equals the questions seeded in that period.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.bench_database import CHUNK, analyze, bulk, fresh_database
from bench.page_timing import close_console, open_console, print_table, time_page
from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.db import question_log
from bot.db.models import (
    Campaign,
    Delivery,
    Feedback,
    HandoffRequest,
    Occurrence,
    QuestionEvent,
    Subscriber,
    SubscriberDay,
    UnansweredQuestion,
)
from handlers.numbers import number
from knowledge.loader import load_directory
from tests.bot.admin.console import PASSWORD

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the settings' default TIMEZONE, which the console uses here
CAMPAIGNS = 5
TOTAL = re.compile(r'id="so-cau-hoi">([\d.]+)<')


def question_times(rng: random.Random, count: int, now: dt.datetime) -> list[dt.datetime]:
    """Times over the last 365 days, oldest first as the log is written; more lately, as the bot gets known
    (the square root skews them toward now)."""
    year = 365 * 24 * 3600
    return [now - dt.timedelta(seconds=int(year * (1 - u))) for u in sorted(rng.random() ** 0.5 for _ in range(count))]


def question_rows(rng: random.Random, times: list[dt.datetime], entries: list[str]) -> list[dict[str, Any]]:
    weights = [1 / (rank + 1) for rank in range(len(entries))]  # a few entries are asked far more than the rest
    picks = rng.choices(entries, weights, k=len(times))
    rows = []
    for n, at in enumerate(times):
        outcome = rng.choices(("answered", "clarify", "fallback"), (75, 12, 13))[0]
        rows.append(
            {
                "at": at,
                "channel": "telegram" if rng.random() < 0.7 else "zalo",
                "outcome": outcome,
                "entry_id": "" if outcome == "fallback" and n % 3 == 0 else picks[n],
                "confidence": round(rng.random(), 4),
                "latency_ms": int(rng.lognormvariate(3.6, 0.5)),
            }
        )
    return rows


async def seed(url: str, subscribers: int, questions: int) -> tuple[Counter[dt.date], float]:
    """Seed everything; returns the questions per local day and the seconds the nightly rollups took."""
    db = await fresh_database(url)
    rng = random.Random(17)
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(ZONE).date()
    entries = [e.id for e in load_directory()[0].entries]
    people = [
        {
            "channel": "telegram" if n % 10 < 7 else "zalo",
            "chat_id": str(100_000_000 + n),
            "status": rng.choices(("active", "unsubscribed", "blocked"), (80, 16, 4))[0],
            "first_seen": now - dt.timedelta(days=rng.randrange(400)),
            "last_seen": now - dt.timedelta(days=rng.randrange(30)),
            "user_id": "",
            "display_name": f"Người dùng {n}",
            "topics": "",
            "commune": "",
            "sector": "",
            "last_question": "",
        }
        for n in range(subscribers)
    ]
    await bulk(db, Subscriber, people)
    active = Counter(str(p["channel"]) for p in people if p["status"] == "active")
    await bulk(
        db,
        SubscriberDay,
        [
            {"day": today - dt.timedelta(days=back), "channel": channel, "active": int(count * (1 - back / 600))}
            for back in range(1, 366)
            for channel, count in active.items()
        ],
    )
    per_day: Counter[dt.date] = Counter()
    times = question_times(rng, questions, now)
    for start in range(0, questions, CHUNK * 4):
        rows = question_rows(rng, times[start : start + CHUNK * 4], entries)
        per_day.update(row["at"].astimezone(ZONE).date() for row in rows)
        await bulk(db, QuestionEvent, rows)

    def ago() -> dt.datetime:
        return now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))

    votes = [
        {"channel": "telegram", "chat_id": str(n), "entry_id": rng.choice(entries), "helpful": rng.random() < 0.8}
        | {"comment": "", "created_at": ago()}
        for n in range(20_000)
    ]
    await bulk(db, Feedback, votes)
    unanswered = []
    for n in range(20_000):
        first = ago()
        unanswered.append(
            {"normalized": f"cau hoi {n}", "text": f"câu hỏi chưa có trả lời số {n}", "status": "fallback"}
            | {"best_entry_id": None, "best_score": 0.1, "count": rng.randint(1, 40), "first_asked": first}
            | {"last_asked": min(now, first + dt.timedelta(days=rng.randrange(60))), "dismissed_at": None}
        )
    await bulk(db, UnansweredQuestion, unanswered)
    requests = []
    for n in range(3_000):
        made = ago()
        replied = made + dt.timedelta(minutes=rng.randint(1, 600)) if rng.random() < 0.9 else None
        closed = replied + dt.timedelta(hours=rng.randint(1, 48)) if replied and rng.random() < 0.95 else None
        status = "closed" if closed else ("taken" if replied else "open")
        requests.append(
            {"code": "ABCD", "channel": "telegram", "chat_id": str(n), "user_id": "", "user_name": "", "question": ""}
            | {"status": status, "assigned_to": "", "assigned_name": "", "created_at": made, "first_reply_at": replied}
            | {"last_activity_at": closed or replied or made, "closed_at": closed, "close_note": ""}
        )
    await bulk(db, HandoffRequest, requests)
    for nth in range(1, CAMPAIGNS + 1):
        sent = now - dt.timedelta(days=7 * (CAMPAIGNS - nth))
        campaign = {"id": nth, "text": f"Thông báo số {nth}", "buttons": "[]", "audience": "{}"}
        campaign |= {"schedule": "now", "run_at": sent, "cron": "", "timezone": ZONE.key, "status": "done"}
        campaign |= {"next_run_at": None, "created_by": "bench", "created_at": sent, "image_url": ""}
        await bulk(db, Campaign, [campaign])
        occurrence = {
            "id": nth,
            "campaign_id": nth,
            "fire_key": sent.isoformat(),
            "status": "done",
        }
        await bulk(db, Occurrence, [occurrence | {"created_at": sent, "finished_at": sent}])
        deliveries = [
            {
                "campaign_id": nth,
                "occurrence_id": nth,
                "subscriber_id": n,
                "channel": p["channel"],
            }
            | {"chat_id": p["chat_id"], "name": "", "status": rng.choices(("sent", "failed", "blocked"), (95, 3, 2))[0]}
            | {"attempts": 1, "next_attempt_at": sent, "message_id": "", "error": "", "updated_at": sent}
            for n, p in enumerate(people)
            if p["status"] == "active"
        ]
        await bulk(db, Delivery, deliveries)
    if not db.sqlite:
        async with db.sql.connect() as conn:
            # The sequences past the explicit ids, where the app's own inserts would have moved them.
            for table in ("campaign", "campaign_occurrence"):
                await conn.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
            await conn.commit()
    started = time.perf_counter()
    for back in range(365, 0, -1):
        async with db.writing() as session:
            await question_log.roll_up_day(session, today - dt.timedelta(days=back), ZONE)
    rolled = time.perf_counter() - started
    await analyze(db)
    async with db.session() as session:
        await accounts.add_user(session, "canbo@so.vn", AdminRole.STAFF, PASSWORD)
    await db.dispose()
    return per_day, rolled


def periods(today: dt.date) -> list[tuple[str, str, int]]:
    """(name, query, days): the default 30 days and the 90-day quick link."""
    start = today - dt.timedelta(days=89)
    return [("30 ngày (mặc định)", "", 30), ("90 ngày", f"?tu={start.isoformat()}&den={today.isoformat()}", 90)]


async def measure(url: str, rounds: int, per_day: Counter[dt.date]) -> list[tuple[str, list[float]]]:
    console = await open_console(url)
    try:
        assert await console.sign_in("canbo@so.vn") == 303
        today = dt.datetime.now(ZONE).date()
        results = []
        for name, query, days in periods(today):
            times, body = await time_page(console, f"/admin/tong-quan{query}", rounds)
            shown = TOTAL.search(body)
            expected = sum(per_day[today - dt.timedelta(days=back)] for back in range(days))
            assert shown and int(shown.group(1).replace(".", "")) == expected, (name, shown, expected)
            results.append((f"{name}: {number(expected)} câu hỏi", times))
        return results
    finally:
        await close_console(console)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        started = time.perf_counter()
        per_day, rolled = asyncio.run(seed(url, args.subscribers, args.questions))
        print(
            f"{url.split('://')[0]}: {args.subscribers:,} subscribers, {args.questions:,} questions over 365 days "
            f"(seeded in {time.perf_counter() - started:.0f} s, of which 365 nightly rollups {rolled:.0f} s); "
            f"{args.rounds} requests per period"
        )
        print_table("period", asyncio.run(measure(url, args.rounds, per_day)))


if __name__ == "__main__":
    main()
