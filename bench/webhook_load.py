"""Webhook load: simulated users post updates to the bot's webhook; replies are collected at the fake Bot API.

Run:  python bench/webhook_load.py [--users 200] [--messages 5] [--database-url URL]

The bot runs as its own process, exactly as deployed: `python -m bot run` in webhook mode (PTB on our
aiohttp server, SQLite or PostgreSQL, the shipped knowledge base). This process plays Telegram: the fake
Bot API (tests/fakes/telegram_api.py) on loopback and the users posting updates to the webhook. Each
user sends its next question when the previous reply arrived (closed loop), so the figures are the
throughput and the update→reply latency a real crowd would see. Prints updates/s and p50/p99/max, and the
bot's CPU per update (all its threads; steadier than throughput on a shared machine).

--rate N (open loop): updates arrive at N a second whatever the replies do. Questions are drawn at random
from tests/eval/dev.yaml's 347, so after a while most repeat one already asked (whose vector the bot
remembers); --fresh sends each of the dev part's 1,321 distinct questions at most once instead. --timeline prints, per
second of the run, the worst and the median latency of what was sent in it (where the slow replies are).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import IO

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import load_eval, load_part
from tests.fakes.telegram_api import FakeTelegramAPI

SECRET = "bench-secret"


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) the process has used so far; None where /proc is absent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_bot(
    api: FakeTelegramAPI,
    database_url: str,
    port: int,
    log: IO[str],
    profile: str | None = None,
    embeddings: str = "e5",
) -> subprocess.Popen:
    """The bot as its own process; its log goes to a file, since an unread pipe fills up and stops the bot."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "DATABASE_URL": database_url,
        "WEB_PORT": str(port),
        "ZALO_BOT_TOKEN": "",
        "PYTHONPATH": str(ROOT),
        "EMBEDDINGS": embeddings,
        "VECTOR_CACHE_DIR": str(ROOT / "data" / "vectors"),
    }
    wrapper = ["-m", "cProfile", "-o", profile] if profile else []
    proc = subprocess.Popen(
        [sys.executable, *wrapper, "-m", "bot", "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    async with aiohttp.ClientSession() as http:
        for _ in range(3000):  # the first start on a machine embeds the knowledge base: about a minute
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return proc
            except aiohttp.ClientError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(Path(log.name).read_text())
            await asyncio.sleep(0.1)
    raise RuntimeError("the bot did not start")


class Replies:
    """Futures resolved, in order per chat, by the fake's listener when a reply to that chat arrives."""

    def __init__(self, api: FakeTelegramAPI):
        self.waiting: dict[str, deque[asyncio.Future]] = defaultdict(deque)
        api.listeners.append(self.on_call)

    def on_call(self, call) -> None:
        if call.method == "sendMessage" and call.ok:
            queue = self.waiting.get(call.chat_id)
            if queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(call.at)

    def expect(self, chat_id: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[str(chat_id)].append(future)
        return future


async def one_update(api, replies, http, url, chat_id, question, latencies, timeline) -> None:
    update = api.message_update(chat_id, question, user_id=chat_id)
    reply = replies.expect(chat_id)
    started = time.monotonic()
    async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
        assert r.status == 200, r.status
    latency = (await asyncio.wait_for(reply, 60) - started) * 1000
    latencies.append(latency)
    timeline.append((started, latency))


async def open_loop(
    api, replies, http, url, draw: Callable[[int], str], rate: float, seconds: float, users: int, latencies, timeline
) -> float:
    """Updates arrive at a fixed rate from `users` people, whatever the replies do: offered load."""
    total = int(rate * seconds)
    tasks = []
    started = time.monotonic()
    for i in range(total):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        chat_id = 1_000 + i % users
        tasks.append(asyncio.create_task(one_update(api, replies, http, url, chat_id, draw(i), latencies, timeline)))
    await asyncio.gather(*tasks)
    return time.monotonic() - started


async def user_session(api, replies, http, url, chat_id, questions, latencies) -> None:
    for question in questions:
        update = api.message_update(chat_id, question, user_id=chat_id)
        reply = replies.expect(chat_id)
        started = time.monotonic()
        async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
            assert r.status == 200, r.status
        answered_at = await asyncio.wait_for(reply, 30)
        latencies.append((answered_at - started) * 1000)
        await asyncio.sleep(0.05)  # let a second reply (e.g. a relay) land before the next question


async def main_async(args) -> None:
    questions = [i.question for i in load_eval() if i.question.strip()]
    rng = random.Random(1)
    warm_up = questions[:5]

    def draw(i: int) -> str:
        return rng.choice(questions)  # people repeat questions: a repeated one's vector is remembered

    if args.fresh:
        # Every update a question not asked before in the run: e5 embeds each one (the worst case).
        fresh = list(dict.fromkeys(i.question for i in load_part("dev") if i.question.strip()))
        rng.shuffle(fresh)
        warm_up, fresh = fresh[:5], fresh[5:]
        if int(args.rate * args.seconds) > len(fresh):
            raise SystemExit(f"--fresh has {len(fresh)} distinct questions: lower --rate × --seconds")
        draw = fresh.__getitem__
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        database_url = args.database_url or f"sqlite+aiosqlite:///{tmp}/load.db"
        async with FakeTelegramAPI() as api:
            port = free_port()
            log = stack.enter_context(open(Path(tmp) / "bot.log", "w"))
            proc = await start_bot(api, database_url, port, log, args.profile, args.embeddings)
            replies = Replies(api)
            url = f"http://127.0.0.1:{port}/telegram/webhook"
            latencies: list[float] = []
            timeline: list[tuple[float, float]] = []  # (sent at, latency), open loop
            try:
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    # Warm-up round so connection pools and caches are as in a bot that has been running.
                    await user_session(api, replies, http, url, 10_000_000, warm_up, [])
                    cpu_before = cpu_seconds(proc.pid)
                    if args.rate:
                        elapsed = await open_loop(
                            api, replies, http, url, draw, args.rate, args.seconds, args.users, latencies, timeline
                        )
                    else:
                        started = time.monotonic()
                        await asyncio.gather(
                            *(
                                user_session(
                                    api, replies, http, url, 1_000 + u, rng.sample(questions, args.messages), latencies
                                )
                                for u in range(args.users)
                            )
                        )
                        elapsed = time.monotonic() - started
                    cpu_after = cpu_seconds(proc.pid)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=120)
    if args.timeline and timeline:
        first = min(t for t, _ in timeline)
        by_second: dict[int, list[float]] = defaultdict(list)
        for t, latency in timeline:
            by_second[int(t - first)].append(latency)
        for second, values in sorted(by_second.items()):
            median = sorted(values)[len(values) // 2]
            print(f"  second {second}: {len(values)} sent, worst {max(values):.0f} ms, median {median:.0f} ms")
    latencies.sort()
    n = len(latencies)
    kind = "PostgreSQL" if args.database_url and "postgres" in args.database_url else "SQLite"
    if args.rate:
        print(
            f"open loop: {args.rate:g} updates/s offered for {args.seconds:g} s from {args.users} users, "
            f"{n} updates on {kind} answered in {elapsed:.2f} s"
        )
    else:
        print(
            f"closed loop: {args.users} users × {args.messages} messages = {n} updates on {kind} in "
            f"{elapsed:.2f} s (each user waits for its reply, then 50 ms, before the next question)"
        )
    print(f"embeddings: {args.embeddings}; throughput: {n / elapsed:.0f} updates/s")
    if cpu_before is not None and cpu_after is not None:
        # Steadier than throughput on a shared machine: what one update costs the bot, all its threads.
        print(f"bot CPU: {(cpu_after - cpu_before) * 1000 / n:.1f} ms per update ({os.cpu_count()} cores here)")
    print(
        f"update→reply latency: p50 {latencies[n // 2]:.1f} ms, p99 {latencies[int(n * 0.99) - 1]:.1f} ms, "
        f"max {latencies[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5, help="closed loop: questions per user")
    parser.add_argument("--rate", type=float, default=0, help="open loop: updates per second offered")
    parser.add_argument("--seconds", type=float, default=10, help="open loop: how long")
    parser.add_argument("--timeline", action="store_true", help="open loop: latency by the second it was sent")
    parser.add_argument(
        "--fresh", action="store_true", help="open loop: no question twice (1,321 distinct from the dev part)"
    )
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--profile", help="write a cProfile of the bot process to this file")
    parser.add_argument("--embeddings", default="e5", choices=("e5", "none"), help="e5 (as shipped) or BM25 alone")
    args = parser.parse_args()
    if args.fresh and not args.rate:
        parser.error("--fresh needs --rate (the open loop)")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
