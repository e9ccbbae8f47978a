"""One campaign to Telegram and Zalo subscribers at once, against both fake APIs: rate, busiest second, 429s.

Run:  python bench/both_channels.py [--subscribers 1000] [--telegram-limit 200] [--zalo-limit 100] [--headroom 0.9]

The fakes enforce their limits (sliding one-second windows, 429 with retry_after) and share this process's
event loop with the broadcaster, so a stall bunches requests: figures, not pass/fail. The test suite checks
only that each subscriber gets the message once (tests/bot/broadcast/test_campaign_both_channels.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import select

from bot.broadcast.audience import Audience
from bot.broadcast.broadcaster import BroadcastConfig, Broadcaster
from bot.broadcast.limiter import Limits, RateLimiter
from bot.channels.telegram_sender import TelegramSender
from bot.channels.zalo import ZaloSender
from bot.channels.zalo_client import ZaloClient
from bot.db import campaigns
from bot.db.campaigns import Draft
from bot.db.database import open_database
from bot.db.models import Delivery
from handlers.statuses import DeliveryStatus
from tests.bot.broadcast.test_broadcast import add_subscribers
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_api import FakeZaloAPI


def busiest_second(times: list[float]) -> int:
    """The most sends the platform saw inside any one-second window."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(subscribers: int, telegram_limit: int, zalo_limit: int, headroom: float) -> None:
    telegram_api, zalo_api = FakeTelegramAPI(), FakeZaloAPI()
    await telegram_api.start()
    await zalo_api.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = await open_database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await add_subscribers(db, subscribers, start=1, channel="telegram")
        await add_subscribers(db, subscribers, start=1, channel="zalo")
        async with db.writing() as s:
            await campaigns.create(
                s, Draft("Hội thảo chuyển đổi số cho doanh nghiệp nhỏ, 10/12.", Audience.parse("all"))
            )
        telegram_api.set_limits(global_per_second=telegram_limit, per_chat_per_second=1, per_group_per_minute=20)
        zalo_api.set_limits(per_second=zalo_limit)
        telegram = TelegramSender(telegram_api.token, telegram_api.base_url)
        zalo_client = ZaloClient(zalo_api.token, zalo_api.base_url)
        await telegram.start()
        await zalo_client.start()
        broadcaster = Broadcaster(
            db,
            {"telegram": telegram, "zalo": ZaloSender(zalo_client)},
            {
                "telegram": RateLimiter(Limits(per_second=telegram_limit * headroom)),
                "zalo": RateLimiter(Limits(per_second=zalo_limit * headroom), is_group=lambda _c: False),
            },
            BroadcastConfig(batch=50, quiet_start="", quiet_end=""),
        )
        await broadcaster.start()
        try:
            while True:
                await broadcaster.tick()
                async with db.session() as s:
                    waiting = (
                        await s.exec(
                            select(Delivery.id)
                            .where(Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.INFLIGHT)))
                            .limit(1)
                        )
                    ).first()
                if waiting is None:
                    break
                await asyncio.sleep(0.05)
        finally:
            broadcaster.stop()
            await telegram.close()
            await zalo_client.close()
            await db.dispose()
    for name, api, limit in (("telegram", telegram_api, telegram_limit), ("zalo", zalo_api, zalo_limit)):
        delivered = Counter(str(p["chat_id"]) for p in api.sent())
        times = [c.at for c in api.calls_of("sendMessage") if c.ok]
        print(
            f"{name}: {len(delivered)} of {subscribers} delivered at {len(times) / (max(times) - min(times)):.1f}/s "
            f"(our rate {limit * headroom:.0f}/s, limit {limit}/s), busiest second {busiest_second(times)}, "
            f"429s {api.stats.rate_limited}, duplicates {api.stats.duplicates}"
        )
    await telegram_api.stop()
    await zalo_api.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000, help="per channel")
    parser.add_argument("--telegram-limit", type=int, default=200)
    parser.add_argument("--zalo-limit", type=int, default=100)
    parser.add_argument("--headroom", type=float, default=0.9, help="our rate as a share of the fake's limit")
    args = parser.parse_args()
    asyncio.run(run(args.subscribers, args.telegram_limit, args.zalo_limit, args.headroom))


if __name__ == "__main__":
    main()
