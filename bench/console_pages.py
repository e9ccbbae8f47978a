"""How fast the web console's pages render with a big knowledge base and a long question log.

Run:  python bench/console_pages.py [--database-url URL] [--entries 5000] [--questions 200000] [--rounds 40]
                                     [--embeddings]

Seeds a database (a fresh SQLite file by default; pass the local PostgreSQL, e.g.
postgresql+asyncpg://postgres@127.0.0.1:5432/test — its tables are dropped first) with a synthetic knowledge base
(the shipped entries copied with made-up product names, as bench/latency.py makes them), `--questions` logged
unanswered questions (distinct texts, counts 1–50), 20,000 votes with comments and 5,000 picks after a question
back; starts the console on the bot's own core (lexical search unless --embeddings), signs in, and times each
page over `--rounds` requests after two warm-up requests. Prints p50 / p95 / max in milliseconds per page.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from bench.latency import synthetic_kb
from bench.page_timing import close_console, open_console, print_table, time_page
from bot.admin import accounts
from bot.admin.roles import AdminRole
from bot.db import live_knowledge
from bot.db.database import open_database
from bot.db.models import ClarifyChoice, Feedback, UnansweredQuestion, utcnow
from tests.bot.admin.console import PASSWORD

PAGES = [
    ("Kho tri thức (trang 1)", "/admin/kho-tri-thuc"),
    ("Kho tri thức, tìm «iso 9001»", "/admin/kho-tri-thuc?q=iso+9001"),
    ("Kho tri thức, nhiều 👎", "/admin/kho-tri-thuc?loc=nhieu-khong-hai-long"),
    ("Sửa câu hỏi (xem trước)", "/admin/kho-tri-thuc/syn-10"),
    ("Lịch sử", "/admin/kho-tri-thuc/syn-10/lich-su"),
    ("Hộp thư cần xử lý", "/admin/hop-thu"),
    ("Thử hỏi", "/admin/thu-hoi?q=chung+chi+iso+9001+hieu+luc+may+nam"),
    ("Excel", "/admin/excel"),
    ("Nhật ký", "/admin/nhat-ky"),
    ("Cài đặt", "/admin/cai-dat"),
]
WORDS = [
    *("xưởng", "em", "muốn", "hỏi", "về", "tiêu", "chuẩn", "chất", "lượng", "hỗ", "trợ", "chương", "trình"),
    *("sản", "phẩm", "ocop", "iso", "kaizen", "giá", "bao", "nhiêu"),
]


async def seed(url: str, entries: int, questions: int) -> None:
    if url.startswith("postgresql"):
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    db = await open_database(url)
    kb = synthetic_kb(entries)
    async with db.session() as session:
        await live_knowledge.replace(session, kb)
    rng = random.Random(11)
    now = utcnow()
    async with db.transaction() as conn:
        for start in range(0, questions, 10_000):
            rows = []
            for i in range(start, min(questions, start + 10_000)):
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9)))
                rows.append(
                    {
                        "normalized": f"{words} {i}",
                        "text": f"{words} {i}",
                        "status": "fallback",
                        "best_entry_id": f"syn-{rng.randrange(entries)}",
                        "best_score": rng.random(),
                        "count": rng.randint(1, 50),
                        "first_asked": now,
                        "last_asked": now,
                    }
                )
            await conn.execute(insert(UnansweredQuestion), rows)
        votes = [
            {
                "channel": "telegram",
                "chat_id": str(i),
                "entry_id": f"syn-{rng.randrange(entries)}",
                "helpful": rng.random() < 0.7,
                "comment": "thiếu ví dụ" if i % 5 == 0 else "",
                "created_at": now,
            }
            for i in range(20_000)
        ]
        await conn.execute(insert(Feedback), votes)
        picks = [
            {
                "normalized": f"chon {i}",
                "text": f"câu hỏi đã chọn {i}",
                "entry_id": f"syn-{rng.randrange(entries)}",
                "count": rng.randint(1, 9),
                "first_picked": now,
                "last_picked": now,
            }
            for i in range(5_000)
        ]
        await conn.execute(insert(ClarifyChoice), picks)
    async with db.session() as session:
        await accounts.add_user(session, "bench@so.vn", AdminRole.ADMIN, PASSWORD)
    await db.dispose()


async def measure(url: str, rounds: int, embeddings: bool) -> list[tuple[str, list[float]]]:
    console = await open_console(url, "e5" if embeddings else "off")
    try:
        assert await console.sign_in("bench@so.vn") == 303
        return [(name, (await time_page(console, path, rounds))[0]) for name, path in PAGES]
    finally:
        await close_console(console)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--embeddings", action="store_true", help="the engine with e5 embeddings, as shipped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        started = time.perf_counter()
        asyncio.run(seed(url, args.entries, args.questions))
        print(
            f"{url.split('://')[0]}: {args.entries} entries, {args.questions} logged questions "
            f"(seeded in {time.perf_counter() - started:.0f} s); {args.rounds} requests per page"
        )
        print_table("page", asyncio.run(measure(url, args.rounds, args.embeddings)))


if __name__ == "__main__":
    main()
