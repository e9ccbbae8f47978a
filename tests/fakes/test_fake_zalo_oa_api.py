"""The fake Zalo OA proven over raw HTTP, rule by rule: tokens, windows, caps, quota, length, signatures."""
# ruff: noqa: F811  (tests take the imported zalo_oa_api fixture as a parameter)

from __future__ import annotations

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from tests.fakes.zalo_oa_api import FakeZaloOA, Inbox, zalo_oa_api  # noqa: F401  (the fixture, not in conftest)

USER = "8412345678901234567"


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def inbox():
    async with Inbox() as box:
        yield box


async def token_call(http, oa, secret: str | None = None, **form: str) -> dict:
    headers = {"secret_key": oa.secret_key if secret is None else secret}
    async with http.post(f"{oa.base}/v4/oa/access_token", data={"app_id": oa.app_id, **form}, headers=headers) as r:
        assert r.status == 200
        return await r.json()


async def send(http, oa, token: str, path: str, user: str, text: str) -> dict:
    body = {"recipient": {"user_id": user}, "message": {"text": text}}
    async with http.post(f"{oa.base}/v3.0/oa/message/{path}", json=body, headers={"access_token": token}) as r:
        assert r.status == 200  # Zalo answers 200 and puts the outcome in "error"
        return await r.json()


async def test_code_then_refresh_tokens_are_single_use(zalo_oa_api, http):
    oa = zalo_oa_api
    code = oa.authorize()
    first = await token_call(http, oa, code=code, grant_type="authorization_code")
    assert first["access_token"] and first["refresh_token"] and first["expires_in"] == "3600"
    again = await token_call(http, oa, code=code, grant_type="authorization_code")
    assert again["error"] == -14005 and "access_token" not in again

    second = await token_call(http, oa, refresh_token=first["refresh_token"], grant_type="refresh_token")
    assert second["refresh_token"] != first["refresh_token"]
    reused = await token_call(http, oa, refresh_token=first["refresh_token"], grant_type="refresh_token")
    assert reused["error"] == -14014  # the old one died when it was used
    third = await token_call(http, oa, refresh_token=second["refresh_token"], grant_type="refresh_token")
    assert third["access_token"]


async def test_token_endpoint_checks_the_secret_and_expiry(zalo_oa_api, http):
    oa = zalo_oa_api
    _access, refresh = oa.issue_tokens()
    wrong = await token_call(http, oa, secret="nope", refresh_token=refresh, grant_type="refresh_token")
    assert wrong["error"] == -14003
    oa.travel(oa.refresh_ttl + dt.timedelta(seconds=1))
    expired = await token_call(http, oa, refresh_token=refresh, grant_type="refresh_token")
    assert expired["error"] == -14020
    code = oa.authorize()
    oa.travel(oa.code_ttl + dt.timedelta(seconds=1))
    assert (await token_call(http, oa, code=code, grant_type="authorization_code"))["error"] == -14019


async def test_access_tokens_expire_and_revocation_kills_everything(zalo_oa_api, http):
    oa = zalo_oa_api
    access, refresh = oa.issue_tokens()
    oa.interacted(USER)
    assert (await send(http, oa, access, "transaction", USER, "Hồ sơ đã tiếp nhận"))["error"] == 0
    assert (await send(http, oa, "forged", "transaction", USER, "x"))["error"] == -216
    oa.expire_access_tokens()
    assert (await send(http, oa, access, "transaction", USER, "x"))["error"] == -220
    oa.revoke()
    assert (await token_call(http, oa, refresh_token=refresh, grant_type="refresh_token"))["error"] == -14014


async def test_a_lost_token_answer_still_spends_the_refresh_token(zalo_oa_api, http):
    oa = zalo_oa_api
    _access, refresh = oa.issue_tokens()
    oa.lose_next_token_answer()
    with pytest.raises(aiohttp.ClientError):
        await token_call(http, oa, refresh_token=refresh, grant_type="refresh_token")
    assert (await token_call(http, oa, refresh_token=refresh, grant_type="refresh_token"))["error"] == -14014


async def test_on_use_rotation_keeps_a_refresh_token_until_its_successor_is_used(http):
    async with FakeZaloOA(rotation="on_use") as oa:
        _access, first = oa.issue_tokens()
        oa.lose_next_token_answer()  # the successor pair is issued and lost with the answer
        with pytest.raises(aiohttp.ClientError):
            await token_call(http, oa, refresh_token=first, grant_type="refresh_token")
        second = await token_call(http, oa, refresh_token=first, grant_type="refresh_token")
        assert second["access_token"] and oa.refresh_token_alive(first)  # nothing it produced was used yet
        oa.interacted(USER)
        assert (await send(http, oa, second["access_token"], "cs", USER, "Chào bạn"))["error"] == 0
        # The first use of a successor retires the old refresh token and the lost pair with it.
        assert (await token_call(http, oa, refresh_token=first, grant_type="refresh_token"))["error"] == -14014
        third = await token_call(http, oa, refresh_token=second["refresh_token"], grant_type="refresh_token")
        assert third["access_token"] and oa.refresh_token_alive(second["refresh_token"])
        # Refreshing with a successor is its first use too.
        fourth = await token_call(http, oa, refresh_token=third["refresh_token"], grant_type="refresh_token")
        assert fourth["access_token"]
        assert not oa.refresh_token_alive(second["refresh_token"])
        assert set(oa.tokens_issued()) >= {first, second["access_token"], third["refresh_token"]}


