"""Broadcast throughput against the fake Bot API: achieved rate, 429s, duplicates, peak memory; reply p99.

Run:  python bench/broadcast.py [--scenario limit30|paid-sqlite|paid-pg|replies|all]

- limit30:     the fake enforces 30/s (and 1/s per chat); 3,000 subscribers; SQLite; one sender process.
- paid-sqlite: the fake's limit raised to 1,000/s; 100,000 subscribers; SQLite; one sender process.
- paid-pg:     the same on PostgreSQL (local server) with two sender processes at once.
- replies:     `python -m bot run` (webhook mode, CAMPAIGNS_IN_BOT=false) answers users posting questions
               at 20/s while `python -m bot campaign send` sends a 1,000/s campaign to 20,000
               subscribers; prints the update→reply latency of those answers.
Senders are the real CLI (`python -m bot campaign send`) in their own processes; this process plays
Telegram (tests/fakes/telegram_api.py) on loopback. Peak memory is each sender's max RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.broadcast.audience import Audience
from bot.db import campaigns
from bot.db.campaigns import Draft
from bot.db.database import open_database
from tests.bot.broadcast.test_broadcast import add_subscribers
from tests.fakes.telegram_api import FakeTelegramAPI

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def reset_postgres() -> None:
    from tests.conftest import reset_postgres as reset

    await reset(PG_URL)


async def prepare(database_url: str, subscribers: int) -> None:
    db = await open_database(database_url)
    for start in range(0, subscribers, 20_000):
        await add_subscribers(db, min(20_000, subscribers - start), start=1_000_000 + start)
    async with db.writing() as s:
        await campaigns.create(
            s, Draft("Thông báo: lớp đào tạo 5S, Kaizen cho doanh nghiệp tháng 12.", Audience.parse("all"))
        )
    await db.dispose()


def env_for(api, database_url: str, rate: float, workers: int = 1) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "ZALO_BOT_TOKEN": "",
        "QUIET_HOURS": "off",
        "TELEGRAM_RATE_PER_SECOND": str(rate),
        "CAMPAIGN_WORKERS": str(workers),
    }


async def run_senders(api, database_url: str, rate: float, workers: int) -> tuple[float, float]:
    """Start `workers` sender processes, wait for them; returns (seconds from first to last send, peak MB)."""
    env = env_for(api, database_url, rate, workers)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "campaign",
            "send",
            "--until-idle",
            env=env,
            cwd=ROOT,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    errors = [(await p.communicate())[1] for p in procs]
    for proc, err in zip(procs, errors):
        if proc.returncode != 0:
            raise RuntimeError(err.decode()[-2000:])
    sends = [c.at for c in api.calls_of("sendMessage") if c.ok]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return (max(sends) - min(sends)) if len(sends) > 1 else 0.0, peak


def report(name: str, api, seconds: float, peak: float, expected: int) -> None:
    stats = api.stats
    attempts = stats.delivered + stats.rate_limited
    rate = stats.delivered / seconds if seconds else 0
    print(
        f"| {name} | {expected:,} | {stats.delivered:,} | {rate:.1f}/s | {stats.rate_limited} "
        f"({100 * stats.rate_limited / max(attempts, 1):.2f}%) | {stats.duplicates} | {peak:.0f} MB |",
        flush=True,
    )


async def throughput(name: str, database_url: str, subscribers: int, limit: float, workers: int) -> None:
    await prepare(database_url, subscribers)
    async with FakeTelegramAPI() as api:
        api.set_limits(global_per_second=int(limit), per_chat_per_second=1, per_group_per_minute=20)
        seconds, peak = await run_senders(api, database_url, limit, workers)
        report(name, api, seconds, peak, subscribers)


async def replies_during_broadcast(database_url: str) -> None:
    import aiohttp

    from bench.webhook_load import SECRET, Replies, free_port, start_bot

    await prepare(database_url, 20_000)
    questions = ["5s la gi", "kaizen là gì", "dn ocop 3* dc ho tro gi", "đăng ký hỗ trợ thế nào", "iso 9001 là gì"]
    async with FakeTelegramAPI() as api:
        api.set_limits(global_per_second=1000, per_chat_per_second=1, per_group_per_minute=20)
        port = free_port()
        os.environ["TELEGRAM_RATE_PER_SECOND"] = "1000"
        os.environ["QUIET_HOURS"] = "off"
        # Paid-rate deployment: the bot answers, a separate process sends the campaign.
        os.environ["CAMPAIGNS_IN_BOT"] = "false"
        proc = await start_bot(api, database_url, port)
        sender = subprocess.Popen(
            [sys.executable, "-m", "bot", "campaign", "send", "--until-idle"],
            env=env_for(api, database_url, 1000),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        replies = Replies(api)
        latencies: list[float] = []
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        try:
            async with aiohttp.ClientSession() as http:
                await asyncio.sleep(1.0)  # the campaign is under way
                for i in range(300):  # 20 questions a second for 15 s
                    chat = 5_000 + i
                    future = replies.expect(chat)
                    update = api.message_update(chat, random.choice(questions), user_id=chat)
                    started = time.monotonic()
                    async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
                        assert r.status == 200
                    future.add_done_callback(lambda f, s=started: latencies.append((f.result() - s) * 1000))
                    await asyncio.sleep(0.05)
                await asyncio.sleep(3)
            broadcast = [c.at for c in api.calls_of("sendMessage") if c.ok and int(c.chat_id) >= 1_000_000]
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            sender.terminate()
            sender.wait(timeout=60)
    latencies.sort()
    n = len(latencies)
    rate = len(broadcast) / (max(broadcast) - min(broadcast)) if len(broadcast) > 1 else 0
    print(
        f"| replies during a broadcast | {n} answers at 20/s | broadcast {len(broadcast):,} sent at {rate:.0f}/s "
        f"| p50 {latencies[n // 2]:.1f} ms | p99 {latencies[int(n * 0.99) - 1]:.1f} ms | max {latencies[-1]:.1f} ms |"
    )


async def main_async(scenario: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if scenario in ("limit30", "all"):
            print("| scenario | subscribers | delivered | achieved | 429s | duplicates | peak RSS |")
            print("|---|---|---|---|---|---|---|")
            await throughput("limit 30/s, SQLite, 1 process", f"sqlite+aiosqlite:///{tmp}/a.db", 3000, 30, 1)
        if scenario in ("paid-sqlite", "all"):
            await throughput("limit 1,000/s, SQLite, 1 process", f"sqlite+aiosqlite:///{tmp}/b.db", 100_000, 1000, 1)
        if scenario in ("paid-pg", "all"):
            await reset_postgres()
            await throughput("limit 1,000/s, PostgreSQL, 2 workers", PG_URL, 100_000, 1000, 2)
        if scenario in ("replies", "all"):
            await replies_during_broadcast(f"sqlite+aiosqlite:///{tmp}/d.db")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="all", choices=("limit30", "paid-sqlite", "paid-pg", "replies", "all"))
    asyncio.run(main_async(parser.parse_args().scenario))


if __name__ == "__main__":
    main()
