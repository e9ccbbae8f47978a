"""How a reply reads as one Zalo OA text: plain text, links as lines, a picture as its address."""

from __future__ import annotations

from bot.channels.zalo import plain_text
from handlers.types import Reply

# A message with a picture needs Zalo's upload API, which OaClient does not speak: the picture's address goes
# in the text instead, so a campaign's picture is never silently dropped.
IMAGE_LINE = "Ảnh: {url}"


def with_image_line(text: str, image: str) -> str:
    return f"{text}\n\n{IMAGE_LINE.format(url=image)}" if image else text


def oa_text(reply: Reply) -> str:
    """A campaign message as the OA sender sends it (and as the campaign form measures it)."""
    return with_image_line(plain_text(reply), reply.image)