async def test_consultation_only_inside_the_window_after_the_last_interaction(zalo_oa_api, http, inbox):
    oa = zalo_oa_api
    access, _ = oa.issue_tokens()
    refused = await send(http, oa, access, "cs", USER, "Chào bạn")
    assert refused == {"error": -230, "message": "User has not interacted with the OA in the past 7 days"}
    await oa.user_says(inbox.url, USER, "5S là gì?")  # the event records the interaction
    ok = await send(http, oa, access, "cs", USER, "5S là sàng lọc, sắp xếp, sạch sẽ, săn sóc, sẵn sàng.")
    assert ok["error"] == 0 and ok["message"] == "Success" and ok["data"]["message_id"]
    oa.access_ttl = dt.timedelta(days=30)
    access, _ = oa.issue_tokens()
    oa.travel(oa.cs_window - dt.timedelta(minutes=1))
    assert (await send(http, oa, access, "cs", USER, "Vẫn trong hạn"))["error"] == 0
    oa.travel(dt.timedelta(minutes=2))
    assert (await send(http, oa, access, "cs", USER, "Quá hạn"))["error"] == -230
    assert oa.texts(USER, "consultation") == ["5S là sàng lọc, sắp xếp, sạch sẽ, săn sóc, sẵn sàng.", "Vẫn trong hạn"]


async def test_promotion_to_followers_only_once_a_day(zalo_oa_api, http):
    oa = zalo_oa_api
    oa.access_ttl = dt.timedelta(days=3)
    access, _ = oa.issue_tokens()
    assert (await send(http, oa, access, "promotion", USER, "Hội thảo năng suất"))["error"] == -213
    oa.follow(USER)
    assert (await send(http, oa, access, "promotion", USER, "Hội thảo năng suất"))["error"] == 0
    assert (await send(http, oa, access, "promotion", USER, "Tin thứ hai"))["error"] == -218
    oa.travel(dt.timedelta(days=1))
    assert (await send(http, oa, access, "promotion", USER, "Ngày mai"))["error"] == 0
    oa.unfollow(USER)
    oa.travel(dt.timedelta(days=1))
    assert (await send(http, oa, access, "promotion", USER, "Đã bỏ quan tâm"))["error"] == -213
    assert oa.texts(kind="promotion") == ["Hội thảo năng suất", "Ngày mai"]


async def test_promotion_monthly_cap_per_follower_and_the_night(http):
    async with FakeZaloOA(promotion_per_month=2, night=(22, 6), access_ttl=dt.timedelta(days=90)) as oa:
        access, _ = oa.issue_tokens()
        oa.follow(USER)
        oa.follow("other")
        local = oa.now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        first = (local.replace(day=1) + dt.timedelta(days=32)).replace(day=1, hour=12, minute=0)
        oa.travel(first - local)  # noon on the 1st of next month, Vietnam time
        answers = []
        for _day in range(3):
            answers.append((await send(http, oa, access, "promotion", USER, "Tin tháng này"))["error"])
            oa.travel(dt.timedelta(days=1))
        assert answers == [0, 0, -218]  # one a day, but only two this month for this follower
        oa.travel(dt.timedelta(hours=11))  # 23:00
        assert (await send(http, oa, access, "promotion", "other", "Đêm khuya"))["error"] == -234
        oa.travel(dt.timedelta(hours=8))  # 07:00 the next day
        assert (await send(http, oa, access, "promotion", "other", "Buổi sáng"))["error"] == 0


async def test_transaction_needs_an_interaction_within_its_window(zalo_oa_api, http):
    oa = zalo_oa_api
    oa.access_ttl = dt.timedelta(days=400)
    access, _ = oa.issue_tokens()
    oa.follow(USER)  # following alone is not an interaction
    assert (await send(http, oa, access, "transaction", USER, "Hồ sơ"))["error"] == -232
    oa.interacted(USER)
    oa.travel(oa.transaction_window - dt.timedelta(days=1))
    assert (await send(http, oa, access, "transaction", USER, "Hồ sơ đã duyệt"))["error"] == 0
    oa.travel(dt.timedelta(days=2))
    assert (await send(http, oa, access, "transaction", USER, "Quá hạn"))["error"] == -232


