"""The fake Zalo Bot API, proven with the real ZaloClient over HTTP: envelopes, idle polls, limits, failures."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.channels.base import SendStatus
from bot.channels.zalo import ZaloSender
from bot.channels.zalo_client import ZaloClient, ZaloError, ZaloNetworkError, outcome_of
from handlers.types import Button, Reply

CHAT = "a1b2c3d4"


@pytest.fixture
async def client(zalo_api):
    async with ZaloClient(zalo_api.token, zalo_api.base_url, timeout=2.0) as client:
        yield client


async def test_every_answer_is_http_200_with_an_envelope(zalo_api):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{zalo_api.base_url}{zalo_api.token}/getMe", json={}) as r:
            assert r.status == 200 and (await r.json())["ok"] is True
        async with http.post(f"{zalo_api.base_url}wrong-token/getMe", json={}) as r:
            body = await r.json()
            assert r.status == 200 and body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.post(f"{zalo_api.base_url}{zalo_api.token}/sendMessage", data="{not json") as r:
            assert r.status == 200 and (await r.json())["error_code"] == 400


async def test_get_me_and_a_wrong_token(zalo_api, client):
    me = await client.get_me()
    assert me["account_name"] and me["display_name"] == "Trợ lý Năng suất"
    async with ZaloClient("nope", zalo_api.base_url) as wrong:
        with pytest.raises(ZaloError) as error:
            await wrong.get_me()
    assert error.value.code == 401 and "nope" not in str(error.value)


async def test_send_message_is_recorded_with_a_message_id(zalo_api, client):
    result = await client.send_message(CHAT, "Xin chào doanh nghiệp")
    assert result["message_id"]
    assert zalo_api.sent(CHAT) == [{"chat_id": CHAT, "text": "Xin chào doanh nghiệp"}]
    outcome = await client.send_outcome(CHAT, "Lần hai")
    assert outcome.status is SendStatus.SENT and outcome.message_id != result["message_id"]
    assert zalo_api.stats.delivered == 2 and zalo_api.stats.duplicates == 0


async def test_get_updates_one_per_call_then_408_when_idle(zalo_api, client):
    first, second = zalo_api.text_update(CHAT, "5s la gi"), zalo_api.image_update(CHAT)
    zalo_api.push_update(first)
    zalo_api.push_update(second)
    assert await client.get_updates(timeout=1) == [first]
    assert await client.get_updates(timeout=1) == [second]
    assert first["message"]["message_id"] != second["message"]["message_id"]
    started = time.monotonic()
    assert await client.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9
    assert zalo_api.calls_of("getUpdates")[-1].error_code == 408


async def test_a_long_poll_wakes_when_an_update_arrives(zalo_api, client):
    poll = asyncio.create_task(client.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    update = zalo_api.text_update(CHAT, "kaizen")
    zalo_api.push_update(update)
    assert await asyncio.wait_for(poll, 2) == [update]


async def test_webhook_and_get_updates_exclude_each_other(zalo_api, client):
    with pytest.raises(ZaloError) as short:
        await client.set_webhook("https://bot.example/zalo/webhook", "short")
    assert short.value.code == 400
    with pytest.raises(ZaloError):
        await client.set_webhook("http://bot.example/zalo/webhook", "long-enough-secret")
    await client.set_webhook("https://bot.example/zalo/webhook", "long-enough-secret")
    assert (await client.get_webhook_info())["url"] == "https://bot.example/zalo/webhook"
    with pytest.raises(ZaloError) as conflict:
        await client.get_updates(timeout=1)
    assert conflict.value.code == 409
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""
    assert await client.get_updates(timeout=0) == []


async def test_text_over_2000_characters_is_refused(zalo_api, client):
    await client.send_message(CHAT, "a" * 2000)
    outcome = await client.send_outcome(CHAT, "a" * 2001)
    assert outcome.status is SendStatus.FAILED and "2001" in outcome.error
    assert zalo_api.stats.failed == 1 and zalo_api.stats.delivered == 1


async def test_rate_limit_answers_429_with_a_retry_hint(zalo_api, client):
    zalo_api.set_limits(per_second=3)
    outcomes = [await client.send_outcome(CHAT, f"tin {i}") for i in range(5)]
    assert [o.status for o in outcomes] == [SendStatus.SENT] * 3 + [SendStatus.RETRY] * 2
    assert outcomes[-1].retry_after == 1.0
    assert zalo_api.stats.rate_limited == 2
    zalo_api.clear_limits()
    assert (await client.send_outcome(CHAT, "tin 6")).status is SendStatus.SENT


async def test_blocked_users_and_injected_failures(zalo_api, client):
    zalo_api.block(CHAT)
    blocked = await client.send_outcome(CHAT, "Thông báo")
    assert blocked.status is SendStatus.BLOCKED and "blocked" in blocked.error
    assert zalo_api.stats.blocked == 1
    zalo_api.unblock(CHAT)
    zalo_api.fail_next("sendMessage", 500, "Internal error", chat_id=CHAT)
    assert (await client.send_outcome(CHAT, "x")).status is SendStatus.RETRY  # as on Telegram
    zalo_api.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=CHAT)
    assert (await client.send_outcome(CHAT, "x")).status is SendStatus.FAILED
    zalo_api.fail_next("sendMessage", 601, "Daily quota of messages reached")
    quota = await client.send_outcome(CHAT, "x")
    assert quota.status is SendStatus.RETRY and quota.retry_after == 1.0
    zalo_api.fail_next("sendMessage", 429, "Too many requests", retry_after=7)
    assert (await client.send_outcome(CHAT, "x")).retry_after == 7.0
    zalo_api.fail_next("sendMessage", 602, "User has unfollowed the bot", times=2)
    assert (await client.send_outcome(CHAT, "x")).status is SendStatus.BLOCKED
    assert (await client.send_outcome(CHAT, "x")).status is SendStatus.BLOCKED
    assert (await client.send_outcome(CHAT, "x")).status is SendStatus.SENT


async def test_a_hang_after_delivery_is_unknown_never_retry(zalo_api):
    async with ZaloClient(zalo_api.token, zalo_api.base_url, timeout=0.3) as client:
        zalo_api.hang_next("sendMessage", 1)
        outcome = await client.send_outcome(CHAT, "Có thể đã đến")
    assert outcome.status is SendStatus.UNKNOWN
    assert zalo_api.texts(CHAT) == ["Có thể đã đến"]  # it did arrive: resending would duplicate it
    await asyncio.sleep(1.5)  # the fake answers after its hang, to a client that has hung up
    assert zalo_api.calls_of("sendMessage")[0].client_gone


async def test_refused_connections_are_retry_and_recover(zalo_api, client):
    await client.get_me()  # a pooled keep-alive connection exists
    await zalo_api.refuse_connections()
    outcome = await client.send_outcome(CHAT, "Chưa đi")
    assert outcome.status is SendStatus.RETRY and zalo_api.sent(CHAT) == []
    with pytest.raises(ZaloNetworkError) as error:
        await client.get_me()
    assert not error.value.maybe_delivered and zalo_api.token not in str(error.value)
    await zalo_api.accept_connections()
    assert (await client.send_outcome(CHAT, "Đã đi")).status is SendStatus.SENT


async def test_chat_action_and_listeners(zalo_api, client):
    seen = []
    zalo_api.listeners.append(lambda call: seen.append(call.summary()))
    await client.send_chat_action(CHAT, "typing")
    with pytest.raises(ZaloError):
        await client.send_chat_action(CHAT, "dancing")
    assert seen == [
        f"sendChatAction(chat {CHAT})→ok",
        f"sendChatAction(chat {CHAT})→400 Bad Request: action must be typing",
    ]
    await zalo_api.wait_for("sendChatAction", 1, chat_id=CHAT)


async def test_the_campaign_sender_never_sends_a_cut_message(zalo_api, client):
    sender = ZaloSender(client)
    reply = Reply(
        "Lớp tập huấn 5S. " * 200,
        [[Button("Đăng ký", url="https://example.vn/dk")], [Button("x", "m")]],
        source="Kế hoạch 273/KH-UBND",
    )
    outcome = await sender.send(CHAT, reply)
    # Recorded as failed with nothing sent: the first 2,000 characters alone would lose the ending.
    assert outcome.status is SendStatus.FAILED and "too long" in outcome.error
    assert zalo_api.texts(CHAT) == []
    short = await sender.send(
        CHAT, Reply("Hạn nộp hồ sơ", [[Button("Đăng ký", url="https://example.vn/dk")]], source="Kế hoạch 273/KH-UBND")
    )
    assert short.status is SendStatus.SENT
    assert zalo_api.texts(CHAT)[-1] == "Hạn nộp hồ sơ\n\nNguồn: Kế hoạch 273/KH-UBND\n\nĐăng ký: https://example.vn/dk"


async def test_the_campaign_sender_sends_a_picture_with_its_caption(zalo_api, client):
    outcome = await ZaloSender(client).send(CHAT, Reply("Lớp 5S tháng 12", image="https://example.vn/5s.jpg"))
    assert outcome.status is SendStatus.SENT
    [call] = zalo_api.calls_of("sendPhoto")
    assert call.params["photo"] == "https://example.vn/5s.jpg" and call.params["caption"] == "Lớp 5S tháng 12"


def test_outcome_mapping_without_a_server():
    assert outcome_of(None, {"message_id": "m1"}).message_id == "m1"
    assert outcome_of(ZaloError(400, "Bad Request: text exceeds the limit")).status is SendStatus.FAILED
    assert outcome_of(ZaloError(-32, "Rate limit exceeded")).status is SendStatus.RETRY
    assert outcome_of(ZaloError(-201, "Forbidden")).status is SendStatus.BLOCKED
    assert outcome_of(ZaloNetworkError("refused", maybe_delivered=False)).status is SendStatus.RETRY
    assert outcome_of(ZaloNetworkError("read timeout", maybe_delivered=True)).status is SendStatus.UNKNOWN
    assert outcome_of(ZaloError(429, "slow down", 3)).retry_after == 3.0
