"""A fake Telegram Bot API server (aiohttp) that the real python-telegram-bot client talks to over HTTP.

Point a bot at it with ``base_url=api.base_url`` (``http://127.0.0.1:PORT/bot``; the client appends the token
and ``/method``). The fake answers the methods the project uses the way Telegram does — status codes,
descriptions, long polling, webhooks' 409, HTML entity checks, per-chat message ids — and records every
request in a ledger (``api.calls``) that tests assert on. Tests can inject updates, failures, hangs, blocked
users, refused connections and Telegram's flood limits.

Messages are sendMessage, sendPhoto and sendDocument: all three count towards the flood limits and ``stats``
and appear in ``sent()``, since Telegram's broadcast limit counts every message. Photos and documents may be
uploaded (multipart; ``documents()`` gives the bytes back), an http(s) URL (accepted without downloading
it) or a file_id this fake issued earlier (any other file_id is refused, as Telegram refuses foreign ones).

Paid broadcasts (Bot API 7.11): a message with ``allow_paid_broadcast`` may exceed the free global limit up
to ``paid_per_second``; one without it is held to the free limit, so a sender that forgets the flag sees 429s.
Telegram does not document the error for a bot that may not pay; this fake assumes
"Bad Request: paid broadcasts are not allowed for the bot" (``set_limits(paid_per_second=None)``).

It is also a pytest plugin: ``pytest_plugins = ["tests.fakes.telegram_api"]`` gives the ``telegram_api``
fixture, a started fake that is stopped after the test.

    async with FakeTelegramAPI() as api:
        async with telegram.Bot(api.token, base_url=api.base_url) as bot:
            await bot.send_message(42, "Xin chào")
        assert api.sent(42)[0]["text"] == "Xin chào"
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import hashlib
import html
import itertools
import json
import math
import mimetypes
import re
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiohttp import web

from tests.fakes.ledger import Stats
from tests.fakes.server import LoopbackServer

try:  # The fake is usable without pytest (bench scripts); the fixture needs pytest-asyncio.
    import pytest_asyncio
except ImportError:  # pragma: no cover
    pytest_asyncio = None

__all__ = ["Call", "FakeTelegramAPI", "SentDocument", "Stats", "TelegramStats", "telegram_api"]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the Bot API's limit for files a bot uploads
FREE_PER_SECOND = 30  # Telegram's free broadcast limit
PAID_PER_SECOND = 1000  # with allow_paid_broadcast (Bot API 7.11)
# Methods that deliver a message: they share the flood-limit windows, stats and sent().
MESSAGE_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
# Telegram does not document this refusal; the wording is the fake's assumption.
PAID_REFUSED = "paid broadcasts are not allowed for the bot"
# The fake does not decode images; every photo gets these dimensions.
PHOTO_WIDTH, PHOTO_HEIGHT = 1280, 960
URL_FILE_SIZE = 65_536  # the fake never downloads a URL, so a URL's file gets this size

# PTB form-encodes every parameter and JSON-encodes every value that is not a str, so a str-typed field must
# never be JSON-decoded ("123" as a text, secret token or callback query id stays a string); every other
# field is decoded when it parses as JSON.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "ip_address",
        "callback_query_id",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "action",
        "language_code",
        "emoji",
        "title",
        "description",
        "short_description",
        "name",
        "question",
        "explanation",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "query",
        "data",
        "chat_id",
        "from_chat_id",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "sticker",
        "animation",
        "thumbnail",
        "custom_title",
        "invite_link",
        "payload",
        "currency",
        "start_parameter",
        "next_offset",
    }
)
_CHAT_ID_FIELDS = ("chat_id", "from_chat_id")

# Telegram sends every update type except these when allowed_updates is empty or was never given.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "tg-emoji",
        "span",
    }
)
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_HTML_ATTRIBUTE = re.compile(r"\s*([A-Za-z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

BLOCKED = "Forbidden: bot was blocked by the user"


# --------------------------------------------------------------------------------------------- records
@dataclass
class Call:
    """One request as the fake received it, and what it answered."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    status: int | None = None  # HTTP status answered; None while the request is still being handled
    description: str | None = None  # Telegram's error description when not ok
    result: Any = None  # the "result" answered when ok
    client_gone: bool = False  # the client had hung up (e.g. read timeout) before the answer was written
    # Raw bytes of multipart uploads by field name; params hold only their summary, to keep the ledger readable.
    uploads: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> str | None:
        return self.params.get("chat_id")

    def summary(self) -> str:
        chat = f"(chat {self.chat_id})" if self.chat_id is not None else ""
        outcome = "pending" if self.status is None else str(self.status)
        if self.description:
            outcome += f" {self.description}"
        return f"{self.method}{chat}→{outcome}"


