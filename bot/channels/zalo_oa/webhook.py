"""Zalo OA webhook events: signature, freshness and replays checked, then parsed into neutral dataclasses."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

# The header and the signed string: SHA-256 (a plain hash, not an HMAC) over app_id + raw body + the body's
# "timestamp" + the OA secret key (not the app secret key), sent as "mac=<hex>".
# Sources: chatwoot/chatwoot app/jobs/webhooks/zalo_events_job.rb (compares with "mac=#{hash}");
# field-vn/zalo src/Core/Webhook/SignatureVerifier.php (the same formula, raw body, "mac=" optional);
# https://hainh.me/zalo-api-php-webhook-callback-official-account.html (the four parts, in this order, and
# "OA Secret Key ... không phải là khóa bí mật của ứng dụng"). developers.zalo.me's own webhook page is not
# in the corpus searched. A bare hex digest is accepted too, as field-vn/zalo does.
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAC_PREFIX = "mac="

# ASSUMPTION: no Zalo page found states a freshness limit. Five minutes is what field-vn/zalo
# SignatureVerifier.php uses (tolerance 300 s), and the usual webhook tolerance elsewhere. Caveat: hainh.me
# says Zalo re-sends for up to 12 hours when the webhook does not answer 200 within 2 s; a re-send that keeps
# its first timestamp is refused here as stale, so the route must answer at once (as the Zalo bot channel
# does) and never depend on re-sends.
DEFAULT_MAX_AGE = dt.timedelta(minutes=5)
DEFAULT_MAX_BODY = 64 * 1024  # bytes; an OA event is well under 4 KiB, this only bounds the JSON parse
SEEN_EVENTS = 10_000  # event keys the in-memory seen-set remembers (the stale check covers older ones)

# Event names and fields as Zalo sends them: user_send_text/user_send_image with sender.id, recipient.id
# (the OA), message.text, message.msg_id, message.attachments[].payload.url (chatwoot/chatwoot
# app/services/zalo/incoming_message_service.rb); follow/unfollow with follower.id, oa_id, user_id_by_app
# (the event list of TradeSphere's ZALO_WEBHOOK_SETUP.md and the n8n-nodes-zalo-oa-integration docs).
TEXT, IMAGE, FOLLOW, UNFOLLOW = "user_send_text", "user_send_image", "follow", "unfollow"


class OaEventKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    OTHER = "other"  # stickers, files, links, OA-side echoes …: authentic, but nothing we act on yet


@dataclass(frozen=True)
class OaEvent:
    """One authentic, fresh, first-seen event. `user_id` is the user's id for this OA only."""

    kind: OaEventKind
    user_id: str
    oa_id: str
    event_name: str  # Zalo's own name, for logs and for OTHER
    at: dt.datetime  # the event's timestamp, UTC
    key: str  # what the seen-set remembered
    text: str = ""
    image_url: str = ""
    message_id: str = ""


class WebhookRefusal(StrEnum):
    UNSIGNED = "unsigned"  # no signature header
    FORGED = "forged"  # the signature does not match
    WRONG_APP = "wrong_app"  # signed, but for another app id
    STALE = "stale"  # the timestamp is outside the freshness window (either side)
    REPLAYED = "replayed"  # already seen: a replay, or Zalo delivering it twice
    MALFORMED = "malformed"  # not a JSON object, too big, or missing what the kind needs


@dataclass(frozen=True)
class Refused:
    reason: WebhookRefusal
    detail: str = ""

    @property
    def http_status(self) -> int:
        """What the route should answer: 200 for a duplicate (answered once, so Zalo stops re-sending)."""
        if self.reason is WebhookRefusal.REPLAYED:
            return 200
        return 400 if self.reason is WebhookRefusal.MALFORMED else 403


class SeenEvents(Protocol):
    """The replay guard's memory; a database table in production, shared by every process."""

    async def first_time(self, key: str) -> bool: ...


class MemorySeenEvents:
    """In-process seen-set for tests and a single process: the oldest keys are forgotten first."""

    def __init__(self, size: int = SEEN_EVENTS) -> None:
        self.size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return True


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex digest Zalo puts after "mac=" (see SIGNATURE_HEADER)."""
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def _obj(value: object) -> dict[str, Any]:
    """A JSON object, or {} for anything else: a hostile or odd answer never raises while being read."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive, for plain dicts as well as aiohttp's CIMultiDict."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return (value or "").strip()


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _id(event: Mapping[str, Any], field: str) -> str:
    part = event.get(field)
    return _text(part.get("id")) if isinstance(part, dict) else ""


