"""Timing console pages through the real aiohttp app: a console on the bot's own core (lexical search unless
asked), each page requested after two warm-ups, and the p50 / p95 / max table README quotes."""

from __future__ import annotations

import statistics
import time

from bot.settings import load_settings
from bot.wiring import build_core
from tests.bot.admin.console import Console, start_console

WARM_UPS = 2


async def open_console(url: str, embeddings: str = "off") -> Console:
    """The console over the database at `url`, as `bot web` serves it (close its client and core after)."""
    settings = load_settings(
        _env_file=None, telegram_bot_token=None, zalo_bot_token=None, database_url=url, embeddings=embeddings
    )
    return await start_console(await build_core(settings))


async def close_console(console: Console) -> None:
    await console.client.close()
    await console.core.close()


async def time_page(console: Console, path: str, rounds: int, expect: str = "") -> tuple[list[float], str]:
    """Milliseconds of `rounds` requests of `path` after the warm-ups, and the last page; every answer must be
    200 (and contain `expect`)."""
    times: list[float] = []
    body = ""
    for attempt in range(rounds + WARM_UPS):
        started = time.perf_counter()
        reply = await console.client.get(path)
        body = await reply.text()
        assert reply.status == 200 and expect in body, (path, reply.status)
        if attempt >= WARM_UPS:
            times.append((time.perf_counter() - started) * 1000)
    return times, body


def print_table(first_column: str, results: list[tuple[str, list[float]]]) -> None:
    print(f"| {first_column} | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    for name, times in results:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"| {name} | {statistics.median(times):.0f} | {p95:.0f} | {max(times):.0f} |")