@dataclass
class _Rule:
    """An injected behaviour for the next ``times`` calls of ``method`` (to ``chat_id``, if given)."""

    method: str
    chat_id: str | None
    times: int
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    deliver: bool = True

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return self.method.lower() == method.lower() and (self.chat_id is None or self.chat_id == params.get("chat_id"))


@dataclass(frozen=True)
class _Limits:
    global_per_second: int | None  # the free limit, for messages without allow_paid_broadcast
    per_chat_per_second: int | None
    per_group_per_minute: int | None
    paid_per_second: int | None = PAID_PER_SECOND  # None: this bot may not pay for broadcasts


@dataclass(frozen=True)
class TelegramStats(Stats):
    """Stats plus ``paid``: delivered messages that carried allow_paid_broadcast (each one costs Stars)."""

    paid: int = 0


class SentDocument(NamedTuple):
    """A delivered document; ``content`` is None when it was sent by URL (the fake never downloads those)."""

    chat_id: str
    filename: str | None
    content: bytes | None


@dataclass(frozen=True)
class _File:
    """A file the fake issued a file_id for, so a later send can reuse it by that id."""

    kind: str  # "photo" or "document"
    file_id: str
    file_unique_id: str
    size: int
    name: str | None = None
    mime_type: str | None = None
    content: bytes | None = None


class _ApiError(Exception):
    """An error answer; raised by method handlers so they stay linear."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------- helpers
def _decode_field(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _normalise_params(raw: dict[str, Any]) -> dict[str, Any]:
    params = {name: _decode_field(name, value) for name, value in raw.items()}
    for name in _CHAT_ID_FIELDS:
        if params.get(name) is not None:
            params[name] = str(params[name])
    return params


def _is_true(value: Any) -> bool:
    """A Bot API boolean: JSON true, or "true"/"1" from a form (already JSON-decoded by _decode_field)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return value is True or (type(value) is int and value == 1)


def _file_summary(part: web.FileField) -> tuple[dict[str, Any], bytes]:
    """The upload's summary for the ledger's params, and its bytes."""
    part.file.seek(0)  # from the start, even if something read the spooled file before
    content = part.file.read()
    return {"filename": part.filename, "content_type": part.content_type, "size": len(content)}, content


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Query string plus body, whichever encoding the client chose; and the uploaded files' bytes."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, bytes] = {}
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise ValueError("JSON body is not an object")
            raw.update(decoded)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                raw[name], uploads[name] = _file_summary(value)
            else:
                raw[name] = value
    return _normalise_params(raw), uploads


def _is_numeric_id(chat_id: str) -> bool:
    return chat_id.lstrip("-").isdigit()


def _chat_type(chat_id: str) -> str:
    if not _is_numeric_id(chat_id):
        return "channel"  # "@channelusername"
    if not chat_id.startswith("-"):
        return "private"
    return "supergroup" if chat_id.startswith("-100") else "group"


def _chat_number(chat_id: str) -> int:
    if _is_numeric_id(chat_id):
        return int(chat_id)
    return -1_000_000_000_000 - zlib.crc32(chat_id.encode())  # a stable id for "@channelusername"


