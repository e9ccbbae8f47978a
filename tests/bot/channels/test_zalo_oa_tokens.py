"""The OA token keeper against the fake Zalo OA over HTTP and a real database: refresh, races, dead grants,
crashes at every point of a refresh (a child process killed), the CLI and the console banner."""
# ruff: noqa: F811  (tests take the imported zalo_oa_api fixture as a parameter)

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.zalo_oa.client import OaClient, OaRefusal
from bot.channels.zalo_oa.rules import MessageKind
from bot.channels.zalo_oa.tokens import OaNotConnected, TokenKeeper
from bot.cli.zalo_oa import consent_link
from bot.db import oa_account
from bot.db.database import Database
from bot.db.models import utcnow
from bot.db.oa_account import NewTokens
from bot.settings import load_settings
from bot.web import build_web_app
from bot.wiring import build_admin, build_core
from handlers.statuses import OaAuthState
from tests.bot.admin.console import Console
from tests.fakes.zalo_oa_api import FakeZaloOA, zalo_oa_api  # noqa: F401  (the fixture, not in conftest)

ROOT = Path(__file__).resolve().parents[3]
CRASH_SCRIPT = Path(__file__).with_name("oa_token_crash.py")
TOKEN_PATH = "/v4/oa/access_token"
USER = "7771234567890123456"
CS = MessageKind.CONSULTATION


class Alerts(list[str]):
    async def __call__(self, text: str) -> None:
        self.append(text)


def client_for(oa: FakeZaloOA) -> OaClient:
    return OaClient(oa.app_id, oa.secret_key, api_base=oa.base, oauth_base=oa.base, timeout=2.0)


def token_calls(oa: FakeZaloOA) -> int:
    return sum(1 for path, _error in oa.calls if path == TOKEN_PATH)


async def seed(db: Database, oa: FakeZaloOA, access_left: dt.timedelta = dt.timedelta(hours=1)) -> tuple[str, str]:
    """The row as a past authorisation left it; the access token expires in `access_left` by our clock."""
    access, refresh = oa.issue_tokens()
    now = utcnow()
    async with db.writing() as session:
        await oa_account.ensure(session)
        await oa_account.store(session, NewTokens(access, now + access_left, refresh, now + dt.timedelta(days=90)), now)
        await session.commit()
    return access, refresh


async def row(db: Database):
    async with db.session() as session:
        return await oa_account.read(session)


@pytest.fixture
async def oa(zalo_oa_api):
    zalo_oa_api.interacted(USER)  # the user wrote: a consultation reply may go
    return zalo_oa_api


@pytest.fixture
async def keeper(db, oa):
    alerts = Alerts()
    async with client_for(oa) as client:
        yield TokenKeeper(db, client, alert=alerts), client, alerts


async def test_first_authorisation_stores_the_tokens_and_sends(db, oa, keeper):
    keeper, client, _ = keeper
    state, text = await keeper.status()
    assert state is OaAuthState.NOT_AUTHORISED and "python -m bot zalo-oa authorise" in text
    with pytest.raises(OaNotConnected) as refused:
        await keeper.ready()
    assert refused.value.state is OaAuthState.NOT_AUTHORISED
    await keeper.authorise(oa.authorize())
    await keeper.ready()
    assert (await client.send(CS, USER, "Chào bạn")).ok
    assert await keeper.status() == (OaAuthState.CONNECTED, "")
    stored = await row(db)
    assert stored is not None and stored.generation == 1 and oa.refresh_token_alive(stored.refresh_token)


async def test_a_fresh_stored_token_is_used_without_refreshing(db, oa, keeper):
    keeper, client, _ = keeper
    await seed(db, oa)
    await keeper.start()
    await keeper.ready()
    assert (await client.send(CS, USER, "Chào bạn")).ok
    assert token_calls(oa) == 0


async def test_an_expiring_token_is_refreshed_and_the_new_pair_committed(db, oa, keeper):
    keeper, client, _ = keeper
    _access, old_refresh = await seed(db, oa, access_left=dt.timedelta(minutes=2))  # inside the 5-minute margin
    await keeper.ready()
    await keeper.ready()  # now fresh: no second refresh
    assert token_calls(oa) == 1
    stored = await row(db)
    assert stored is not None and stored.generation == 2 and stored.refreshing_since is None
    assert stored.refresh_token != old_refresh and oa.refresh_token_alive(stored.refresh_token)
    assert not oa.refresh_token_alive(old_refresh)  # single use: the one stored is the only one left
    assert (await client.send(CS, USER, "Chào bạn")).ok


