"""A thin Zalo OA client on one aiohttp session: Open API v3 sends and quota, OAuth v4 tokens; no token in any text."""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import aiohttp

from bot.channels.zalo_oa.rules import MessageKind

log = logging.getLogger(__name__)

# Hosts and paths: the issue, and the public integrations read: chatwoot/chatwoot
# app/services/zalo/incoming_message_service.rb (openapi.zalo.me/v3.0/oa/…, header access_token);
# field-vn/zalo src/Core/Auth/OAuthClient.php and hexasync.vn's OAuth guide (POST
# oauth.zaloapp.com/v4/oa/access_token, form-encoded, app secret in the secret_key header, a new refresh token
# with every refresh and the old one dead at once).
DEFAULT_API_BASE = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE = "https://oauth.zaloapp.com"
MESSAGE_PATH = "/v3.0/oa/message/{kind}"
QUOTA_PATH = "/v3.0/oa/quota/message"
TOKEN_PATH = "/v4/oa/access_token"
MAX_TEXT = 2000  # characters in one text, as the issue lists (Zalo's per-element template limits: unverified)
# ASSUMPTION: the header a transaction/promotion template shows, and the transaction template type. Only
# "transaction_order" (and "promotion") were seen in public samples (devesms/gitbook_esms_for_develop
# esms-api/ham-gui-tin-nhan-zns/ham-gui-tin-zalo-giao-dich.md); a case notice may deserve another type.
DEFAULT_TITLE = "Trợ lý Năng suất"
RECENT_SECRETS = 8  # tokens and grants remembered for scrubbing error texts
DEFAULT_TRANSACTION_TEMPLATE = "transaction_order"


class OaRefusal(StrEnum):
    """Why a send did not happen, in the terms the rules and the campaign engine act on."""

    OUTSIDE_WINDOW = "outside_window"  # the user has not interacted recently enough for this kind
    QUOTA = "quota"  # the OA's or this follower's quota is used up: not before it resets
    TOKEN = "token"  # the access token is invalid or expired: refresh, then retry
    UNREACHABLE = "unreachable"  # not a follower, restricted this kind, or banned/inactive
    LATER = "later"  # rate limit or quiet hours: the same send may work soon
    NETWORK = "network"  # no answer; `maybe_delivered` says whether it may have gone out
    OTHER = "other"  # anything else Zalo refused (bad parameter, OA not permitted …)


# Codes from Zalo's OA error table, https://developers.zalo.me/docs/official-account/phu-luc/ma-loi, as
# reproduced by public SDKs (a Python zalo_sdk's ZaloOAException.ERROR_CODE_TO_STR, which names that page)
# and confirmed in use: -216 refreshes in chatwoot/chatwoot app/services/zalo/send_on_zalo_service.rb, -230
# is what cs answers after 7 days (subiz/subiz.com docs/110-xu-ly-tinh-huong/6.-xu-ly-loi-zalo-oa.md,
# khoicodedao/Poto_platform docs/FIX_ERROR_230.md). Disagreement: doc.caresoft.vn's table lists -201 as
# "Invalid access token"; Zalo's table says -201 is "<data_field> is invalid!", so -201 stays OTHER here.
REFUSALS: dict[int, OaRefusal] = {
    -216: OaRefusal.TOKEN,  # Access token is invalid
    -220: OaRefusal.TOKEN,  # access_token is expired or removed
    -230: OaRefusal.OUTSIDE_WINDOW,  # user has not interacted with the OA in the past 7 days
    -232: OaRefusal.OUTSIDE_WINDOW,  # user has not interacted with the OA, or the last interaction has expired
    -211: OaRefusal.QUOTA,  # Out of quota
    -218: OaRefusal.QUOTA,  # Out of quota receive (this user's limit)
    -213: OaRefusal.UNREACHABLE,  # User has not followed OA
    -227: OaRefusal.UNREACHABLE,  # User is banned or has been inactive for more than 45 days
    -244: OaRefusal.UNREACHABLE,  # User has restricted this message type from your OA
    -32: OaRefusal.LATER,  # Your application reached limit call api
    -234: OaRefusal.LATER,  # This message cannot be sent at night (10:00PM - 6:00AM)
}
# OAuth v4 errors (Tran-Huu-Tai-12-04-23/quiz-wise-backend src/constants/server.ts): the grant is spent.
DEAD_GRANT = {
    -14014: "invalid refresh token",
    -14020: "refresh token expired",
    -14005: "invalid code",
    -14019: "code expired",
}


