"""The Zalo OA half of bot/wiring.py: settings → rules, client, webhook check, token keeper, channel, sender."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.broadcast.limiter import RateLimiter
from bot.channels.base import Sender
from bot.channels.relay import Relay
from bot.channels.zalo_oa.client import OaClient
from bot.channels.zalo_oa.rules import ConsultationRule, OaRules
from bot.channels.zalo_oa.webhook import WebhookCheck
from bot.db.database import Database
from bot.db.oa_events import DbSeenEvents
from bot.settings import Settings, secret
from bot.startup import StartupError
from handlers.types import Reply

if TYPE_CHECKING:
    import contextlib

    from bot.channels.zalo_oa.channel import ZaloOaChannel
    from bot.channels.zalo_oa.tokens import TokenKeeper
    from bot.wiring import Core

log = logging.getLogger(__name__)
Alert = Callable[[str], Awaitable[None]]


def oa_enabled(settings: Settings) -> bool:
    """The OA runs when its app id, the app's secret key and the OA secret key (webhook) are all set."""
    return bool(
        settings.zalo_oa_app_id.strip() and secret(settings.zalo_oa_secret_key) and secret(settings.zalo_oa_webhook_key)
    )


def _clock_time(text: str) -> dt.time:
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(text)
    return dt.time(int(hours), int(minutes))


def promotion_hours(value: str) -> tuple[dt.time, dt.time]:
    """ "08:00-22:00" → (08:00, 22:00); StartupError for anything else."""
    start, _sep, end = value.replace(" ", "").partition("-")
    try:
        opens, closes = _clock_time(start), _clock_time(end)
    except ValueError:
        raise StartupError(f"ZALO_OA_PROMOTION_HOURS must look like 08:00-22:00 (got {value!r})") from None
    if not opens < closes:
        raise StartupError(f"ZALO_OA_PROMOTION_HOURS must open before it closes, on one day (got {value!r})")
    return opens, closes


def oa_rules(settings: Settings) -> OaRules:
    """The sending rules with the settings' numbers; one clear StartupError line for a bad value."""
    try:
        rule = ConsultationRule(settings.zalo_oa_consultation_rule.strip().lower())
    except ValueError:
        choices = " or ".join(r.value for r in ConsultationRule)
        raise StartupError(
            f"ZALO_OA_CONSULTATION_RULE must be {choices} (got {settings.zalo_oa_consultation_rule!r})"
        ) from None
    positive = {
        "ZALO_OA_CONSULTATION_WINDOW_DAYS": settings.zalo_oa_consultation_window_days,
        "ZALO_OA_TRANSACTION_WINDOW_DAYS": settings.zalo_oa_transaction_window_days,
        "ZALO_OA_PROMOTION_DAILY_CAP": settings.zalo_oa_promotion_daily_cap,
        "ZALO_OA_PROMOTION_MONTHLY_CAP": settings.zalo_oa_promotion_monthly_cap,
        "ZALO_OA_PROMOTION_REQUESTS_PER_DAY": settings.zalo_oa_promotion_requests_per_day,
        "ZALO_OA_QUOTA_RECHECK_MINUTES": settings.zalo_oa_quota_recheck_minutes,
        "ZALO_OA_RATE_PER_SECOND": settings.zalo_oa_rate_per_second,
        "ZALO_OA_WEBHOOK_MAX_AGE_SECONDS": settings.zalo_oa_webhook_max_age_seconds,
    }
    for name, number in positive.items():
        if number <= 0:
            raise StartupError(f"{name} must be above 0 (got {number})")
    margin = settings.zalo_oa_token_margin_minutes
    if margin < 0:
        raise StartupError(f"ZALO_OA_TOKEN_MARGIN_MINUTES must be 0 or more (got {margin})")
    opens, closes = promotion_hours(settings.zalo_oa_promotion_hours)
    # The time zone stays the rules' own (Vietnam): Zalo's days and hours, whatever TIMEZONE the bot shows.
    return OaRules(
        consultation_rule=rule,
        consultation_window=dt.timedelta(days=settings.zalo_oa_consultation_window_days),
        transaction_window=dt.timedelta(days=settings.zalo_oa_transaction_window_days),
        promotion_daily_cap=settings.zalo_oa_promotion_daily_cap,
        promotion_monthly_cap=settings.zalo_oa_promotion_monthly_cap,
        promotion_opens=opens,
        promotion_closes=closes,
        promotion_requests_per_day=settings.zalo_oa_promotion_requests_per_day,
        quota_recheck=dt.timedelta(minutes=settings.zalo_oa_quota_recheck_minutes),
    )


