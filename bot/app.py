"""`python -m bot run`: every configured channel; the console channel when no platform token is set."""
from __future__ import annotations

import asyncio
import sys

from bot.factory import build_conversation
from bot.settings import Settings


def run_app(settings: Settings) -> int:
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        print("Không có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: chạy trò chuyện trên console "
              "(Ctrl-D để thoát).", file=sys.stderr)
        from bot.channels.console import ConsoleChannel

        asyncio.run(ConsoleChannel(build_conversation(settings)).run())
        return 0
    print("error: platform channels are not built yet; unset the tokens to use the console",
          file=sys.stderr)
    return 2
