"""`python -m bot zalo-oa authorise CODE|status`: connect the Zalo OA once, and see whether it still is."""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import secrets
import sys
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.admin import audit
from bot.channels.zalo_oa.assembly import build_client, build_keeper
from bot.channels.zalo_oa.client import OaAuthError
from bot.channels.zalo_oa.tokens import TokenKeeper, notice
from bot.cli.admin import CLI_ACTOR
from bot.db.database import open_database
from bot.settings import Settings
from handlers.local_time import local_time
from handlers.statuses import OaAuthState


async def _no_alert(_text: str) -> None:
    """The CLI prints what it finds; alerting the staff chat is the running bot's job."""


def missing_settings(settings: Settings) -> list[str]:
    pairs = (("ZALO_OA_APP_ID", settings.zalo_oa_app_id), ("ZALO_OA_SECRET_KEY", settings.zalo_oa_secret_key))
    return [name for name, value in pairs if not value]


async def authorise(keeper: TokenKeeper, code: str, verifier: str, zone: ZoneInfo) -> tuple[int, str]:
    try:
        await keeper.authorise(code, verifier)
    except OaAuthError as exc:
        if exc.grant_dead:
            return 1, (
                f"lỗi: Zalo không nhận mã cấp quyền (mã lỗi {exc.code}): mã sai, đã dùng hoặc đã hết hạn. "
                "Mỗi mã chỉ dùng được một lần, trong ít phút: lấy mã mới trên trang cấp quyền rồi chạy lại."
            )
        code_part = f" (mã lỗi {exc.code})" if exc.code else ""
        return 1, f"lỗi: chưa cấp quyền được Zalo OA{code_part}: {exc.description}. Kiểm tra cấu hình rồi thử lại."
    seen = await keeper.view()
    return 0, (
        f"Đã cấp quyền Zalo OA: mã truy cập dùng đến {local_time(seen.access_expires_at, zone)}, "
        f"mã làm mới dùng đến khoảng {local_time(seen.refresh_expires_at, zone)}."
    )


async def status(keeper: TokenKeeper, zone: ZoneInfo) -> tuple[int, str]:
    seen = await keeper.view()
    lines = [f"Zalo OA: {seen.state.label}"]
    if seen.state is not OaAuthState.NOT_AUTHORISED:
        lines.append(f"Mã truy cập hết hạn: {local_time(seen.access_expires_at, zone)}")
        lines.append(f"Mã làm mới hết hạn (ước tính): {local_time(seen.refresh_expires_at, zone)}")
    if seen.refreshing_since is not None:
        lines.append(f"Lần làm mới bắt đầu {local_time(seen.refreshing_since, zone)} chưa xong")
    text = notice(seen.state, seen.problem)
    if text:
        lines.append(text)
    return (0 if seen.state is OaAuthState.CONNECTED else 1), "\n".join(lines)


# The OA consent page of OAuth v4 with PKCE (S256): the path as public integrations call it
# (datvt88/CPLS docs/ZALO_PKCE_IMPLEMENTATION.md for /v4/permission and its parameters; the /v4/oa/ form for an
# Official Account in public OA samples). ASSUMPTION: unchanged since; check the link opens Zalo's consent page.
PERMISSION_PATH = "/v4/oa/permission"


def consent_link(app_id: str, oauth_base: str, redirect_uri: str) -> tuple[str, str]:
    """(the consent page address to open, the code_verifier to give `authorise --verifier`)."""
    verifier = secrets.token_urlsafe(32)[:43]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "app_id": app_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": secrets.token_urlsafe(8),
        }
    )
    return f"{oauth_base.rstrip('/')}{PERMISSION_PATH}?{query}", verifier


def cmd_zalo_oa(settings: Settings, args: argparse.Namespace) -> int:
    missing = missing_settings(settings)
    if missing:
        print(
            f"lỗi: chưa cấu hình Zalo OA, thiếu {', '.join(missing)} trong .env (xem README, mục Zalo OA)",
            file=sys.stderr,
        )
        return 2
    zone = ZoneInfo(settings.timezone)
    if args.zalo_oa_command == "link":
        link, verifier = consent_link(settings.zalo_oa_app_id, settings.zalo_oa_oauth_base_url, args.redirect_uri)
        print(
            "Quản trị viên của OA mở địa chỉ sau, đăng nhập Zalo và đồng ý cấp quyền:\n"
            f"{link}\n\n"
            "Zalo chuyển tới địa chỉ nhận mã kèm tham số code=…; trong vài phút, chạy:\n"
            f"python -m bot zalo-oa authorise --verifier {verifier} -- <code>"
        )
        return 0

    async def go() -> tuple[int, str]:
        db = await open_database(settings.database_url)
        client = build_client(settings)
        try:
            keeper = build_keeper(settings, db, client, _no_alert)
            if args.zalo_oa_command == "status":
                return await status(keeper, zone)
            result = await authorise(keeper, args.code, args.verifier, zone)
            if result[0] == 0:
                async with db.writing() as session:
                    await audit.record(session, CLI_ACTOR, "đã cấp quyền Zalo OA")
                    await session.commit()
            return result
        finally:
            await client.close()
            await db.dispose()

    code, text = asyncio.run(go())
    print(text, file=sys.stdout if code == 0 or args.zalo_oa_command == "status" else sys.stderr)
    return code


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = sub.add_parser("zalo-oa", help="Zalo Official Account: authorise it, or show its authorisation")
    oa_sub = group.add_subparsers(dest="zalo_oa_command", required=True)
    auth = oa_sub.add_parser("authorise", help="exchange the code from Zalo's consent page and store the tokens")
    auth.add_argument("code", help="the `code` Zalo's consent page redirected with (single use, minutes)")
    auth.add_argument("--verifier", default="", help="the PKCE code_verifier, if the consent link used one")
    link = oa_sub.add_parser("link", help="print the consent page address (PKCE) and the verifier for authorise")
    link.add_argument("--redirect-uri", required=True, help="the callback URL registered for the app in Zalo")
    oa_sub.add_parser("status", help="state and expiry dates (never the tokens); exit code 1 when not connected")
    group.set_defaults(func=cmd_zalo_oa)
