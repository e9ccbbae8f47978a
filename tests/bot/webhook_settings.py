"""Settings for a bot with both channels on webhooks, against the fake Bot APIs (tests that post to both)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings


def both_on_webhooks(
    telegram_api: Any, zalo_api: Any, tmp_path: Path, telegram_secret: str, zalo_secret: str, **extra: Any
) -> Settings:
    return load_settings(
        _env_file=None,
        telegram_bot_token=telegram_api.token,
        telegram_api_base_url=telegram_api.base_url,
        telegram_webhook_url="https://bot.example/telegram/webhook",
        telegram_webhook_secret=telegram_secret,
        zalo_bot_token=zalo_api.token,
        zalo_api_base_url=zalo_api.base_url,
        zalo_webhook_secret=zalo_secret,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        web_port=0,
        **extra,
    )
