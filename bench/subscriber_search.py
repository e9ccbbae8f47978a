"""How fast the console's subscriber list answers searches and filters over a large list of people.

Run:  python bench/subscriber_search.py [--database-url URL] [--subscribers 100000] [--rounds 50]

With a PostgreSQL URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench_people) the database is created
when missing (the `test` database is refused: it belongs to CI) and its tables are dropped first; the default is
a fresh SQLite file. The schema comes from the app's own migrations (open_database). `--subscribers` people are
seeded with Vietnamese names (a tenth typed without diacritics, a fifth businesses), both channels, topics of
the shipped knowledge base, communes and sectors, activity spread over two years; then the console runs on
the bot's own core, an admin signs in, and each search of SEARCHES is requested `--rounds` times after two
warm-up requests, through the real aiohttp app. Prints p50 / p95 / max in milliseconds per search, and the
time of one CSV and one Excel export of the Zalo subscribers.
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
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.bench_database import analyze, fresh_database
from bench.page_timing import close_console, open_console, print_table, time_page
from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.db.models import Subscriber
from handlers.numbers import number
from knowledge.communes import load_communes
from knowledge.loader import load_directory
from knowledge.syllables import strip_accents
from tests.bot.admin.console import PASSWORD

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Kim", "Xuân", "Công")
GIVEN = (
    *("An", "Bình", "Châu", "Dũng", "Duyên", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh"),
    *("Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tâm"),
    *("Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Việt", "Yến", "Đạt", "Hiếu", "Lộc", "Nhung", "Oanh"),
)
BUSINESS = ("Công ty TNHH", "Công ty CP", "HTX", "Cơ sở", "Hộ kinh doanh")
TRADES = ("Thực phẩm", "Cơ khí", "Thủy sản", "Dệt may", "Gỗ", "Du lịch", "Xây dựng", "Chè", "Nước mắm", "Gốm")
COMMUNES = tuple(load_communes().names())
SECTORS = ("Chế biến thực phẩm", "Dệt may", "Cơ khí", "Thủy sản", "Du lịch", "Xây dựng", "Nông nghiệp", "Thương mại")
TOPIC_IDS = [t.id for t in load_directory()[0].menu_topics()]


def person(rng: random.Random, number: int, now: dt.datetime) -> dict[str, object]:
    telegram = rng.random() < 0.65
    chat_id = str(rng.randrange(100_000_000, 7_999_999_999)) if telegram else f"{rng.getrandbits(72):018x}"
    if rng.random() < 0.2:
        name = f"{rng.choice(BUSINESS)} {rng.choice(TRADES)} {rng.choice(COMMUNES)}"
    else:
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if rng.random() < 0.1:
            name = strip_accents(name)
    status = rng.choices(("active", "unsubscribed", "blocked"), (70, 25, 5))[0]
    topics = ",".join(rng.sample(TOPIC_IDS, rng.randint(1, 3))) if rng.random() < 0.7 else ""
    last_seen = now - dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
    return {
        "channel": "telegram" if telegram else "zalo",
        "chat_id": f"{chat_id}{number}" if not telegram else chat_id + str(number % 10),
        "user_id": chat_id,
        "display_name": name,
        "topics": topics,
        "status": status,
        "consent_at": last_seen - dt.timedelta(days=rng.randrange(30)) if status == "active" else None,
        "commune": rng.choice(COMMUNES) if rng.random() < 0.85 else "",
        "sector": rng.choice(SECTORS) if rng.random() < 0.7 else "",
        "first_seen": last_seen - dt.timedelta(days=rng.randrange(365)),
        "last_seen": last_seen,
        "last_question": rng.choice(("", "5S là gì?", "hỗ trợ chứng nhận ISO 9001 thế nào", "OCOP 4 sao cần gì")),
    }


async def seed(url: str, count: int) -> str:
    """Seed `count` people; returns a fragment of one Telegram chat id, for the chat-id search."""
    db = await fresh_database(url)
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    rows = [person(rng, i, now) for i in range(count)]
    async with db.transaction() as conn:
        for start in range(0, count, 5_000):
            await conn.execute(insert(Subscriber), rows[start : start + 5_000])
    await analyze(db)
    async with db.session() as session:
        await accounts.add_user(session, "bench@so.vn", AdminRole.ADMIN, PASSWORD)
    await db.dispose()
    telegram = next(r for r in rows[count // 2 :] if r["channel"] == "telegram")
    return str(telegram["chat_id"])[2:9]


def searches(chat_fragment: str, pages: int) -> list[tuple[str, str]]:
    base = "/admin/nguoi-dang-ky"
    return [
        ("Trang đầu, không lọc", base),
        ("Tên «nguyen van» (gõ không dấu)", f"{base}?q=nguyen+van"),
        ("Tên «Hương»", f"{base}?q={quote('Hương')}"),
        (f"Mã chat «{chat_fragment}»", f"{base}?q={chat_fragment}"),
        ("Kênh Zalo", f"{base}?kenh=zalo"),
        ("Chủ đề «cong-cu-cai-tien»", f"{base}?chu_de=cong-cu-cai-tien"),
        (
            "Kết hợp: «tran» + Telegram + chủ đề + đang nhận tin + Hạ Long",
            f"{base}?q=tran&kenh=telegram&chu_de=cong-cu-cai-tien&trang_thai=active&xa_phuong={quote('Hạ Long')}",
        ),
        (f"Trang sâu ({pages // 2})", f"{base}?trang={pages // 2}"),
        (f"Trang cuối ({pages})", f"{base}?trang={pages}"),
    ]


FOUND = re.compile(r"<small>([\d.]+) người")


async def measure(url: str, rounds: int, chat_fragment: str, count: int) -> list[tuple[str, list[float]]]:
    console = await open_console(url)
    try:
        assert await console.sign_in("bench@so.vn") == 303
        results = []
        for name, path in searches(chat_fragment, max(1, -(-count // 50))):
            times, body = await time_page(console, path, rounds, expect="Người đăng ký")
            found = FOUND.search(body)
            results.append((f"{name}: {found.group(1) if found else '?'} người", times))
        for kind in ("csv", "xlsx"):
            started = time.perf_counter()
            reply = await console.client.get(f"/admin/nguoi-dang-ky/xuat.{kind}?kenh=zalo")
            size = len(await reply.read())
            assert reply.status == 200
            results.append(
                (
                    f"Xuất {kind.upper()} (Zalo, {number(size // 1024)} KB), một lần",
                    [1000 * (time.perf_counter() - started)],
                )
            )
        return results
    finally:
        await close_console(console)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        started = time.perf_counter()
        fragment = asyncio.run(seed(url, args.subscribers))
        print(
            f"{url.split('://')[0]}: {args.subscribers:,} subscribers"
            f" (seeded in {time.perf_counter() - started:.0f} s);"
            f" {args.rounds} requests per search"
        )
        print_table("search", asyncio.run(measure(url, args.rounds, fragment, args.subscribers)))


if __name__ == "__main__":
    main()
