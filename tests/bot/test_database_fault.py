"""A database that refuses or hangs does not silence the bot: a TCP proxy in front of PostgreSQL fails on
command; questions are still answered within 2 s, /healthz says the database is down, and what happened
meanwhile is recorded once it is back."""

from __future__ import annotations

import asyncio
import os
import time

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.app import Runner
from bot.db import people
from tests.bot.channels.test_telegram import make_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]


class FaultyProxy:
    """Forwards TCP to the database, or refuses every connection, or lets them hang (nothing flows)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.mode = "pass"
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "refuse":
            writer.close()
            return
        await self.flowing.wait()
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)
        for w in (writer, up_writer):
            self.writers.discard(w)
            w.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            await self.flowing.wait()  # hanging: bytes stop, connections stay open
            sink.write(data)
            await sink.drain()

    def refuse(self) -> None:
        self.mode = "refuse"
        for writer in list(self.writers):
            writer.close()  # the database "went away": every open connection breaks

    def hang(self) -> None:
        self.mode = "hang"
        self.flowing.clear()

    def heal(self) -> None:
        self.mode = "pass"
        self.flowing.set()

    async def stop(self) -> None:
        self.heal()
        self.server.close()


async def ask(api, bot_deliver, chat: int, text: str) -> float:
    started = time.monotonic()
    before = len(api.sent(chat))
    await bot_deliver(api.message_update(chat, text, user_id=chat))
    await api.wait_for("sendMessage", before + 1, timeout=10, chat_id=chat)
    return time.monotonic() - started


async def health(port: int) -> tuple[dict, int]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
            body = await r.json()
        async with http.get(f"http://127.0.0.1:{port}/readyz") as r:
            return body, r.status


async def test_questions_are_answered_while_the_database_refuses_or_hangs(database_url, telegram_api):
    if database_url.startswith("sqlite"):
        pytest.skip("the proxy stands in front of PostgreSQL")
    real = make_url(database_url)
    proxy = FaultyProxy(real.host or "127.0.0.1", real.port or 5432)
    await proxy.start()
    proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    runner = Runner(make_settings(telegram_api, proxied, webhook=False, call_timeout=1.0))
    await runner.start()
    api = telegram_api

    async def deliver(update: dict) -> None:
        api.push_update(update)

    try:
        assert await ask(api, deliver, 111, "5s la gi") < 5
        assert (await health(runner.web.port))[1] == 200

        proxy.refuse()
        took = await ask(api, deliver, 222, "kaizen la gi")
        assert "Kaizen" in api.sent(222)[-1]["text"] and took < 2, took
        body, ready = await health(runner.web.port)
        assert body["database"] == "down" and body["status"] == "degraded" and ready == 503

        proxy.heal()
        for _ in range(100):
            if (await health(runner.web.port))[0]["database"] == "ok":
                break
            await asyncio.sleep(0.1)
        assert (await health(runner.web.port))[1] == 200

        proxy.hang()
        took = await ask(api, deliver, 333, "iso 9001 la gi")
        assert "ISO 9001" in api.sent(333)[-1]["text"] and took < 2, took
        assert (await health(runner.web.port))[0]["database"] == "down"

        proxy.heal()
        assert await runner.core.writes.flush(20), "the activity kept during the outage was not written"
        async with runner.core.db.session() as s:
            for chat, question in ((222, "kaizen la gi"), (333, "iso 9001 la gi")):
                person = await people.get_person(s, "telegram", str(chat))
                assert person is not None and person.last_question == question
    finally:
        proxy.heal()
        await runner.stop()
        await proxy.stop()