async def test_a_refused_token_is_refreshed_once(db, oa, keeper):
    keeper, client, _ = keeper
    await seed(db, oa)
    await keeper.ready()
    oa.expire_access_tokens()  # Zalo's clock, not ours: only the refusal tells
    sent = await client.send(CS, USER, "Chào bạn")
    assert sent.refusal is OaRefusal.TOKEN
    await keeper.rejected()
    await keeper.ready()
    assert (await client.send(CS, USER, "Chào bạn")).ok and token_calls(oa) == 1


async def test_concurrent_sends_in_one_process_make_one_refresh(db, oa, keeper):
    keeper, client, _ = keeper
    await seed(db, oa, access_left=dt.timedelta(0))
    await asyncio.gather(*(keeper.ready() for _ in range(5)))
    assert token_calls(oa) == 1 and (await client.send(CS, USER, "Chào bạn")).ok


async def test_two_processes_racing_make_one_refresh_and_share_its_token(db, database_url, oa):
    await seed(db, oa, access_left=dt.timedelta(minutes=1))
    oa.expire_access_tokens()  # the old token works nowhere: a successful send proves the new one is held
    other_db = Database(database_url)  # a second engine on the same database: another process's view
    try:
        async with client_for(oa) as first, client_for(oa) as second:
            keepers = [TokenKeeper(d, c, alert=Alerts()) for d, c in ((db, first), (other_db, second))]
            await asyncio.gather(*(k.ready() for k in keepers))
            assert token_calls(oa) == 1
            # One refresh issued one access token; both clients send with it.
            assert (await first.send(CS, USER, "một")).ok and (await second.send(CS, USER, "hai")).ok
    finally:
        await other_db.dispose()
    stored = await row(db)
    assert stored is not None and stored.generation == 2 and stored.refreshing_since is None


async def test_a_refresh_under_way_elsewhere_is_waited_for_not_repeated(db, oa, keeper):
    keeper, client, _ = keeper
    _access, refresh = await seed(db, oa, access_left=dt.timedelta(0))
    async with db.writing() as session:  # another process has just begun a refresh
        await oa_account.set_refreshing(session, refresh, utcnow())
        await session.commit()
    waiting = asyncio.create_task(keeper.ready())
    await asyncio.sleep(0.3)  # it is polling the row meanwhile; token_calls below shows it never refreshed
    access, new_refresh = oa.issue_tokens()  # … and stores its result
    now = utcnow()
    async with db.writing() as session:
        tokens = NewTokens(access, now + dt.timedelta(hours=1), new_refresh, now + dt.timedelta(days=90))
        assert await oa_account.store(session, tokens, now, spent=refresh) == 2
        await session.commit()
    await asyncio.wait_for(waiting, 10)
    assert token_calls(oa) == 0 and (await client.send(CS, USER, "Chào bạn")).ok


async def test_a_dead_refresh_token_alerts_once_and_sends_wait_without_calls(db, database_url, oa, keeper):
    keeper, client, alerts = keeper
    await seed(db, oa, access_left=dt.timedelta(0))
    oa.revoke()  # the OA's admin removed the app
    for _ in range(3):
        with pytest.raises(OaNotConnected) as refused:
            await keeper.ready()
        assert refused.value.state is OaAuthState.NEEDS_REAUTH
    assert token_calls(oa) == 1  # only the first try asked Zalo
    assert len(alerts) == 1
    assert "Zalo OA cần cấp quyền lại" in alerts[0] and "python -m bot zalo-oa authorise <mã>" in alerts[0]
    state, text = await keeper.status()
    assert state is OaAuthState.NEEDS_REAUTH and "-14014" not in text and "thu hồi" in text
    # Another process reads the state: it waits too, and does not alert again.
    other_db, other_alerts = Database(database_url), Alerts()
    try:
        async with client_for(oa) as other:
            with pytest.raises(OaNotConnected):
                await TokenKeeper(other_db, other, alert=other_alerts).ready()
    finally:
        await other_db.dispose()
    assert other_alerts == [] and token_calls(oa) == 1
    # A new authorisation ends it.
    await keeper.authorise(oa.authorize())
    await keeper.ready()
    assert (await client.send(CS, USER, "Chào bạn")).ok and await keeper.status() == (OaAuthState.CONNECTED, "")


async def test_no_answer_keeps_the_token_and_retries_later(db, oa):
    _access, refresh = await seed(db, oa, access_left=dt.timedelta(0))
    now = [utcnow()]
    async with client_for(oa) as client:
        keeper = TokenKeeper(db, client, alert=Alerts(), clock=lambda: now[0])
        await oa.refuse_connections()
        with pytest.raises(OaNotConnected) as refused:
            await keeper.ready()
        assert refused.value.state is OaAuthState.CONNECTED
        stored = await row(db)
        assert stored is not None and stored.state == OaAuthState.CONNECTED and stored.refresh_token == refresh
        assert stored.refreshing_since is None  # never sent: nothing was cut short
        await oa.accept_connections()
        with pytest.raises(OaNotConnected):
            await keeper.ready()  # still inside the retry pause
        assert token_calls(oa) == 0 and oa.refresh_token_alive(refresh)
        now[0] += dt.timedelta(minutes=1)
        await keeper.ready()
        assert token_calls(oa) == 1 and (await client.send(CS, USER, "Chào bạn")).ok


