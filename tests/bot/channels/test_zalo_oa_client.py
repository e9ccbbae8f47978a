"""OaClient against the fake Zalo OA over real HTTP: sends by kind, refusals classified, quota, token rotation."""
# ruff: noqa: F811  (tests take the imported zalo_oa_api fixture as a parameter)

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bot.channels.zalo_oa.client import (
    OaAuthError,
    OaClient,
    OaError,
    OaQuota,
    OaRefusal,
    OaTokens,
)
from bot.channels.zalo_oa.rules import MessageKind
from tests.fakes.zalo_oa_api import FakeZaloOA, Inbox, zalo_oa_api  # noqa: F401  (the fixture, not in conftest)

USER = "5551234567890123456"
CS, TRANSACTION, PROMOTION = MessageKind.CONSULTATION, MessageKind.TRANSACTION, MessageKind.PROMOTION


def client_for(oa: FakeZaloOA, access_token: str = "", secret: str | None = None) -> OaClient:
    secret = oa.secret_key if secret is None else secret
    return OaClient(oa.app_id, secret, access_token, api_base=oa.base, oauth_base=oa.base, timeout=2.0)


@pytest.fixture
async def oa(zalo_oa_api):
    return zalo_oa_api


@pytest.fixture
async def client(oa):
    access, _ = oa.issue_tokens()
    async with client_for(oa, access) as client:
        yield client


async def test_each_kind_goes_to_its_endpoint_in_its_shape(oa, client):
    inbox_user, follower = "u-chat", "u-follower"
    async with Inbox() as inbox:
        await oa.user_says(inbox.url, inbox_user, "Xin chào")
    oa.follow(follower)
    oa.interacted(follower)  # filed a case: a transaction needs a recent-enough interaction
    answer = await client.send(CS, inbox_user, "Chào bạn, tôi giúp gì được?")
    notice = await client.send(TRANSACTION, follower, "Hồ sơ HS-0042 đã được duyệt.")
    campaign = await client.send("promotion", follower, "Hội thảo Năng suất xanh ngày 12/12.")
    assert answer.ok and notice.ok and campaign.ok
    assert len({answer.message_id, notice.message_id, campaign.message_id}) == 3
    # consultation is bare text; transaction and promotion travel as templates whose text element the fake reads
    assert [(m.kind, m.user_id, m.text) for m in oa.sent] == [
        ("consultation", inbox_user, "Chào bạn, tôi giúp gì được?"),
        ("transaction", follower, "Hồ sơ HS-0042 đã được duyệt."),
        ("promotion", follower, "Hội thảo Năng suất xanh ngày 12/12."),
    ]
    assert [path for path, _ in oa.calls] == [
        "/v3.0/oa/message/cs",
        "/v3.0/oa/message/transaction",
        "/v3.0/oa/message/promotion",
    ]


async def test_refusals_are_classified(oa, client):
    outside = await client.send(CS, USER, "Chào bạn")
    assert (outside.ok, outside.error_code, outside.refusal) == (False, -230, OaRefusal.OUTSIDE_WINDOW)
    expired_case = await client.send(TRANSACTION, USER, "Hồ sơ")
    assert (expired_case.error_code, expired_case.refusal) == (-232, OaRefusal.OUTSIDE_WINDOW)
    not_following = await client.send(PROMOTION, USER, "Tin mới")
    assert (not_following.error_code, not_following.refusal) == (-213, OaRefusal.UNREACHABLE)
    oa.follow(USER)
    assert (await client.send(PROMOTION, USER, "Tin mới")).ok
    capped = await client.send(PROMOTION, USER, "Tin thứ hai hôm nay")
    assert (capped.error_code, capped.refusal) == (-218, OaRefusal.QUOTA)
    oa.expire_access_tokens()
    expired = await client.send(TRANSACTION, USER, "Hồ sơ")
    assert (expired.error_code, expired.refusal) == (-220, OaRefusal.TOKEN)
    client.use_token("not-a-token")
    assert (await client.send(TRANSACTION, USER, "Hồ sơ")).refusal is OaRefusal.TOKEN
    assert outside.description == "User has not interacted with the OA in the past 7 days"


async def test_the_oa_monthly_quota_is_a_quota_refusal():
    async with FakeZaloOA(monthly_quota=1) as oa:
        access, _ = oa.issue_tokens()
        oa.follow("a")
        oa.follow("b")
        async with client_for(oa, access) as client:
            assert (await client.send(PROMOTION, "a", "Chiến dịch")).ok
            used_up = await client.send(PROMOTION, "b", "Chiến dịch")
            assert (used_up.error_code, used_up.refusal) == (-211, OaRefusal.QUOTA)
            assert await client.quota() == OaQuota(total=1, remain=0)


async def test_text_rules_are_checked_before_sending(oa, client):
    oa.interacted(USER)
    too_long = await client.send(TRANSACTION, USER, "a" * 2001)
    empty = await client.send(TRANSACTION, USER, " \n")
    assert not too_long.ok and not empty.ok and too_long.refusal is OaRefusal.OTHER
    assert oa.calls == []  # nothing went out
    assert (await client.send(TRANSACTION, USER, "ă" * 2000)).ok


