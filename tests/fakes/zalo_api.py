"""A fake Zalo Bot API server (aiohttp) that the real ZaloClient talks to over HTTP.

Point a client at it with ``base_url=api.base_url`` (``http://127.0.0.1:PORT/bot``; the token and
``/method`` are appended). Like Zalo, every answer is HTTP 200 with an envelope ``{ok, result, error_code,
description}``; getUpdates hands out one update per call and answers ok:false 408 when idle; a webhook and
getUpdates exclude each other; texts over 2,000 characters are refused. Every request lands in a ledger
(``api.calls``) that tests assert on, and tests can inject updates, failures, hangs, blocked users, refused
connections and a sliding-window rate limit.

It is also a pytest plugin: ``pytest_plugins = ["tests.fakes.zalo_api"]`` (or ``-p tests.fakes.zalo_api``)
gives the ``zalo_api`` fixture, a started fake that is stopped after the test.

    async with FakeZaloAPI() as api, ZaloClient(api.token, api.base_url) as client:
        await client.send_message("u1", "Xin chào")
        assert api.sent("u1")[0]["text"] == "Xin chào"
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.ledger import Stats
from tests.fakes.server import LoopbackServer

try:  # The fake is usable without pytest (bench scripts); the fixture needs pytest-asyncio.
    import pytest_asyncio
except ImportError:  # pragma: no cover
    pytest_asyncio = None

__all__ = ["Call", "FakeZaloAPI", "Stats", "zalo_api"]

DEFAULT_TOKEN = "3141592653589793238:FAKE-ZALO-TOKEN"
MAX_TEXT_LENGTH = 2000
BLOCKED = "Bot was blocked by user"
TEXT_EVENT = "message.text.received"


@dataclass
class Call:
    """One request as the fake received it, and what it answered."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    answered: bool = False
    error_code: int | None = None  # None when ok (or still pending)
    description: str | None = None
    result: Any = None
    client_gone: bool = False  # the client had hung up (read timeout) before the answer was written

    @property
    def ok(self) -> bool:
        return self.answered and self.error_code is None

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)

    def summary(self) -> str:
        chat = f"(chat {self.chat_id})" if self.chat_id is not None else ""
        outcome = "pending" if not self.answered else "ok" if self.ok else f"{self.error_code} {self.description}"
        return f"{self.method}{chat}→{outcome}"


