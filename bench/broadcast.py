"""Broadcast throughput against the fake Bot API: achieved rate, 429s, duplicates, peak memory; reply p99.

Run:  python bench/broadcast.py [--scenario limit30|crash|paid-sqlite|paid-pg|replies|all]

- limit30:     the fake enforces Telegram's free 30/s (and 1/s per chat); 300 and 3,000 subscribers; SQLite;
               one sender process.
- crash:       450 subscribers at 30/s; the sender is killed with SIGKILL three times mid-campaign and
               restarted; reports duplicates, unknowns per kill against what was in flight, and unknowns whose
               request never reached the fake.
- paid-sqlite: paid broadcasts (TELEGRAM_PAID_BROADCAST=true, 1,000/s); the fake refuses more than 30/s
               without allow_paid_broadcast; 100,000 subscribers; SQLite; one sender process.
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


def env_for(api, database_url: str, rate: float, workers: int = 1, **extra: str) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "ZALO_BOT_TOKEN": "",
        "QUIET_HOURS": "off",
        "TELEGRAM_RATE_PER_SECOND": str(rate),
        # Above Telegram's free 30/s only as paid broadcasts: the fake refuses the rest without the flag.
        "TELEGRAM_PAID_BROADCAST": "true" if rate > 30 else "false",
        "CAMPAIGN_WORKERS": str(workers),
        # One campaign per run: the frequency cap does not apply to a benchmark's single message.
        "CAMPAIGN_MAX_PER_DAY": "0",
        "CAMPAIGN_MAX_PER_WEEK": "0",
        **extra,
    }


async def spawn_sender(env: dict, until_idle: bool = True, stderr: int = asyncio.subprocess.PIPE):
    """`python -m bot campaign send` in its own process, as staff run it."""
    idle = ["--until-idle"] if until_idle else []
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "campaign", "send", *idle, env=env, cwd=ROOT, stderr=stderr
    )


async def run_senders(api, database_url: str, rate: float, workers: int) -> tuple[float, float]:
    """Start `workers` sender processes, wait for them; returns (seconds from first to last send, peak MB)."""
    env = env_for(api, database_url, rate, workers)
    procs = [await spawn_sender(env) for _ in range(workers)]
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
    # n sends span n - 1 intervals: the rate between the first and the last send.
    rate = (stats.delivered - 1) / seconds if seconds else 0
    print(
        f"| {name} | {expected:,} | {stats.delivered:,} | {rate:.1f}/s | {stats.rate_limited} "
        f"({100 * stats.rate_limited / max(attempts, 1):.2f}%) | {stats.duplicates} | {stats.paid:,} | {peak:.0f} MB |",
        flush=True,
    )


async def throughput(name: str, database_url: str, subscribers: int, limit: float, workers: int) -> None:
    await prepare(database_url, subscribers)
    async with FakeTelegramAPI() as api:
        # Telegram's free limit always; paid broadcasts (with the flag) up to 1,000/s.
        api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20, paid_per_second=1000)
        seconds, peak = await run_senders(api, database_url, limit, workers)
        report(name, api, seconds, peak, subscribers)


async def crash_run(database_url: str, subscribers: int = 450, kills: int = 3) -> None:
    """Kill the sender mid-campaign `kills` times; after each kill read what it left in flight."""
    import signal

    from sqlmodel import select

    from bot.db.models import Delivery

    await prepare(database_url, subscribers)
    db = await open_database(database_url)
    rng = random.Random(2026)
    per_kill = []
    async with FakeTelegramAPI() as api:
        api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
        env = env_for(api, database_url, 30)
        for _ in range(kills):
            proc = await spawn_sender(env, until_idle=False, stderr=asyncio.subprocess.DEVNULL)
            before = len(api.calls_of("sendMessage"))
            while len(api.calls_of("sendMessage")) < before + 30:  # a second of sending under way
                await asyncio.sleep(0.05)
            await asyncio.sleep(rng.uniform(0.0, 3.0))
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            async with db.session() as s:
                inflight = (await s.exec(select(Delivery).where(Delivery.status == "inflight"))).all()
            received = {c.chat_id for c in api.calls_of("sendMessage")}
            marked = [d for d in inflight if d.attempted_at is not None]
            per_kill.append((len(inflight), len(marked), sum(d.chat_id in received for d in marked)))
        final = await spawn_sender(env, stderr=asyncio.subprocess.DEVNULL)
        await final.wait()
        async with db.session() as s:
            rows = (await s.exec(select(Delivery))).all()
        received = {c.chat_id for c in api.calls_of("sendMessage")}
        stats = api.stats
    await db.dispose()
    unknown = [r for r in rows if r.status == "unknown"]
    never_attempted = [r for r in unknown if r.attempted_at is None]
    never_reached = [r for r in unknown if r.chat_id not in received]
    sent = sum(r.status == "sent" for r in rows)
    print("| kill | leased, not settled | of them marked attempted (→ unknown) | of those, reached the fake |")
    print("|---|---|---|---|")
    for number, (leased, marked, reached) in enumerate(per_kill, 1):
        print(f"| {number} | {leased} | {marked} | {reached} |")
    print(
        f"\ncrash run, {subscribers} subscribers at 30/s, {kills} SIGKILLs: sent {sent}, unknown {len(unknown)} "
        f"(never attempted {len(never_attempted)}, request never reached the fake {len(never_reached)}), "
        f"duplicates {stats.duplicates}, 429s {stats.rate_limited}, left pending "
        f"{sum(r.status in ('pending', 'waiting', 'inflight') for r in rows)}",
        flush=True,
    )


async def replies_during_broadcast(database_url: str) -> None:
    import aiohttp

    from bench.webhook_load import SECRET, Replies, free_port, start_bot

    await prepare(database_url, 20_000)
    questions = ["5s la gi", "kaizen là gì", "dn ocop 3* dc ho tro gi", "đăng ký hỗ trợ thế nào", "iso 9001 là gì"]
    async with FakeTelegramAPI() as api:
        api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20, paid_per_second=1000)
        port = free_port()
        os.environ["TELEGRAM_RATE_PER_SECOND"] = "1000"
        os.environ["TELEGRAM_PAID_BROADCAST"] = "true"
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
        if scenario in ("limit30", "paid-sqlite", "paid-pg", "all"):
            print("| scenario | subscribers | delivered | achieved | 429s | duplicates | paid | peak RSS |")
            print("|---|---|---|---|---|---|---|---|")
        if scenario in ("limit30", "all"):
            await throughput("limit 30/s, SQLite, 1 process", f"sqlite+aiosqlite:///{tmp}/a3.db", 300, 30, 1)
            await throughput("limit 30/s, SQLite, 1 process", f"sqlite+aiosqlite:///{tmp}/a.db", 3000, 30, 1)
        if scenario in ("crash", "all"):
            await crash_run(f"sqlite+aiosqlite:///{tmp}/c.db")
        if scenario in ("paid-sqlite", "all"):
            await throughput("limit 1,000/s, SQLite, 1 process", f"sqlite+aiosqlite:///{tmp}/b.db", 100_000, 1000, 1)
        if scenario in ("paid-pg", "all"):
            await reset_postgres()
            await throughput("limit 1,000/s, PostgreSQL, 2 workers", PG_URL, 100_000, 1000, 2)
        if scenario in ("replies", "all"):
            await replies_during_broadcast(f"sqlite+aiosqlite:///{tmp}/d.db")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", default="all", choices=("limit30", "crash", "paid-sqlite", "paid-pg", "replies", "all")
    )
    asyncio.run(main_async(parser.parse_args().scenario))


if __name__ == "__main__":
    main()