@dataclass(frozen=True)
class OaSent:
    ok: bool
    message_id: str = ""
    error_code: int = 0  # Zalo's negative code; 0 when ok or when nothing answered
    refusal: OaRefusal | None = None
    description: str = ""
    maybe_delivered: bool = False  # only for NETWORK: the request left and no answer came


@dataclass(frozen=True)
class OaQuota:
    """What is left, as far as the answer tells; None where it says nothing."""

    total: int | None = None  # the OA's promotion quota this month
    remain: int | None = None
    daily_total: int | None = None  # one follower today (asked with a user id)
    daily_remain: int | None = None
    monthly_total: int | None = None  # one follower this month (asked with a user id)
    monthly_remain: int | None = None


@dataclass(frozen=True)
class OaTokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int  # seconds the access token lives


class OaError(Exception):
    """Zalo refused (code < 0) or could not be heard (code 0)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}" if code else description)
        self.code, self.description = code, description

    @property
    def refusal(self) -> OaRefusal:
        return REFUSALS.get(self.code, OaRefusal.OTHER) if self.code else OaRefusal.NETWORK


class OaAuthError(OaError):
    """The token endpoint refused or was not heard. `maybe_used`: the refresh token may already be spent
    although no new one came back, so the token keeper must treat it as gone."""

    def __init__(self, code: int, description: str, maybe_used: bool = False) -> None:
        super().__init__(code, description)
        self.maybe_used = maybe_used

    @property
    def grant_dead(self) -> bool:
        """The refresh token or code can never work again: an admin must authorise the OA anew."""
        return self.code in DEAD_GRANT


class _Silence(Exception):
    """No usable answer. `sent`: the request left (or something answered), so it may have taken effect."""

    def __init__(self, description: str, sent: bool) -> None:
        super().__init__(description)
        self.sent = sent


def _obj(value: object) -> dict[str, Any]:
    """A JSON object, or {} for anything else: a hostile or odd answer never raises while being read."""
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    """Zalo writes numbers as numbers or as strings ("expires_in": "90000")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


