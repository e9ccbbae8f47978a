"""The OA webhook check on events the fake Zalo OA signs and posts: good, forged, stale, replayed, malformed."""
# ruff: noqa: F811  (tests take the imported zalo_oa_api fixture as a parameter)

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.channels.zalo_oa.webhook import (
    MemorySeenEvents,
    OaEvent,
    OaEventKind,
    Refused,
    WebhookCheck,
    WebhookRefusal,
    signature,
)
from tests.fakes.zalo_oa_api import FakeZaloOA, Inbox, zalo_oa_api  # noqa: F401  (the fixture, not in conftest)

USER = "3141592653589793238"


class Receiver:
    """The route-to-be: the fake posts to an Inbox whose handler runs the check and answers its status."""

    def __init__(self, oa: FakeZaloOA, **options) -> None:
        self.check = WebhookCheck(oa.app_id, oa.oa_secret_key, MemorySeenEvents(), **options)
        self.results: list[OaEvent | Refused] = []

    async def __call__(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        result = await self.check.check(headers, body, dt.datetime.now(dt.UTC))
        self.results.append(result)
        return (200, "ok") if isinstance(result, OaEvent) else (result.http_status, result.reason.value)


@pytest.fixture
async def receiver(zalo_oa_api):
    receiver = Receiver(zalo_oa_api)
    async with Inbox(receiver) as inbox:
        receiver.url = inbox.url
        yield receiver


async def test_good_events_are_parsed_per_kind(zalo_oa_api, receiver):
    oa = zalo_oa_api
    await oa.user_follows(receiver.url, USER)
    await oa.user_says(receiver.url, USER, "Chương trình năng suất hỗ trợ những gì?")
    await oa.user_sends_image(receiver.url, USER, "https://example.invalid/bien-ban.jpg")
    await oa.post_event(receiver.url, oa.event("user_send_sticker", USER, attachments=[{"type": "sticker"}]))
    await oa.user_unfollows(receiver.url, USER)
    assert all(d.status == 200 for d in oa.deliveries)
    follow, text, image, sticker, unfollow = receiver.results
    assert isinstance(follow, OaEvent) and follow.kind is OaEventKind.FOLLOW and follow.user_id == USER
    assert follow.oa_id == oa.oa_id and follow.event_name == "follow"
    assert isinstance(text, OaEvent) and text.kind is OaEventKind.TEXT
    assert text.text == "Chương trình năng suất hỗ trợ những gì?" and text.message_id and text.oa_id == oa.oa_id
    assert abs(text.at - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    assert isinstance(image, OaEvent) and image.kind is OaEventKind.IMAGE
    assert image.image_url == "https://example.invalid/bien-ban.jpg"
    assert (
        isinstance(sticker, OaEvent) and sticker.kind is OaEventKind.OTHER and sticker.event_name == "user_send_sticker"
    )
    assert isinstance(unfollow, OaEvent) and unfollow.kind is OaEventKind.UNFOLLOW and unfollow.user_id == USER


async def test_forged_and_unsigned_events_are_refused(zalo_oa_api, receiver):
    oa = zalo_oa_api
    event = oa.event("user_send_text", USER, text="chuyển tiền gấp")
    body = json.dumps(event, separators=(",", ":")).encode()
    forger = FakeZaloOA(oa_secret_key="guessed-secret")  # same app id, wrong OA secret key
    forged = await oa.post_event(receiver.url, event, signature=forger.sign(body, event["timestamp"]))
    unsigned = await oa.post_event(receiver.url, event, signature="")
    garbage = await oa.post_event(receiver.url, event, signature="mac=zz")
    assert [forged.status, unsigned.status, garbage.status] == [403, 403, 403]
    assert [r.reason for r in receiver.results] == [
        WebhookRefusal.FORGED,
        WebhookRefusal.UNSIGNED,
        WebhookRefusal.FORGED,
    ]
    good = await oa.post_event(receiver.url, event)  # the refusals did not mark it seen
    assert good.status == 200


async def test_a_body_changed_after_signing_is_forged(zalo_oa_api, receiver):
    oa = zalo_oa_api
    delivery = await oa.user_says(receiver.url, USER, "Tôi muốn đăng ký")
    tampered = delivery.body.replace("đăng ký".encode(), "hủy đăng ký".encode())
    result = await receiver.check.check(delivery.headers, tampered, dt.datetime.now(dt.UTC))
    assert isinstance(result, Refused) and result.reason is WebhookRefusal.FORGED


async def test_stale_and_future_events_are_refused(zalo_oa_api, receiver):
    oa = zalo_oa_api
    now = oa.now()
    old = await oa.post_event(
        receiver.url, oa.event("user_send_text", USER, at=now - dt.timedelta(minutes=6), text="cũ")
    )
    ahead = await oa.post_event(
        receiver.url, oa.event("user_send_text", USER, at=now + dt.timedelta(minutes=6), text="x")
    )
    edge = await oa.post_event(
        receiver.url, oa.event("user_send_text", USER, at=now - dt.timedelta(minutes=4), text="ok")
    )
    assert [old.status, ahead.status, edge.status] == [403, 403, 200]
    assert [getattr(r, "reason", None) for r in receiver.results[:2]] == [WebhookRefusal.STALE, WebhookRefusal.STALE]


async def test_the_window_is_a_parameter(zalo_oa_api):
    oa = zalo_oa_api
    receiver = Receiver(oa, max_age=dt.timedelta(hours=2))
    async with Inbox(receiver) as inbox:
        late = await oa.post_event(inbox.url, oa.event("follow", USER, at=oa.now() - dt.timedelta(hours=1)))
    assert late.status == 200


async def test_a_replayed_event_is_refused_and_answered_once(zalo_oa_api, receiver):
    oa = zalo_oa_api
    first = await oa.user_says(receiver.url, USER, "Xin tư vấn 5S")
    again = await oa.replay(first)
    follow = await oa.user_follows(receiver.url, USER)
    follow_again = await oa.replay(follow)
    # 200 for the duplicates: Zalo stops re-sending, and nothing is handled twice
    assert [first.status, again.status, follow.status, follow_again.status] == [200, 200, 200, 200]
    assert [type(r).__name__ for r in receiver.results] == ["OaEvent", "Refused", "OaEvent", "Refused"]
    assert {r.reason for r in receiver.results if isinstance(r, Refused)} == {WebhookRefusal.REPLAYED}


async def test_the_same_message_re_signed_later_is_still_a_replay(zalo_oa_api, receiver):
    oa = zalo_oa_api
    event = oa.event("user_send_text", USER, text="Một lần thôi")
    await oa.post_event(receiver.url, event)
    resent = dict(event, timestamp=str(int(oa.now().timestamp() * 1000) + 1000))  # same msg_id, new stamp
    await oa.post_event(receiver.url, resent)
    assert isinstance(receiver.results[1], Refused) and receiver.results[1].reason is WebhookRefusal.REPLAYED


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"event_name": "user_send_text"}',
        b"[" * 100_000,
        b'{"app_id": "A", "timestamp": true}',
    ],
)
async def test_malformed_bodies(zalo_oa_api, body):
    check = WebhookCheck(zalo_oa_api.app_id, zalo_oa_api.oa_secret_key, MemorySeenEvents())
    result = await check.check({"X-ZEvent-Signature": "mac=00"}, body, dt.datetime.now(dt.UTC))
    assert isinstance(result, Refused) and result.reason is WebhookRefusal.MALFORMED and result.http_status == 400


