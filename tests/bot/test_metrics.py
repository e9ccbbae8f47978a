"""/metrics on the bot's web server: counters move as users ask, in the Prometheus text format."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from bot.app import Runner
from bot.settings import load_settings

pytestmark = pytest.mark.slow
SECRET = "metrics-test-secret"


def value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


async def test_metrics_show_questions_latency_and_queue(telegram_api, database_url):
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=telegram_api.token,
        telegram_api_base_url=telegram_api.base_url,
        zalo_bot_token=None,
        database_url=database_url,
        web_port=0,
        quiet_hours="off",
        telegram_webhook_url="https://bot.example/telegram/webhook",
        telegram_webhook_secret=SECRET,
        embeddings="e5",  # the engine as it ships, end to end
    )
    runner = Runner(settings)
    await runner.start()
    http = aiohttp.ClientSession()
    base = f"http://127.0.0.1:{runner.web.port}"
    try:
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
            before = await response.text()
        assert value(before, "troly_questions_total", outcome="answered") == 0
        for chat, question in enumerate(["5s la gi", "kaizen la gi", "giá vàng hôm nay"], start=1):
            update = telegram_api.message_update(chat, question, user_id=chat)
            async with http.post(
                f"{base}/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as response:
                assert response.status == 200
            await telegram_api.wait_for("sendMessage", 1, timeout=10, chat_id=chat)
        for _ in range(50):  # the reply is sent a moment before its latency is recorded
            async with http.get(f"{base}/metrics") as response:
                after = await response.text()
            if value(after, "troly_reply_seconds_count", channel="telegram") >= 3:
                break
            await asyncio.sleep(0.05)
        assert value(after, "troly_questions_total", outcome="answered") == 2
        assert value(after, "troly_questions_total", outcome="fallback") == 1
        assert value(after, "troly_reply_seconds_count", channel="telegram") >= 3
        assert value(after, "troly_search_seconds_count") == 3
        assert "troly_delivery_queue" in after and "troly_deliveries_total" in after.replace(
            "# TYPE troly_deliveries counter", "troly_deliveries_total"
        )
    finally:
        await http.close()
        await runner.stop()