async def test_the_monthly_quota_and_the_quota_endpoint(http):
    async with FakeZaloOA(monthly_quota=2) as oa:
        access, _ = oa.issue_tokens()
        users = ["u1", "u2", "u3"]
        for user in users:
            oa.follow(user)
        answers = [(await send(http, oa, access, "promotion", user, "Chiến dịch"))["error"] for user in users]
        assert answers == [0, 0, -211]
        async with http.get(f"{oa.base}/v3.0/oa/quota/message", headers={"access_token": access}) as r:
            assert (await r.json())["data"]["remain"] == 0
        body = {"user_id": "u3"}
        async with http.post(f"{oa.base}/v3.0/oa/quota/message", json=body, headers={"access_token": access}) as r:
            answer = (await r.json())["data"]["promotion"]
            assert answer == {"daily_total": 1, "daily_remain": 1, "monthly_total": 4, "monthly_remain": 4}
        async with http.post(f"{oa.base}/v3.0/oa/quota/message", json={}, headers={"access_token": "x"}) as r:
            assert (await r.json())["error"] == -216
        oa.travel(dt.timedelta(days=31))  # a new month
        assert (await send(http, oa, access, "promotion", "u3", "Tháng sau"))["error"] == -220  # token aged too
        access, _ = oa.issue_tokens()
        assert (await send(http, oa, access, "promotion", "u3", "Tháng sau"))["error"] == 0


async def test_promotions_sent_before_the_test_count_like_any_other(http):
    async with FakeZaloOA(monthly_quota=3) as oa:
        access, _ = oa.issue_tokens()
        oa.follow(USER)
        oa.promoted_earlier(USER)
        assert (await send(http, oa, access, "promotion", USER, "Hôm nay"))["error"] == -218  # today's was had
        async with http.post(f"{oa.base}/v3.0/oa/quota/message", json={}, headers={"access_token": access}) as r:
            assert (await r.json())["data"]["remain"] == 2  # and it drew on the OA's monthly quota
        assert not oa.sent


async def test_text_length_and_shape(zalo_oa_api, http):
    oa = zalo_oa_api
    access, _ = oa.issue_tokens()
    oa.interacted(USER)
    assert (await send(http, oa, access, "transaction", USER, "ẩ" * 2000))["error"] == 0
    assert (await send(http, oa, access, "transaction", USER, "ẩ" * 2001))["error"] == -210
    assert (await send(http, oa, access, "transaction", USER, "  "))["error"] == -201
    assert (await send(http, oa, access, "transaction", "", "x"))["error"] == -201
    assert (await send(http, oa, access, "nope", USER, "x"))["error"] == -201
    async with http.post(f"{oa.base}/v3.0/oa/message/cs", data=b"{", headers={"access_token": access}) as r:
        assert (await r.json())["error"] == -201
    assert oa.refusals() == {-210: 1, -201: 4}


async def test_events_are_signed_as_zalo_documents_and_replayable(zalo_oa_api, inbox):
    oa = zalo_oa_api
    delivery = await oa.user_follows(inbox.url, USER)
    assert delivery.status == 200 and USER in oa.followers and USER in oa.last_interaction
    headers, body = inbox.received[0]
    event = json.loads(body)
    assert event["event_name"] == "follow" and event["follower"] == {"id": USER} and event["oa_id"] == oa.oa_id
    # sha256(app_id + raw body + timestamp + OA secret key), sent as "mac=<hex>" (see webhook.py's sources)
    raw = oa.app_id.encode() + body + event["timestamp"].encode() + oa.oa_secret_key.encode()
    assert headers["X-ZEvent-Signature"] == "mac=" + hashlib.sha256(raw).hexdigest()

    await oa.replay(delivery)
    assert inbox.received[1] == inbox.received[0]
    await oa.user_unfollows(inbox.url, USER)
    assert USER not in oa.followers
    await oa.user_sends_image(inbox.url, "u2")
    image = json.loads(inbox.received[-1][1])
    assert image["message"]["attachments"][0]["payload"]["url"].startswith("https://")


async def test_stale_and_unsigned_events(zalo_oa_api, inbox):
    oa = zalo_oa_api
    old = oa.now() - dt.timedelta(hours=1)
    await oa.post_event(inbox.url, oa.event("user_send_text", USER, at=old, text="cũ"))
    _headers, body = inbox.received[0]
    assert json.loads(body)["timestamp"] == str(int(old.timestamp() * 1000))
    assert oa.last_interaction[USER] == dt.datetime.fromtimestamp(int(old.timestamp() * 1000) / 1000, dt.UTC)
    await oa.post_event(inbox.url, oa.event("user_send_text", USER, text="x"), signature="")
    assert "X-ZEvent-Signature" not in inbox.received[1][0]