def _utf16_length(text: str) -> int:
    # Telegram measures entity offsets and lengths in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(text: str) -> str:
    """Check Telegram-HTML the way Telegram does and return the plain text; raise a 400 on bad markup.

    Supported: b/strong, i/em, u/ins, s/strike/del, a, code, pre, blockquote, tg-spoiler, tg-emoji,
    span class="tg-spoiler", and the entities &lt; &gt; &amp; &quot; and numeric ones. Like Telegram, a bare
    "&" is literal but a bare "<" is an error.
    """
    plain: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "&":
            entity = _HTML_ENTITY.match(text, i)
            plain.append(html.unescape(entity.group()) if entity else "&")
            i = entity.end() if entity else i + 1
        elif text[i] == "<":
            i = _consume_tag(text, i, open_tags)
        else:
            plain.append(text[i])
            i += 1
    if open_tags:
        raise _bad_request(f"can't parse entities: Can't find end tag corresponding to start tag \"{open_tags[-1]}\"")
    return "".join(plain)


def _consume_tag(text: str, start: int, open_tags: list[str]) -> int:
    offset = _byte_offset(text, start)
    end = text.find(">", start)
    if end == -1:
        raise _bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset}")
    body = text[start + 1 : end]
    if body.startswith("/"):
        _close_tag(body[1:].strip().lower(), offset, open_tags)
    else:
        name = re.match(r"[A-Za-z0-9-]*", body).group().lower()
        _check_start_tag(name, body[len(name) :], offset)
        open_tags.append(name)
    return end + 1


def _close_tag(name: str, offset: int, open_tags: list[str]) -> None:
    if not open_tags:
        raise _bad_request(f"can't parse entities: Unexpected end tag at byte offset {offset}")
    if name != open_tags[-1]:
        raise _bad_request(
            f"can't parse entities: Unmatched end tag at byte offset {offset}, "
            f'expected "</{open_tags[-1]}>", found "</{name}>"'
        )
    open_tags.pop()


