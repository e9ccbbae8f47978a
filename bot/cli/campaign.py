"""`python -m bot campaign …`: the staff's broadcast commands from the shell, in Vietnamese."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcast.audience import Audience
from bot.broadcast.desk import campaign_when
from bot.broadcast.schedule import ScheduleError
from bot.broadcast.when_words import When, read_when
from bot.db import campaign_report, campaigns, live_knowledge
from bot.db.campaigns import CampaignError, Draft
from bot.db.database import open_database
from bot.db.models import Campaign, utcnow
from bot.settings import Settings
from bot.wiring import load_release
from handlers.statuses import OPEN_DELIVERIES, CampaignStatus, DeliveryStatus, ScheduleKind

NOT_CONFIRMED = 3  # exit status when a cancel or resend was asked without --yes


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    campaign = sub.add_parser("campaign", help="tạo, xem, hủy và gửi chiến dịch thông báo")
    csub = campaign.add_subparsers(dest="campaign_command", required=True)
    create = csub.add_parser("create", help="tạo chiến dịch; in ra mã của nó")
    create.add_argument("--text", required=True, help="nội dung; {name} được thay bằng tên người nhận")
    create.add_argument(
        "--audience",
        default="all",
        help="all | topic:MÃ | channel:telegram|zalo|zalo_oa | commune:TÊN_XÃ_PHƯỜNG | sector:TÊN | ocop:3+ | need:MÃ, "
        "cách nhau bằng dấu phẩy",
    )
    create.add_argument("--button", action="append", default=[], metavar="NHÃN|URL", help="một nút mở liên kết")
    create.add_argument("--image", default="", metavar="URL", help="ảnh kèm theo (https://…); nội dung là chú thích")
    when = create.add_mutually_exclusive_group()
    when.add_argument("--now", action="store_true", help="gửi ngay (mặc định)")
    when.add_argument(
        "--at",
        "--when",
        dest="when",
        metavar="THỜI_ĐIỂM",
        help="«05/12/2026 08:00», «8h sáng mai», «thứ Hai hàng tuần lúc 8h»…",
    )
    when.add_argument("--cron", metavar="BIỂU_THỨC", help="lặp lại: «0 8 * * mon» hoặc «every monday 08:00»")
    lst = csub.add_parser("list", help="các chiến dịch gần nhất")
    lst.add_argument("--json", action="store_true")
    show = csub.add_parser("show", help="một chiến dịch với số tin theo trạng thái")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    cancel = csub.add_parser("cancel", help="hủy chiến dịch (tin chưa gửi bị bỏ)")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--yes", action="store_true", help="xác nhận hủy")
    resend = csub.add_parser("resend-unknown", help="gửi lại các tin chưa rõ đã tới chưa")
    resend.add_argument("id", type=int)
    resend.add_argument("--yes", action="store_true", help="xác nhận gửi lại (người nhận có thể nhận hai lần)")
    report = csub.add_parser("report", help="báo cáo gửi tin (Excel): người nhận, kênh, trạng thái, thời điểm, lỗi")
    report.add_argument("id", type=int)
    report.add_argument("--out", type=Path, default=None, help="tệp ghi ra (mặc định bao-cao-chien-dich-MÃ.xlsx)")
    send = csub.add_parser("send", help="chạy bộ gửi tin trong tiến trình này")
    send.add_argument("--until-idle", action="store_true", help="dừng khi không còn gì để gửi")
    campaign.set_defaults(func=cmd_campaign)


def read_schedule(args: argparse.Namespace, settings: Settings) -> When:
    if args.when:
        return read_when(args.when, utcnow(), settings.timezone)
    if args.cron:
        return read_when(args.cron, utcnow(), settings.timezone)
    return When(ScheduleKind.NOW)


def draft_from_args(args: argparse.Namespace, settings: Settings, audience: Audience) -> Draft:
    buttons = []
    for raw in args.button:
        label, sep, url = raw.partition("|")
        if not sep:
            raise CampaignError(f"--button cần dạng NHÃN|URL, nhận được «{raw}»")
        buttons.append((label.strip(), url.strip()))
    when = read_schedule(args, settings)
    return Draft(
        args.text,
        audience,
        when.kind,
        when.run_at,
        when.cron,
        timezone=settings.timezone,
        buttons=tuple(buttons),
        created_by="cli",
        image_url=args.image.strip(),
    )


def summary(campaign: Campaign, counts: dict[str, int], timezone: str, topics: dict[str, str]) -> dict[str, Any]:
    audience = Audience.from_json(campaign.audience)
    return {
        "id": campaign.id,
        "status": campaign.status,
        "trạng_thái": CampaignStatus(campaign.status).label,
        "schedule": campaign.schedule,
        "audience": audience.describe(),
        "người_nhận": audience.in_words(topics),
        "cron": campaign.cron or None,
        "next_run_at": campaign.next_run_at.isoformat() if campaign.next_run_at else None,
        "thời_điểm": campaign_when(campaign, timezone),
        "image_url": campaign.image_url or None,
        "text": campaign.text,
        "counts": counts,
    }


async def topic_titles(session: AsyncSession, settings: Settings) -> dict[str, str]:
    kb = await live_knowledge.load_or_seed(session, load_release(settings))
    return {t.id: t.title for t in kb.menu_topics()}


async def _run(session: AsyncSession, settings: Settings, args: argparse.Namespace) -> int:
    command = args.campaign_command
    topics = await topic_titles(session, settings)
    if command == "create":
        audience, size = await campaigns.checked_audience(session, args.audience, topics)
        created = await campaigns.create(session, draft_from_args(args, settings, audience))
        print(created.id)
        print(f"Đã tạo chiến dịch #{created.id}: {audience.in_words(topics)} — {size:,} người.", file=sys.stderr)
    elif command == "list":
        rows = []
        for c in await campaigns.listing(session):
            assert c.id is not None  # a stored row has its primary key
            rows.append(summary(c, await campaigns.counts(session, c.id), settings.timezone, topics))
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
        for row in [] if args.json else rows:
            c = row["counts"]
            waiting = sum(c[s] for s in OPEN_DELIVERIES)
            print(
                f"#{row['id']} {row['trạng_thái']:<12} đã gửi {c['sent']} · chờ {waiting} · chưa rõ {c['unknown']}"
                f" — {row['text'][:50]}"
            )
    elif command == "show":
        campaign = await campaigns.get(session, args.id)
        if campaign is None:
            raise CampaignError(f"không có chiến dịch #{args.id}")
        data = summary(campaign, await campaigns.counts(session, args.id), settings.timezone, topics)
        data["unknown"] = [
            {"channel": d.channel, "chat_id": d.chat_id, "name": d.name}
            for d in await campaigns.unknown_deliveries(session, args.id)
        ]
        print(json.dumps(data, ensure_ascii=False, indent=None if args.json else 2))
    elif command in ("cancel", "resend-unknown"):
        return await _confirmed_action(session, args)
    elif command == "report":
        workbook = await campaign_report.report_workbook(session, args.id, settings.timezone, topics)
        if workbook is None:
            raise CampaignError(f"không có chiến dịch #{args.id}")
        out = args.out or Path(campaign_report.file_name(args.id))
        out.write_bytes(workbook)
        print(f"Đã ghi báo cáo chiến dịch #{args.id} vào {out}")
    return 0


async def _confirmed_action(session: AsyncSession, args: argparse.Namespace) -> int:
    """Cancel or resend: without --yes, say what it would do and change nothing."""
    campaign = await campaigns.get(session, args.id)
    if campaign is None:
        raise CampaignError(f"không có chiến dịch #{args.id}")
    counts = await campaigns.counts(session, args.id)
    if args.campaign_command == "cancel":
        if not args.yes:
            waiting = sum(counts[s] for s in OPEN_DELIVERIES)
            print(
                f"Hủy chiến dịch #{args.id} sẽ bỏ {waiting} tin chưa gửi ({counts['sent']} tin đã gửi không thu hồi "
                "được). Chạy lại với --yes để xác nhận.",
                file=sys.stderr,
            )
            return NOT_CONFIRMED
        dropped = await campaigns.cancel(session, args.id)
        print(f"Đã hủy chiến dịch #{args.id}; {dropped} tin chưa gửi được bỏ.")
        return 0
    if not args.yes:
        print(
            f"Gửi lại {counts[DeliveryStatus.UNKNOWN]} tin chưa rõ của chiến dịch #{args.id}: người nhận có thể nhận "
            "hai lần. Chạy lại với --yes để xác nhận.",
            file=sys.stderr,
        )
        return NOT_CONFIRMED
    moved = await campaigns.resend_unknowns(session, args.id)
    print(f"{moved} tin của chiến dịch #{args.id} sẽ được gửi lại.")
    return 0


async def _campaign(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings.database_url)
    try:
        if args.campaign_command == "send":
            from bot.broadcast.standalone import run_sender

            return await run_sender(settings, db, until_idle=args.until_idle)
        async with db.writing() as session:
            return await _run(session, settings, args)
    finally:
        await db.dispose()


def cmd_campaign(settings: Settings, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_campaign(settings, args))
    except (CampaignError, ScheduleError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