class WebhookCheck:
    """`check(headers, body, now)`: the OaEvent, or why it was refused. Holds no HTTP; the route calls it."""

    def __init__(
        self,
        app_id: str,
        oa_secret_key: str,
        seen: SeenEvents,
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        if not app_id or not oa_secret_key:
            raise ValueError("the app id and the OA secret key are both needed to check Zalo's signature")
        self.app_id, self._secret, self.seen = app_id, oa_secret_key, seen
        self.max_age, self.max_body = max_age, max_body

    def __repr__(self) -> str:  # the secret stays out of tracebacks and debuggers
        return f"WebhookCheck(app_id={self.app_id!r}, max_age={self.max_age})"

    async def check(self, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> OaEvent | Refused:
        # Order matters: cheap and unauthenticated checks first; the seen-set is written last, and only for
        # authentic fresh events, so forged traffic cannot fill it and push real keys out.
        given = _header(headers, SIGNATURE_HEADER)
        if not given:
            return Refused(WebhookRefusal.UNSIGNED)
        if len(body) > self.max_body:
            return Refused(WebhookRefusal.MALFORMED, f"body of {len(body)} bytes")
        try:
            event = json.loads(body)
        except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError), or absurdly deep
            return Refused(WebhookRefusal.MALFORMED, "not JSON")
        if not isinstance(event, dict):
            return Refused(WebhookRefusal.MALFORMED, "not a JSON object")
        app_id, stamp = event.get("app_id"), event.get("timestamp")
        # The timestamp is milliseconds, a string in Zalo's samples (a number in some descriptions): both go
        # into the signature exactly as written. bool is an int in Python, and never a timestamp.
        if not isinstance(app_id, str | int) or isinstance(stamp, bool) or not isinstance(stamp, str | int):
            return Refused(WebhookRefusal.MALFORMED, "no app_id or timestamp")
        app_id, stamp = str(app_id), str(stamp)
        digest = given[len(MAC_PREFIX) :] if given.lower().startswith(MAC_PREFIX) else given
        expected = signature(app_id, body, stamp, self._secret)
        if not hmac.compare_digest(digest.lower().encode(), expected.encode()):
            return Refused(WebhookRefusal.FORGED)
        if app_id != self.app_id:  # signed with our OA key but for another app: not ours to act on
            return Refused(WebhookRefusal.WRONG_APP, app_id)
        if not stamp.isdigit() or len(stamp) > 15:
            return Refused(WebhookRefusal.MALFORMED, "timestamp is not milliseconds")
        at = dt.datetime.fromtimestamp(int(stamp) / 1000, dt.UTC)
        if abs(now - at) > self.max_age:
            return Refused(WebhookRefusal.STALE, f"{(now - at).total_seconds():.0f} s old")
        parsed = self._parse(event, at, body)
        if isinstance(parsed, Refused):
            return parsed
        if not await self.seen.first_time(parsed.key):
            return Refused(WebhookRefusal.REPLAYED, parsed.key)
        return parsed

    def _parse(self, event: dict[str, Any], at: dt.datetime, body: bytes) -> OaEvent | Refused:
        name = _text(event.get("event_name"))
        message = _obj(event.get("message"))
        message_id = _text(message.get("msg_id"))
        # A message id names the event across re-sends; without one (follow, unfollow) the exact body does.
        key = (
            f"{self.app_id}:msg:{message_id}"
            if message_id
            else f"{self.app_id}:body:{hashlib.sha256(body).hexdigest()}"
        )
        oa_id = _id(event, "recipient") or _text(event.get("oa_id"))
        if name in (FOLLOW, UNFOLLOW):
            user = _id(event, "follower") or _text(event.get("user_id_by_app"))
            if not user:
                return Refused(WebhookRefusal.MALFORMED, f"{name} without follower.id")
            kind = OaEventKind.FOLLOW if name == FOLLOW else OaEventKind.UNFOLLOW
            return OaEvent(kind, user, oa_id, name, at, key)
        if name.startswith("oa_send_"):  # the OA's own messages echoed back: the user is the recipient
            return OaEvent(
                OaEventKind.OTHER, _id(event, "recipient"), _id(event, "sender"), name, at, key, message_id=message_id
            )
        user = _id(event, "sender")
        if name == TEXT:
            text = message.get("text")
            if not user or not isinstance(text, str):
                return Refused(WebhookRefusal.MALFORMED, "user_send_text without sender.id or message.text")
            return OaEvent(OaEventKind.TEXT, user, oa_id, name, at, key, text=text, message_id=message_id)
        if name == IMAGE:
            attachments = _list(message.get("attachments"))
            url = next(
                (
                    _text(item["payload"].get("url"))
                    for item in attachments
                    if isinstance(item, dict) and isinstance(item.get("payload"), dict)
                ),
                "",
            )
            if not user:
                return Refused(WebhookRefusal.MALFORMED, "user_send_image without sender.id")
            caption = _text(message.get("text"))
            return OaEvent(OaEventKind.IMAGE, user, oa_id, name, at, key, caption, url, message_id)
        return OaEvent(OaEventKind.OTHER, user, oa_id, name, at, key, message_id=message_id)
