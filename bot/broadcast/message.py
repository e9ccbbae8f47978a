"""What one recipient of a campaign receives on each channel, and whether the longest such message fits."""

from __future__ import annotations

import json

from bot.broadcast.audience import CHANNEL_WORDS
from bot.channels.telegram_render import MAX_MESSAGE as TELEGRAM_TEXT_LIMIT
from bot.channels.telegram_render import visible_length as telegram_length
from bot.channels.telegram_sender import CAPTION_LIMIT as TELEGRAM_CAPTION_LIMIT
from bot.channels.zalo import MAX_MESSAGE as ZALO_TEXT_LIMIT
from bot.channels.zalo import plain_text
from bot.channels.zalo_oa.rules import MessageKind, OaRules
from bot.channels.zalo_oa.text import oa_text
from handlers import texts
from handlers.callbacks import Unsubscribe, pack
from handlers.numbers import number
from handlers.types import Button, Reply

# The longest display name a subscriber row holds: a campaign must fit with it filled in for {name}.
LONGEST_NAME = "W" * 256
# Characters each platform accepts, measured as it measures them (Telegram: UTF-16 code units after
# HTML parsing). Zalo's Bot API documents 2,000 for text; for a photo caption it documents no figure,
# so the text limit is assumed.
# A Zalo OA campaign is a promotion message: its picture travels as an address line inside the text.
OA_TEXT_LIMIT = OaRules().text_limit(MessageKind.PROMOTION)
TEXT_LIMITS = {"telegram": TELEGRAM_TEXT_LIMIT, "zalo": ZALO_TEXT_LIMIT, "zalo_oa": OA_TEXT_LIMIT}
CAPTION_LIMITS = {"telegram": TELEGRAM_CAPTION_LIMIT, "zalo": ZALO_TEXT_LIMIT, "zalo_oa": OA_TEXT_LIMIT}


def link_buttons(buttons_json: str) -> list[tuple[str, str]]:
    return [(b["label"], b["url"]) for b in json.loads(buttons_json or "[]")]


def campaign_reply(text: str, links: list[tuple[str, str]], image: str, name: str, channel: str) -> Reply:
    """The message for one recipient: their name filled in, link buttons, the picture, and the way out
    (a button where the platform has buttons, a line of text where it has not)."""
    body = text.replace("{name}", name.strip() or "bạn")
    if channel == "telegram":
        rows = [[Button(label, url=url)] for label, url in links]
        rows.append([Button(texts.OPT_OUT_BUTTON, pack(Unsubscribe()))])
        return Reply(body, rows, image=image)
    # Plain text: the links as lines, and the way out last, where people look for it.
    lines = "\n".join(f"{label}: {url}" for label, url in links)
    return Reply("\n\n".join(p for p in (body, lines, texts.OPT_OUT_LINE) if p), image=image)


def visible_length(reply: Reply, channel: str) -> int:
    """The length the platform checks: Telegram counts UTF-16 units of the parsed text, Zalo characters
    (the OA with the picture's address line)."""
    if channel == "telegram":
        return telegram_length(reply)
    if channel == "zalo_oa":
        return len(oa_text(reply))
    return len(plain_text(reply))


def limit_for(channel: str, with_image: bool) -> int:
    return (CAPTION_LIMITS if with_image else TEXT_LIMITS).get(channel, 0)


def too_long(text: str, links: list[tuple[str, str]], image: str, channels: tuple[str, ...]) -> str | None:
    """Why the campaign cannot go to one of `channels` in one message (in Vietnamese), or None.

    Checked with the longest name filled in and the footer added, exactly as the senders build it, so a
    campaign accepted here is never cut or refused at send time.
    """
    for channel in channels:
        limit = limit_for(channel, bool(image))
        if not limit:
            continue
        length = visible_length(campaign_reply(text, links, image, LONGEST_NAME, channel), channel)
        if length > limit:
            kind = "chú thích ảnh" if image else "tin nhắn"
            names = " (với tên người nhận dài nhất)" if "{name}" in text else ""
            return (
                f"{kind} trên {CHANNEL_WORDS.get(channel, channel)} sẽ dài {number(length)} ký tự{names}, "
                f"quá giới hạn {number(limit)} ký tự; bạn rút ngắn bớt {number(length - limit)} ký tự"
            )
    return None