def build_client(settings: Settings) -> OaClient:
    return OaClient(
        settings.zalo_oa_app_id.strip(),
        secret(settings.zalo_oa_secret_key),
        api_base=settings.zalo_oa_api_base_url,
        oauth_base=settings.zalo_oa_oauth_base_url,
        timeout=settings.send_timeout,
    )


def build_keeper(settings: Settings, db: Database, client: OaClient, alert: Alert) -> TokenKeeper:
    from bot.channels.zalo_oa.tokens import TokenKeeper

    margin = dt.timedelta(minutes=settings.zalo_oa_token_margin_minutes)
    return TokenKeeper(db, client, alert=alert, margin=margin)


def build_check(settings: Settings, db: Database) -> WebhookCheck:
    max_age = dt.timedelta(seconds=settings.zalo_oa_webhook_max_age_seconds)
    key = secret(settings.zalo_oa_webhook_key)
    return WebhookCheck(settings.zalo_oa_app_id.strip(), key, DbSeenEvents(db), max_age)


def staff_alert(relay: Relay, staff: tuple[str, str] | None) -> Alert:
    """The token keeper's alerts (authorisation lost …) go to the staff chat, as handoff and case notices do."""

    async def alert(text: str) -> None:
        if staff is None:
            log.warning("zalo_oa: %s (STAFF_CHAT_ID is not set: no staff chat to tell)", text)
            return
        if not (await relay.send(*staff, Reply(text))).ok:
            log.warning("zalo_oa: could not tell the staff chat: %s", text)

    return alert


async def log_alert(text: str) -> None:
    """`campaign send` runs no channel to reach the staff chat with: the alert goes to its log."""
    log.warning("zalo_oa: %s", text)


def build_oa_platform(core: Core, limiter: RateLimiter, staff: tuple[str, str] | None) -> tuple[ZaloOaChannel, Sender]:
    """The running bot's OA channel and its campaign sender, sharing one client and one token keeper."""
    # Imported here, as wiring imports the other channels: only a bot with the OA enabled loads them.
    from bot.channels.zalo_oa.channel import OaParts, ZaloOaChannel
    from bot.channels.zalo_oa.sender import OaSender

    settings = core.settings
    rules = oa_rules(settings)
    client = build_client(settings)
    keeper = build_keeper(settings, core.db, client, staff_alert(core.relay, staff))
    parts = OaParts(client, keeper, build_check(settings, core.db), rules)
    channel = ZaloOaChannel(
        parts, core.db, core.people, core.conversation, core.relay, limiter, core.metrics, core.state
    )
    return channel, OaSender(client, keeper, core.db, rules)


async def open_oa_sender(settings: Settings, db: Database, stack: contextlib.AsyncExitStack) -> Sender:
    """`campaign send`'s OA sender: its own client and token keeper (the keeper's row lock keeps processes apart)."""
    from bot.channels.zalo_oa.sender import OaSender

    rules = oa_rules(settings)
    client = build_client(settings)
    await client.start()
    stack.push_async_callback(client.close)
    keeper = build_keeper(settings, db, client, log_alert)
    await keeper.start()
    return OaSender(client, keeper, db, rules)
