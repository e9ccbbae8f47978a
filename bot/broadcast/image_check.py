"""Whether a campaign picture can go out: its address answers with a JPEG or PNG small enough for each channel
(Telegram and Zalo fetch the picture themselves, so a bad one would fail at every recipient)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bot.broadcast.audience import CHANNEL_WORDS

# What the bytes start with: the file's real kind, whatever its name or Content-Type says.
SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
HEAD_BYTES = 16
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ImageRules:
    """Largest picture per channel, in bytes (settings CAMPAIGN_IMAGE_MAX_KB_*), and how long to wait for it."""

    max_bytes: dict[str, int]
    timeout: float = 8.0


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


class ImageCheck:
    """Reads the picture once (at most the largest allowed size, plus one byte) and says what is wrong."""

    def __init__(
        self,
        rules: ImageRules,
        session: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession,
        require_https: bool = True,
    ):
        self.rules, self.session, self.require_https = rules, session, require_https

    async def problems(self, url: str, channels: tuple[str, ...]) -> list[str]:
        """Vietnamese sentences, one per problem; empty when every channel of `channels` can send it."""
        if not url or (self.require_https and not url.startswith("https://")):
            return []  # no picture, or one the address rule (campaigns.image_problem) already refuses
        limits = {c: self.rules.max_bytes[c] for c in channels if c in self.rules.max_bytes}
        if not limits:
            return []  # only channels that send the picture's address, not the picture (the Zalo OA)
        ceiling = max(limits.values(), default=0)
        try:
            head, size = await self._read(url, ceiling)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            reason = "hết thời gian chờ" if isinstance(exc, TimeoutError) else "không kết nối được"
            return [f"Không tải được ảnh từ đường dẫn này ({reason}). Bạn kiểm tra lại đường dẫn."]
        if size < 0:
            return [f"Không tải được ảnh từ đường dẫn này (máy chủ trả lời mã {-size})."]
        kind = next((name for magic, name in SIGNATURES.items() if head.startswith(magic)), None)
        if kind is None:
            return ["Tệp ở đường dẫn này không phải ảnh JPG hay PNG, nên Telegram và Zalo không gửi được."]
        too_big = [c for c, limit in limits.items() if size > limit]
        return [
            f"Ảnh nặng {'hơn ' if size > ceiling else ''}{megabytes(size)}, quá giới hạn "
            f"{megabytes(limits[c])} của {CHANNEL_WORDS.get(c, c)}; bạn dùng ảnh nhỏ hơn."
            for c in too_big
        ]

    async def _read(self, url: str, ceiling: int) -> tuple[bytes, int]:
        """The first bytes and the size (stopping past `ceiling`); size is −status for an HTTP error."""
        timeout = aiohttp.ClientTimeout(total=self.rules.timeout)
        async with self.session() as session, session.get(url, timeout=timeout) as response:
            if response.status >= 400:
                return b"", -response.status
            head = await response.content.read(HEAD_BYTES)
            size = len(head)
            while size <= ceiling:
                chunk = await response.content.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
            return head, size
