"""`python -m bot campaign …`: the staff's broadcast commands from the shell."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.broadcast.audience import Audience, AudienceError
from bot.broadcast.schedule import ScheduleError, parse_local
from bot.db import campaigns
from bot.db.campaigns import CampaignError, Draft
from bot.db.database import open_database
from bot.db.models import Campaign
from bot.settings import Settings
from handlers.statuses import ScheduleKind


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    campaign = sub.add_parser("campaign", help="create, list, show, cancel and send campaigns")
    csub = campaign.add_subparsers(dest="campaign_command", required=True)
    create = csub.add_parser("create", help="create a campaign; prints its id")
    create.add_argument("--text", required=True, help="message text; {name} becomes the subscriber's name")
    create.add_argument(
        "--audience",
        default="all",
        help="all | topic:ID | channel:telegram|zalo | district:NAME | sector:NAME, comma-separated",
    )
    create.add_argument("--button", action="append", default=[], metavar="LABEL|URL", help="a link button")
    when = create.add_mutually_exclusive_group()
    when.add_argument("--now", action="store_true", help="send now (the default)")
    when.add_argument("--at", metavar="YYYY-MM-DD HH:MM", help="send at this local time (TIMEZONE)")
    when.add_argument("--cron", metavar="EXPR", help="recurring: '0 8 * * mon' or 'every monday 08:00'")
    lst = csub.add_parser("list", help="the latest campaigns")
    lst.add_argument("--json", action="store_true")
    show = csub.add_parser("show", help="one campaign with its delivery counts")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    cancel = csub.add_parser("cancel", help="cancel a campaign (pending deliveries are dropped)")
    cancel.add_argument("id", type=int)
    resend = csub.add_parser("resend-unknown", help="send again where delivery is unknown")
    resend.add_argument("id", type=int)
    send = csub.add_parser("send", help="run the sender in this process")
    send.add_argument("--until-idle", action="store_true", help="stop when nothing is left to send")
    campaign.set_defaults(func=cmd_campaign)


def draft_from_args(args: argparse.Namespace, settings: Settings) -> Draft:
    buttons = []
    for raw in args.button:
        label, sep, url = raw.partition("|")
        if not sep:
            raise CampaignError(f"--button needs LABEL|URL, got {raw!r}")
        buttons.append((label.strip(), url.strip()))
    audience = Audience.parse(args.audience)
    if args.at:
        return Draft(
            args.text,
            audience,
            ScheduleKind.AT,
            parse_local(args.at, settings.timezone),
            timezone=settings.timezone,
            buttons=tuple(buttons),
            created_by="cli",
        )
    if args.cron:
        return Draft(
            args.text,
            audience,
            ScheduleKind.CRON,
            cron=args.cron,
            timezone=settings.timezone,
            buttons=tuple(buttons),
            created_by="cli",
        )
    return Draft(
        args.text, audience, ScheduleKind.NOW, timezone=settings.timezone, buttons=tuple(buttons), created_by="cli"
    )


def summary(campaign: Campaign, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "status": campaign.status,
        "schedule": campaign.schedule,
        "audience": Audience.from_json(campaign.audience).describe(),
        "cron": campaign.cron or None,
        "next_run_at": campaign.next_run_at.isoformat() if campaign.next_run_at else None,
        "text": campaign.text,
        "counts": counts,
    }


async def _campaign(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings.database_url)
    try:
        command = args.campaign_command
        if command == "send":
            from bot.broadcast.standalone import run_sender

            return await run_sender(settings, db, until_idle=args.until_idle)
        async with db.writing() as session:
            if command == "create":
                created = await campaigns.create(session, draft_from_args(args, settings))
                print(created.id)
            elif command == "list":
                rows = []
                for c in await campaigns.listing(session):
                    assert c.id is not None  # a stored row has its primary key
                    rows.append(summary(c, await campaigns.counts(session, c.id)))
                if args.json:
                    print(json.dumps(rows, ensure_ascii=False))
                for row in [] if args.json else rows:
                    c = row["counts"]
                    print(
                        f"#{row['id']} {row['status']:<9} {row['schedule']:<4} sent {c['sent']} pending "
                        f"{c['pending'] + c['inflight']} unknown {c['unknown']} — {row['text'][:50]}"
                    )
            elif command == "show":
                campaign = await campaigns.get(session, args.id)
                if campaign is None:
                    raise CampaignError(f"no campaign {args.id}")
                data = summary(campaign, await campaigns.counts(session, args.id))
                data["unknown"] = [
                    {"channel": d.channel, "chat_id": d.chat_id, "name": d.name}
                    for d in await campaigns.unknown_deliveries(session, args.id)
                ]
                print(json.dumps(data, ensure_ascii=False, indent=None if args.json else 2))
            elif command == "cancel":
                dropped = await campaigns.cancel(session, args.id)
                print(f"campaign {args.id} cancelled; {dropped} pending deliveries dropped")
            elif command == "resend-unknown":
                moved = await campaigns.resend_unknowns(session, args.id)
                print(f"{moved} deliveries of campaign {args.id} will be sent again")
        return 0
    finally:
        await db.dispose()


def cmd_campaign(settings: Settings, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_campaign(settings, args))
    except (CampaignError, AudienceError, ScheduleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