@pytest.mark.parametrize("rotation", ["on_read", "on_use"])
async def test_a_lost_answer_is_asked_again_and_never_logs_a_token(db, oa, rotation, caplog):
    caplog.set_level(logging.DEBUG)
    # aiosqlite logs every statement with its parameters at DEBUG; the bot's logging holds it at WARNING
    # (bot/logs.py CHATTY_LIBRARIES), as it must: those parameters are tokens and personal data.
    caplog.set_level(logging.WARNING, logger="aiosqlite")
    oa.rotation = rotation
    await seed(db, oa, access_left=dt.timedelta(0))
    alerts = Alerts()
    async with client_for(oa) as client:
        keeper = TokenKeeper(db, client, alert=alerts)
        await keeper.start()
        oa.lose_next_token_answer()  # Zalo acted, the answer never came
        if rotation == "on_read":  # the token was spent with the lost answer: Zalo's second answer says so
            with pytest.raises(OaNotConnected) as refused:
                await keeper.ready()
            assert refused.value.state is OaAuthState.NEEDS_REAUTH and len(alerts) == 1
            messages = [str(refused.value), *alerts, *(await keeper.status())[1:]]
        else:  # a reuse grace: the second ask gets a pair
            await keeper.ready()
            assert (await client.send(CS, USER, "Chào bạn")).ok and alerts == []
            messages = []
        await keeper.authorise(oa.authorize())
        oa.expire_access_tokens()
        await keeper.rejected()
        await keeper.ready()
    assert token_calls(oa) == 4  # lost, asked again, authorised, refreshed
    secrets = oa.tokens_issued()
    assert secrets and "zalo_oa" in caplog.text
    for text in [caplog.text, *messages]:
        assert not [s for s in secrets if s in text]


async def test_start_retries_a_refresh_cut_short_long_ago(db, oa, keeper, caplog):
    keeper, _client, alerts = keeper
    caplog.set_level(logging.INFO)
    _access, refresh = await seed(db, oa, access_left=dt.timedelta(hours=1))
    async with db.writing() as session:
        await oa_account.set_refreshing(session, refresh, utcnow() - dt.timedelta(minutes=5))
        await session.commit()
    await keeper.start()
    assert "was cut short" in caplog.text and token_calls(oa) == 1 and alerts == []
    stored = await row(db)
    assert stored is not None and stored.refreshing_since is None and stored.generation == 2


# -- the crash test ------------------------------------------------------------------------------------
POINTS = ["before_http", "after_http_before_commit", "after_commit_before_use"]


@pytest.mark.slow
@pytest.mark.parametrize("rotation", ["on_use", "on_read"])
@pytest.mark.parametrize("point", POINTS)
async def test_a_crash_at_any_point_of_a_refresh(db, database_url, oa, rotation, point):
    """A child process refreshes and is SIGKILLed at `point`; a fresh keeper on the same database then sends.

    Under "on_use" (the old refresh token lives until its successor is used) every point recovers. Under "on_read"
    (Zalo as described: spent when read) a crash between Zalo's answer and our commit loses the only valid refresh
    token, and no client can close that window: the new pair existed only in the dead process's memory. The keeper
    then detects it at start (the refresh mark left in the row), asks admins once, and sends wait."""
    oa.rotation = rotation
    _access, first_refresh = await seed(db, oa, access_left=dt.timedelta(minutes=1))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OA_APP_ID": oa.app_id, "OA_SECRET_KEY": oa.secret_key}
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CRASH_SCRIPT), database_url, oa.base, point, env=env, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == -9, err.decode()  # killed at the point, not finished
    stored = await row(db)
    assert stored is not None
    assert (stored.refreshing_since is None) == (point == "after_commit_before_use")

    alerts, calls_before = Alerts(), token_calls(oa)
    async with client_for(oa) as client:
        # Nothing else runs: the mark left in the row is a cut-short refresh, not one to wait for.
        keeper = TokenKeeper(db, client, alert=alerts, lease=dt.timedelta(0))
        await keeper.start()
        if rotation == "on_read" and point == "after_http_before_commit":
            assert (await keeper.status())[0] is OaAuthState.NEEDS_REAUTH and len(alerts) == 1
            for _ in range(2):
                with pytest.raises(OaNotConnected):
                    await keeper.ready()
            assert token_calls(oa) == calls_before + 1 and len(alerts) == 1
            return
        await keeper.ready()
        assert (await client.send(CS, USER, "Chào bạn")).ok and alerts == []
    stored = await row(db)
    assert stored is not None and stored.refreshing_since is None and stored.state == OaAuthState.CONNECTED
    assert oa.refresh_token_alive(stored.refresh_token) and not oa.refresh_token_alive(first_refresh)


