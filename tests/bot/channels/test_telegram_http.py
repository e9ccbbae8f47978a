"""AiohttpRequest: PTB's calls over aiohttp, and what its failures tell the broadcast engine (sent or not)."""

from __future__ import annotations

import asyncio
import socket

import pytest
import telegram
from aiohttp import web
from telegram.error import NetworkError, TimedOut

from bot.channels.base import SendStatus
from bot.channels.telegram import to_outcome
from bot.channels.telegram_http import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegramAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def silent_server():
    """A server that accepts requests and never answers them."""
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    release.set()
    await runner.cleanup()


async def test_a_bot_sends_text_and_uploads_through_it(telegram_api: FakeTelegramAPI):
    async with telegram.Bot(telegram_api.token, base_url=telegram_api.base_url, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(42, "Chào <b>anh</b>", parse_mode="HTML")
        await bot.send_document(42, b"PK\x03\x04 bytes", filename="bao-cao.xlsx", caption="Báo cáo")
    assert sent.text == "Chào anh" and sent.chat.id == 42
    [document] = telegram_api.documents("42")
    assert document.filename == "bao-cao.xlsx" and document.content == b"PK\x03\x04 bytes"


async def failure_of(request: AiohttpRequest, url: str) -> Exception:
    """What one call to `url` raises (it must raise), the request opened and closed around it."""
    await request.initialize()
    try:
        await request.do_request(url, "POST")
    except Exception as exc:
        return exc
    finally:
        await request.shutdown()
    raise AssertionError(f"{url} answered")


async def test_a_refused_connection_is_a_network_error_to_retry():
    error = await failure_of(AiohttpRequest(), f"http://127.0.0.1:{free_port()}/bot1:x/getMe")
    assert isinstance(error, NetworkError) and not isinstance(error, TimedOut)
    assert to_outcome(error).status is SendStatus.RETRY


async def test_no_answer_in_time_may_have_been_delivered(silent_server):
    error = await failure_of(AiohttpRequest(read_timeout=0.2), f"{silent_server}/bot1:x/sendMessage")
    assert isinstance(error, TimedOut)
    assert to_outcome(error).status is SendStatus.UNKNOWN  # the request left: never sent twice blindly


async def test_waiting_for_a_pooled_connection_too_long_means_never_sent(silent_server):
    request = AiohttpRequest(pool_size=1, connect_timeout=0.1, pool_timeout=0.1, read_timeout=5)
    await request.initialize()
    try:
        first = asyncio.create_task(request.do_request(f"{silent_server}/bot1:x/sendMessage", "POST"))
        await asyncio.sleep(0.1)  # the one connection is taken
        with pytest.raises(TimedOut) as caught:
            await request.do_request(f"{silent_server}/bot1:x/sendMessage", "POST")
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
    finally:
        await request.shutdown()
    assert to_outcome(caught.value).status is SendStatus.RETRY


async def test_it_refuses_to_send_before_initialize_and_after_shutdown():
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")
