"""Reply → Telegram message parts: HTML with everything escaped, split under 4,096 characters, inline keyboards."""

from __future__ import annotations

import html
from typing import Any

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.text_split import split_paragraphs
from handlers import callbacks, texts
from handlers.types import Reply

MAX_MESSAGE = 4096
MAX_BUTTON_LABEL = 120
MAX_COPY_TEXT = 256  # Bot API CopyTextButton: 1–256 characters
# A source longer than this (several documents, addresses) folds into an expandable quote: on a phone
# it takes two lines under the answer instead of ten, and one tap shows every document it cites.
SOURCE_INLINE = 200


def source_html(source: str) -> str:
    """The source line in italics; a long one inside an expandable blockquote."""
    line = "<i>" + html.escape(texts.SOURCE.format(source=source), quote=False) + "</i>"
    return line if len(source) <= SOURCE_INLINE else "<blockquote expandable>" + line + "</blockquote>"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_length(reply: Reply) -> int:
    """What Telegram counts against its limit: the text after HTML parsing (escapes and tags do not count),
    in UTF-16 code units, so an emoji counts twice."""
    length = utf16_length(reply.text)
    if reply.detail:
        length += 2 + utf16_length(reply.detail)
    if reply.source:
        length += 2 + utf16_length(texts.SOURCE.format(source=reply.source))
    return length


def render_html(reply: Reply) -> list[str]:
    """The reply's text escaped for parse_mode=HTML, its detail folded, its source in italics, split to fit."""
    source = "\n\n" + source_html(reply.source) if reply.source else ""
    folded = ""
    if reply.detail:
        # One tap opens the detail; the phone shows the short answer and a few lines of what follows.
        folded = "\n\n<blockquote expandable>" + html.escape(reply.detail, quote=False) + "</blockquote>"
    body = html.escape(reply.text, quote=False) + folded + source
    if visible_length(reply) <= MAX_MESSAGE:
        return [body]
    if reply.detail:
        # Too long to fold in one message: the detail follows as plain paragraphs.
        reply = Reply(f"{reply.text}\n\n{reply.detail}", reply.buttons, reply.source)
    # Split the raw text, then escape each piece, so no entity or tag is cut in half; the last piece
    # keeps room for the source line, which can run to several hundred characters.
    limit = MAX_MESSAGE - 400 - len(reply.source or "")
    parts = [html.escape(p, quote=False) for p in split_paragraphs(reply.text, limit)]
    parts[-1] += source
    return parts


def keyboard_rows(reply: Reply) -> list[list[dict[str, Any]]]:
    """The inline keyboard as Bot API JSON: link, copy and callback buttons whose data fits."""
    rows = []
    for row in reply.buttons:
        buttons: list[dict[str, Any]] = []
        for b in row:
            label = b.label if len(b.label) <= MAX_BUTTON_LABEL else b.label[: MAX_BUTTON_LABEL - 1] + "…"
            if b.url:
                buttons.append({"text": label, "url": b.url})
            elif b.copy and len(b.copy) <= MAX_COPY_TEXT:
                buttons.append({"text": label, "copy_text": {"text": b.copy}})
            elif b.data and len(b.data.encode()) <= callbacks.MAX_BYTES:
                buttons.append({"text": label, "callback_data": b.data})
        if buttons:
            rows.append(buttons)
    return rows


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The same keyboard as python-telegram-bot objects, for the conversation's replies."""
    rows = [[_button(b) for b in row] for row in keyboard_rows(reply)]
    return InlineKeyboardMarkup(rows) if rows else None


def _button(b: dict[str, Any]) -> InlineKeyboardButton:
    copy = b.get("copy_text")
    return InlineKeyboardButton(
        b["text"],
        url=b.get("url"),
        callback_data=b.get("callback_data"),
        copy_text=CopyTextButton(copy["text"]) if copy else None,
    )