def _check_start_tag(name: str, attributes: str, offset: int) -> None:
    if name not in _HTML_TAGS:
        raise _bad_request(f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}')
    parsed: dict[str, str] = {}
    position = 0
    for match in _HTML_ATTRIBUTE.finditer(attributes):
        if match.start() != position:
            break
        parsed[match.group(1).lower()] = (match.group(2) or "").strip("\"'")
        position = match.end()
    if attributes[position:].strip():
        raise _bad_request(
            f"can't parse entities: Expected equal sign in declaration of an attribute "
            f'of the tag "{name}" at byte offset {offset}'
        )
    if name == "span" and parsed.get("class") != "tg-spoiler":
        raise _bad_request(f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset {offset}')


# --------------------------------------------------------------------------------------------- server
Handler = Callable[[dict[str, Any]], Awaitable[Any]]
FileHandler = Callable[[dict[str, Any], dict[str, bytes]], Awaitable[Any]]


class FakeTelegramAPI(LoopbackServer):
    """The fake server, its ledger and its knobs. See the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "tro_ly_nang_suat_test_bot",
        bot_first_name: str = "Trợ lý Năng suất",
    ) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.calls: list[Call] = []
        # Called with every answered Call: load generators match replies without rescanning the ledger.
        self.listeners: list[Callable[[Call], None]] = []
        self.webhook: dict[str, Any] | None = None  # params of the active setWebhook, None when polling
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope JSON, language) → commands
        super().__init__()
        self._changed = asyncio.Event()
        self._updates: list[dict[str, Any]] = []
        self._last_update_id = 0  # the highest update_id handed out so far
        self._last_queued_id = 0
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._message_ids: defaultdict[str, int] = defaultdict(int)
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}  # (chat_id, message_id) → bot message
        self._callback_ids = itertools.count(1)
        self._failures: list[_Rule] = []
        self._hangs: list[_Rule] = []
        self._blocked: set[str] = set()
        self._limits: _Limits | None = None
        self._sent_at: list[float] = []  # monotonic times of delivered messages (paid or not), all chats
        self._sent_at_chat: defaultdict[str, list[float]] = defaultdict(list)
        self._files: dict[str, _File] = {}  # file_id → the file, for sends that reuse a file_id
        self._file_numbers = itertools.count(1)
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
        }
        # Methods that take files also get the uploads' bytes.
        self._file_handlers: dict[str, FileHandler] = {
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
        }
        # Telegram's method names are case-insensitive; the ledger uses the canonical spelling.
        self._canonical = {name.lower(): name for name in [*self._handlers, *self._file_handlers]}

    # ------------------------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        await self._serve(app)

    # ------------------------------------------------------------------------------------ ledger
    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Params of the delivered messages (sendMessage, sendPhoto, sendDocument) in order, optionally to one
        chat; a photo's or document's params have "caption" where a text message's have "text"."""
        wanted = None if chat_id is None else str(chat_id)
        return [call.params for call in self._message_calls() if call.ok and (wanted is None or call.chat_id == wanted)]

    def photos(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Params of the delivered sendPhoto calls, optionally to one chat."""
        return [call.params for call in self._matching("sendPhoto", chat_id, received=False)]

    def documents(self, chat_id: int | str | None = None) -> list[SentDocument]:
        """The delivered documents (chat, file name, bytes), optionally to one chat."""
        found = []
        for call in self._matching("sendDocument", chat_id, received=False):
            document = self._files[call.result["document"]["file_id"]]
            found.append(SentDocument(str(call.chat_id), document.name, document.content))
        return found

    @property
    def stats(self) -> TelegramStats:
        sends = [call for call in self._message_calls() if call.status is not None]
        delivered = [call for call in sends if call.ok]
        pairs = Counter(self._content_key(call) for call in delivered)
        return TelegramStats(
            delivered=len(delivered),
            rate_limited=sum(call.status == 429 for call in sends),
            blocked=sum(call.status == 403 for call in sends),
            failed=sum(call.status not in (200, 403, 429) for call in sends),
            duplicates=sum(count > 1 for count in pairs.values()),
            paid=sum(_is_true(call.params.get("allow_paid_broadcast")) for call in delivered),
        )

    def _message_calls(self) -> list[Call]:
        return [call for call in self.calls if call.method in MESSAGE_METHODS]

    @staticmethod
    def _content_key(call: Call) -> tuple[str | None, ...]:
        """What makes two deliveries "the same message": the chat, the text or caption, and the file."""
        media = next((call.result[kind] for kind in ("photo", "document") if kind in call.result), None)
        if isinstance(media, list):  # a photo is a list of sizes of one file
            media = media[-1]
        file_id = None if media is None else media["file_unique_id"]
        return call.chat_id, call.params.get("text"), call.params.get("caption"), file_id

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        chat_id: int | str | None = None,
        *,
        received: bool = False,
    ) -> list[Call]:
        """Wait until ``count`` successful ``method`` calls exist (``received``: any, even unanswered)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, chat_id, received)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._wait_failure(method, count, timeout, chat_id, received, found))
            await self._wait_change(remaining)

    def _matching(self, method: str, chat_id: int | str | None, received: bool) -> list[Call]:
        wanted = None if chat_id is None else str(chat_id)
        return [
            call
            for call in self.calls_of(method)
            if (received or call.ok) and (wanted is None or call.chat_id == wanted)
        ]

    def _wait_failure(
        self, method: str, count: int, timeout: float, chat_id: int | str | None, received: bool, found: list[Call]
    ) -> str:
        kind = "received" if received else "successful"
        target = f" to chat {chat_id}" if chat_id is not None else ""
        recent = ", ".join(call.summary() for call in self.calls[-30:]) or "nothing"
        return (
            f"waited {timeout:g}s for {count} {kind} {method} call(s){target}, got {len(found)}; "
            f"the fake received {len(self.calls)} request(s), the last ones: {recent}"
        )

    # ------------------------------------------------------------------------------------ updates
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (keeping its update_id when it is newer) and wake long polls."""
        if update.get("update_id", 0) <= self._last_queued_id:
            update["update_id"] = self._new_update_id()
        self._last_queued_id = update["update_id"]
        self._last_update_id = max(self._last_update_id, self._last_queued_id)
        self._updates.append(update)
        self._notify()
        return update["update_id"]

    def message_update(
        self,
        chat_id: int | str,
        text: str,
        user_id: int | None = None,
        first_name: str = "An",
        chat_type: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user's text message; "/command …" carries its bot_command entity like Telegram's; `reply_to`
        names the message (of the bot, in this chat) the user answers with Telegram's "Reply"."""
        chat_id = str(chat_id)
        kind = chat_type or _chat_type(chat_id)
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, kind, first_name),
            "from": self._user(chat_id, kind, user_id, first_name),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_length(command)}]
        if reply_to is not None:
            message["reply_to_message"] = self._messages.get((chat_id, reply_to)) or {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": self._chat(chat_id, kind, first_name),
                "from": self.bot_user,
                "text": "",
            }
        return {"update_id": self._new_update_id(), "message": message}

    def callback_update(
        self, chat_id: int | str, data: str, message_id: int, user_id: int | None = None
    ) -> dict[str, Any]:
        """A press on an inline button of the bot's message ``message_id``."""
        chat_id = str(chat_id)
        kind = _chat_type(chat_id)
        message = dict(
            self._messages.get((chat_id, message_id))
            or {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(chat_id, kind),
                "from": self.bot_user,
                "text": "",
            }
        )
        query = {
            "id": str(next(self._callback_ids)),
            "from": self._user(chat_id, kind, user_id, "An"),
            "message": message,
            "chat_instance": str(zlib.crc32(chat_id.encode())),
            "data": data,
        }
        return {"update_id": self._new_update_id(), "callback_query": query}

    def my_chat_member_update(self, chat_id: int | str, status: str) -> dict[str, Any]:
        """The bot's own membership changing: "kicked" when a user blocks it, "member" when unblocked."""
        if status not in ("member", "kicked", "left"):
            raise ValueError(f"status must be member, kicked or left, not {status!r}")
        chat_id = str(chat_id)
        kind = _chat_type(chat_id)
        old = "kicked" if status == "member" else "member"
        change = {
            "chat": self._chat(chat_id, kind),
            "from": self._user(chat_id, kind, None, "An"),
            "date": int(time.time()),
            "old_chat_member": self._bot_member(old),
            "new_chat_member": self._bot_member(status),
        }
        return {"update_id": self._new_update_id(), "my_chat_member": change}

    def _bot_member(self, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"user": self.bot_user, "status": status}
        if status == "kicked":
            member["until_date"] = 0  # Telegram's "forever"
        return member

    def _chat(self, chat_id: str, kind: str | None = None, first_name: str = "An") -> dict[str, Any]:
        kind = kind or _chat_type(chat_id)
        chat: dict[str, Any] = {"id": _chat_number(chat_id), "type": kind}
        if kind == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = f"Chat {chat_id}"
        return chat

    @staticmethod
    def _user(chat_id: str, kind: str, user_id: int | None, first_name: str) -> dict[str, Any]:
        if user_id is None:
            # In a private chat the chat id is the user's id; in groups any member will do.
            user_id = int(chat_id) if kind == "private" else 1_000_001
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    def _new_update_id(self) -> int:
        self._last_update_id += 1
        return self._last_update_id

    def _next_message_id(self, chat_id: str) -> int:
        # Message ids count per chat, shared by the user's and the bot's messages, as in private chats.
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    # ------------------------------------------------------------------------------------ injection
    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with this error."""
        self._failures.append(
            _Rule(
                method,
                None if chat_id is None else str(chat_id),
                times,
                status=status,
                description=description,
                retry_after=retry_after,
            )
        )

    def hang_next(
        self, method: str, seconds: float, times: int = 1, chat_id: int | str | None = None, deliver: bool = True
    ) -> None:
        """Delay the answer to the next ``times`` calls; with ``deliver`` the call takes effect first.

        That is how a client's read timeout turns into an "unknown" outcome: Telegram delivered the
        message, the client never heard. Without ``deliver`` nothing happens and a 502 follows the delay.
        """
        self._hangs.append(
            _Rule(method, None if chat_id is None else str(chat_id), times, seconds=seconds, deliver=deliver)
        )

    def block(self, chat_id: int | str) -> None:
        """Every later send to ``chat_id`` answers 403 "bot was blocked by the user"."""
        self._blocked.add(str(chat_id))

    def unblock(self, chat_id: int | str) -> None:
        self._blocked.discard(str(chat_id))

    def set_limits(
        self,
        global_per_second: int | None = FREE_PER_SECOND,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
        *,
        paid_per_second: int | None = PAID_PER_SECOND,
    ) -> None:
        """Enforce Telegram's flood limits on messages (None switches one off).

        ``global_per_second`` is the free limit: messages without allow_paid_broadcast are held to it, counting
        every message of the last second, paid or not. Messages with the flag are held to ``paid_per_second``
        instead (or to the free limit when that is higher, as the flag never lowers a limit); ``None`` means
        this bot may not pay, and the flag is refused with 400 "Bad Request: paid broadcasts are not allowed
        for the bot" (the fake's assumed wording). The per-chat and per-group limits apply to both.
        """
        self._limits = _Limits(global_per_second, per_chat_per_second, per_group_per_minute, paid_per_second)

    def clear_limits(self) -> None:
        self._limits = None

    @staticmethod
    def _take(rules: list[_Rule], method: str, params: dict[str, Any]) -> _Rule | None:
        for rule in rules:
            if rule.matches(method, params):
                rule.times -= 1
                if rule.times <= 0:
                    rules.remove(rule)
                return rule
        return None

    # ------------------------------------------------------------------------------------ HTTP
    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        method = self._canonical.get(method.lower(), method)
        try:
            params, uploads = await _read_params(request)
        except ValueError as exc:
            call = self._record(method, {})
            return self._respond(call, _bad_request(f"can't parse request: {exc}"), request)
        call = self._record(method, params, uploads)
        if request.match_info["token"] != self.token:
            return self._respond(call, _ApiError(401, "Unauthorized"), request)
        hang = self._take(self._hangs, method, params)
        if hang is not None and not hang.deliver:
            await self._pause(hang.seconds)
            return self._respond(call, _ApiError(502, "Bad Gateway"), request)
        answer = await self._answer(method, params, uploads)
        response = self._respond(call, answer, request)
        if hang is not None:
            await self._pause(hang.seconds)
            call.client_gone = request.transport is None
        return response

    async def _answer(self, method: str, params: dict[str, Any], uploads: dict[str, bytes]) -> Any:
        """The method's result, or the _ApiError to answer instead."""
        try:
            self._check_injected(method, params)
            if method in self._file_handlers:
                return await self._file_handlers[method](params, uploads)
            return await self._handlers.get(method, self._generic)(params)
        except _ApiError as error:
            return error

    def _check_injected(self, method: str, params: dict[str, Any]) -> None:
        rule = self._take(self._failures, method, params)
        if rule is not None:
            raise _ApiError(rule.status, rule.description, rule.retry_after)
        if method.startswith("send") and params.get("chat_id") in self._blocked:
            raise _ApiError(403, BLOCKED)

    def _record(self, method: str, params: dict[str, Any], uploads: dict[str, bytes] | None = None) -> Call:
        call = Call(method, params, time.monotonic(), uploads=uploads or {})
        self.calls.append(call)
        self._notify()
        return call

    def _respond(self, call: Call, answer: Any, request: web.Request) -> web.Response:
        if isinstance(answer, _ApiError):
            call.status, call.description = answer.status, answer.description
            body = answer.body()
        else:
            call.status, call.result = 200, answer
            body = {"ok": True, "result": answer}
        call.client_gone = request.transport is None
        self._notify()
        for listener in self.listeners:
            listener(call)
        return web.json_response(body, status=call.status)

    def _notify(self) -> None:
        """Wake everyone waiting for a change (long polls, wait_for)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)

    # ------------------------------------------------------------------------------------ methods
    async def _generic(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(params.get("offset"))
        if params.get("allowed_updates") is not None:
            self._allowed_updates = list(params["allowed_updates"])
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0.0)
        # A newer getUpdates ends this one with 409, as Telegram does when two bot instances poll.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            batch = self._deliverable()[:limit]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._closed.is_set():
                return batch
            await self._wait_change(remaining)

    def _confirm(self, offset: int | None) -> None:
        """Forget the updates the client confirmed: those below ``offset`` (or all but the last -offset)."""
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    def _deliverable(self) -> list[dict[str, Any]]:
        allowed = set(self._allowed_updates)
        if allowed:
            return [update for update in self._updates if _update_type(update) in allowed]
        return [update for update in self._updates if _update_type(update) not in _OPT_IN_UPDATES]

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not str(url).startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = dict(params)
        self._poll_generation += 1  # a waiting getUpdates ends with 409
        self._notify()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if self.webhook is not None:
            info.update(
                url=self.webhook["url"], max_connections=self.webhook.get("max_connections", 40), ip_address="127.0.0.1"
            )
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text = self._render_text(params, too_long=_bad_request("message is too long"))
        markup = self._check_markup(params.get("reply_markup"))
        self._check_rate_limits(chat_id, self._paid_broadcast(params))
        return self._deliver(chat_id, {"text": text}, markup)

    async def _send_photo(self, params: dict[str, Any], uploads: dict[str, bytes]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        photo = self._file(params, uploads, "photo")
        caption = self._render_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        self._check_rate_limits(chat_id, self._paid_broadcast(params))
        size = {
            "file_id": photo.file_id,
            "file_unique_id": photo.file_unique_id,
            "width": PHOTO_WIDTH,
            "height": PHOTO_HEIGHT,
            "file_size": photo.size,
        }
        return self._deliver(chat_id, {"photo": [size], **caption}, markup)

    async def _send_document(self, params: dict[str, Any], uploads: dict[str, bytes]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        document = self._file(params, uploads, "document")
        caption = self._render_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        self._check_rate_limits(chat_id, self._paid_broadcast(params))
        content: dict[str, Any] = {"file_id": document.file_id, "file_unique_id": document.file_unique_id}
        if document.name:
            content["file_name"] = document.name
        if document.mime_type:
            content["mime_type"] = document.mime_type
        content["file_size"] = document.size
        return self._deliver(chat_id, {"document": content, **caption}, markup)

    def _deliver(self, chat_id: str, content: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        self._note_delivery(chat_id)
        return dict(message)

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        text = self._render_text(params, too_long=_bad_request("MESSAGE_TOO_LONG"))
        if "text" not in self._find_message(params):
            raise _bad_request("there is no text in the message to edit")  # a photo or document: editMessageCaption
        return self._edit(params, {"text": text}, self._check_markup(params.get("reply_markup")))

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        return self._edit(params, {}, self._check_markup(params.get("reply_markup")))

    def _edit(self, params: dict[str, Any], changes: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        message = self._find_message(params)
        # Telegram drops the inline keyboard when an edit does not repeat it.
        if all(message.get(key) == value for key, value in changes.items()) and message.get("reply_markup") == markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a content and reply markup of the current message"
            )
        edited = {key: value for key, value in message.items() if key != "reply_markup"}
        edited.update(changes, edit_date=int(time.time()))
        if markup is not None:
            edited["reply_markup"] = markup
        self._messages[(params["chat_id"], message["message_id"])] = edited
        return dict(edited)

    def _find_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = self._messages.get((chat_id, int(message_id)))
        if message is None:
            raise _bad_request("message to edit not found")
        return message

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._require_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))) or not command.get("description"):
                raise _bad_request("BOT_COMMAND_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    # ------------------------------------------------------------------------------------ checks
    @staticmethod
    def _require_chat(params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if not chat_id:
            raise _bad_request("chat_id is empty")
        return chat_id

    @staticmethod
    def _render_text(params: dict[str, Any], too_long: _ApiError) -> str:
        """The text as the user will see it: HTML checked and stripped, length measured after parsing."""
        raw = params.get("text")
        raw = "" if raw is None else str(raw)
        text = parse_html(raw) if str(params.get("parse_mode") or "").lower() == "html" else raw
        if not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise too_long
        return text

    @staticmethod
    def _render_caption(params: dict[str, Any]) -> dict[str, str]:
        """{"caption": …} as the user will see it, or {} without one; 1024 characters at most after parsing."""
        raw = params.get("caption")
        raw = "" if raw is None else str(raw)
        caption = parse_html(raw) if str(params.get("parse_mode") or "").lower() == "html" else raw
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return {"caption": caption} if caption.strip() else {}

    def _file(self, params: dict[str, Any], uploads: dict[str, bytes], kind: str) -> _File:
        """The photo or document a send refers to: an upload, an http(s) URL or a file_id issued here."""
        value = params.get(kind)
        if kind in uploads:
            content = uploads[kind]
            if not content:
                raise _bad_request("file must be non-empty")
            if len(content) > MAX_UPLOAD_BYTES:
                raise _ApiError(413, "Request Entity Too Large")
            summary: dict[str, Any] = params[kind]  # what _file_summary put in the params
            origin = hashlib.sha256(content).hexdigest()
            return self._new_file(kind, origin, len(content), summary["filename"], summary["content_type"], content)
        if not isinstance(value, str) or not value.strip():
            raise _bad_request(f"there is no {kind} in the request")
        value = value.strip()
        if value.startswith(("http://", "https://")):
            # Telegram downloads the URL; the fake cannot, so it names the file after the URL's last segment.
            name = value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None
            mime_type = mimetypes.guess_type(name)[0] if name else None
            return self._new_file(kind, value, URL_FILE_SIZE, name, mime_type, None)
        known = self._files.get(value)
        if known is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if known.kind != kind:
            raise _bad_request("type of file mismatch")
        return known

    def _new_file(
        self, kind: str, origin: str, size: int, name: str | None, mime_type: str | None, content: bytes | None
    ) -> _File:
        # The unique id follows the content (or URL), so the same file sent twice is recognisably the same.
        prefix = "AgAC" if kind == "photo" else "BQAC"  # the prefixes of real photo and document file_ids
        file = _File(
            kind=kind,
            file_id=f"{prefix}fake{next(self._file_numbers):08d}",
            file_unique_id="AQAD" + hashlib.sha256(f"{kind}:{origin}".encode()).hexdigest()[:16],
            size=size,
            name=name,
            mime_type=mime_type if kind == "document" else None,
            content=content,
        )
        self._files[file.file_id] = file
        return file

    def _paid_broadcast(self, params: dict[str, Any]) -> bool:
        """Whether the message asks for a paid broadcast; refused when this bot may not pay."""
        paid = _is_true(params.get("allow_paid_broadcast"))
        if paid and self._limits is not None and self._limits.paid_per_second is None:
            raise _bad_request(PAID_REFUSED)
        return paid

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        """Validate an inline keyboard and return what Telegram echoes (only inline keyboards)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array of Arrays'
            )
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
            copy = button.get("copy_text")
            if copy is not None and not (isinstance(copy, dict) and 1 <= len(str(copy.get("text", ""))) <= 256):
                raise _bad_request("BUTTON_COPY_TEXT_INVALID")
        return markup

    def _check_rate_limits(self, chat_id: str, paid: bool = False) -> None:
        now = time.monotonic()
        windows = self._windows(chat_id, paid)
        waits = [self._window_wait(times, limit, window, now) for times, limit, window in windows]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _windows(self, chat_id: str, paid: bool) -> list[tuple[list[float], int, float]]:
        limits = self._limits
        if limits is None:
            return []
        windows = []
        if limits.global_per_second:
            # Both windows count every message delivered in the last second; only the limit differs.
            limit = limits.global_per_second
            if paid and limits.paid_per_second:
                limit = max(limit, limits.paid_per_second)
            windows.append((self._sent_at, limit, 1.0))
        if limits.per_chat_per_second:
            windows.append((self._sent_at_chat[chat_id], limits.per_chat_per_second, 1.0))
        if limits.per_group_per_minute and _chat_type(chat_id) in ("group", "supergroup"):
            windows.append((self._sent_at_chat[chat_id], limits.per_group_per_minute, 60.0))
        return windows

    @staticmethod
    def _window_wait(times: list[float], limit: int, window: float, now: float) -> float | None:
        """Seconds until the sliding window has room again, or None when it has room now."""
        in_window = len(times) - bisect.bisect_right(times, now - window)
        if in_window < limit:
            return None
        return times[len(times) - limit] + window - now

    def _note_delivery(self, chat_id: str) -> None:
        now = time.monotonic()
        self._sent_at.append(now)
        self._sent_at_chat[chat_id].append(now)


# --------------------------------------------------------------------------------------------- pytest
if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def telegram_api():
        """A started FakeTelegramAPI, stopped after the test."""
        async with FakeTelegramAPI() as api:
            yield api