@dataclass
class _Rule:
    """An injected behaviour for the next ``times`` calls of ``method`` (to ``chat_id``, if given)."""

    method: str
    chat_id: str | None
    times: int
    error_code: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    deliver: bool = True

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return self.method == method and (self.chat_id is None or self.chat_id == str(params.get("chat_id")))


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class FakeZaloAPI(LoopbackServer):
    """The fake server, its ledger and its knobs. See the module docstring."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_name: str = "Trợ lý Năng suất") -> None:
        self.token = token
        self.bot_info = {
            "id": token.split(":", 1)[0],
            "account_name": "bot.tro_ly_nang_suat",
            "account_type": "BASIC",
            "display_name": bot_name,
            "can_join_groups": False,
        }
        self.calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []  # called with every answered Call
        self.webhook: dict[str, Any] | None = None  # params of the active setWebhook
        super().__init__()
        self._changed = asyncio.Event()
        self._updates: list[dict[str, Any]] = []
        self._poll_generation = 0
        self._ids = itertools.count(1)
        self._failures: list[_Rule] = []
        self._hangs: list[_Rule] = []
        self._blocked: set[str] = set()
        self._per_second: int | None = None
        self._sent_at: list[float] = []
        self._handlers = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }

    # ------------------------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        await self._serve(app)

    # ------------------------------------------------------------------------------------ ledger
    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def sent(self, chat_id: str | None = None) -> list[dict[str, Any]]:
        """Params of the delivered sendMessage calls, optionally to one chat."""
        return [call.params for call in self._matching("sendMessage", chat_id, received=False)]

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [params["text"] for params in self.sent(chat_id)]

    @property
    def stats(self) -> Stats:
        sends = [call for call in self.calls_of("sendMessage") if call.answered]
        delivered = [call for call in sends if call.ok]
        pairs = Counter((call.chat_id, call.params.get("text")) for call in delivered)
        return Stats(
            delivered=len(delivered),
            rate_limited=sum(c.error_code == 429 for c in sends),
            blocked=sum(c.error_code == 403 for c in sends),
            failed=sum(c.error_code not in (None, 403, 429) for c in sends),
            duplicates=sum(count > 1 for count in pairs.values()),
        )

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, chat_id: str | None = None, *, received: bool = False
    ) -> list[Call]:
        """Wait until ``count`` successful ``method`` calls exist (``received``: any, even unanswered)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, chat_id, received)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = ", ".join(call.summary() for call in self.calls[-30:]) or "nothing"
                raise TimeoutError(
                    f"waited {timeout:g}s for {count} {method} call(s) to {chat_id}, got "
                    f"{len(found)}; the last requests: {recent}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def _matching(self, method: str, chat_id: str | None, received: bool) -> list[Call]:
        return [
            call
            for call in self.calls_of(method)
            if (received or call.ok) and (chat_id is None or call.chat_id == str(chat_id))
        ]

    # ------------------------------------------------------------------------------------ updates
    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates and wake a waiting long poll."""
        self._updates.append(update)
        self._notify()

    def _update(self, event: str, chat_id: str, user_id: str | None, name: str, **message: Any) -> dict:
        chat_id = str(chat_id)
        return {
            "event_name": event,
            "message": {
                "message_id": f"{next(self._ids):020x}",
                "date": int(time.time() * 1000),
                "from": {"id": str(user_id or chat_id), "display_name": name, "is_bot": False},
                "chat": {"id": chat_id, "chat_type": "PRIVATE"},
                **message,
            },
        }

    def text_update(self, chat_id: str, text: str, user_id: str | None = None, name: str = "An") -> dict:
        return self._update(TEXT_EVENT, chat_id, user_id, name, text=text)

    def image_update(self, chat_id: str) -> dict:
        return self._update(
            "message.image.received", chat_id, None, "An", photo_url="https://example.invalid/anh.jpg", caption=""
        )

    def sticker_update(self, chat_id: str) -> dict:
        return self._update(
            "message.sticker.received",
            chat_id,
            None,
            "An",
            sticker="bfe458bf64fa8da4d4eb",
            url="https://example.invalid/sticker.webp",
        )

    def unsupported_update(self, chat_id: str) -> dict:
        return self._update("message.unsupported.received", chat_id, None, "An")

    # ------------------------------------------------------------------------------------ injection
    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        times: int = 1,
        chat_id: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with ok:false and this error."""
        self._failures.append(
            _Rule(
                method,
                None if chat_id is None else str(chat_id),
                times,
                error_code=error_code,
                description=description,
                retry_after=retry_after,
            )
        )

    def hang_next(
        self, method: str, seconds: float, deliver: bool = True, times: int = 1, chat_id: str | None = None
    ) -> None:
        """Hold the answer for ``seconds``; with ``deliver`` the call takes effect first (a read timeout
        then leaves the client not knowing), without it nothing happens and ok:false 504 follows."""
        self._hangs.append(
            _Rule(method, None if chat_id is None else str(chat_id), times, seconds=seconds, deliver=deliver)
        )

    def block(self, chat_id: str) -> None:
        """Every later send to ``chat_id`` answers ok:false 403 "Bot was blocked by user"."""
        self._blocked.add(str(chat_id))

    def unblock(self, chat_id: str) -> None:
        self._blocked.discard(str(chat_id))

    def set_limits(self, per_second: int | None = 20) -> None:
        """A sliding one-second window over all sends; over it: ok:false 429 with a retry hint."""
        self._per_second = per_second

    def clear_limits(self) -> None:
        self._per_second = None

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
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = json.loads(await request.read() or b"{}")
            if not isinstance(params, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError as exc:
            return self._respond(self._record(method, {}), _ApiError(400, f"Bad Request: {exc}"), request)
        call = self._record(method, params)
        if request.match_info["token"] != self.token:
            return self._respond(call, _ApiError(401, "Unauthorized"), request)
        hang = self._take(self._hangs, method, params)
        if hang is not None and not hang.deliver:
            await self._pause(hang.seconds)
            return self._respond(call, _ApiError(504, "Gateway Timeout"), request)
        try:
            rule = self._take(self._failures, method, params)
            if rule is not None:
                raise _ApiError(rule.error_code, rule.description, rule.retry_after)
            handler = self._handlers.get(method)
            if handler is None:
                raise _ApiError(404, f"Method {method} not found")
            answer = await handler(params)
        except _ApiError as error:
            answer = error
        response = self._respond(call, answer, request)  # the ledger shows the effect at once
        if hang is not None:
            await self._pause(hang.seconds)
            call.client_gone = request.transport is None or request.transport.is_closing()
        return response

    def _record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        self._notify()
        return call

    def _respond(self, call: Call, answer: Any, request: web.Request) -> web.Response:
        call.answered = True
        if isinstance(answer, _ApiError):
            call.error_code, call.description = answer.code, answer.description
            body = answer.body()
        else:
            call.result = answer
            body = {"ok": True, "result": answer}
        call.client_gone = request.transport is None or request.transport.is_closing()
        self._notify()
        for listener in self.listeners:
            listener(call)
        return web.json_response(body)  # always HTTP 200, as Zalo does: the envelope says what happened

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)

    # ------------------------------------------------------------------------------------ methods
    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_info)

    async def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: webhook is active, call deleteWebhook before getUpdates")
        deadline = time.monotonic() + max(float(params.get("timeout") or 30), 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        while True:
            if self.webhook is not None or generation != self._poll_generation:
                raise _ApiError(409, "Conflict: terminated by setWebhook or another getUpdates request")
            if self._updates:
                return self._updates.pop(0)  # one update per call, as Zalo does
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed.is_set():
                raise _ApiError(408, "Request timeout")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def _set_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith("https://"):
            raise _ApiError(400, "Bad Request: url must be an HTTPS URL")
        if not 8 <= len(secret) <= 256:
            raise _ApiError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        self._notify()  # a waiting getUpdates ends with a conflict
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _delete_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        self.webhook = None
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook["url"] if self.webhook else "", "updated_at": int(time.time() * 1000)}

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._deliverable_to(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _ApiError(400, f"Bad Request: text is {len(text)} characters, at most {MAX_TEXT_LENGTH}")
        return self._deliver(chat_id)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._deliverable_to(params)
        if not str(params.get("photo") or "").startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: photo must be a URL")
        return self._deliver(chat_id)

    async def _send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._deliverable_to(params)
        if not params.get("sticker"):
            raise _ApiError(400, "Bad Request: sticker is empty")
        return self._deliver(chat_id)

    async def _send_chat_action(self, params: dict[str, Any]) -> dict[str, Any]:
        self._require_chat(params)
        if params.get("action") != "typing":
            raise _ApiError(400, "Bad Request: action must be typing")
        return {}

    @staticmethod
    def _require_chat(params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise _ApiError(400, "Bad Request: chat_id is empty")
        return str(chat_id)

    def _deliverable_to(self, params: dict[str, Any]) -> str:
        chat_id = self._require_chat(params)
        if chat_id in self._blocked:
            raise _ApiError(403, BLOCKED)
        if self._per_second:
            now = time.monotonic()
            recent = len(self._sent_at) - bisect.bisect_right(self._sent_at, now - 1.0)
            if recent >= self._per_second:
                wait = max(1, math.ceil(self._sent_at[-self._per_second] + 1.0 - now))
                raise _ApiError(429, f"Quota exceeded: too many requests, retry after {wait}", wait)
        return chat_id

    def _deliver(self, chat_id: str) -> dict[str, Any]:
        self._sent_at.append(time.monotonic())
        return {"message_id": f"{next(self._ids):020x}", "date": int(time.time() * 1000)}


# --------------------------------------------------------------------------------------------- pytest
if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def zalo_api():
        """A started FakeZaloAPI, stopped after the test."""
        async with FakeZaloAPI() as api:
            yield api
