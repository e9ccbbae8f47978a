"""`python -m bot admin add-user|reset-password|disable|show|erase` (console accounts); `python -m bot web`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.admin import account_privacy, accounts, audit
from bot.admin.accounts import AccountError
from bot.admin.passwords import WeakPassword
from bot.admin.roles import AdminRole
from bot.db.database import open_database
from bot.settings import Settings

CLI_ACTOR = "dòng lệnh"


def read_password(from_stdin: bool) -> str:
    """From stdin (scripts), or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu mới (ít nhất 10 ký tự): ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise AccountError("hai lần nhập mật khẩu không giống nhau")
    return first


def cmd_admin(settings: Settings, args: argparse.Namespace) -> int:
    async def act() -> str:
        db = await open_database(settings.database_url)
        try:
            async with db.session() as session:
                if args.admin_command == "add-user":
                    user = await accounts.add_user(
                        session, args.email, AdminRole(args.role), read_password(args.password_stdin)
                    )
                    message = f"đã tạo tài khoản {user.email} ({AdminRole(user.role).label})"
                elif args.admin_command == "reset-password":
                    user = await accounts.reset_password(session, args.email, read_password(args.password_stdin))
                    message = f"đã đặt lại mật khẩu cho {user.email}; mọi phiên đăng nhập cũ đã bị đóng"
                elif args.admin_command == "disable":
                    user = await accounts.disable(session, args.email)
                    message = f"đã khóa tài khoản {user.email}"
                elif args.admin_command == "show":
                    data = await account_privacy.account_data(session, args.email)
                    return "\n".join(
                        [
                            f"Email: {data.email}",
                            f"Vai trò: {AdminRole(data.role).label}",
                            f"Đã khóa: {'có' if data.disabled else 'không'}",
                            f"Tạo lúc: {data.created}",
                            f"Phiên đăng nhập đang mở: {data.sessions}",
                            f"Lần thử đăng nhập (giữ một giờ): {data.sign_in_tries}",
                            f"Dòng nhật ký thao tác: {data.audit_events}",
                            f"Phiên bản câu hỏi đã viết: {data.entry_versions}",
                            f"Nơi nhận tin thử chiến dịch: {data.test_chat or '(chưa đặt)'}",
                        ]
                    )
                else:
                    pseudonym = await account_privacy.erase_account(session, args.email)
                    message = f"đã xóa một tài khoản; việc nó đã làm nay ghi là {pseudonym}"
                await audit.record(session, CLI_ACTOR, message)
                await session.commit()
                return message
        finally:
            await db.dispose()

    try:
        print(asyncio.run(act()))
    except (AccountError, WeakPassword) as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import run_web

    return run_web(settings)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="web-console accounts: add-user, reset-password, disable")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    add = admin_sub.add_parser("add-user", help="create an account (asks for the password)")
    add.add_argument("email")
    add.add_argument("--role", choices=[r.value for r in AdminRole], default=AdminRole.STAFF.value)
    reset = admin_sub.add_parser("reset-password", help="set a new password; signs the account out everywhere")
    reset.add_argument("email")
    for command in (add, reset):
        command.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    off = admin_sub.add_parser("disable", help="lock an account and sign it out")
    off.add_argument("email")
    show = admin_sub.add_parser("show", help="what is kept about an account")
    show.add_argument("email")
    erase = admin_sub.add_parser("erase", help="delete an account; its edits and audit lines get a pseudonym")
    erase.add_argument("email")
    admin.set_defaults(func=cmd_admin)
    web = sub.add_parser("web", help="the web console alone (under /admin), without the chat channels")
    web.set_defaults(func=cmd_web)