async def test_signed_but_malformed_events(zalo_oa_api):
    oa = zalo_oa_api
    check = WebhookCheck(oa.app_id, oa.oa_secret_key, MemorySeenEvents())
    now = dt.datetime.now(dt.UTC)
    stamp = str(int(now.timestamp() * 1000))

    async def run(event: dict) -> Refused | OaEvent:
        body = json.dumps(event).encode()
        # signed as Zalo would for the event's own app id (the fake's formula is checked in its own tests)
        mac = "mac=" + signature(str(event["app_id"]), body, str(event["timestamp"]), oa.oa_secret_key)
        return await check.check({"x-zevent-signature": mac}, body, now)

    base = {"app_id": oa.app_id, "timestamp": stamp}
    no_text = await run({**base, "event_name": "user_send_text", "sender": {"id": USER}, "message": {}})
    no_follower = await run({**base, "event_name": "follow", "oa_id": oa.oa_id})
    not_millis = await run({**base, "timestamp": "soon", "event_name": "follow", "follower": {"id": USER}})
    other_app = await run({**base, "app_id": "999", "event_name": "follow", "follower": {"id": USER}})
    numeric = await run({**base, "timestamp": int(stamp), "event_name": "follow", "follower": {"id": USER}})
    reasons = [getattr(r, "reason", None) for r in (no_text, no_follower, not_millis, other_app)]
    assert reasons == [WebhookRefusal.MALFORMED] * 3 + [WebhookRefusal.WRONG_APP]
    assert isinstance(numeric, OaEvent)  # a numeric timestamp is signed as its digits


async def test_too_big_a_body_is_not_parsed(zalo_oa_api):
    check = WebhookCheck(zalo_oa_api.app_id, zalo_oa_api.oa_secret_key, MemorySeenEvents(), max_body=1024)
    result = await check.check({"X-ZEvent-Signature": "mac=00"}, b" " * 1025, dt.datetime.now(dt.UTC))
    assert isinstance(result, Refused) and result.reason is WebhookRefusal.MALFORMED


async def test_memory_seen_events_forgets_the_oldest():
    seen = MemorySeenEvents(size=2)
    assert [await seen.first_time(k) for k in ("a", "b", "a", "c", "a")] == [True, True, False, True, True]


def test_signature_and_configuration():
    assert signature("1", b"{}", "2", "k") == signature("1", b"{}", "2", "k") != signature("1", b"{}", "2", "K")
    with pytest.raises(ValueError):
        WebhookCheck("app", "", MemorySeenEvents())
    assert "s3cret" not in repr(WebhookCheck("app", "s3cret", MemorySeenEvents()))