async def test_quota_for_the_oa_and_for_one_follower(oa, client):
    oa.follow(USER)
    assert await client.quota() == OaQuota(total=1000, remain=1000)
    assert await client.quota(USER) == OaQuota(daily_total=1, daily_remain=1, monthly_total=4, monthly_remain=4)
    await client.send(PROMOTION, USER, "Tin")
    assert await client.quota() == OaQuota(total=1000, remain=999)
    assert await client.quota(USER) == OaQuota(daily_total=1, daily_remain=0, monthly_total=4, monthly_remain=3)
    client.use_token("expired-or-forged")
    with pytest.raises(OaError) as error:
        await client.quota()
    assert error.value.code == -216 and error.value.refusal is OaRefusal.TOKEN


async def test_exchange_then_refresh_rotates_and_the_old_refresh_token_dies(oa):
    async with client_for(oa) as client:
        first = await client.exchange(oa.authorize())
        assert isinstance(first, OaTokens) and first.expires_in == 3600
        second = await client.refresh(first.refresh_token)
        assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
        with pytest.raises(OaAuthError) as error:
            await client.refresh(first.refresh_token)
        assert error.value.code == -14014 and error.value.grant_dead and not error.value.maybe_used
        client.use_token(second.access_token)
        oa.interacted(USER)
        assert (await client.send(TRANSACTION, USER, "Đã làm mới token")).ok


async def test_revoked_authorisation_and_a_wrong_secret(oa):
    _access, refresh = oa.issue_tokens()
    async with client_for(oa, secret="wrong-secret") as wrong:
        with pytest.raises(OaAuthError) as error:
            await wrong.refresh(refresh)
        assert error.value.code == -14003 and not error.value.grant_dead
    oa.revoke()
    async with client_for(oa) as client:
        with pytest.raises(OaAuthError) as error:
            await client.refresh(refresh)
        assert error.value.grant_dead
        with pytest.raises(OaAuthError) as error:
            await client.exchange("not-a-code")
        assert error.value.code == -14005


async def test_a_lost_token_answer_says_the_refresh_token_may_be_spent(oa):
    _access, refresh = oa.issue_tokens()
    oa.lose_next_token_answer()
    async with client_for(oa) as client:
        with pytest.raises(OaAuthError) as error:
            await client.refresh(refresh)
        assert error.value.code == 0 and error.value.maybe_used
        with pytest.raises(OaAuthError) as error:
            await client.refresh(refresh)
        assert error.value.grant_dead  # it was spent although no answer came


async def test_network_trouble_is_an_answer_not_an_exception(oa):
    access, refresh = oa.issue_tokens()
    async with client_for(oa, access) as client:
        await oa.refuse_connections()
        sent = await client.send(CS, USER, "Chào")
        assert sent.refusal is OaRefusal.NETWORK and not sent.maybe_delivered
        with pytest.raises(OaAuthError) as error:
            await client.refresh(refresh)
        assert not error.value.maybe_used  # never connected: the refresh token is untouched
        await oa.accept_connections()
        assert (await client.refresh(refresh)).access_token


async def test_no_token_or_secret_in_any_text_or_log(oa, caplog):
    access, refresh = oa.issue_tokens()
    secrets = [access, refresh, oa.secret_key]
    caplog.set_level(logging.DEBUG)
    async with client_for(oa, access) as client:
        texts = [repr(client)]
        oa.expire_access_tokens()
        texts.append(repr(await client.send(TRANSACTION, USER, "Hồ sơ")))
        tokens = await client.refresh(refresh)
        secrets += [tokens.access_token, tokens.refresh_token]
        texts.append(repr(tokens))
        for attempt in (refresh, tokens.refresh_token + "x"):
            with pytest.raises(OaAuthError) as error:
                await client.refresh(attempt)
            texts += [str(error.value), repr(error.value)]
        await oa.refuse_connections()
        texts.append(repr(await client.send(CS, USER, "x")))
        with pytest.raises(OaAuthError) as error:
            await client.refresh(tokens.refresh_token)
        texts.append(str(error.value))
    texts.append(caplog.text)
    for text in texts:
        for secret in secrets:
            assert secret not in text


async def test_an_unreadable_answer_may_have_been_delivered(oa, client):
    # Something answered, but not Zalo's JSON (a proxy's error page): the message may or may not have gone.
    client.api_base = oa.base + "/nowhere"
    sent = await client.send(CS, USER, "Chào")
    assert sent.refusal is OaRefusal.NETWORK and sent.maybe_delivered
    assert "HTTP 404" in sent.description


def test_dead_grants_and_refusal_of_an_error():
    assert OaAuthError(-14020, "expired").grant_dead and not OaAuthError(-14003, "param").grant_dead
    assert OaError(-230, "x").refusal is OaRefusal.OUTSIDE_WINDOW and OaError(0, "x").refusal is OaRefusal.NETWORK
    assert OaError(-999, "x").refusal is OaRefusal.OTHER
    tokens = OaTokens("AT-very-secret", "RT-very-secret", 3600)
    assert dt.timedelta(seconds=tokens.expires_in) == dt.timedelta(hours=1)
    assert "very-secret" not in repr(tokens) and "very-secret" not in str(tokens)