# -- the CLI -------------------------------------------------------------------------------------------
async def run_bot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.slow
async def test_cli_authorise_and_status_against_the_fake(oa, tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("ZALO_OA_") and not k.endswith("_BOT_TOKEN")}
    base |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db"}
    code, _out, err = await run_bot("zalo-oa", "status", env=base, cwd=tmp_path)
    assert code == 2 and err.strip().count("\n") == 0 and "thiếu ZALO_OA_APP_ID, ZALO_OA_SECRET_KEY" in err

    env = base | {
        "ZALO_OA_APP_ID": oa.app_id,
        "ZALO_OA_SECRET_KEY": oa.secret_key,
        "ZALO_OA_API_BASE_URL": oa.base,
        "ZALO_OA_OAUTH_BASE_URL": oa.base,
    }
    code, out, err = await run_bot("zalo-oa", "status", env=env, cwd=tmp_path)
    assert code == 1 and "Zalo OA: chưa được cấp quyền" in out
    grant = oa.authorize()
    # "--": a code may start with "-" (the fake's are URL-safe base64), which argparse would read as an option.
    code, out, err = await run_bot("zalo-oa", "authorise", "--", grant, env=env, cwd=tmp_path)
    assert code == 0, err
    assert re.search(r"Đã cấp quyền Zalo OA: mã truy cập dùng đến \d\d/\d\d/\d{4} \d\d:\d\d", out)
    code, status, err = await run_bot("zalo-oa", "status", env=env, cwd=tmp_path)
    assert code == 0 and "Zalo OA: đang kết nối" in status
    assert re.search(r"Mã làm mới hết hạn \(ước tính\): \d\d/\d\d/\d{4} \d\d:\d\d", status)
    code, _out, again = await run_bot("zalo-oa", "authorise", "--", grant, env=env, cwd=tmp_path)
    assert code == 1 and "lỗi: Zalo không nhận mã cấp quyền" in again
    assert not [s for s in oa.tokens_issued() if s in out + status + again + err]


# -- the console banner --------------------------------------------------------------------------------
async def test_every_console_page_shows_the_banner_until_the_oa_is_connected(database_url):
    settings = load_settings(
        _env_file=None, telegram_bot_token=None, zalo_bot_token=None, database_url=database_url, embeddings="off"
    )
    core = await build_core(settings)
    admin = dataclasses.replace(build_admin(core), oa_enabled=True)
    client = TestClient(TestServer(build_web_app([], core.db, core.metrics, lambda: {}, admin)))
    await client.start_server()
    try:
        console = Console(core, client)
        await console.add_user("quantri@so.gov.vn")
        assert await console.sign_in("quantri@so.gov.vn") == 303

        async def page(path: str = "/admin/tong-quan") -> str:
            return await (await client.get(path)).text()

        assert "Zalo OA chưa được cấp quyền" in await page()
        now = utcnow()
        tokens = NewTokens("AT-never-shown", now + dt.timedelta(hours=1), "RT-never-shown", now)
        async with core.db.writing() as session:
            await oa_account.ensure(session)
            await oa_account.store(session, tokens, now)
            await session.commit()
        assert "Zalo OA" not in await page()
        async with core.db.writing() as session:
            await oa_account.lose(session, "RT-never-shown", "Zalo không nhận mã làm mới.", now)
            await session.commit()
        for path in ("/admin/tong-quan", "/admin/chien-dich", "/admin/kho-tri-thuc", "/admin/cai-dat"):
            html = await page(path)
            assert "Zalo OA cần cấp quyền lại: Zalo không nhận mã làm mới." in html
            assert "python -m bot zalo-oa authorise &lt;mã&gt;" in html and "never-shown" not in html
    finally:
        await client.close()
        await core.close()


def test_the_consent_link_carries_a_pkce_challenge_of_the_printed_verifier():
    link, verifier = consent_link("2718", "https://oauth.zaloapp.com/", "https://so.example.vn/zalo-oa/callback")
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.netloc, parts.path) == ("oauth.zaloapp.com", "/v4/oa/permission")
    assert query["app_id"] == "2718" and query["redirect_uri"] == "https://so.example.vn/zalo-oa/callback"
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == expected and query["code_challenge_method"] == "S256"
    assert 43 <= len(verifier) <= 128 and consent_link("2718", "https://x", "https://y")[1] != verifier
