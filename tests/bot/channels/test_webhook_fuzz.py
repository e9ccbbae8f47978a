"""Fuzzing both webhooks: whatever body arrives, the answer is 200, 400 or 413, never a 500, and the bot
still answers the next real update. Bodies are generated from a fixed seed (bounded time in CI): random
JSON, Telegram- and Zalo-shaped updates with wrong types, deep nesting, huge numbers, odd strings."""

from __future__ import annotations

import json
import random

import aiohttp
import pytest

from bot.app import Runner
from tests.bot.webhook_settings import both_on_webhooks

pytestmark = pytest.mark.slow

TG_SECRET, ZALO_SECRET = "tg-fuzz-secret", "zalo-fuzz-secret"
ODD_STRINGS = ["", "①", "10⁶", "\ud800", "<b>x</b>", "'; DROP TABLE subscriber; --", "🙂" * 50, "/start", "x" * 5000]


def value(rng: random.Random, depth: int = 0) -> object:
    kinds = ["int", "str", "float", "bool", "none", "list", "dict", "big"]
    kind = rng.choice(kinds if depth < 4 else kinds[:5])
    if kind == "int":
        return rng.randint(-(2**31), 2**31)
    if kind == "big":
        return int("9" * rng.randint(20, 400))
    if kind == "str":
        return rng.choice(ODD_STRINGS)
    if kind == "float":
        return rng.uniform(-1e9, 1e9)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["message", "chat", "id", "text", "from", "update_id", "callback_query", "data", "event_name", "result"]
    return {rng.choice(keys): value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def mutate(rng: random.Random, update: dict) -> dict:
    """A real update with one field replaced by something of the wrong kind."""
    body = json.loads(json.dumps(update))
    node = body
    while isinstance(node, dict) and node and rng.random() < 0.7:
        key = rng.choice(list(node))
        if isinstance(node[key], dict):
            node = node[key]
        else:
            node[key] = value(rng, 3)
            break
    return body


def bodies(rng: random.Random, real: list[dict], count: int) -> list[str]:
    out = ["", "null", "[]", "{}", "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000, "not json"]
    for _ in range(count):
        choice = rng.random()
        body = value(rng) if choice < 0.4 else mutate(rng, rng.choice(real))
        out.append(json.dumps(body))
    return out


async def test_no_webhook_body_makes_a_500(telegram_api, zalo_api, tmp_path):
    settings = both_on_webhooks(telegram_api, zalo_api, tmp_path, TG_SECRET, ZALO_SECRET, flood_limit=10_000)
    runner = Runner(settings)
    await runner.start()
    base = f"http://127.0.0.1:{runner.web.port}"
    rng = random.Random(20261130)
    telegram_real = [
        telegram_api.message_update(111, "5s la gi", user_id=111),
        telegram_api.callback_update(111, "m", 1, user_id=111),
    ]
    zalo_real = [zalo_api.text_update("z1", "5s la gi")]
    try:
        async with aiohttp.ClientSession() as http:
            for path, header, secret, real in (
                ("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", TG_SECRET, telegram_real),
                ("/zalo/webhook", "X-Bot-Api-Secret-Token", ZALO_SECRET, zalo_real),
            ):
                for body in bodies(rng, real, 120):
                    headers = {header: secret, "Content-Type": "application/json"}
                    async with http.post(base + path, data=body.encode("utf-8", "surrogatepass"), headers=headers) as r:
                        assert r.status in (200, 400, 413), (path, r.status, body[:200])
            # Still answering.
            before = len(telegram_api.sent(222))
            update = telegram_api.message_update(222, "kaizen la gi", user_id=222)
            async with http.post(
                base + "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
            ) as r:
                assert r.status == 200
            await telegram_api.wait_for("sendMessage", before + 1, timeout=15, chat_id=222)
            async with http.get(base + "/healthz") as r:
                assert r.status == 200
    finally:
        await runner.stop()