class OaClient:
    """One aiohttp session; `use_token` sets the access token the token keeper currently trusts."""

    def __init__(
        self,
        app_id: str,
        secret_key: str,
        access_token: str = "",
        api_base: str = DEFAULT_API_BASE,
        oauth_base: str = DEFAULT_OAUTH_BASE,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        transaction_template: str = DEFAULT_TRANSACTION_TEMPLATE,
        title: str = DEFAULT_TITLE,
    ) -> None:
        self.app_id, self._secret, self._access = app_id, secret_key, access_token
        self.api_base, self.oauth_base = api_base.rstrip("/"), oauth_base.rstrip("/")
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.transaction_template, self.title = transaction_template, title
        # The secrets error texts are scrubbed of: the app secret, and the last few tokens and grants seen
        # (bounded: a process refreshing hourly for months must not grow a list nobody reads).
        self._recent: deque[str] = deque(maxlen=RECENT_SECRETS)
        self.use_token(access_token)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never show a token or the secret, even in a traceback's locals
        return f"OaClient(app_id={self.app_id!r}, api_base={self.api_base!r})"

    def use_token(self, access_token: str) -> None:
        self._access = access_token
        self._recent.append(access_token)

    async def start(self) -> None:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout, sock_read=self.timeout)
            self._session = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> OaClient:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _clean(self, text: str) -> str:
        """aiohttp's texts can quote a request; whatever secret we hold is masked before anyone sees it."""
        for secret in (self._secret, *self._recent):
            if secret:
                text = text.replace(secret, "***")
        return text

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """The answer's JSON object; raises _Silence when there is none (not connected, cut off, not JSON)."""
        await self.start()
        assert self._session is not None
        try:
            async with self._session.request(method, url, **kwargs) as response:
                raw = await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise _Silence(self._clean(f"not connected: {exc}"), sent=False) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The request left: a read timeout or a dropped connection after it may have taken effect.
            raise _Silence(self._clean(f"no answer: {type(exc).__name__}"), sent=True) from None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):  # a proxy's error page: something answered, Zalo may have acted
            raise _Silence(f"unreadable answer (HTTP {response.status})", sent=True)
        return body

    # -- Open API v3 -----------------------------------------------------------------------------------
    def _message(self, kind: MessageKind, text: str) -> dict[str, Any]:
        if kind is MessageKind.CONSULTATION:
            return {"text": text}
        # Transaction and promotion messages are templates, not bare text (the esms samples cited above).
        template = self.transaction_template if kind is MessageKind.TRANSACTION else "promotion"
        elements = [{"type": "header", "content": self.title, "align": "left"}]
        elements.append({"type": "text", "content": text, "align": "left"})
        payload = {"template_type": template, "language": "VI", "elements": elements}
        return {"attachment": {"type": "template", "payload": payload}}

    async def send(self, kind: MessageKind | str, user_id: str, text: str) -> OaSent:
        """One message; never raises. Refused before sending when the text breaks the length rule."""
        kind = MessageKind(kind)
        if not text.strip() or len(text) > MAX_TEXT:
            return OaSent(False, refusal=OaRefusal.OTHER, description=f"text of {len(text)} characters, 1–{MAX_TEXT}")
        body = {"recipient": {"user_id": user_id}, "message": self._message(kind, text)}
        url = self.api_base + MESSAGE_PATH.format(kind=kind.path)
        try:
            answer = await self._call("POST", url, json=body, headers={"access_token": self._access})
        except _Silence as silence:
            return OaSent(False, refusal=OaRefusal.NETWORK, description=str(silence), maybe_delivered=silence.sent)
        code = _int(answer.get("error"))
        data = _obj(answer.get("data"))
        if code == 0 and data.get("message_id"):
            return OaSent(True, message_id=str(data["message_id"]))
        code = code or 0
        refusal = REFUSALS.get(code, OaRefusal.OTHER)
        description = self._clean(str(answer.get("message") or ""))[:300]
        if refusal is OaRefusal.TOKEN:
            log.info("zalo_oa: %s refused the access token (%s)", kind.value, code)
        return OaSent(False, error_code=code, refusal=refusal, description=description)

    async def quota(self, user_id: str = "") -> OaQuota:
        """The OA's monthly promotion quota, or (with a user id) what that follower may still receive.
        POST with a JSON body, as public integrations call it (field-vn/zalo
        src/Core/Channels/OA/Capabilities/Checkers/OaQuotaChecker.php); the issue writes GET, the fake takes both.
        ASSUMPTION: the answer's fields, data.total/remain and data.promotion.{daily,monthly}_{total,remain},
        follow public code reading them (field-vn/zalo; a test in another public repository reads
        data.promotion.daily_remain); no Zalo page was found to confirm them. Raises OaError on failure."""
        body = {"user_id": user_id} if user_id else {}
        try:
            answer = await self._call(
                "POST", self.api_base + QUOTA_PATH, json=body, headers={"access_token": self._access}
            )
        except _Silence as silence:
            raise OaError(0, str(silence)) from None
        code = _int(answer.get("error")) or 0
        if code:
            raise OaError(code, self._clean(str(answer.get("message") or "")))
        data = _obj(answer.get("data"))
        per_user = _obj(data.get("promotion"))
        fields = ("daily_total", "daily_remain", "monthly_total", "monthly_remain")
        return OaQuota(_int(data.get("total")), _int(data.get("remain")), *(_int(per_user.get(f)) for f in fields))

    # -- OAuth v4 --------------------------------------------------------------------------------------
    async def refresh(self, refresh_token: str) -> OaTokens:
        """A new access token and a new refresh token; the one given is spent from the moment Zalo reads it."""
        return await self._token({"refresh_token": refresh_token, "grant_type": "refresh_token"}, refresh_token)

    async def exchange(self, code: str, code_verifier: str = "") -> OaTokens:
        """The first tokens from the code an admin's authorisation produced (PKCE verifier if one was used)."""
        form = {"code": code, "grant_type": "authorization_code"}
        if code_verifier:
            form["code_verifier"] = code_verifier
        return await self._token(form, code)

    async def _token(self, form: dict[str, str], grant: str) -> OaTokens:
        self._recent.append(grant)
        url = self.oauth_base + TOKEN_PATH
        try:
            answer = await self._call(
                "POST", url, data={"app_id": self.app_id, **form}, headers={"secret_key": self._secret}
            )
        except _Silence as silence:
            # Sent and unanswered: Zalo may have spent the refresh token and issued tokens we never saw.
            raise OaAuthError(0, str(silence), maybe_used=silence.sent) from None
        access, refresh = answer.get("access_token"), answer.get("refresh_token")
        if isinstance(access, str) and access and isinstance(refresh, str) and refresh:
            self._recent.extend((access, refresh))
            # expires_in is a string of seconds in Zalo's answers (field-vn/zalo src/Core/Auth/TokenPair.php).
            return OaTokens(access, refresh, _int(answer.get("expires_in")) or 0)
        code = _int(answer.get("error")) or 0
        name = answer.get("error_name") or answer.get("error_description") or answer.get("message") or ""
        raise OaAuthError(code, self._clean(str(name))[:300] or "no tokens in the answer")
