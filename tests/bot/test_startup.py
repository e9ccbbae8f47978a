"""Start-up problems end in one clear line, never a traceback, and never with a secret in it."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

import pytest

from bot.app import Runner
from bot.cli import main
from bot.logs import SecretFilter, configure_logging
from bot.settings import load_settings
from bot.startup import StartupError
from tests.bot.webhook_settings import both_on_webhooks

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def keep_logging():
    """main() and configure_logging() set up the root logger: give the next test the one it had."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_an_unreachable_database_is_one_line_without_its_password(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:hunter2secret@127.0.0.1:1/troly")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[1].startswith("error: cannot open the database at postgresql+asyncpg://bot:***@")
    assert "hunter2secret" not in "\n".join(err) and "Traceback" not in "\n".join(err)


async def test_a_busy_web_port_is_a_startup_error(telegram_api, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=telegram_api.token,
            telegram_api_base_url=telegram_api.base_url,
            zalo_bot_token=None,
            database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            web_port=port,
        )
        with pytest.raises(StartupError, match=f"cannot listen on 127.0.0.1:{port}"):
            await Runner(settings).start()


async def test_a_rejected_token_is_not_echoed(telegram_api, tmp_path):
    wrong = "123456:wrong-token-that-must-not-print"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": wrong,
        "TELEGRAM_API_BASE_URL": telegram_api.base_url,
        "ZALO_BOT_TOKEN": "",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "WEB_PORT": "0",
        "LOG_LEVEL": "DEBUG",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=PIPE, stderr=PIPE
    )
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode()
    assert proc.returncode == 2
    assert text.strip().splitlines()[-1].startswith("error: Telegram rejected TELEGRAM_BOT_TOKEN")
    assert wrong not in text and "Traceback" not in text


def test_the_log_filter_takes_secrets_out_of_every_logger():
    token = "987654:AAF-very-secret-token"
    stream = io.StringIO()
    configure_logging("DEBUG", "text", secrets=[token, "webhook-secret-value"])
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logging.getLogger("httpx").warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", token)
    logging.getLogger("telegram.ext").debug("setWebhook params %s", {"secret_token": "webhook-secret-value"})
    try:
        raise ValueError(f"bad token {token}")
    except ValueError:
        logging.getLogger("bot").exception("failed")
    out = stream.getvalue()
    assert "bot***/getMe" in out and "'secret_token': '***'" in out and "bad token ***" in out
    assert token not in out and "webhook-secret-value" not in out
    assert SecretFilter(["short"]).redact("short") == "short"  # too short to be a secret worth hiding


async def test_no_log_line_of_a_full_run_holds_a_token_or_secret(telegram_api, zalo_api, tmp_path):
    """`bot run -v` with both channels on webhooks, a conversation, a handoff and a stop: grep every line."""
    import aiohttp

    telegram_secret, zalo_secret = "tg-webhook-secret_value", "zalo-webhook-secret-value"
    settings = both_on_webhooks(
        telegram_api, zalo_api, tmp_path, telegram_secret, zalo_secret, staff_ids="telegram:900", staff_chat_id="900"
    )
    stream = io.StringIO()
    configure_logging("DEBUG", "text", verbose=True, secrets=settings.secrets())
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    runner = Runner(settings)
    await runner.start()
    base = f"http://127.0.0.1:{runner.web.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for text in ("5s la gi", "giá vàng hôm nay", "/gapcanbo cần tư vấn"):
                update = telegram_api.message_update(111, text, user_id=111)
                headers = {"X-Telegram-Bot-Api-Secret-Token": telegram_secret}
                async with http.post(f"{base}/telegram/webhook", json=update, headers=headers) as r:
                    assert r.status == 200
                headers = {"X-Bot-Api-Secret-Token": zalo_secret}
                async with http.post(f"{base}/zalo/webhook", json=zalo_api.text_update("z1", text), headers=headers):
                    pass
            await telegram_api.wait_for("sendMessage", 3, timeout=10, chat_id=111)
            await zalo_api.wait_for("sendMessage", 3, timeout=10, chat_id="z1")
    finally:
        await runner.stop()
    out = stream.getvalue()
    assert out.count("\n") > 10  # it did log
    for secret in (telegram_api.token, zalo_api.token, telegram_secret, zalo_secret):
        assert secret not in out, secret
